"""Helpers for the Cubism Core oracle tests: export, run the probe in a subprocess, compare with Kirie.

Comparison rules (black-box results on Core 6.0.1, see the tests' docstrings):

* positions: Core = file model units with **y negated**; Kirie = ``(px - origin) / ppu``;
* opacities: Core drawable opacity = Kirie's (a mesh Kirie hides has Core opacity 0);
* parameter values: the Core **snaps a value to a key when it lies within 0.001** (absolute, in
  parameter units) of it; :func:`core_snapped` applies that to a pose before ``evaluate``;
* draw order: the Core **truncates** the interpolated draw order to an int and sorts ties by
  drawable index; :func:`core_render_order` applies that rule to Kirie's values.
"""

from __future__ import annotations

import importlib.util
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rig.evaluate import evaluate
from rig.formats.cubism.moc3 import default_canvas, encode_moc3
from rig.model import Rig

PROBE = Path(__file__).with_name("core_probe.py")
FRAMEWORK_PROBE = Path(__file__).with_name("framework_probe.py")


def require_core() -> None:
    if sys.platform != "linux" and sys.platform != "win32" and sys.platform != "darwin":
        pytest.skip("live2d-py has no wheel for this platform")
    if importlib.util.find_spec("live2d") is None:
        pytest.skip("live2d-py==1.0.0 (dev extra) is not installed: no Cubism Core oracle")


def simple_uvs(rig: Rig) -> tuple[dict, dict]:
    """Layer uvs as page uvs, every mesh on texture 0 (enough for geometry tests)."""
    return {m.id: m.uvs.copy() for m in rig.art_meshes}, {
        m.id: 0 for m in rig.art_meshes
    }


def run_probe(moc3: bytes, poses: list[dict], tmp: Path, time_updates: int = 0) -> dict:
    """Run the Core on ``moc3`` in a subprocess; return its report (fails the test on a crash)."""
    (tmp / "m.moc3").write_bytes(moc3)
    (tmp / "poses.json").write_text(json.dumps(poses))
    cmd = [sys.executable, str(PROBE), str(tmp / "m.moc3"), str(tmp / "poses.json"), str(tmp / "out.json")]
    if time_updates:
        cmd += ["--time", str(time_updates)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"Core probe died with {proc.returncode}: {proc.stderr[-2000:]}"
    return json.loads((tmp / "out.json").read_text())


def export_and_probe(rig: Rig, poses: list[dict], tmp: Path) -> dict:
    uvs, tex = simple_uvs(rig)
    return run_probe(encode_moc3(rig, uvs, tex, 1), poses, tmp)


def test_poses(rig: Rig, n_random: int = 4, seed: int = 0) -> list[dict]:
    """Defaults, each parameter at min and at max, and ``n_random`` random combinations."""
    rng = np.random.default_rng(seed)
    poses: list[dict] = [{}]
    poses += [{p.id: v} for p in rig.parameters for v in (p.min, p.max)]
    poses += [{p.id: float(rng.uniform(p.min, p.max)) for p in rig.parameters} for _ in range(n_random)]
    return poses


test_poses.__test__ = False  # a helper, not a test


def core_render_order(ids: list[str], draw_orders: dict[str, float]) -> list[str]:
    """Kirie's meshes ordered by the Core's rule: truncated draw order, ties by file (rig) index."""
    index = {mid: i for i, mid in enumerate(ids)}
    return sorted(draw_orders, key=lambda mid: (math.floor(draw_orders[mid] + 1e-4), index[mid]))


#: The Core treats a parameter value closer than this to a key as the key itself (black-box, Core 6.0.1).
CORE_KEY_SNAP = 1e-3


def core_snapped(rig: Rig, pose: dict) -> dict:
    """``pose`` with each value moved onto a key of its parameter when closer than :data:`CORE_KEY_SNAP`."""
    keys: dict[str, set[float]] = {}
    for obj in [*rig.parts, *rig.deformers, *rig.art_meshes]:
        for b in obj.keyforms.bindings:
            keys.setdefault(b.parameter_id, set()).update(b.keys)
    out = dict(pose)
    for pid, v in pose.items():
        near = [k for k in keys.get(pid, ()) if abs(v - k) < CORE_KEY_SNAP]
        if near:
            out[pid] = near[0]
    return out


def compare_pose(rig: Rig, pose: dict, state: dict, ids: list[str], snap: bool = True) -> dict:
    """Max differences between the Core's state and ``evaluate(rig, pose)`` for one pose
    (``snap``: apply the Core's key snapping to ``pose`` first)."""
    c = default_canvas(rig)
    ev = evaluate(rig, core_snapped(rig, pose) if snap else pose)
    items = {it.art_mesh_id: it for it in ev.items}
    pos_err = opa_err = 0.0
    hidden_opacity = 0.0
    draw_mismatch = []
    for i, mid in enumerate(ids):
        core_op = state["opacities"][i]
        if mid not in items:
            hidden_opacity = max(hidden_opacity, core_op)
            continue
        it = items[mid]
        core = np.asarray(state["positions"][i], np.float64).reshape(-1, 2) * [1.0, -1.0]
        ours = (it.vertices_px.astype(np.float64) - [c.origin_x, c.origin_y]) / c.pixels_per_unit
        pos_err = max(pos_err, float(np.abs(core - ours).max()))
        opa_err = max(opa_err, abs(core_op - it.opacity))
        frac = it.draw_order - math.floor(it.draw_order)
        if 1e-3 < frac < 1 - 1e-3 and state["draw_orders"][i] != math.floor(it.draw_order):
            draw_mismatch.append(mid)
    core_order = [ids[j] for j in sorted(range(len(ids)), key=lambda j: state["render_orders"][j])]
    core_order = [m for m in core_order if m in items]
    expected = core_render_order(ids, {m: items[m].draw_order for m in items})
    return {
        "position": pos_err, "opacity": opa_err, "hidden_opacity": hidden_opacity, "draw_mismatch": draw_mismatch,
        "render_order_ok": core_order == expected, "evaluate_order_ok": core_order == [it.art_mesh_id for it in ev.items],
    }  # fmt: skip

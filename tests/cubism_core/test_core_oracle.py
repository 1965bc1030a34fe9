"""Exported ``.moc3`` files against the real Cubism Core (``live2d-py==1.0.0``), each in a subprocess.

The Core is a test-only oracle (cubism-formats.md 0 and 4.2). Each case checks: the file is version 4
and passes ``csmHasMocConsistency``; it revives; canvas, parameters (with the 4.2 key lists), parts
and drawables match the rig; and for the default pose, every parameter at min and at max and a few
random combinations, every drawable's vertices equal ``rig.evaluate.evaluate`` within
:data:`POSITION_TOL` model units (y flipped), opacities within 1e-5, and the render order follows
the Core's draw-order rule.
"""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

from rig.formats.cubism.moc3 import default_canvas
from rig.formats.project import load_project
from rig.testing import synthetic_rig, tiny_rig
from tests.cubism_core.oracle import compare_pose, export_and_probe, require_core, test_poses

pytestmark = pytest.mark.cubism_core

#: Model units (one unit = the longer canvas side). Observed: below 2e-6 on every rig tested.
POSITION_TOL = 1e-4


@pytest.fixture(autouse=True)
def _core():
    require_core()


def _check_static(rig, report):
    assert report["version"] == 4 and report["consistent"] == 1, report.get("log")
    c = default_canvas(rig)
    assert report["canvas"] == {"size": [c.width, c.height], "origin": [c.origin_x, c.origin_y], "ppu": c.pixels_per_unit}
    params = report["parameters"]
    assert params["ids"] == [p.id for p in rig.parameters]
    assert params["min"] == [p.min for p in rig.parameters] and params["max"] == [p.max for p in rig.parameters]
    assert params["default"] == [p.default for p in rig.parameters]
    for p, keys in zip(rig.parameters, params["keys"]):
        assert tuple(keys) == p.keys or not p.keys
    assert sorted(report["parts"]["ids"]) == sorted(p.id for p in rig.parts)
    d = report["drawables"]
    assert d["ids"] == [m.id for m in rig.art_meshes]
    assert d["vertex_counts"] == [m.vertex_count for m in rig.art_meshes]
    for m, idx in zip(rig.art_meshes, d["indices"]):  # the Core reverses each triangle: (a, b, c) -> (c, b, a)
        assert np.asarray(idx).reshape(-1, 3).tolist() == m.triangles[:, ::-1].tolist()
    index = {m.id: i for i, m in enumerate(rig.art_meshes)}
    assert d["masks"] == [[index[s] for s in m.mask_ids] for m in rig.art_meshes]


def _check_poses(rig, tmp_path, n_random=4, seed=0):
    poses = test_poses(rig, n_random, seed)
    report = export_and_probe(rig, poses, tmp_path)
    _check_static(rig, report)
    results = [compare_pose(rig, pose, state, report["drawables"]["ids"]) for pose, state in zip(poses, report["poses"])]
    worst = max(r["position"] for r in results)
    assert worst < POSITION_TOL, worst
    assert max(r["opacity"] for r in results) < 1e-5
    assert max(r["hidden_opacity"] for r in results) == 0.0
    assert [r["draw_mismatch"] for r in results] == [[]] * len(results)
    assert all(r["render_order_ok"] for r in results)
    return results


def test_tiny_rig(tmp_path):
    results = _check_poses(tiny_rig(), tmp_path)
    assert all(r["evaluate_order_ok"] for r in results)


def test_tiny_rig_with_opacities_and_hidden_mesh(tmp_path):
    """Warp and rotation opacities multiply down to drawables; part opacity is baked into meshes
    (the Core keys parts on draw order only); a mesh Kirie hides has Core opacity 0."""
    rig = tiny_rig()
    rig.deformer("Warp1").keyforms.values["opacity"][:] = [0.5, 0.8, 1.0]
    rig.deformer("Rotation1").keyforms.values["opacity"][:] = [0.6, 0.9]
    rig.part("PartFace").keyforms.values["opacity"][:] = 0.7
    rig.art_meshes[2].visible = False
    _check_poses(rig, tmp_path)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_synthetic_rigs(seed, tmp_path):
    """Warps and rotations nested 4 deep, meshes reaching outside their warp (extrapolation), keyed
    part opacities, 1-3 parameter grids, clip masks."""
    _check_poses(synthetic_rig(30, 1700, 12, 30, seed=seed), tmp_path, seed=seed)


def test_benchmark_medium_rig(tmp_path):
    _check_poses(synthetic_rig(130, 3000, 40, 70, seed=5), tmp_path, n_random=3, seed=5)


def test_evaluate_draw_order_matches_core(tmp_path):
    rig = synthetic_rig(30, 1700, 12, 30, seed=0)
    poses = test_poses(rig, 2)
    report = export_and_probe(rig, poses, tmp_path)
    results = [compare_pose(rig, p, s, report["drawables"]["ids"]) for p, s in zip(poses, report["poses"])]
    assert all(r["evaluate_order_ok"] for r in results)


def test_evaluate_matches_core_near_a_key(tmp_path):
    """Param19 = 0.00092 (key 0) on a mesh whose keyforms differ by ~1000 px: 0.9 px apart."""
    rig = synthetic_rig(130, 3000, 40, 70, seed=5)
    pose = test_poses(rig, 3, 5)[142]
    report = export_and_probe(rig, [pose], tmp_path)
    assert compare_pose(rig, pose, report["poses"][0], report["drawables"]["ids"], snap=False)["position"] < POSITION_TOL


@pytest.mark.parametrize("name", ["waifu_00.png", "lambda_00.png", "waifu_04.png"])  # glasses; a back-hair clip
def test_generated_rig(shared_data, tmp_path, name):
    image = shared_data / "anime" / name
    project = tmp_path / "w.kirie"
    proc = subprocess.run([sys.executable, "-m", "app.cli", "generate", str(image), "-o", str(project)],
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    if proc.returncode != 0:
        pytest.skip(f"kirie generate failed: {proc.stderr[-500:]}")
    rig = load_project(project).rig
    if name == "lambda_00.png":
        assert any(m.id == "ArtMeshGlasses" and m.part_id == "PartGlasses" for m in rig.art_meshes)
    results = _check_poses(rig, tmp_path, n_random=6)
    assert not math.isnan(max(r["position"] for r in results))


def test_open_mouth_rig_with_mouth_pieces(tmp_path):
    """A drawn character with a big open mouth: lips, teeth and tongue clipped by the interior, a
    2-D MouthOpenY x MouthForm grid and a non-zero MouthOpenY default (issue 10)."""
    from inference.layers.cut import cut_layers
    from inference.meshing.meshes import mesh_layers
    from inference.rigging import build_rig, load_template
    from tests.inference.character import synthetic_character

    img, fg, face, parts = synthetic_character(512, mouth="chibi")
    layers = cut_layers(img, fg, face, parts)
    rig = build_rig(load_template(), face, layers, mesh_layers(layers, face_width_px=face.face_width_px), img.size_px)
    assert rig.parameter("ParamMouthOpenY").default > 0
    assert rig.art_mesh("ArtMeshMouthTeeth").mask_ids == ("ArtMeshMouthInterior",)
    _check_poses(rig, tmp_path, n_random=3)

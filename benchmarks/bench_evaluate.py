"""``evaluate`` against the Cubism Core on the same exported rigs and poses, and the plan's costs.

Run: ``.venv/bin/python benchmarks/bench_evaluate.py [--frames N] [--project P.kirie ...] [--profile SIZE]``.

For the three synthetic rig sizes (``rig.testing.benchmark_rig``) and any ``--project``: the rig is
exported to a ``.moc3`` (``encode_moc3``) and loaded into the **Cubism Core** in this process (the
test-only oracle: ``live2d-py``'s ``_live2d.so`` through ``tests/cubism_core/core_probe.py``; never
used by the application). Both then run the same poses (a seeded sine walk over every parameter's
range, every parameter changing every frame), **interleaved frame by frame** so that the load of a
shared machine hits both alike:

* ``core``: writing the pose into the Core's parameter array (one ``memmove``) + ``csmUpdateModel``;
* ``kirie``: ``evaluate(rig, values, plan, gizmos=False)`` (the Core computes no gizmos either) on the
  compiled kernel when numba is present; ``+gizmos``: with the deformer overlays (the editor's call);
* ``numpy``: the same evaluation on the numpy fallback path (``plan.packed = None``).

``ratio`` is median / median; ``min/min`` the fastest kirie frame over the fastest core frame (the
least disturbed by other processes). Also: ``compile`` (``compile_plan``) and ``refresh`` (``refresh_plan`` after a keyform edit of one art
mesh, the editor's incremental path). Prints medians in microseconds and ``kirie / core``; the bar is
``kirie / core <= 3``.
"""

from __future__ import annotations

import argparse
import ctypes as C
import dataclasses
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # this checkout's code, not whatever the venv's editable install points at

from rig.evaluate import compile_plan, evaluate, refresh_plan  # noqa: E402
from rig.testing import BENCHMARK_SIZES, benchmark_rig  # noqa: E402


def frames(rig, n: int, seed: int = 1) -> list[dict[str, float]]:
    rng = np.random.default_rng(seed)
    lo = np.array([p.min for p in rig.parameters])
    hi = np.array([p.max for p in rig.parameters])
    ids = [p.id for p in rig.parameters]
    phase = rng.uniform(0, 2 * np.pi, len(ids))
    out = []
    for f in range(n):
        x = lo + (hi - lo) * (0.5 + 0.5 * np.sin(phase + 0.05 * f))
        out.append(dict(zip(ids, x.tolist())))
    return out


class Core:
    """One rig exported to .moc3 and live in the Cubism Core (ctypes); :meth:`update` poses it."""

    def __init__(self, rig) -> None:
        sys.path.insert(0, str(REPO / "tests" / "cubism_core"))
        from core_probe import aligned, load_core

        from rig.formats.cubism.moc3 import encode_moc3

        data = encode_moc3(rig, {m.id: m.uvs.copy() for m in rig.art_meshes}, {m.id: 0 for m in rig.art_meshes}, 1)
        self.lib = lib = load_core()
        self._raw, addr = aligned(len(data), 64)
        C.memmove(addr, data, len(data))
        if lib.csmHasMocConsistency(addr, len(data)) != 1:
            raise RuntimeError("the exported .moc3 fails the Core's consistency check")
        moc = lib.csmReviveMocInPlace(addr, len(data))
        size = lib.csmGetSizeofModel(moc)
        self._mraw, maddr = aligned(size, 16)
        self.model = lib.csmInitializeModelInPlace(moc, maddr, size)
        n = lib.csmGetParameterCount(self.model)
        ids = lib.csmGetParameterIds(self.model)
        self.ids = [ids[i].decode() for i in range(n)]
        self.values = C.cast(lib.csmGetParameterValues(self.model), C.c_void_p).value
        self.defaults = np.asarray(lib.csmGetParameterDefaultValues(self.model)[:n], np.float32)

    def pose_array(self, pose: dict[str, float]) -> np.ndarray:
        arr = self.defaults.copy()
        for i, pid in enumerate(self.ids):
            if pid in pose:
                arr[i] = pose[pid]
        return arr

    def update(self, arr: np.ndarray) -> None:
        C.memmove(self.values, arr.ctypes.data, arr.nbytes)
        self.lib.csmUpdateModel(self.model)


def _median_us(times: list[float]) -> float:
    return statistics.median(times) * 1e6


def bench(label: str, rig, n_frames: int) -> dict[str, float]:
    """Medians (microseconds) of one rig; see the module docstring for the columns."""
    t0 = time.perf_counter()
    plan = compile_plan(rig)
    compile_s = time.perf_counter() - t0
    numpy_plan = dataclasses.replace(plan, packed=None)
    core = Core(rig)
    poses = frames(rig, n_frames)
    arrays = [core.pose_array(p) for p in poses]
    for p, a in zip(poses[:20], arrays[:20]):  # warm-up (kernel already compiled or loaded from cache)
        core.update(a)
        evaluate(rig, p, plan, gizmos=False)
    cols: dict[str, list[float]] = {"core": [], "kirie": [], "+gizmos": [], "numpy": []}
    clock = time.perf_counter
    for p, a in zip(poses, arrays):
        t = clock()
        core.update(a)
        t1 = clock()
        evaluate(rig, p, plan, gizmos=False)
        t2 = clock()
        evaluate(rig, p, plan)
        t3 = clock()
        evaluate(rig, p, numpy_plan, gizmos=False)
        t4 = clock()
        for key, dt in zip(cols, (t1 - t, t2 - t1, t3 - t2, t4 - t3)):
            cols[key].append(dt)
    mesh = rig.art_meshes[len(rig.art_meshes) // 2]
    refresh = []
    for _ in range(20):
        mesh.keyforms.values["positions"][...] += np.float32(0.001)
        t = clock()
        refreshed = refresh_plan(plan, rig, {mesh.id})
        refresh.append(clock() - t)
        assert refreshed is not None, "a keyform edit should not recompile"
        plan = refreshed
    out = {k: _median_us(v) for k, v in cols.items()}
    out["best"] = min(cols["kirie"]) / min(cols["core"])  # fastest vs fastest: the least disturbed by load
    out.update(compile=compile_s * 1e6, refresh=_median_us(refresh))
    verts = sum(m.vertex_count for m in rig.art_meshes)
    print(f"{label:10} {len(rig.art_meshes):6d} {verts:8d} {len(rig.deformers):9d} {len(rig.parameters):6d} "
          f"{out['core']:8.1f} {out['kirie']:8.1f} {out['kirie'] / out['core']:7.2f}x {out['+gizmos']:8.1f} "
          f"{out['numpy']:8.1f} {out['numpy'] / out['core']:7.2f}x {out['best']:7.2f}x {compile_s * 1e3:9.1f} "
          f"{out['refresh'] / 1e3:9.2f}")  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=400)
    parser.add_argument("--project", type=Path, action="append", default=[], help="also a .kirie project")
    parser.add_argument("--profile", choices=list(BENCHMARK_SIZES), help="cProfile one size instead")
    args = parser.parse_args()
    if args.profile:
        import cProfile
        import pstats

        rig = benchmark_rig(args.profile)
        plan = compile_plan(rig)
        values = frames(rig, args.frames)
        with cProfile.Profile() as prof:
            for v in values:
                evaluate(rig, v, plan)
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)
        return
    from importlib.metadata import version

    from rig.evaluate import kernel

    print(f"kernel: {'numba ' + version('numba') if kernel.AVAILABLE else 'unavailable (numpy path)'}; "
          f"{args.frames} interleaved frames per rig; medians in us (compile, refresh in ms)")  # fmt: skip
    print(f"{'rig':10} {'meshes':>6} {'vertices':>8} {'deformers':>9} {'params':>6} {'core':>8} {'kirie':>8} "
          f"{'ratio':>8} {'+gizmos':>8} {'numpy':>8} {'ratio':>8} {'min/min':>8} {'compile':>9} {'refresh':>9}")  # fmt: skip
    ratios = []
    for size in BENCHMARK_SIZES:
        r = bench(size, benchmark_rig(size), args.frames)
        ratios.append(r["kirie"] / r["core"])
    for path in args.project:
        from rig.formats.project import load_project

        r = bench(path.stem[:10], load_project(path).rig, args.frames)
        ratios.append(r["kirie"] / r["core"])
    worst = max(ratios)
    print(f"worst kirie / core {worst:.2f}x (bar: <= 3x) {'OK' if worst <= 3 else 'ABOVE BAR'}")


if __name__ == "__main__":
    main()

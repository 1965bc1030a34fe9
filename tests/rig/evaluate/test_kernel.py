"""The compiled evaluation kernel (numba) gives exactly the numpy path's result, and falls back to it."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from rig.evaluate import compile_plan, evaluate, kernel
from rig.model import RotationDeformer
from rig.testing import benchmark_rig, synthetic_rig, tiny_rig

needs_kernel = pytest.mark.skipif(not kernel.AVAILABLE, reason="no compiled kernel: numba is not installed or KIRIE_EVALUATE_KERNEL=numpy")


def _poses(rig, n: int, seed: int = 3) -> list[dict[str, float]]:
    rng = np.random.default_rng(seed)
    poses = [{}, {p.id: p.min for p in rig.parameters}, {p.id: p.max for p in rig.parameters}]
    poses += [{p.id: float(rng.uniform(p.min, p.max)) for p in rig.parameters} for _ in range(n)]
    return poses


def _assert_same(a, b) -> None:
    assert [i.art_mesh_id for i in a.items] == [i.art_mesh_id for i in b.items]
    for i, j in zip(a.items, b.items):
        np.testing.assert_array_equal(i.vertices_px, j.vertices_px, err_msg=i.art_mesh_id)
        assert (i.opacity, i.draw_order, i.multiply_rgb, i.screen_rgb) == (j.opacity, j.draw_order, j.multiply_rgb,
                                                                           j.screen_rgb)  # fmt: skip
    assert a.masks.keys() == b.masks.keys()
    for g, h in zip(a.gizmos, b.gizmos, strict=True):
        np.testing.assert_array_equal(g.points_px, h.points_px, err_msg=g.deformer_id)
        assert g.angle_deg == pytest.approx(h.angle_deg, abs=1e-9)  # float64 atan2 / rad2deg: last bits


@needs_kernel
@pytest.mark.parametrize(
    "make", [tiny_rig, lambda: benchmark_rig("small"), lambda: benchmark_rig("medium"), lambda: synthetic_rig(20, 600, 16, 12, seed=5)]
)
def test_kernel_equals_numpy_path(make):
    rig = make()
    plan = compile_plan(rig)
    assert plan.packed is not None
    kernel.wait_compiled()
    assert kernel.run(plan.packed, np.array([*(p.default for p in rig.parameters), 0.0])) is not None, "compiled path"
    numpy_plan = dataclasses.replace(plan, packed=None)
    moved = 0
    for pose in _poses(rig, 12):
        fast, ref = evaluate(rig, pose, plan), evaluate(rig, pose, numpy_plan)
        _assert_same(fast, ref)
        moved += any(not np.array_equal(i.vertices_px, j.vertices_px)
                     for i, j in zip(fast.items, evaluate(rig, {}, plan).items))  # fmt: skip
    assert moved > 0  # the poses really deform the rig


@needs_kernel
def test_background_compile_takes_the_numpy_path_until_ready(monkeypatch):
    """The editor's mode: the first frame starts the compile on a thread and is answered by numpy
    (``run`` gives None); once compiled, frames take the kernel, with the same numbers throughout."""
    rig = benchmark_rig("small")
    plan = compile_plan(rig)
    x = np.array([*(p.default for p in rig.parameters), 0.0])
    monkeypatch.setattr(kernel, "_compiled", kernel.threading.Event())
    monkeypatch.setattr(kernel, "_thread", None)
    monkeypatch.setattr(kernel, "_background", False)
    kernel.compile_in_background()
    first = evaluate(rig, {}, plan)
    assert kernel.run(plan.packed, x) is None or kernel._compiled.is_set()
    assert kernel._thread is not None and kernel._thread.name == "kirie-kernel-compile"
    assert kernel.wait_compiled(timeout=300)
    assert kernel.run(plan.packed, x) is not None
    _assert_same(first, evaluate(rig, {}, plan))


def test_benchmark_rigs_reach_the_extrapolated_ring():
    """Some mesh vertices lie outside their warp's unit square, so the kernel's extrapolation runs."""
    rig = benchmark_rig("small")
    warps = {d.id for d in rig.deformers if not isinstance(d, RotationDeformer)}
    uv = np.concatenate([m.keyforms.values["positions"].reshape(-1, 2) for m in rig.art_meshes
                         if m.parent_deformer_id in warps])  # fmt: skip
    assert ((uv < 0) | (uv >= 1)).any() and ((uv >= 0) & (uv < 1)).all(axis=1).any()


@needs_kernel
def test_degenerate_probe_falls_back_to_the_numpy_path():
    """A rotation under a warp collapsed to one point has a zero quick probe: the kernel declines the frame
    (``run`` gives None) and evaluate() takes the numpy path with the Core's robust probe."""
    rig = tiny_rig()
    rot = next(d for d in rig.deformers if isinstance(d, RotationDeformer) and d.parent_deformer_id is not None)
    parent = rig.deformer(rot.parent_deformer_id)
    if not hasattr(parent, "rows"):
        pytest.skip("tiny_rig's nested rotation is not under a warp")
    lattice = parent.keyforms.values["positions"]
    lattice[:] = lattice.mean(axis=(0, 1))  # every keyform, every lattice point: one point
    plan = compile_plan(rig)
    x = np.array([*(p.default for p in rig.parameters), 0.0])
    assert kernel.run(plan.packed, x) is None
    _assert_same(evaluate(rig, {}, plan), evaluate(rig, {}, dataclasses.replace(plan, packed=None)))


def test_items_are_frozen_draw_items():
    from rig.evaluate.types import DrawItem

    result = evaluate(tiny_rig(), {"ParamAngleX": 10.0})
    item = result.items[0]
    assert type(item) is DrawItem and dataclasses.replace(item, opacity=0.5).opacity == 0.5
    with pytest.raises(dataclasses.FrozenInstanceError):
        item.opacity = 0.0


def test_a_one_off_evaluation_never_imports_numba():
    """evaluate() without a plan and compile_plan(compiled=False) take the numpy path: a process that
    evaluates a rig once (an export, the generation preview) does not pay numba's ~120 MB import."""
    import subprocess
    import sys

    code = ("import sys; from rig.evaluate import compile_plan, evaluate; from rig.testing import tiny_rig; "
            "r = tiny_rig(); evaluate(r, {}); p = compile_plan(r, compiled=False); evaluate(r, {}, p); "
            "print(p.packed is None, 'numba' in sys.modules)")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["True", "False"]


@needs_kernel
def test_a_compiled_plan_still_packs_for_the_kernel():
    assert compile_plan(tiny_rig()).packed is not None

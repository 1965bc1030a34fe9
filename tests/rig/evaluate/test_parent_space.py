"""rig.evaluate.parent_space: the one parent-space map (drag tools and reparenting) on the robust inverse.

The bent band below (a 3 x 3 warp whose columns fan over 200 degrees, like a hair strand bent back on
itself) is where the drag tools' former inverse, 12 plain Newton steps from (0.5, 0.5), left 40 of 400
points unconverged (> 0.01 px; one near a corner 307 px off) and 130-167 of 400 points of a large drag
(measured when the inverse changed); every test here failed with it.
"""

from __future__ import annotations

import logging

import numpy as np
import pytest

from rig.evaluate import evaluate
from rig.evaluate.parent_space import ParentMap
from rig.evaluate.reexpress import reexpress_keyforms
from rig.evaluate.warp import evaluate_warp
from rig.testing import tiny_rig

TOL_PX = 1e-3


def _bent_band(bend_deg: float = 200.0, shear: float = 0.0, turn_deg: float = 30.0) -> np.ndarray:
    """(4, 4, 2) float32 canvas lattice: column u rotated by ``turn + bend * u``, radius 100-300 px."""
    u, v = np.meshgrid(np.linspace(0, 1, 4), np.linspace(0, 1, 4))
    angle = np.deg2rad(turn_deg + bend_deg * u)
    radius = 100 + 200 * v
    x, y = radius * np.cos(angle) + shear * 100 * v, radius * np.sin(angle)
    return (np.stack([x, y], -1) + [400, 400]).astype(np.float32)


def _warp_map(lattice: np.ndarray) -> ParentMap:
    rows, cols = lattice.shape[0] - 1, lattice.shape[1] - 1
    return ParentMap("warp", lattice_px=lattice, rows=rows, cols=cols, deformer_id="WarpBand")


def _residual(pm: ParentMap, uv: np.ndarray, canvas: np.ndarray) -> np.ndarray:
    return np.abs(pm.to_canvas(uv) - canvas).max(axis=1)


def test_bent_warp_inverts_without_a_guess():
    pm = _warp_map(_bent_band())
    uv = np.random.default_rng(1).uniform(0, 1, (400, 2))
    canvas = pm.to_canvas(uv)
    assert _residual(pm, pm.to_parent(canvas), canvas).max() < TOL_PX


def test_point_near_a_corner_far_from_the_centre():
    pm = _warp_map(_bent_band())
    uv = np.array([[0.05, 0.05], [0.95, 0.95], [-1.5, 2.5], [2.9, 2.9], [7.0, -5.0]])
    canvas = pm.to_canvas(uv)
    assert _residual(pm, pm.to_parent(canvas), canvas).max() < TOL_PX


@pytest.mark.parametrize("delta_px", [(150.0, 0.0), (0.0, 250.0), (-300.0, 120.0)])
def test_large_drag_on_a_bent_sheared_warp_lands_under_the_cursor(delta_px):
    pm = _warp_map(_bent_band(shear=1.5))
    uv = np.random.default_rng(2).uniform(0, 1, (400, 2))
    moved = pm.moved(uv, delta_px)
    assert _residual(pm, moved, pm.to_canvas(uv) + delta_px).max() < TOL_PX


def test_rotated_sheared_noisy_warp_round_trips_inside_and_outside():
    rng = np.random.default_rng(0)
    grid = np.stack(np.meshgrid(np.linspace(0, 300, 5), np.linspace(0, 200, 4)), -1)
    a, shear = np.deg2rad(140.0), np.array([[1.0, 1.8], [0.0, 1.0]])
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    lattice = (grid @ (rot @ shear).T + rng.normal(0, 40, grid.shape) + 500).astype(np.float32)
    pm = _warp_map(lattice)
    uv = rng.uniform(-4, 5, (300, 2))
    canvas = evaluate_warp(lattice, 3, 4, uv.astype(np.float32)).astype(np.float64)
    assert _residual(pm, pm.to_parent(canvas), canvas).max() < TOL_PX


def test_unreachable_point_warns_with_the_parent_and_context(caplog):
    flat = np.stack(np.meshgrid(np.linspace(0, 300, 3), np.zeros(3)), -1).astype(np.float32)  # y = 0 only
    with caplog.at_level(logging.WARNING, logger="rig.evaluate.warp_inverse"):
        back = _warp_map(flat).to_parent(np.array([[100.0, 50.0]]), context="ArtMesh9")
    assert np.isfinite(back).all()
    assert "ArtMesh9 in WarpBand" in caplog.text


def test_rotation_and_canvas_maps_are_exact():
    rig = tiny_rig()
    values = {"ParamAngleZ": 20.0}
    ev = evaluate(rig, values)
    pm = ParentMap.of_deformer(rig, ev, "Rotation1", values)
    pts = np.array([[0.0, 0.0], [10.0, -4.0], [-33.0, 7.5]])
    assert pm.kind == "rotation"
    np.testing.assert_allclose(pm.to_parent(pm.to_canvas(pts)), pts, atol=1e-9)
    assert ParentMap.of_deformer(rig, ev, None, values).to_parent(pts) is not pts


def test_reparenting_and_drag_tools_share_the_map():
    """ArtMesh2 moved from Rotation1 to Warp1: the drag tools' ParentMap of Warp1 maps its new keyform
    onto the canvas vertices it had under Rotation1."""
    rig = tiny_rig()
    grid = reexpress_keyforms(rig, "ArtMesh2", "Warp1")
    defaults = {p.id: p.default for p in rig.parameters}
    ev = evaluate(rig, defaults)
    item = next(i for i in ev.items if i.art_mesh_id == "ArtMesh2")
    pm = ParentMap.of_deformer(rig, ev, "Warp1", defaults)
    assert grid.count == 1 and pm.kind == "warp"
    np.testing.assert_allclose(pm.to_canvas(grid.values["positions"][0]), item.vertices_px, atol=TOL_PX)

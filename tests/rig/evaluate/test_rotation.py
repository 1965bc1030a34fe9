"""Rotation deformer maths and the Core's flattening of rotations under warps and rotations."""

from __future__ import annotations

import numpy as np
import pytest

from rig.evaluate import evaluate
from rig.evaluate.rotation import angle_correction_deg, evaluate_rotation
from rig.model import (
    ArtMesh,
    KeyformBinding,
    KeyformGrid,
    Layer,
    Parameter,
    Part,
    Rig,
    RotationDeformer,
    WarpDeformer,
)


def test_90_degrees_is_clockwise_on_screen_and_exact():
    pts = np.array([[10, 0], [0, 10], [-3, 4]], np.float32)
    out = evaluate_rotation(pts, (100, 50), 90.0)
    # +y down: clockwise turns +x (right) into +y (down) and +y (down) into -x (left).
    np.testing.assert_allclose(out, [[100, 60], [90, 50], [96, 47]], atol=1e-5)


def test_scale_and_reflection_apply_before_rotation():
    pts = np.array([[10, 0], [0, 5]], np.float32)
    out = evaluate_rotation(pts, (0, 0), 0.0, scale=2.0, reflect_x=True)
    np.testing.assert_allclose(out, [[-20, 0], [0, 10]], atol=1e-6)
    out = evaluate_rotation(pts, (0, 0), 90.0, reflect_y=True)
    np.testing.assert_allclose(out, [[0, 10], [5, 0]], atol=1e-5)


def test_angle_correction_wraps_to_half_turn():
    d = np.array([0 - 1j, 1 + 0j, -1 + 0j, 0 + 1j])
    out = angle_correction_deg(d, np.full(4, -0.1))
    np.testing.assert_allclose(np.abs(out[[0, 1, 2]]), [0, 90, 90], atol=1e-9)
    assert out[1] == pytest.approx(90) and out[2] == pytest.approx(-90)
    assert abs(out[3]) == pytest.approx(180)


def _rig(parent_kind: str, lattice_angle_deg: float = 30.0) -> Rig:
    """A parent (warp: square rotated by ``lattice_angle_deg``; rotation: angle 90 deg) with a rotation child."""
    params = [Parameter("ParamAngleZ", "Z", -30, 0, 30, keys=(-30, 0, 30))]
    parts = [Part("PartRoot", "Root")]
    layer = Layer("Layer1", "L", np.full((4, 4, 4), 255, np.uint8))
    if parent_kind == "warp":
        a = np.deg2rad(lattice_angle_deg)
        rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
        grid = (WarpDeformer.rest_grid(2, 2, -50, -50, 50, 50) @ rot.T + [200, 200]).astype(np.float32)
        parent = WarpDeformer(
            "Warp1", "W", "PartRoot", None, 2, 2, KeyformGrid.constant(positions=grid, opacity=np.float32(1))
        )
        origin = (0.5, 0.5)
    else:
        parent = RotationDeformer(
            "Rotation0",
            "R0",
            "PartRoot",
            None,
            KeyformGrid.constant(**RotationDeformer.rest_values((200, 200), 90.0, 2.0)),
        )
        origin = (10.0, 0.0)
    child_values = [RotationDeformer.rest_values(origin, angle_deg=a) for a in (-20.0, 0.0, 20.0)]
    child_grid = KeyformGrid(
        (KeyformBinding("ParamAngleZ", (-30, 0, 30)),),
        {k: np.stack([v[k] for v in child_values]) for k in child_values[0]},
    )
    child = RotationDeformer("Rotation1", "R1", "PartRoot", parent.id, child_grid)
    pts = np.array([[0, 0], [10, 0], [0, -10]], np.float32)
    mesh = ArtMesh(
        "ArtMesh1",
        "M",
        "PartRoot",
        "Rotation1",
        "Layer1",
        np.zeros((3, 2), np.float32),
        np.array([[0, 1, 2]], np.uint16),
        KeyformGrid.constant(**ArtMesh.rest_values(pts)),
    )
    rig = Rig(400, 400, "t", params, [], parts, [child, parent], [mesh], [layer])
    rig.validate()
    return rig


@pytest.mark.parametrize("angle_z", [-30.0, 0.0, 15.0])
def test_rotation_under_warp_follows_the_warp_orientation_rigidly(angle_z):
    ev = evaluate(_rig("warp", 30.0), {"ParamAngleZ": angle_z})
    out = ev.items[0].vertices_px
    total = np.deg2rad(30.0 + angle_z * 20 / 30)
    local = np.array([[0, 0], [10, 0], [0, -10]], np.float64)
    rot = np.array([[np.cos(total), -np.sin(total)], [np.sin(total), np.cos(total)]])
    expected = local @ rot.T + [200, 200]  # origin (0.5, 0.5) is the lattice centre; units stay pixels
    np.testing.assert_allclose(out, expected, atol=1e-3)
    gizmo = next(g for g in ev.gizmos if g.deformer_id == "Rotation1")
    assert gizmo.angle_deg == pytest.approx(30.0 + angle_z * 20 / 30, abs=1e-4)


def test_rotation_under_rotation_composes_angle_scale_and_origin():
    ev = evaluate(_rig("rotation"), {"ParamAngleZ": 30.0})
    out = ev.items[0].vertices_px
    # parent: origin (200, 200), 90 deg, scale 2 -> child origin (10, 0) lands at (200, 220);
    # child: 20 deg more, scale 2 (accumulated): local (10, 0) -> 20 px at 110 deg.
    a = np.deg2rad(110.0)
    expected = np.array(
        [
            [200, 220],
            [200 + 20 * np.cos(a), 220 + 20 * np.sin(a)],
            [200 + 20 * np.sin(a), 220 - 20 * np.cos(a)],
        ]
    )
    np.testing.assert_allclose(out, expected, atol=1e-3)


def test_collapsed_warp_parent_uses_the_robust_probe_without_failing():
    rig = _rig("warp")
    warp = rig.deformer("Warp1")
    warp.keyforms.values["positions"][:] = 123.0  # every lattice point at the same place
    out = evaluate(rig, {}).items[0].vertices_px
    np.testing.assert_allclose(out[0], [123, 123], atol=1e-4)
    assert np.isfinite(out).all()

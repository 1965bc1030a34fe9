"""DeformerTool: warp lattice and rotation origin/angle drags, through real widgets (marker qt)."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from PySide6.QtCore import Qt

from app.viewport.tools.deformer_tool import DeformerTool
from rig.model import deep_equal
from rig.testing import tiny_rig
from tests.app.deform_helpers import (
    assert_one_step_and_exact_undo,
    drag,
    enter_deform,
    fresh,
    load_rig,
    render,
    screenshot,
    snapshot,
    vertices,
)

pytestmark = pytest.mark.qt


def _gizmo(window, deformer_id):
    return next(g for g in window.viewport.evaluated().gizmos if g.deformer_id == deformer_id)


def _unchanged_at(rig, rig0, values) -> bool:
    a, b = vertices(rig, values), vertices(rig0, values)
    return all(np.allclose(a[k], b[k], atol=1e-4) for k in b)


def test_lattice_point_drag_edits_the_current_key_only(window, qtbot):
    load_rig(window, tiny_rig())
    window.bridge.values.set("ParamAngleX", 30.0)
    enter_deform(window, qtbot, "Warp1")
    assert isinstance(window.viewport.tool, DeformerTool)
    rig0 = copy.deepcopy(window.bridge.rig)
    lattice = np.asarray(_gizmo(window, "Warp1").points_px).reshape(-1, 2).copy()
    before = snapshot(window)
    a, b = drag(qtbot, window.viewport, lattice[4], lattice[4] + [6.0, -5.0])  # the centre point
    assert_one_step_and_exact_undo(window, before)
    now = np.asarray(_gizmo(window, "Warp1").points_px).reshape(-1, 2)
    assert np.allclose(now[4], lattice[4] + (b - a), atol=0.05)
    assert np.allclose(np.delete(now, 4, 0), np.delete(lattice, 4, 0))
    rig = window.bridge.rig
    assert not _unchanged_at(rig, rig0, {"ParamAngleX": 30.0})
    assert _unchanged_at(rig, rig0, {"ParamAngleX": 0.0}) and _unchanged_at(rig, rig0, {"ParamAngleX": -30.0})
    at30 = {"ParamAngleX": 30.0}
    assert (np.abs(render(rig, at30).astype(int) - render(rig0, at30)).max(-1) > 30).sum() > 20
    assert np.array_equal(render(rig, {"ParamAngleX": 0.0}), render(rig0, {"ParamAngleX": 0.0}))


@pytest.mark.parametrize("mode", ["translate", "scale", "rotate"])
def test_whole_grid_transforms_with_modifiers(window, qtbot, mode):
    load_rig(window, tiny_rig())
    enter_deform(window, qtbot, "Warp1")  # ParamAngleX = 0: keyform 1
    lattice = np.asarray(_gizmo(window, "Warp1").points_px).reshape(-1, 2).copy()
    centre = lattice.mean(0)
    mod = {"translate": Qt.KeyboardModifier.ControlModifier,
           "scale": Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
           "rotate": Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier}[mode]
    before = snapshot(window)
    a, b = drag(qtbot, window.viewport, centre + [20.0, 0.0], centre + [30.0, 10.0], modifier=mod)
    assert_one_step_and_exact_undo(window, before)
    now = np.asarray(_gizmo(window, "Warp1").points_px).reshape(-1, 2)
    if mode == "translate":
        assert np.allclose(now, lattice + (b - a), atol=0.05)
    elif mode == "scale":
        factor = np.hypot(*(b - centre)) / np.hypot(*(a - centre))
        assert np.allclose(now, centre + (lattice - centre) * factor, atol=0.05)
    else:
        turn = np.arctan2(*(b - centre)[::-1]) - np.arctan2(*(a - centre)[::-1])
        rot = np.array([[np.cos(turn), -np.sin(turn)], [np.sin(turn), np.cos(turn)]])
        assert np.allclose(now, centre + (lattice - centre) @ rot.T, atol=0.05)
    assert window.bridge.rig.deformer("Warp1").keyforms.values["positions"][[0, 2]].tolist() == \
        before[0].deformer("Warp1").keyforms.values["positions"][[0, 2]].tolist()


def test_box_selected_lattice_points_move_together(window, qtbot):
    load_rig(window, tiny_rig())
    enter_deform(window, qtbot, "Warp1")
    lattice = np.asarray(_gizmo(window, "Warp1").points_px).reshape(-1, 2).copy()
    lo, hi = lattice.min(0), lattice.max(0)
    drag(qtbot, window.viewport, lo - 3, [hi[0] + 3, lo[1] + 3])  # the top row: points 0, 1, 2
    assert window.viewport.tool.selected == {0, 1, 2}
    before = snapshot(window)
    a, b = drag(qtbot, window.viewport, lattice[1], lattice[1] + [0.0, -7.0])
    assert_one_step_and_exact_undo(window, before)
    now = np.asarray(_gizmo(window, "Warp1").points_px).reshape(-1, 2)
    assert np.allclose(now[:3], lattice[:3] + (b - a), atol=0.05)
    assert np.allclose(now[3:], lattice[3:])


def test_rotation_origin_drag(window, qtbot):
    load_rig(window, tiny_rig())
    window.bridge.values.set("ParamAngleZ", 30.0)
    enter_deform(window, qtbot, "Rotation1")
    rig0 = copy.deepcopy(window.bridge.rig)
    origin, tip = np.asarray(_gizmo(window, "Rotation1").points_px).copy()
    before = snapshot(window)
    a, b = drag(qtbot, window.viewport, origin, origin + [5.0, 4.0])
    assert_one_step_and_exact_undo(window, before)
    new_origin, new_tip = np.asarray(_gizmo(window, "Rotation1").points_px)
    assert np.allclose(new_origin, origin + (b - a), atol=0.05)
    rig = window.bridge.rig
    assert not _unchanged_at(rig, rig0, {"ParamAngleZ": 30.0})
    assert _unchanged_at(rig, rig0, {"ParamAngleZ": -30.0})
    values = rig.deformer("Rotation1").keyforms.values
    assert np.array_equal(values["angle_deg"], rig0.deformer("Rotation1").keyforms.values["angle_deg"])


@pytest.mark.parametrize("shift", [False, True])
def test_rotation_tip_drag_turns_and_with_shift_scales(window, qtbot, shift):
    load_rig(window, tiny_rig())
    window.bridge.values.set("ParamAngleZ", -30.0)
    enter_deform(window, qtbot, "Rotation1")
    rig0 = copy.deepcopy(window.bridge.rig)
    g0 = _gizmo(window, "Rotation1")
    origin, tip = np.asarray(g0.points_px).copy()
    arm = tip - origin
    target = origin + np.array([-arm[1], arm[0]]) * 1.5  # a quarter turn clockwise, 1.5x longer
    mod = Qt.KeyboardModifier.ShiftModifier if shift else Qt.KeyboardModifier.NoModifier
    before = snapshot(window)
    a, b = drag(qtbot, window.viewport, tip, target, modifier=mod)
    assert_one_step_and_exact_undo(window, before)
    g1 = _gizmo(window, "Rotation1")
    turn = np.rad2deg(np.arctan2(*(b - origin)[::-1]) - np.arctan2(*(a - origin)[::-1]))
    assert g1.angle_deg - g0.angle_deg == pytest.approx(turn, abs=0.05)
    scale = window.bridge.rig.deformer("Rotation1").keyforms.values["scale"][0]
    expected = np.hypot(*(b - origin)) / np.hypot(*(a - origin)) if shift else 1.0
    assert scale == pytest.approx(expected, rel=1e-3)
    assert _unchanged_at(window.bridge.rig, rig0, {"ParamAngleZ": 30.0})


def test_escape_restores_a_lattice_drag(window, qtbot):
    load_rig(window, tiny_rig())
    enter_deform(window, qtbot, "Warp1")
    rig0, depth0 = snapshot(window)
    lattice = np.asarray(_gizmo(window, "Warp1").points_px).reshape(-1, 2).copy()
    drag(qtbot, window.viewport, lattice[4], lattice[4] + [8.0, 8.0], release=False)
    assert window.viewport.tool.gesture is not None
    qtbot.keyClick(window.viewport, Qt.Key.Key_Escape)
    qtbot.mouseRelease(window.viewport, Qt.MouseButton.LeftButton)
    assert window.bridge.document.history.undo_count == depth0 and deep_equal(rig0, window.bridge.rig)


def test_generated_rig_warp_edit_and_screenshots(window, qtbot, shared_data, tmp_path):
    """The eye warp of a generated rig at ParamAngleX = 30; saves Deform-mode screenshots to look at."""
    from inference.pipeline import generate

    shots = _shot_dir(tmp_path)
    load_rig(window, fresh(generate(shared_data / "anime" / "waifu_00.png").rig))
    window.bridge.values.set("ParamAngleX", 30.0)
    enter_deform(window, qtbot, "ArtMeshEyeWhiteL")
    window.viewport.tool.select_points(range(0, 40, 3))
    eye = np.asarray(_gizmo(window, "WarpEyeL").points_px).reshape(-1, 2).mean(0)
    view = window.viewport.view
    window.viewport.set_view(view.zoomed_at(3.0, tuple(view.canvas_to_viewport(eye[None])[0])))
    qtbot.wait(50)
    screenshot(window, shots / "deform_mesh.png")
    window.bridge.state.selection.select("WarpEyeL")
    rig0 = copy.deepcopy(window.bridge.rig)
    lattice = np.asarray(_gizmo(window, "WarpEyeL").points_px).reshape(-1, 2).copy()
    before = snapshot(window)
    drag(qtbot, window.viewport, lattice[0], lattice[0] + [-6.0, -6.0])
    assert_one_step_and_exact_undo(window, before)
    rig = window.bridge.rig
    assert not _unchanged_at(rig, rig0, {"ParamAngleX": 30.0})
    assert _unchanged_at(rig, rig0, {"ParamAngleX": 0.0})
    qtbot.wait(50)
    screenshot(window, shots / "deform_warp.png")
    window.bridge.state.selection.select("RotationHead")
    qtbot.wait(50)
    screenshot(window, shots / "deform_rotation.png")


def _shot_dir(tmp_path):
    import os
    from pathlib import Path

    path = Path(os.environ.get("KIRIE_SHOTS", tmp_path))
    path.mkdir(parents=True, exist_ok=True)
    return path

"""KeyformTool and the Deform menu, driven through real widgets (marker qt; run under xvfb-run -a)."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from PySide6.QtCore import Qt

from app.viewport.tools.deformer_tool import DeformerTool
from app.viewport.tools.keyform_tool import KeyformTool
from rig.edit.keyforms import key_state, rest_values
from rig.model import deep_equal
from rig.testing import tiny_rig
from tests.app.deform_helpers import (
    assert_one_step_and_exact_undo,
    drag,
    enter_deform,
    fresh,
    load_rig,
    render,
    snapshot,
    vertices,
)

pytestmark = pytest.mark.qt


@pytest.fixture(scope="module")
def waifu_rig(shared_data):
    from inference.pipeline import generate

    return generate(shared_data / "anime" / "waifu_00.png").rig


def _item(window, mesh_id):
    return next(i for i in window.viewport.evaluated().items if i.art_mesh_id == mesh_id)


def _drawn_vertex(rig, mesh_id: str, radius: int = 3) -> int:
    """The vertex of ``mesh_id`` over the most contrast in its layer's art (luma range, 0-255, in a
    (2 radius + 1)² window with no transparent pixel): a drag there moves drawn lines. Edge vertices
    sit in the mesh's transparent margin, and since the fringe strands (line art joined to the fringe)
    are front hair, waifu_00's mid-face is plain skin (a drag there changed at most 26 of 255)."""
    mesh = rig.art_mesh(mesh_id)
    image = next(layer for layer in rig.layers if layer.id == mesh.layer_id).image
    h, w = image.shape[:2]
    luma = image[..., :3].astype(np.float64) @ [0.299, 0.587, 0.114]
    score = np.full(len(mesh.uvs), -1.0)
    for i, (x, y) in enumerate(np.rint(mesh.uvs * [w, h]).astype(int)):
        win = np.s_[max(0, y - radius) : y + radius + 1, max(0, x - radius) : x + radius + 1]
        if image[win][..., 3].min() == 255:
            score[i] = np.ptp(luma[win])
    return int(np.argmax(score))


def test_mode_toggle_picks_the_tool_for_the_selection(window, qtbot):
    load_rig(window, tiny_rig())
    enter_deform(window, qtbot, "ArtMesh1")
    assert isinstance(window.viewport.tool, KeyformTool)
    window.bridge.state.selection.select("Warp1")
    assert isinstance(window.viewport.tool, DeformerTool)
    qtbot.keyClick(window.viewport, Qt.Key.Key_D)
    assert not window.deform.enabled and window.viewport.tool is None


def test_edit_at_angle_x_30_changes_the_render_at_30_only(window, qtbot, waifu_rig):
    """ArtMeshFace is not keyed on ParamAngleX: "Add key" binds it, then a drag edits the keyform at 30."""
    load_rig(window, fresh(waifu_rig))
    rig0 = copy.deepcopy(window.bridge.rig)
    window.bridge.values.set("ParamAngleX", 30.0)
    enter_deform(window, qtbot, "ArtMeshFace")
    assert window.deform.add_parameter_key("ParamAngleX")
    assert window.bridge.rig.art_mesh("ArtMeshFace").keyforms.parameter_ids == ("ParamAngleX",)
    item = _item(window, "ArtMeshFace")
    vertex = _drawn_vertex(window.bridge.rig, "ArtMeshFace")
    before = snapshot(window)
    start = item.vertices_px[vertex]
    a, b = drag(qtbot, window.viewport, start, start + [12.0, 0.0])
    assert_one_step_and_exact_undo(window, before)
    moved = _item(window, "ArtMeshFace").vertices_px
    assert np.allclose(moved[vertex], item.vertices_px[vertex] + (b - a), atol=0.05)  # under the cursor
    rig = window.bridge.rig
    at30 = {"ParamAngleX": 30.0}
    assert (np.abs(render(rig, at30).astype(int) - render(rig0, at30)).max(-1) > 30).sum() > 5
    assert np.array_equal(render(rig, {"ParamAngleX": 0.0}), render(rig0, {"ParamAngleX": 0.0}))


def test_drag_on_a_key_edits_that_keyform(window, qtbot, waifu_rig):
    load_rig(window, fresh(waifu_rig))
    window.bridge.values.set("ParamBrowLY", 1.0)
    enter_deform(window, qtbot, "ArtMeshBrowL")
    index = key_state(window.bridge.rig, "ArtMeshBrowL", window.bridge.values).keyform_index
    rig0 = copy.deepcopy(window.bridge.rig)
    before = snapshot(window)
    start = _item(window, "ArtMeshBrowL").vertices_px[0]
    drag(qtbot, window.viewport, start, start + [5.0, 6.0])
    assert_one_step_and_exact_undo(window, before)
    old = rig0.art_mesh("ArtMeshBrowL").keyforms.values["positions"]
    new = window.bridge.rig.art_mesh("ArtMeshBrowL").keyforms.values["positions"]
    changed = np.flatnonzero(np.abs(new - old).max(axis=(1, 2)) > 0)
    assert changed.tolist() == [index]
    assert np.flatnonzero(np.abs(new[index] - old[index]).max(1) > 0).tolist() == [0]
    for brow in (0.0, -1.0):
        assert np.array_equal(vertices(window.bridge.rig, {"ParamBrowLY": brow})["ArtMeshBrowL"],
                              vertices(rig0, {"ParamBrowLY": brow})["ArtMeshBrowL"])


def test_off_key_drag_adds_a_key_then_edits(window, qtbot, waifu_rig):
    load_rig(window, fresh(waifu_rig))
    window.bridge.values.set("ParamMouthOpenY", 0.5)
    enter_deform(window, qtbot, "ArtMeshLipUpper")
    asked = []
    window.deform.keyform_tool.confirm_add_key = lambda oid, off: asked.append((oid, off)) or True
    rig0, depth0 = snapshot(window)
    start = _item(window, "ArtMeshLipUpper").vertices_px[3]
    drag(qtbot, window.viewport, start, start + [0.0, 8.0])
    assert asked == [("ArtMeshLipUpper", (("ParamMouthOpenY", 0.5),))]
    history = window.bridge.document.history
    assert history.undo_count == depth0 + 2  # "Add key ..." then the edit
    assert window.bridge.rig.parameter("ParamMouthOpenY").keys == (0.0, 0.5, 1.0)
    rig = window.bridge.rig
    for v, same in ((0.0, True), (1.0, True), (0.5, False)):
        a = vertices(rig, {"ParamMouthOpenY": v})["ArtMeshLipUpper"]
        b = vertices(rig0, {"ParamMouthOpenY": v})["ArtMeshLipUpper"]
        assert np.allclose(a, b, atol=1e-4) == same, v
    window.bridge.undo()
    window.bridge.undo()
    assert deep_equal(rig0, window.bridge.rig)


def test_declined_off_key_drag_pushes_nothing(window, qtbot, waifu_rig):
    load_rig(window, fresh(waifu_rig))
    window.bridge.values.set("ParamMouthOpenY", 0.5)
    enter_deform(window, qtbot, "ArtMeshLipUpper")
    window.deform.keyform_tool.confirm_add_key = lambda oid, off: False
    rig0, depth0 = snapshot(window)
    start = _item(window, "ArtMeshLipUpper").vertices_px[3]
    drag(qtbot, window.viewport, start, start + [0.0, 8.0])
    assert window.bridge.document.history.undo_count == depth0
    assert deep_equal(rig0, window.bridge.rig)


def test_escape_during_drag_restores_and_undoes_the_added_key(window, qtbot, waifu_rig):
    load_rig(window, fresh(waifu_rig))
    window.bridge.values.set("ParamMouthOpenY", 0.5)
    enter_deform(window, qtbot, "ArtMeshLipUpper")
    window.deform.keyform_tool.confirm_add_key = lambda oid, off: True
    rig0, depth0 = snapshot(window)
    shown0 = _item(window, "ArtMeshLipUpper").vertices_px.copy()
    start = shown0[3]
    drag(qtbot, window.viewport, start, start + [0.0, 8.0], release=False)
    tool = window.viewport.tool
    assert tool.gesture is not None
    previewed = next(i for i in tool.preview(window.viewport.evaluated()).items if i.art_mesh_id == "ArtMeshLipUpper")
    assert not np.allclose(previewed.vertices_px, shown0)  # the drag shows in the preview
    qtbot.keyClick(window.viewport, Qt.Key.Key_Escape)
    qtbot.mouseRelease(window.viewport, Qt.MouseButton.LeftButton)
    assert tool.gesture is None
    assert window.bridge.document.history.undo_count == depth0
    assert deep_equal(rig0, window.bridge.rig)
    assert np.array_equal(tool.preview(window.viewport.evaluated()).items[0].vertices_px,
                          window.viewport.evaluated().items[0].vertices_px)


def test_box_select_then_ctrl_drag_moves_the_selection(window, qtbot):
    rig = tiny_rig()
    load_rig(window, rig)
    enter_deform(window, qtbot, "ArtMesh1")
    verts = _item(window, "ArtMesh1").vertices_px.copy()  # quad: 0 tl, 1 tr, 2 br, 3 bl
    lo, hi = verts.min(0), verts.max(0)
    drag(qtbot, window.viewport, [lo[0] - 3, lo[1] - 3], [hi[0] + 3, (lo[1] + hi[1]) / 2])  # the top two
    assert window.viewport.tool.selected == {0, 1}
    before = snapshot(window)
    a, b = drag(qtbot, window.viewport, (lo + hi) / 2, (lo + hi) / 2 + [4.0, 6.0],
                modifier=Qt.KeyboardModifier.ControlModifier)
    assert_one_step_and_exact_undo(window, before)
    now = _item(window, "ArtMesh1").vertices_px
    assert np.allclose(now[:2], verts[:2] + (b - a), atol=0.05)
    assert np.allclose(now[2:], verts[2:])


def test_menu_actions_reset_copy_paste_mirror(window, qtbot, waifu_rig):
    load_rig(window, fresh(waifu_rig))
    deform = window.deform
    window.bridge.values.set("ParamEyeLOpen", 0.0)
    window.bridge.values.set("ParamEyeROpen", 0.0)
    enter_deform(window, qtbot, "ArtMeshEyeWhiteL")
    rig = window.bridge.rig
    index = key_state(rig, "ArtMeshEyeWhiteL", window.bridge.values).keyform_index
    # reset to base: the closed-eye keyform becomes the rest keyform
    before = snapshot(window)
    deform.reset.trigger()
    assert_one_step_and_exact_undo(window, before)
    assert np.array_equal(rig.art_mesh("ArtMeshEyeWhiteL").keyforms.values["positions"][index],
                          rest_values(rig, "ArtMeshEyeWhiteL")["positions"])
    window.bridge.undo()
    # mirror L -> R: one step, the right eye's closed keyform changes
    before = snapshot(window)
    deform.mirror.trigger()
    assert_one_step_and_exact_undo(window, before)
    # copy the left eye's keyform, paste it on the open key
    assert deform.copy_keyform()
    window.bridge.values.set("ParamEyeLOpen", 1.0)
    before = snapshot(window)
    deform.paste.trigger()
    assert_one_step_and_exact_undo(window, before)
    open_index = key_state(rig, "ArtMeshEyeWhiteL", window.bridge.values).keyform_index
    assert np.array_equal(rig.art_mesh("ArtMeshEyeWhiteL").keyforms.values["positions"][open_index],
                          deform.clip.fields["positions"])


def test_parameter_menu_adds_and_removes_a_key(window, qtbot):
    load_rig(window, tiny_rig())
    enter_deform(window, qtbot, "Warp1")
    window.bridge.values.set("ParamAngleX", 12.0)
    menu = window.deform.parameter_menu("ParamAngleX")
    add, remove = menu.actions()
    assert add.isEnabled() and not remove.isEnabled()
    before = snapshot(window)
    add.trigger()
    assert_one_step_and_exact_undo(window, before)
    assert 12.0 in window.bridge.rig.parameter("ParamAngleX").keys
    before = snapshot(window)
    menu = window.deform.parameter_menu("ParamAngleX")
    menu.actions()[1].trigger()
    assert_one_step_and_exact_undo(window, before)
    assert window.bridge.rig.parameter("ParamAngleX").keys == (-30.0, 0.0, 30.0)


def test_drag_with_an_unbound_parameter_moved_offers_a_key_there(window, qtbot):
    """Issue 17: at AngleX = 30 a drag on a mesh not keyed on AngleX used to edit its base shape (every pose)."""
    load_rig(window, tiny_rig())
    window.bridge.values.set("ParamAngleX", 30.0)
    enter_deform(window, qtbot, "ArtMesh1")
    asked = []
    window.deform.keyform_tool.confirm_add_key = lambda oid, off: asked.append((oid, off)) or True
    rig0, depth0 = snapshot(window)
    start = _item(window, "ArtMesh1").vertices_px[0]
    drag(qtbot, window.viewport, start, start + [6.0, 6.0])
    assert asked == [("ArtMesh1", (("ParamAngleX", 30.0),))]
    rig = window.bridge.rig
    assert rig.art_mesh("ArtMesh1").keyforms.parameter_ids == ("ParamAngleX",)
    assert window.bridge.document.history.undo_count == depth0 + 2  # "Add key ..." then the edit
    for v, same in ((0.0, True), (-30.0, True), (30.0, False)):
        a = vertices(rig, {"ParamAngleX": v})["ArtMesh1"]
        b = vertices(rig0, {"ParamAngleX": v})["ArtMesh1"]
        assert np.allclose(a, b, atol=1e-4) == same, v


def test_declined_unbound_key_edits_nothing_and_add_key_here_binds(window, qtbot):
    load_rig(window, tiny_rig())
    window.bridge.values.set("ParamAngleX", 30.0)
    enter_deform(window, qtbot, "ArtMesh1")
    window.deform.keyform_tool.confirm_add_key = lambda oid, off: False
    rig0, depth0 = snapshot(window)
    start = _item(window, "ArtMesh1").vertices_px[0]
    drag(qtbot, window.viewport, start, start + [6.0, 6.0])
    assert window.bridge.document.history.undo_count == depth0 and deep_equal(rig0, window.bridge.rig)
    assert window.deform.add_key_here()
    assert window.bridge.rig.art_mesh("ArtMesh1").keyforms.parameter_ids == ("ParamAngleX",)
    assert key_state(window.bridge.rig, "ArtMesh1", window.bridge.values).on_key
    assert not window.deform.add_key_here()  # now it is on a key

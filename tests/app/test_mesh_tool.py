"""Mesh edit mode in the real editor: gestures on the viewport push exactly one command each.

Run under ``xvfb-run -a``. Gestures are real mouse and key events on the viewport widget; canvas
px are converted to widget px with the viewport's view and device pixel ratio.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from rig.document.commands import ReplaceRig
from rig.document.commands.topology import locate_points
from rig.document.editor_state import EditMode
from rig.evaluate import evaluate
from rig.model import KeyformBinding, KeyformGrid, deep_equal
from rig.testing import tiny_rig

pytestmark = pytest.mark.qt
LEFT, RIGHT = Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton
SHIFT, CTRL, ALT = (Qt.KeyboardModifier.ShiftModifier, Qt.KeyboardModifier.ControlModifier,
                    Qt.KeyboardModifier.AltModifier)


def keyed_tiny():
    """tiny_rig() with ArtMesh1 (face quad) keyed on ParamAngleX: three different keyforms."""
    rig = tiny_rig()
    mesh = rig.art_mesh("ArtMesh1")
    rest = mesh.keyforms.values
    k = 3
    values = {name: np.repeat(v, k, axis=0) for name, v in rest.items()}
    values["positions"][0] += np.array([[-0.05, 0.0], [-0.02, 0.01], [0.0, 0.03], [-0.04, 0.0]], np.float32)
    values["positions"][2] += np.array([[0.06, 0.0], [0.03, -0.02], [0.0, 0.0], [0.05, 0.02]], np.float32)
    mesh.keyforms = KeyformGrid((KeyformBinding("ParamAngleX", (-30, 0, 30)),), values)
    rig.validate()
    return rig


class Pushes:
    """Counts commands pushed through the bridge."""

    def __init__(self, bridge) -> None:
        self.commands = []
        push = bridge.push

        def counting(cmd):
            self.commands.append(cmd)
            return push(cmd)

        bridge.push = counting


def enter(window, rig, mesh_ids):
    window.bridge.push(ReplaceRig(window.bridge.rig, rig))
    window.bridge.state.selection.replace(mesh_ids, active=mesh_ids[0])
    window.mesh_mode.toggle.trigger()
    vp = window.viewport
    vp.resize(vp.size())  # settle the view
    return vp, window.mesh_mode.tool, Pushes(window.bridge)


def widget_point(vp, xy) -> QPoint:
    p = vp.view.canvas_to_viewport(np.array([xy], np.float64))[0] / vp.devicePixelRatioF()
    return QPoint(round(p[0]), round(p[1]))


def canvas_of(vp, qpoint) -> np.ndarray:
    return np.array(vp.canvas_point(QPointF(qpoint)))


def rest_vertices(rig, mesh_id) -> np.ndarray:
    return next(i for i in evaluate(rig, rig.default_values()).items if i.art_mesh_id == mesh_id).vertices_px


def drag(qtbot, vp, a, b, modifier=Qt.KeyboardModifier.NoModifier, steps=4):
    qtbot.mousePress(vp, LEFT, modifier, a)
    for t in np.linspace(0, 1, steps + 1)[1:]:
        qtbot.mouseMove(vp, QPoint(round(a.x() + t * (b.x() - a.x())), round(a.y() + t * (b.y() - a.y()))))
    qtbot.mouseRelease(vp, LEFT, modifier, b)


def check_counts(rig):
    for m in rig.art_meshes:
        assert m.keyforms.values["positions"].shape[1] == m.vertex_count
    rig.validate()


def test_toggle_enters_mesh_mode_with_the_tool(window, qtbot):
    vp, tool, _ = enter(window, tiny_rig(), ["ArtMesh1"])
    assert window.bridge.state.mode == EditMode.MESH and vp.tool is tool
    assert "Mesh edit ArtMesh1" in window.statusBar().currentMessage()
    assert window.mesh_mode.toggle.isChecked() and window.mesh_mode.toggle.shortcut().toString() == "M"
    window.mesh_mode.toggle.trigger()
    assert window.bridge.state.mode == EditMode.MODEL and vp.tool is None


def test_drag_moves_rest_pose_of_every_keyform_in_one_undoable_step(window, qtbot):
    vp, tool, pushes = enter(window, keyed_tiny(), ["ArtMesh1"])
    rig = window.bridge.rig
    before = copy.deepcopy(rig)
    rest = rest_vertices(rig, "ArtMesh1")
    a = widget_point(vp, rest[2])
    b = a + QPoint(15, 9)
    drag(qtbot, vp, a, b)
    assert len(pushes.commands) == 1 and window.bridge.can_undo
    delta = canvas_of(vp, b) - canvas_of(vp, a)
    after = copy.deepcopy(window.bridge.rig)
    new_rest = rest_vertices(after, "ArtMesh1")
    np.testing.assert_allclose(new_rest[2], rest[2] + delta, atol=0.02)  # follows the cursor at rest
    np.testing.assert_allclose(np.delete(new_rest, 2, 0), np.delete(rest, 2, 0), atol=1e-4)
    old_pos = before.art_mesh("ArtMesh1").keyforms.values["positions"]
    d = after.art_mesh("ArtMesh1").keyforms.values["positions"] - old_pos
    np.testing.assert_allclose(d[:, 2], np.repeat(d[1:2, 2], 3, axis=0), atol=1e-6)  # same delta in every keyform
    # the texture stays put: the new uv is what the old mesh showed under the new position
    old_mesh = before.art_mesh("ArtMesh1")
    vmap = locate_points((rest[2] + delta)[None], rest, old_mesh.triangles)
    np.testing.assert_allclose(after.art_mesh("ArtMesh1").uvs[2], vmap.apply(old_mesh.uvs)[0], atol=1e-4)
    window.bridge.undo()
    assert deep_equal(window.bridge.rig, before)
    window.bridge.redo()
    assert deep_equal(window.bridge.rig, after)


@pytest.mark.parametrize("cancel", ["escape", "right_click"])
def test_cancel_during_drag_restores_and_pushes_nothing(window, qtbot, cancel):
    vp, tool, pushes = enter(window, keyed_tiny(), ["ArtMesh1"])
    before = copy.deepcopy(window.bridge.rig)
    rest = rest_vertices(before, "ArtMesh1")
    a = widget_point(vp, rest[0])
    qtbot.mousePress(vp, LEFT, pos=a)
    qtbot.mouseMove(vp, a + QPoint(10, 0))
    qtbot.mouseMove(vp, a + QPoint(25, 12))
    moving = next(i for i in tool.preview(vp.evaluated()).items if i.art_mesh_id == "ArtMesh1")
    assert not np.allclose(moving.vertices_px[0], rest[0])  # the preview follows the drag
    if cancel == "escape":
        qtbot.keyClick(vp, Qt.Key.Key_Escape)
    else:
        qtbot.mousePress(vp, RIGHT, pos=a + QPoint(25, 12))
        qtbot.mouseRelease(vp, RIGHT, pos=a + QPoint(25, 12))
    shown = next(i for i in tool.preview(vp.evaluated()).items if i.art_mesh_id == "ArtMesh1")
    np.testing.assert_array_equal(shown.vertices_px, rest)
    qtbot.mouseRelease(vp, LEFT, pos=a + QPoint(25, 12))
    assert pushes.commands == [] and deep_equal(window.bridge.rig, before)


def test_click_box_lasso_and_ctrl_a_select_without_commands(window, qtbot):
    vp, tool, pushes = enter(window, tiny_rig(), ["ArtMesh1", "ArtMesh2"])
    rig = window.bridge.rig
    face = rest_vertices(rig, "ArtMesh1")
    qtbot.mouseClick(vp, LEFT, pos=widget_point(vp, face[0]))
    assert tool.vertices.as_dict().keys() == {"ArtMesh1"} and list(tool.vertices.indices("ArtMesh1")) == [0]
    qtbot.mouseClick(vp, LEFT, SHIFT, widget_point(vp, face[1]))
    assert list(tool.vertices.indices("ArtMesh1")) == [0, 1]
    qtbot.mouseClick(vp, LEFT, CTRL, widget_point(vp, face[0]))
    assert list(tool.vertices.indices("ArtMesh1")) == [1]
    # box around the bottom edge of the face quad (vertices 2 and 3)
    drag(qtbot, vp, widget_point(vp, (face[:, 0].min() - 4, face[2, 1] - 4)),
         widget_point(vp, (face[:, 0].max() + 4, face[2, 1] + 4)))
    assert list(tool.vertices.indices("ArtMesh1")) == [2, 3] and not len(tool.vertices.indices("ArtMesh2"))
    # Alt + lasso around the eye's vertices, added with Shift
    eye = rest_vertices(rig, "ArtMesh2")
    lo, hi = eye.min(0) - 3, eye.max(0) + 3
    corners = [(lo[0], lo[1]), (hi[0], lo[1]), (hi[0], hi[1]), (lo[0], hi[1]), (lo[0], lo[1] + 1)]
    qtbot.mousePress(vp, LEFT, ALT | SHIFT, widget_point(vp, corners[0]))
    for c in corners[1:]:
        qtbot.mouseMove(vp, widget_point(vp, c))
    qtbot.mouseRelease(vp, LEFT, ALT | SHIFT, widget_point(vp, corners[-1]))
    assert list(tool.vertices.indices("ArtMesh2")) == [0, 1, 2, 3] and len(tool.vertices) == 6
    qtbot.keyClick(vp, Qt.Key.Key_A, CTRL)
    assert len(tool.vertices) == 8
    assert pushes.commands == []
    assert tool.overlay_shapes(tool.preview(vp.evaluated())).points_px.shape == (8, 2)


def test_double_click_adds_a_vertex_with_consistent_keyforms(window, qtbot):
    vp, tool, pushes = enter(window, keyed_tiny(), ["ArtMesh1"])
    before = copy.deepcopy(window.bridge.rig)
    face = rest_vertices(before, "ArtMesh1")
    target = widget_point(vp, face.mean(0) + (9, 5))
    qtbot.mouseDClick(vp, LEFT, pos=target)
    assert len(pushes.commands) == 1
    mesh = window.bridge.rig.art_mesh("ArtMesh1")
    assert mesh.vertex_count == 5 and list(tool.vertices.indices("ArtMesh1")) == [4]
    check_counts(window.bridge.rig)
    np.testing.assert_allclose(rest_vertices(window.bridge.rig, "ArtMesh1")[4], canvas_of(vp, target), atol=1e-3)
    added = copy.deepcopy(window.bridge.rig)
    qtbot.keyClick(vp, Qt.Key.Key_T)  # re-triangulate: one more step, same vertices
    window.mesh_mode.retriangulate_action.trigger()
    assert len(pushes.commands) == 3 and window.bridge.undo_label.startswith("Re-triangulate")
    assert deep_equal(window.bridge.rig.art_mesh("ArtMesh1").keyforms, added.art_mesh("ArtMesh1").keyforms)
    check_counts(window.bridge.rig)
    for _ in range(3):
        window.bridge.undo()
    assert deep_equal(window.bridge.rig, before)


def test_delete_key_and_arrow_nudges(window, qtbot):
    vp, tool, pushes = enter(window, keyed_tiny(), ["ArtMesh1"])
    before = copy.deepcopy(window.bridge.rig)
    face = rest_vertices(before, "ArtMesh1")
    qtbot.mouseClick(vp, LEFT, pos=widget_point(vp, face[1]))
    depth = window.bridge.document.history.undo_count
    for _ in range(3):
        qtbot.keyClick(vp, Qt.Key.Key_Right)
    qtbot.keyClick(vp, Qt.Key.Key_Down, SHIFT)
    assert len(pushes.commands) == 4 and window.bridge.document.history.undo_count == depth + 1  # merged
    np.testing.assert_allclose(rest_vertices(window.bridge.rig, "ArtMesh1")[1], face[1] + (3, 10), atol=0.02)
    window.bridge.undo()
    assert deep_equal(window.bridge.rig, before)
    window.bridge.redo()
    qtbot.keyClick(vp, Qt.Key.Key_Delete)
    assert len(pushes.commands) == 5
    assert window.bridge.rig.art_mesh("ArtMesh1").vertex_count == 3
    check_counts(window.bridge.rig)
    window.bridge.undo()
    window.bridge.undo()
    assert deep_equal(window.bridge.rig, before)


def test_auto_mesh_of_a_generated_rig_is_one_step_and_keeps_keyed_poses(window, qtbot, shared_data):
    from app.render.offscreen import render_to_array
    from inference.pipeline import generate

    result = generate(Path(shared_data) / "anime" / "waifu_00.png")
    ids = ["ArtMeshLipUpper", "ArtMeshMouthInterior", "ArtMeshFace", "ArtMeshEyeWhiteL", "ArtMeshIrisL",
           "ArtMeshFrontHair"]
    vp, tool, pushes = enter(window, result.rig, ids)
    before = copy.deepcopy(window.bridge.rig)
    poses = [{"ParamAngleX": 30.0, "ParamMouthOpenY": 1.0}, {"ParamEyeLOpen": 0.0, "ParamEyeBallX": 1.0}]
    images = [render_to_array(evaluate(before, p)) for p in poses]
    tool.vertices.set({"ArtMeshFace": [0, 1, 2]})
    dialog = window.mesh_mode.open_auto_mesh()
    assert dialog is not None and dialog.isVisible()
    dialog.preset_combo.setCurrentText("large deformation")
    dialog.accept()
    assert window.mesh_mode.automesh.running  # off the GUI thread, behind a progress dialog
    with qtbot.waitSignal(window.mesh_mode.automesh.finished, timeout=60_000) as done:
        pass
    assert done.args == ["done"], window.dialogs.errors
    assert len(pushes.commands) == 1 and window.bridge.undo_label.startswith("Auto-mesh 6 meshes")
    rig = window.bridge.rig
    check_counts(rig)
    assert len(tool.vertices) == 0  # old indices mean nothing in the new meshes
    for mesh_id in ids:
        assert rig.art_mesh(mesh_id).topology_version != before.art_mesh(mesh_id).topology_version
    assert sum(rig.art_mesh(i).vertex_count for i in ids) > sum(before.art_mesh(i).vertex_count for i in ids)
    for pose, old in zip(poses, images):
        new = render_to_array(evaluate(rig, pose))
        diff = np.abs(new.astype(np.float64) - old)[..., :3]
        psnr = 10 * np.log10(255.0**2 / max((diff**2).mean(), 1e-12))
        # tolerance: re-meshing changes which triangles interpolate a deformation (thin hair strands)
        assert psnr > 32.0 and diff.mean() < 0.5, (pose, psnr, diff.mean())
    window.bridge.undo()
    assert deep_equal(window.bridge.rig, before)


def wait_auto_mesh(window, qtbot) -> str:
    with qtbot.waitSignal(window.mesh_mode.automesh.finished, timeout=60_000) as done:
        pass
    assert not window.mesh_mode.automesh.running
    return done.args[0]


def test_auto_mesh_cancel_pushes_nothing(window, qtbot):
    _, _, pushes = enter(window, keyed_tiny(), ["ArtMesh1", "ArtMesh2"])
    before, live = copy.deepcopy(window.bridge.rig), window.bridge.rig.art_mesh("ArtMesh1")
    assert window.mesh_mode.auto_mesh("large deformation")
    progress = window.mesh_mode.automesh.dialog
    assert progress is not None and progress.isVisible()
    progress.cancel_button.click()
    assert wait_auto_mesh(window, qtbot) == "cancelled"
    assert pushes.commands == [] and deep_equal(window.bridge.rig, before)
    assert "cancelled" in window.statusBar().currentMessage()
    assert window.mesh_mode.auto_mesh("standard")  # a new run works after a cancel
    assert wait_auto_mesh(window, qtbot) == "done"
    assert len(pushes.commands) == 1 and window.bridge.undo_label.startswith("Auto-mesh 2 meshes")
    check_counts(window.bridge.rig)
    window.bridge.undo()
    assert deep_equal(window.bridge.rig, before)
    assert window.bridge.rig.art_mesh("ArtMesh1") is live  # undo restores the document's own mesh


def test_auto_mesh_result_is_dropped_when_the_document_changed_meanwhile(window, qtbot):
    _, _, pushes = enter(window, keyed_tiny(), ["ArtMesh1"])
    assert window.mesh_mode.auto_mesh("standard")
    edited = tiny_rig()
    window.bridge.push(ReplaceRig(window.bridge.rig, edited))  # the user edits while it runs
    assert wait_auto_mesh(window, qtbot) == "stale"
    assert len(pushes.commands) == 1 and window.bridge.rig is edited
    assert "document changed" in window.statusBar().currentMessage()
    assert window.dialogs.errors == []

"""The real main window, driven like a user would: generate, move sliders, hide, reorder, save, reopen."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from rig.document.commands import ReplaceRig
from rig.model import deep_equal
from tests.app.conftest import canvas_box_to_viewport, generate_into, grab, load_tiny, region_diff

pytestmark = pytest.mark.qt

_GENERATED: dict[str, object] = {}


@pytest.fixture()
def waifu(shared_data):
    return shared_data / "anime" / "waifu_00.png"


@pytest.fixture()
def generated_rig(waifu):
    """The waifu_00 rig, generated once per test run (copied for each test)."""
    if "rig" not in _GENERATED:
        from inference.pipeline import generate

        _GENERATED["rig"] = generate(waifu).rig
    return copy.deepcopy(_GENERATED["rig"])


def _mesh_box(window, mesh_id: str) -> tuple[int, int, int, int]:
    item = next(i for i in window.viewport.evaluated().items if i.art_mesh_id == mesh_id)
    lo, hi = item.vertices_px.min(axis=0), item.vertices_px.max(axis=0)
    return canvas_box_to_viewport(window.viewport, (*lo, *hi))


def test_new_from_image_then_angle_x_moves_the_head(window, qtbot, waifu):
    before = grab(window.viewport)
    generate_into(window, qtbot, waifu)
    rig = window.bridge.rig
    assert window.bridge.undo_label == "Generate rig from waifu_00.png"
    assert "Undo Generate rig from waifu_00.png" in window.editor_actions.undo.text()
    assert window.isWindowModified() and window.files.display_name == "waifu_00"
    at_rest = grab(window.viewport)
    head = _mesh_box(window, "ArtMeshFace")
    assert region_diff(before, at_rest, head) > 10  # the character appeared

    window.panels["parameters"].set_value("ParamAngleX", 30.0)
    assert window.bridge.values["ParamAngleX"] == pytest.approx(30.0)
    turned = grab(window.viewport)
    assert region_diff(at_rest, turned, head) > 10.0
    assert window.bridge.can_undo and window.bridge.undo_label.startswith("Generate")  # values: no history

    window.panels["parameters"].reset_all()
    assert np.array_equal(grab(window.viewport), at_rest)

    window.editor_actions.undo.trigger()  # the generation is one undo step
    assert window.bridge.rig is not rig and not window.bridge.rig.art_meshes
    window.editor_actions.redo.trigger()
    assert window.bridge.rig is rig


def test_hide_layer_and_reorder_change_pixels_and_undo_restores_them(window, generated_rig):
    window.bridge.push(ReplaceRig(window.bridge.rig, generated_rig))
    parts = window.panels["parts"]
    rest = grab(window.viewport)
    hair = _mesh_box(window, "ArtMeshFrontHair")

    parts.set_visible("ArtMeshFrontHair", False)
    assert window.bridge.undo_label == "Set visible of ArtMeshFrontHair"
    hidden = grab(window.viewport)
    assert region_diff(rest, hidden, hair) > 5
    window.bridge.undo()
    assert np.array_equal(grab(window.viewport), rest)

    face = _mesh_box(window, "ArtMeshFace")
    parts.place("ArtMeshBackHair", "ArtMeshFrontHair", above=True)  # back hair over everything
    assert window.bridge.undo_label == "Reorder ArtMeshBackHair"
    reordered = grab(window.viewport)
    assert region_diff(rest, reordered, face) > 5
    from rig.edit.draw_order import stacking_order

    assert stacking_order(window.bridge.rig)[-1] == "ArtMeshBackHair"
    window.bridge.undo()
    assert np.array_equal(grab(window.viewport), rest)
    window.bridge.redo()
    assert np.array_equal(grab(window.viewport), reordered)


def test_click_selects_topmost_mesh_and_shows_its_wireframe(window, qtbot):
    from PySide6.QtCore import QPoint, Qt

    load_tiny(window)
    vp = window.viewport
    plain = grab(vp)
    eye_centre = vp.view.canvas_to_viewport(np.array([[64.0, 60.0]]))[0] / vp.devicePixelRatioF()
    qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, pos=QPoint(int(eye_centre[0]), int(eye_centre[1])))
    assert window.bridge.state.selection.active in ("ArtMesh2", "ArtMesh3")
    assert window.panels["properties"].fields["name"].text() in ("Eye", "Eye highlight")
    assert not np.array_equal(grab(vp), plain)  # the selection's wireframe is drawn
    corner = vp.view.canvas_to_viewport(np.array([[2.0, 2.0]]))[0] / vp.devicePixelRatioF()
    qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, pos=QPoint(int(corner[0]), int(corner[1])))
    assert len(window.bridge.state.selection) == 0
    assert np.array_equal(grab(vp), plain)


def test_wheel_zoom_keeps_the_point_under_the_cursor(window):
    load_tiny(window)
    vp = window.viewport
    anchor = (vp.width() * 0.3 * vp.devicePixelRatioF(), vp.height() * 0.6 * vp.devicePixelRatioF())
    before = vp.view.viewport_to_canvas(np.array([anchor]))[0]
    vp.set_view(vp.view.zoomed_at(1.5, anchor))
    assert vp.view.zoom > 1.0
    assert np.allclose(vp.view.viewport_to_canvas(np.array([anchor]))[0], before)
    vp.fit_view()
    assert "Zoom" in window.zoom_label.text()


def test_save_reopen_compare(window, generated_rig, tmp_path, dialogs):
    window.bridge.push(ReplaceRig(window.bridge.rig, generated_rig))
    original = copy.deepcopy(window.bridge.rig)
    assert window.isWindowModified()
    dialogs.save_path = str(tmp_path / "waifu.kirie")
    assert window.save()
    assert not window.isWindowModified() and window.windowTitle().startswith("waifu.kirie")
    assert window.settings.recent_files()[0] == str((tmp_path / "waifu.kirie").resolve())
    assert window.editor_actions.recent_menu.actions()[0].data() == str((tmp_path / "waifu.kirie").resolve())

    window.bridge.push(ReplaceRig(window.bridge.rig, copy.deepcopy(generated_rig)))  # dirty again
    dialogs.unsaved_answer = "discard"
    assert window.open_project(tmp_path / "waifu.kirie")
    assert "ask_unsaved" in dialogs.calls
    assert deep_equal(window.bridge.rig, original)
    assert not window.bridge.can_undo and not window.isWindowModified()


def test_rename_undo_label_and_close_asks(window, dialogs):
    from rig.document.commands import RenameObject

    load_tiny(window)
    window.bridge.push(RenameObject(window.bridge.rig, "ArtMesh1", "Face skin"))
    assert window.editor_actions.undo.text() == "&Undo Rename ArtMesh1 to Face skin"
    assert window.isWindowModified()
    dialogs.unsaved_answer = "cancel"
    assert not window.close()
    assert window.isVisible()
    window.editor_actions.undo.trigger()
    assert window.bridge.rig.art_mesh("ArtMesh1").name == "Face"
    assert window.editor_actions.redo.text() == "&Redo Rename ArtMesh1 to Face skin"
    assert not window.isWindowModified()
    dialogs.calls.clear()
    assert window.close()
    assert "ask_unsaved" not in dialogs.calls


def test_autosave_and_recovery_offer(window, tmp_path, dialogs, qtbot):
    from rig.document.commands import RenameObject

    load_tiny(window)
    path = tmp_path / "tiny.kirie"
    assert window.files.save_as(path)
    window.bridge.push(RenameObject(window.bridge.rig, "ArtMesh1", "Recovered name"))
    recovery = window.files.autosave()
    assert recovery is not None and recovery.exists()
    assert window.files.autosave() is None  # nothing new since the last autosave
    recovered_rig = copy.deepcopy(window.bridge.rig)

    dialogs.unsaved_answer = "discard"
    window.files.discard_recovery = lambda: None  # simulate a crash: the recovery file survives
    dialogs.recover_answer = True
    assert window.open_project(path)
    assert "ask_recover" in dialogs.calls
    assert deep_equal(window.bridge.rig, recovered_rig)
    assert window.isWindowModified()  # recovered work is not saved yet
    assert window.save() and not recovery.exists()


def test_cancel_generation_leaves_the_document_unchanged(window, qtbot, waifu):
    from PySide6.QtCore import Qt

    load_tiny(window)
    before, steps = copy.deepcopy(window.bridge.rig), window.bridge.document.history.undo_count
    with qtbot.waitSignal(window.generation.finished, timeout=120_000) as blocker:
        assert window.new_from_image(waifu)
        qtbot.mouseClick(window.generation.dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["cancelled"]
    assert deep_equal(window.bridge.rig, before)
    assert window.bridge.document.history.undo_count == steps and not window.isWindowModified()


def test_generation_error_is_shown_with_details(window, qtbot, tmp_path, dialogs):
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"not a png at all")
    assert window.new_from_image(bad)
    qtbot.waitUntil(lambda: not window.generation.running, timeout=60_000)
    assert dialogs.errors, "no error was shown"
    title, text, details = dialogs.errors[0]
    assert "broken.png" in text and details and "Traceback" in details
    assert not window.bridge.rig.art_meshes and not window.bridge.can_undo


def test_dropping_an_image_starts_generation(window, qtbot, waifu):
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(waifu))])
    event = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                       Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    qtbot.waitUntil(lambda: bool(window.generation.running or window.bridge.rig.art_meshes), timeout=5_000)
    qtbot.waitUntil(lambda: not window.generation.running, timeout=180_000)
    assert window.bridge.rig.art_meshes


def test_layout_and_view_flags_persist(window, tmp_path, dialogs, qtbot):
    from PySide6.QtCore import QSettings

    from app.editor.main_window import MainWindow

    window.docks["log"].hide()
    window.editor_actions.gizmos.setChecked(True)
    assert window.viewport.show_gizmos
    assert window.close()
    again = MainWindow(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat), dialogs)
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    assert again.viewport.show_gizmos and again.editor_actions.gizmos.isChecked()
    assert not again.docks["log"].isVisible()
    again.close()


def test_closing_during_generation_stops_the_worker(window, waifu):
    assert window.new_from_image(waifu)
    thread = window.generation.thread
    assert window.close()
    assert thread.isFinished() and not window.generation.running
    assert not window.bridge.rig.art_meshes

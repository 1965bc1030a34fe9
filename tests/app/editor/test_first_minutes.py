"""The editor's first minutes as issue 17 met them: no silent data loss, a window that keeps its size, honest
progress dialogs."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from rig.document.commands import RenameObject, ReplaceRig
from tests.app.conftest import load_tiny

pytestmark = pytest.mark.qt

SAMPLE = Path(__file__).resolve().parents[3] / "resources" / "samples" / "tadne_r1c0.png"
_RIGS: dict[str, object] = {}


@pytest.fixture()
def sample_rig():
    """The shipped sample's rig (16 art meshes with masks and keyforms), generated once per run."""
    if not SAMPLE.exists():
        pytest.skip(f"the shipped sample {SAMPLE} is missing")
    if "rig" not in _RIGS:
        from inference.pipeline import generate

        _RIGS["rig"] = generate(SAMPLE).rig
    return copy.deepcopy(_RIGS["rig"])


def test_new_from_image_on_unsaved_work_asks_and_cancel_keeps_it(window, dialogs, tmp_path):
    load_tiny(window)
    window.bridge.push(RenameObject(window.bridge.rig, "ArtMesh1", "Unsaved name"))
    dialogs.unsaved_answer = "cancel"
    dialogs.image_path = str(SAMPLE)
    assert not window.new_from_image()
    assert dialogs.calls[0] == "ask_unsaved"
    assert "open_image_path" not in dialogs.calls and not window.generation.running
    assert window.bridge.rig.art_mesh("ArtMesh1").name == "Unsaved name"
    dialogs.calls.clear()
    assert not window.new_from_image(SAMPLE)  # a dropped image asks too
    assert dialogs.calls == ["ask_unsaved"] and not window.generation.running


def test_new_from_image_on_saved_work_does_not_ask(window, dialogs, qtbot):
    load_tiny(window)
    dialogs.image_path = None  # the user closes the file chooser
    assert not window.new_from_image()
    assert dialogs.calls == ["open_image_path"]


def test_selecting_never_resizes_the_window_nor_refits_the_view(window, qtbot, sample_rig):
    window.bridge.push(ReplaceRig(window.bridge.rig, sample_rig))
    qtbot.wait(50)
    size, viewport_size, zoom = window.size(), window.viewport.size(), window.viewport.view.zoom
    screen = window.screen().availableGeometry()
    for mesh in window.bridge.rig.art_meshes:
        window.bridge.state.selection.select(mesh.id)
        qtbot.wait(5)
        assert window.size() == size, f"selecting {mesh.id} resized the window"
        assert window.viewport.size() == viewport_size and window.viewport.view.zoom == zoom
    assert window.frameGeometry().height() <= max(screen.height(), size.height() + 60)
    assert window.panels["properties"].fields["name"].text() == window.bridge.rig.art_meshes[-1].name


def test_a_failed_job_closes_its_dialog_without_saying_cancelling(window, qtbot, tmp_path, dialogs):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from app.jobs.progress import ProgressDialog

    seen: list[tuple[str, ...]] = []

    def error(title, text, details=None):  # what is on screen while the error box is up
        seen.append(tuple(d.status.text() for d in QApplication.topLevelWidgets()
                          if isinstance(d, ProgressDialog) and d.isVisible()))
        dialogs.errors.append((title, text, details))

    dialogs.error = error
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"not a png at all")
    assert window.new_from_image(bad)
    dialog = window.generation.dialog
    assert dialog.windowModality() == Qt.WindowModality.WindowModal and dialog.isModal()
    assert QApplication.activeModalWidget() is dialog  # clicks cannot reach the old project
    qtbot.waitUntil(lambda: not window.generation.running, timeout=60_000)
    assert dialogs.errors and seen == [()], f"progress dialogs still up during the error: {seen}"


def _items(combo) -> list[str]:
    return [combo.itemText(i) for i in range(combo.count())]


def test_source_list_has_one_entry_per_real_state():
    from app.panels.tracking_views import SourcePicker

    picker = SourcePicker()
    picker.select(0, remembered=True)  # the saved camera, before the probe has answered
    assert _items(picker) == ["Camera 0", "Video file..."] and picker.spec() == 0
    picker.fill([])  # the probe found none: no "Camera 0 (not found)" beside "No camera found"
    assert _items(picker) == ["No camera found", "Video file..."] and picker.spec() is None
    picker.fill([2])
    assert _items(picker) == ["Camera 2", "Video file..."] and picker.spec() == 2
    picker.fill([0, 2])
    assert picker.spec() == 0  # the remembered camera is back
    picker.select("/videos/me.mp4")
    picker.fill([])
    assert _items(picker) == ["No camera found", "Video: me.mp4", "Video file..."] and picker.spec() == "/videos/me.mp4"
    picker.select(57)  # chosen explicitly (a camera the probe missed): listed instead of "No camera found"
    assert _items(picker) == ["Video: me.mp4", "Camera 57 (not found)", "Video file..."] and picker.spec() == 57


def test_tracking_dock_fits_at_1280x800(window, qtbot):
    window.docks["tracking"].raise_()
    window.resize(1280, 800)
    qtbot.wait(50)
    assert window.minimumSizeHint().height() <= 760, window.minimumSizeHint()
    assert window.height() <= 800
    panel = window.panels["tracking"]
    table = panel.table
    visible_rows = table.viewport().height() / max(1, table.rowHeight(0))
    assert visible_rows >= 5, f"the mapping table shows {visible_rows:.1f} rows"
    dock = window.docks["tracking"]
    assert panel.geometry().bottom() <= dock.height()  # nothing spills below the dock (over its tabs)


def test_a_photo_without_the_face_model_tells_the_user_it_was_rigged_as_anime(window, qtbot, shared_data, monkeypatch):
    from inference.landmarks import real
    from tests.app.conftest import generate_into

    def no_face_model(*args, **kwargs):
        raise FileNotFoundError(real.MODEL)

    monkeypatch.setattr(real, "run_mesh", no_face_model)
    generate_into(window, qtbot, shared_data / "portraits" / "s2.jpg")
    status = window.statusBar().currentMessage()
    assert "rigged as an anime face" in status and "kirie models pull face_landmarker" in status
    log_text = window.panels["log"].text.toPlainText()
    assert "landmarks: anime face found by animeface at" in log_text
    assert "The real-face model (face_landmarker.task) is not installed" in log_text


def test_an_anime_image_names_its_detector_in_the_status_bar(window, qtbot, shared_data):
    from tests.app.conftest import generate_into

    generate_into(window, qtbot, shared_data / "anime" / "waifu_00.png")
    assert window.statusBar().currentMessage().startswith("Generated waifu_00.png: anime face found by animeface at")


def test_empty_parts_are_as_tall_as_art_mesh_rows_and_look_like_parts(window, qtbot, sample_rig):
    from rig.document.commands.objects import AddPart
    from rig.model import Part

    window.bridge.push(ReplaceRig(window.bridge.rig, sample_rig))
    for i in range(3):
        window.bridge.push(AddPart(window.bridge.rig, Part(f"PartEmpty{i}", f"Empty {i}")))
    window.docks["parts"].raise_()
    qtbot.wait(50)
    panel = window.panels["parts"]
    tree, model = panel.tree, panel.model
    from app.panels.tree_sync import KIND_ROLE, walk

    heights: dict[str, list[int]] = {"part": [], "empty part": [], "art_mesh": []}
    for item in walk(model):
        index = item.index()
        tree.scrollTo(index)
        kind = item.data(KIND_ROLE)
        if kind == "part":
            assert not item.icon().isNull(), f"part {item.text()} has no folder icon"
            kind = "part" if item.rowCount() else "empty part"
        heights[kind].append(tree.visualRect(index).height())
    assert len(heights["empty part"]) >= 3 and heights["part"] and heights["art_mesh"]
    mesh_height = min(heights["art_mesh"])
    assert mesh_height >= tree.iconSize().height()
    assert min(heights["empty part"]) >= mesh_height and min(heights["part"]) >= mesh_height, heights

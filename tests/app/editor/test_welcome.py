"""The welcome view of the empty viewport: its buttons do what they say, it hides once there is a rig."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt

from rig.formats.project import save_project

pytestmark = pytest.mark.qt


def _clicked_centre_is_on(widget, qtbot) -> None:
    """Click the button through the real widget tree (it must be visible and on top)."""
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=QPoint(widget.width() // 2, widget.height() // 2))


def test_shown_centred_on_first_start_with_the_three_actions(window):
    welcome = window.welcome
    assert welcome.isVisible()
    assert [b.text() for b in (welcome.new_button, welcome.open_button, welcome.sample_button)] == [
        "New from Image\u2026", "Open\u2026", "Try the sample"]
    vp = window.viewport
    centre = welcome.geometry().center()
    assert abs(centre.x() - vp.width() // 2) <= 2 and abs(centre.y() - vp.height() // 2) <= 2
    assert welcome.recent_buttons == []


def test_new_and_open_ask_for_a_file(window, qtbot, dialogs):
    _clicked_centre_is_on(window.welcome.new_button, qtbot)
    _clicked_centre_is_on(window.welcome.open_button, qtbot)
    assert dialogs.calls == ["open_image_path", "open_project_path"]
    assert window.welcome.isVisible()  # both answered "cancel"


def test_recent_projects_are_listed_and_open(window, qtbot, tmp_path):
    path = tmp_path / "tiny.kirie"
    from rig.testing import tiny_rig

    save_project(path, tiny_rig())
    window.settings.add_recent(str(path))
    window.files.recent_changed.emit(window.settings.recent_files())
    assert [b.text() for b in window.welcome.recent_buttons] == ["tiny.kirie"]
    _clicked_centre_is_on(window.welcome.recent_buttons[0], qtbot)
    assert window.files.path.resolve() == path.resolve()
    assert window.bridge.rig.art_meshes and not window.welcome.isVisible()


@pytest.mark.slow
def test_try_the_sample_generates_a_rig_and_hides(window, qtbot):
    _clicked_centre_is_on(window.welcome.sample_button, qtbot)
    qtbot.waitUntil(lambda: not window.generation.running, timeout=180_000)
    assert window.bridge.rig.art_meshes, window.dialogs.errors
    assert not window.welcome.isVisible()
    assert window.files.display_name == "tadne_r1c0"
    window.editor_actions.undo.trigger()  # back to the empty document: the welcome view returns
    assert window.welcome.isVisible()


def test_a_drop_on_the_welcome_view_reaches_the_window(window, qtbot, tmp_path):
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent
    from PySide6.QtWidgets import QApplication

    from rig.testing import tiny_rig

    path = tmp_path / "dropped.kirie"
    save_project(path, tiny_rig())
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    welcome = window.welcome
    enter = QDragEnterEvent(welcome.rect().center(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(welcome, enter)  # the welcome view does not take drops: Qt hands it up
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(welcome.rect().center()), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(welcome, drop)
    qtbot.waitUntil(lambda: bool(window.bridge.rig.art_meshes), timeout=5_000)
    assert window.files.path.resolve() == path.resolve() and not welcome.isVisible()

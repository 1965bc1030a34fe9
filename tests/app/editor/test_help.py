"""Help > Keyboard Shortcuts (generated from the window's real actions) and Help > User Guide
(resources/docs/user-guide.md in a QTextBrowser), in the real main window."""

from __future__ import annotations

import re

import pytest
from PySide6.QtGui import QAction, QKeySequence

from app.editor.help import USER_GUIDE, ShortcutsDialog, UserGuideDialog, shortcut_rows

pytestmark = pytest.mark.qt


def _help_action(window, text: str) -> QAction:
    return next(a for a in window.editor_actions.help_menu.actions() if a.text().replace("&", "") == text)


def test_help_menu_has_the_guide_the_shortcuts_and_about(window):
    texts = [a.text().replace("&", "") for a in window.editor_actions.help_menu.actions() if not a.isSeparator()]
    assert texts == ["User Guide", "Keyboard Shortcuts", "About Kirie"]
    assert [a.text() for a in window.menuBar().actions()][-1] == "&Help"


def test_the_shortcut_list_has_every_action_with_a_key(window, qtbot):
    _help_action(window, "Keyboard Shortcuts").trigger()
    dialog = window.editor_actions.shortcuts_dialog
    assert isinstance(dialog, ShortcutsDialog) and dialog.isVisible()
    table = dialog.table
    shown = {(table.item(r, 1).text(), table.item(r, 2).text()) for r in range(table.rowCount())}
    expected = {(a.text().replace("&", "").rstrip("."), a.shortcut().toString(QKeySequence.SequenceFormat.NativeText))
                for a in window.findChildren(QAction) if not a.shortcut().isEmpty()}
    assert expected and shown == expected
    rows = {(menu, action): key for menu, action, key in dialog.rows}
    assert rows[("Deform", "Deform Mode")] == "D" and rows[("File", "New from Image")] == "Ctrl+N"
    assert rows[("Help", "User Guide")] == QKeySequence(QKeySequence.StandardKey.HelpContents).toString(
        QKeySequence.SequenceFormat.NativeText)
    # a new action with a key appears without touching the dialog
    extra = QAction("Frobnicate", window)
    extra.setShortcut(QKeySequence("Ctrl+Alt+F"))
    window.addAction(extra)
    assert ("Toolbar", "Frobnicate", "Ctrl+Alt+F") in shortcut_rows(window)


def test_the_user_guide_opens_in_the_editor(window, qtbot):
    _help_action(window, "User Guide").trigger()
    dialog = window.editor_actions.guide_dialog
    assert isinstance(dialog, UserGuideDialog) and dialog.isVisible()
    text = dialog.browser.toPlainText()
    for heading in ("First run", "Generating a rig", "Posing with the sliders", "Deform mode", "Mesh mode",
                    "Paint mode", "Face tracking", "Saving and exporting"):
        assert heading in text, heading
    assert "#" not in text.splitlines()[0], "the Markdown is rendered, not shown raw"
    _help_action(window, "User Guide").trigger()
    assert window.editor_actions.guide_dialog is dialog, "one guide window"


def test_the_guide_names_only_real_shortcuts(window):
    """Every "(Ctrl+K)"-style key the guide gives for a menu action is that action's real shortcut."""
    real = {key for _, _, key in shortcut_rows(window)}
    guide = USER_GUIDE.read_text(encoding="utf-8")
    named = set(re.findall(r"\*\*[^*]+\*\* \((Ctrl[^)]*|[A-Z]|F\d)\)", guide))
    assert named, "the guide names shortcuts"
    for key in named:
        for one in key.split(" / "):
            assert one in real, (key, sorted(real))


def test_a_missing_guide_says_where_it_was_looked_for(qtbot, tmp_path):
    dialog = UserGuideDialog(None, tmp_path / "nope.md")
    qtbot.addWidget(dialog)
    assert "User guide not found" in dialog.browser.toPlainText() and "nope.md" in dialog.browser.toPlainText()

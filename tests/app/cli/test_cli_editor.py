"""``kirie PROJECT`` opens the editor on that project (the event loop is stubbed out)."""

from __future__ import annotations

import pytest

from rig.formats.project import save_project
from rig.testing import tiny_rig

pytestmark = pytest.mark.qt


def test_kirie_with_a_project_opens_the_editor(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QApplication

    from app.cli import main as cli
    from app.editor import main_window

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    path = tmp_path / "tiny.kirie"
    save_project(path, tiny_rig())
    opened = []
    monkeypatch.setattr(main_window.MainWindow, "open_project", lambda self, p: opened.append((self, p)) or True)
    monkeypatch.setattr(QApplication, "exec", lambda self: 0)
    assert cli.main([str(path)]) == 0
    window, project = opened[0]
    assert project == str(path) and window.isVisible()
    window.close()

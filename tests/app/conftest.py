"""Fixtures for the editor's Qt tests (marker ``qt``; run under ``xvfb-run -a``).

The default OpenGL surface format must be set before pytest-qt creates the QApplication, so it is
set when this conftest is imported. ``window`` is a real :class:`app.editor.main_window.MainWindow` with
its own settings file, recovery folder (``XDG_DATA_HOME``) and scripted dialogs.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

try:
    from PySide6.QtGui import QSurfaceFormat

    from app.viewport.viewport import opengl_format

    QSurfaceFormat.setDefaultFormat(opengl_format())
except ImportError:  # pragma: no cover - PySide6 missing: the qt tests skip below
    pass


def pytest_collection_modifyitems(config, items):
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return
    skip = pytest.mark.skip(reason="Qt tests need a display: run them under xvfb-run -a")
    for item in items:
        if "qt" in item.keywords:
            item.add_marker(skip)


class ScriptedDialogs:
    """Stand-in for app.editor.dialogs.Dialogs: answers from attributes, records every question."""

    def __init__(self) -> None:
        self.unsaved_answer = "discard"
        self.recover_answer = False
        self.save_path: str | None = None
        self.open_path: str | None = None
        self.image_path: str | None = None
        self.export_answer: str | None = None  # export_path's answer (a folder for Cubism, else a file)
        self.calls: list[str] = []
        self.errors: list[tuple[str, str, str | None]] = []

    def open_project_path(self, folder):
        self.calls.append("open_project_path")
        return self.open_path

    def save_project_path(self, suggested):
        self.calls.append("save_project_path")
        return self.save_path

    def open_image_path(self, folder):
        self.calls.append("open_image_path")
        return self.image_path

    def export_path(self, title, suggested, file_filter):
        self.calls.append("export_path")
        self.export_suggested = suggested
        return self.export_answer

    def ask_unsaved(self, name):
        self.calls.append("ask_unsaved")
        return self.unsaved_answer

    def ask_recover(self, name, recovery_path):
        self.calls.append("ask_recover")
        return self.recover_answer

    def error(self, title, text, details=None):
        self.calls.append("error")
        self.errors.append((title, text, details))


@pytest.fixture()
def dialogs() -> ScriptedDialogs:
    return ScriptedDialogs()


@pytest.fixture()
def window(qtbot, tmp_path, monkeypatch, dialogs):
    """A shown main window (1280 x 800) with private settings and recovery folder."""
    from PySide6.QtCore import QSettings

    from app.editor.main_window import MainWindow

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings, dialogs)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    yield w
    dialogs.unsaved_answer = "discard"
    if w.isVisible():
        w.close()


def load_tiny(window) -> None:
    """Put rig.testing.tiny_rig() into the window's document (one ReplaceRig) and mark it saved."""
    from rig.document.commands import ReplaceRig
    from rig.testing import tiny_rig

    window.bridge.push(ReplaceRig(window.bridge.rig, tiny_rig()))
    window.bridge.document.history.mark_clean()


def grab(viewport) -> np.ndarray:
    """The viewport's framebuffer as (H, W, 4) uint8 RGBA (renders a frame now)."""
    from app.qt_images import qimage_to_rgba

    return qimage_to_rgba(viewport.grabFramebuffer())


def region_diff(a: np.ndarray, b: np.ndarray, box: tuple[int, int, int, int]) -> float:
    """Mean absolute RGB difference inside ``box`` = (x0, y0, x1, y1) in image px."""
    x0, y0, x1, y1 = box
    return float(np.abs(a[y0:y1, x0:x1, :3].astype(np.int16) - b[y0:y1, x0:x1, :3]).mean())


def canvas_box_to_viewport(viewport, box_px) -> tuple[int, int, int, int]:
    """A canvas-px box (x0, y0, x1, y1) as an integer viewport-px box."""
    corners = viewport.view.canvas_to_viewport(np.array([[box_px[0], box_px[1]], [box_px[2], box_px[3]]]))
    (x0, y0), (x1, y1) = np.floor(corners[0]).astype(int), np.ceil(corners[1]).astype(int)
    return int(x0), int(y0), int(x1), int(y1)


def generate_into(window, qtbot, image: Path, timeout_ms: int = 180_000) -> None:
    """Run New from Image on ``image`` and wait until the rig is in the document."""
    assert window.new_from_image(image)
    qtbot.waitUntil(lambda: not window.generation.running, timeout=timeout_ms)
    assert window.bridge.rig.art_meshes, f"no rig was generated; errors: {window.dialogs.errors}"

"""Generation Backends dialog: the choice is remembered and New from Image generates with it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from app.editor.backends_dialog import BackendsDialog, GenerationOptions
from inference.models import cache

pytestmark = [pytest.mark.qt, pytest.mark.learned]


def test_dialog_stores_the_choice_and_shows_each_stage(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "empty"))
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    options = GenerationOptions(settings)
    assert options.as_kwargs() == {"backend": "auto", "device": "auto"}
    dialog = BackendsDialog(options)
    qtbot.addWidget(dialog)
    assert "kirie models pull lama" in dialog.stage_labels["completion"].text()
    parsing = dialog.stage_labels["face_parsing"].text()
    assert parsing.startswith("on photos: ") and "kirie models pull bisenet_face_parsing" in parsing, parsing
    dialog.backend.setCurrentIndex(dialog.backend.findData("learned"))
    assert dialog.stage_labels["completion"].text().startswith("cannot run")
    dialog.device.setCurrentIndex(dialog.device.findData("cpu"))
    dialog.accept()
    again = GenerationOptions(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    assert again.as_kwargs() == {"backend": "learned", "device": "cpu"}


def test_new_from_image_uses_the_remembered_choice(window, monkeypatch, tmp_path):
    GenerationOptions(window.settings.qsettings).set("classical", "cpu")
    seen = {}
    monkeypatch.setattr(window.generation, "start", lambda path, **kw: seen.update(kw, path=path) or True)
    assert window.new_from_image(tmp_path / "x.png")
    assert seen["backend"] == "classical" and seen["device"] == "cpu"
    assert window.menuBar().actions()[0].menu().actions()[1].text() == "Generation &Backends..."

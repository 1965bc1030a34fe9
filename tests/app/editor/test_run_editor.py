"""``kirie`` without a display says so instead of letting Qt abort."""

from __future__ import annotations

import logging

from app.editor.main_window import run_editor


def test_no_display_is_a_clear_error(monkeypatch, caplog):
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(var, raising=False)
    with caplog.at_level(logging.ERROR, logger="kirie"):
        assert run_editor(None) == 2
    assert "no display" in caplog.text and "xvfb-run" in caplog.text

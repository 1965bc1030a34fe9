"""The stream window under Xvfb: borderless, only the avatar on the key colour, following the values."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from tests.app.conftest import grab, load_tiny

pytestmark = pytest.mark.qt


def _save(rgba: np.ndarray, name: str, tmp_path: Path) -> None:
    from PIL import Image

    folder = Path(os.environ.get("KIRIE_TEST_SHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    Image.fromarray(rgba).save(folder / name)


def test_stream_window_shows_the_avatar_on_the_key_colour(window, qtbot, tmp_path):
    from PySide6.QtCore import Qt

    from app.viewport.stream_window import KEY_RGB, StreamWindow

    load_tiny(window)
    stream = StreamWindow(window.bridge, (320, 240), background=(0, 255, 0))
    qtbot.addWidget(stream)
    stream.show()
    qtbot.waitExposed(stream)
    assert stream.windowFlags() & Qt.WindowType.FramelessWindowHint
    assert (stream.width(), stream.height()) == (320, 240)
    shot = grab(stream)
    _save(shot, "stream_window_rest.png", tmp_path)
    assert shot.shape[:2] == (240, 320)
    rgb = shot[..., :3].astype(int)
    key = np.all(rgb == KEY_RGB, axis=-1)
    assert key[:, :30].all() and key[:, -30:].all()  # letterboxed left and right of the square canvas
    avatar = ~key
    assert 0.1 < avatar.mean() < 0.75  # the tiny rig's meshes, and nothing else (no checkerboard, no gizmo)
    ys, xs = np.nonzero(avatar)
    assert 40 <= xs.min() and xs.max() <= 280  # inside the fitted canvas

    window.bridge.values.set("ParamAngleX", 30.0)
    turned = grab(stream)
    _save(turned, "stream_window_angle30.png", tmp_path)
    assert np.abs(turned[..., :3].astype(int) - rgb).mean() > 0.5  # the avatar moved with the value

    stream.set_avatar_size((200, 400))
    assert (stream.width(), stream.height()) == (200, 400)
    with qtbot.waitSignal(stream.closed, timeout=2000):
        stream.close()


def test_transparent_request_falls_back_to_the_key_colour_on_xvfb(window, qtbot):
    from app.viewport.stream_window import StreamWindow, transparency_supported

    load_tiny(window)
    stream = StreamWindow(window.bridge, (128, 128), background=(255, 0, 255), transparent=True)
    qtbot.addWidget(stream)
    stream.show()
    qtbot.waitExposed(stream)
    shot = grab(stream)
    if transparency_supported():
        assert stream.transparent and shot[0, 0, 3] == 0
    else:
        assert not stream.transparent and tuple(shot[0, 0, :3]) == (255, 0, 255)
    stream.close()

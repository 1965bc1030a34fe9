"""The stream window under Xvfb: borderless, only the avatar on the key colour, following the values, its
frames rendered on the worker thread (not the GUI thread)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np
import pytest

from tests.app.conftest import load_tiny

pytestmark = pytest.mark.qt


def _save(rgba: np.ndarray, name: str, tmp_path: Path) -> None:
    from PIL import Image

    folder = Path(os.environ.get("KIRIE_TEST_SHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    Image.fromarray(rgba).save(folder / name)


def grab(stream, after: int = 0) -> np.ndarray:
    """The window as it shows now, once more than ``after`` frames arrived from its worker."""
    from app.qt_images import qimage_to_rgba

    assert stream.wait_frame(after, 10.0), "no frame from the stream window's worker"
    return qimage_to_rgba(stream.grab().toImage())


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

    assert stream.worker.running and stream.worker.thread is not threading.current_thread()
    shown = stream.frames_shown
    window.bridge.values.set("ParamAngleX", 30.0)
    turned = grab(stream, shown)
    _save(turned, "stream_window_angle30.png", tmp_path)
    assert np.abs(turned[..., :3].astype(int) - rgb).mean() > 0.5  # the avatar moved with the value

    shown = stream.frames_shown
    stream.set_avatar_size((200, 400))
    assert (stream.width(), stream.height()) == (200, 400)
    tall = grab(stream, shown)
    assert tall.shape[:2] == (400, 200) and np.all(tall[0, :, :3] == KEY_RGB)  # rendered again at the new size
    with qtbot.waitSignal(stream.closed, timeout=2000):
        stream.close()
    assert not stream.worker.running  # closing joins the render thread


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

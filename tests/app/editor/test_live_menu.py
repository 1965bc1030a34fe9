"""Live menu: the stream window opens and closes from it; the virtual camera sends frames to a sink at
its rate, or explains what to install when no driver exists."""

from __future__ import annotations

import numpy as np
import pytest

from tests.app.conftest import load_tiny

pytestmark = pytest.mark.qt


def test_live_menu_sits_before_help(window):
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles.index("&Live") == titles.index("&Help") - 1


def test_stream_window_toggles_from_the_menu(window, qtbot):
    load_tiny(window)
    live = window.live
    live.stream_action.setChecked(True)
    qtbot.waitExposed(live.stream_window)
    assert live.stream_window.isVisible()
    live.stream_window.close()  # closing the window unchecks the action
    assert live.stream_window is None and not live.stream_action.isChecked()


def test_virtual_camera_streams_the_current_values_to_its_sink(window, qtbot):
    from app.tracking.sinks import RecordingSink

    load_tiny(window)
    sinks = []
    live = window.live
    live.sink_factory = lambda s: sinks.append(RecordingSink(s.camera_size, s.camera_fps, s.camera_background)) or sinks[-1]
    live.settings = type(live.settings)(camera_size=(320, 180), camera_fps=30.0)
    live.camera_action.setChecked(True)
    qtbot.waitUntil(lambda: len(sinks[0].frames) >= 2, timeout=5000)
    window.bridge.values.set("ParamAngleX", 30.0)
    n = len(sinks[0].frames)
    qtbot.waitUntil(lambda: len(sinks[0].frames) >= n + 2, timeout=5000)
    live.camera_action.setChecked(False)
    frames = sinks[0].frames
    assert sinks[0].closed and live.sink is None
    assert all(f.shape == (180, 320, 3) for f in frames)
    assert tuple(frames[0][0, 0]) == (0, 255, 0)  # key colour around the avatar
    assert (np.any(frames[0] != (0, 255, 0), axis=-1)).mean() > 0.05  # the avatar is in it
    assert np.abs(frames[-1].astype(int) - frames[0].astype(int)).mean() > 0.5  # and follows the values


def test_virtual_camera_without_a_driver_says_what_to_install(window, dialogs):
    from app.tracking.sinks import VirtualCameraError, VirtualCameraSink

    try:
        VirtualCameraSink((64, 64)).close()
        pytest.skip("a virtual camera device exists here")
    except VirtualCameraError:
        pass
    load_tiny(window)
    window.live.camera_action.setChecked(True)
    assert not window.live.camera_action.isChecked() and window.live.sink is None
    title, text, _ = dialogs.errors[-1]
    assert title == "Virtual Camera" and "v4l2loopback" in text


def test_a_slow_render_slows_the_camera_instead_of_the_editor(window, qtbot):
    from app.tracking.sinks import RecordingSink

    load_tiny(window)
    live = window.live
    live.sink_factory = lambda s: RecordingSink(s.camera_size, s.camera_fps)
    live.camera_action.setChecked(True)
    assert live.camera_interval_ms == 33
    live._pace(120.0)  # a 120 ms software-GL frame
    assert live.camera_interval_ms == 240
    live._pace(5.0)  # fast again (a GPU): back to the chosen rate
    assert live.camera_interval_ms == 33
    live.camera_action.setChecked(False)

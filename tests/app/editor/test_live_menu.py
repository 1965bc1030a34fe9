"""Live menu: the stream window opens and closes from it; the virtual camera sends frames to a sink at
its rate from a worker thread (the GUI thread never waits for it), or explains what to install when no
driver exists; a device failing mid-stream is reported once and stops the camera."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from tests.app.conftest import load_tiny

pytestmark = pytest.mark.qt


def _camera_into(window, sink_type, fps: float = 30.0):
    """The tiny rig loaded and the Live menu's camera set to 160x90 at ``fps`` into ``sink_type`` sinks
    (not yet started); returns the LiveMenu and the list its sinks are appended to."""
    load_tiny(window)
    sinks = []
    live = window.live
    live.sink_factory = lambda s: sinks.append(sink_type(s.camera_size, s.camera_fps)) or sinks[-1]
    live.settings = type(live.settings)(camera_size=(160, 90), camera_fps=fps)
    return live, sinks


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
    compiles, scenes, post_scene = window.viewport.evaluator.plan_compiles, [], live.worker.post_scene
    live.worker.post_scene = lambda scene: scenes.append(scene) or post_scene(scene)
    window.bridge.values.set("ParamAngleX", 30.0)
    n = len(sinks[0].frames)
    qtbot.waitUntil(lambda: len(sinks[0].frames) >= n + 2, timeout=5000)
    assert window.viewport.evaluator.plan_compiles == compiles and not scenes  # values only: the same plan
    worker = live.worker
    live.camera_action.setChecked(False)
    frames = sinks[0].frames
    assert sinks[0].closed and live.sink is None and not worker.running
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


class BlockingSink:
    """A sink whose :meth:`send` waits until :attr:`release` is set (a camera stuck on a frame)."""

    def __init__(self, size, fps):
        self.size, self.fps = size, fps
        self.entered, self.release = threading.Event(), threading.Event()
        self.sent_from: set[int] = set()
        self.sent, self.closed = 0, False

    def send(self, rgba):
        self.sent_from.add(threading.get_ident())
        self.entered.set()
        self.release.wait(30.0)
        self.sent += 1

    def close(self):
        self.closed = True


def test_the_gui_thread_keeps_running_while_the_camera_is_stuck_on_a_frame(window, qtbot):
    from PySide6.QtCore import QTimer

    live, sinks = _camera_into(window, BlockingSink)
    live.camera_action.setChecked(True)
    assert sinks[0].entered.wait(20.0)  # the worker is inside send(), and stays there
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(window.bridge.values.set("ParamAngleX", -30.0 + len(ticks))))
    timer.start(5)
    qtbot.waitUntil(lambda: len(ticks) >= 20, timeout=10000)  # events, paints and value posts go on
    timer.stop()
    assert sinks[0].sent == 0 and threading.get_ident() not in sinks[0].sent_from
    worker = live.worker
    sinks[0].release.set()
    qtbot.waitUntil(lambda: sinks[0].sent >= 2, timeout=10000)
    live.camera_action.setChecked(False)  # joins the worker
    assert not worker.running and sinks[0].closed and live.worker is None


class FailingSink:
    def __init__(self, size, fps, fail_at=2):
        self.size, self.fps, self.fail_at = size, fps, fail_at
        self.sent, self.closed = 0, False

    def send(self, rgba):
        if self.sent == self.fail_at:
            raise OSError("/dev/video10 disappeared")
        self.sent += 1

    def close(self):
        self.closed = True


def test_a_camera_failing_mid_stream_is_reported_once_and_stops(window, qtbot, dialogs):
    live, sinks = _camera_into(window, FailingSink, fps=60.0)
    before = len(dialogs.errors)
    live.camera_action.setChecked(True)
    worker = live.worker
    qtbot.waitUntil(lambda: not live.camera_action.isChecked(), timeout=20000)
    qtbot.wait(100)
    reported = dialogs.errors[before:]
    assert len(reported) == 1 and reported[0][0] == "Virtual Camera" and "disappeared" in reported[0][1]
    assert not worker.running and sinks[0].closed and sinks[0].sent == 2 and live.worker is None


def test_closing_the_editor_joins_the_camera_thread(window, qtbot):
    from app.tracking.sinks import RecordingSink

    live, sinks = _camera_into(window, RecordingSink)
    live.camera_action.setChecked(True)
    qtbot.waitUntil(lambda: len(sinks[0].frames) >= 1, timeout=20000)
    worker = live.worker
    live.close()
    assert not worker.running and sinks[0].closed
    assert not any(t.name == "kirie-virtual-camera" for t in threading.enumerate())


def test_the_camera_follows_a_replaced_document(window, qtbot):
    from app.tracking.sinks import RecordingSink
    from rig.document.commands import ReplaceRig
    from rig.testing import tiny_rig

    live, sinks = _camera_into(window, RecordingSink)
    live.camera_action.setChecked(True)
    qtbot.waitUntil(lambda: len(sinks[0].frames) >= 1, timeout=20000)
    moved = tiny_rig()
    for mesh in moved.art_meshes:
        mesh.keyforms.values["positions"][...] += np.float32(40.0)  # every mesh 40 px right and down
    renders = live.worker.renders
    window.bridge.push(ReplaceRig(window.bridge.rig, moved))
    qtbot.waitUntil(lambda: live.worker.renders > renders, timeout=20000)
    n = len(sinks[0].frames)
    qtbot.waitUntil(lambda: len(sinks[0].frames) > n, timeout=20000)
    first, last = sinks[0].frames[0], sinks[0].frames[-1]
    live.camera_action.setChecked(False)
    assert np.abs(last.astype(int) - first.astype(int)).mean() > 0.5
    assert live.worker is None

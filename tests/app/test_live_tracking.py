"""The live tracking controller drives the rig's values from a video with no widget around it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from app.bridge import DocumentBridge
from app.tracking.controller import LiveTracking
from app.tracking.settings import TrackingSettings
from rig.document import Document
from rig.testing import tiny_rig

pytestmark = pytest.mark.qt


def test_live_tracking_drives_values_then_puts_them_back(qtbot, tmp_path, shared_data, shared_models):
    if not (shared_models / "face_landmarker.task").is_file():
        pytest.skip("face_landmarker.task not in ../shared/models")
    bridge = DocumentBridge(Document(tiny_rig()))
    settings = TrackingSettings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    live = LiveTracking(bridge, settings)
    messages, frames, finished = [], [], []
    live.message.connect(lambda text, error: messages.append((text, error)))
    live.frame.connect(frames.append)
    live.finished.connect(finished.append)
    video = shared_data / "driving" / "d3.mp4"
    assert live.start(str(video), video.name, live.default_rules(), 0.5, False, False)
    assert messages[0] == (f"Opening {video.name}...", False)
    qtbot.waitUntil(lambda: live.frames_received >= 10, timeout=30_000)
    assert bridge.values["ParamAngleX"] == pytest.approx(frames[-1].values["ParamAngleX"], abs=1e-4)
    live.stop()
    assert finished == ["stopped"] and not live.running
    assert bridge.values["ParamAngleX"] == 0.0  # the tracking layer put the value back
    assert messages[-1] == (f"Stopped after {live.frames_received} frames.", False)


def test_stale_frames_are_recorded_but_do_not_drive_the_rig(qtbot, tmp_path):
    from app.jobs.tracking import TrackingUpdate

    bridge = DocumentBridge(Document(tiny_rig()))
    live = LiveTracking(bridge, TrackingSettings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)))
    live.driver.begin(["ParamAngleX"])
    live.start_recording()
    shown = []
    live.frame.connect(shown.append)
    for i, (angle, stale) in enumerate([(5.0, False), (20.0, True), (-7.0, False)]):
        live._on_frame(TrackingUpdate(i, 33 * i, True, {"ParamAngleX": angle}, {}, None, 1.0, stale=stale))
        if i == 1:
            assert bridge.values["ParamAngleX"] == pytest.approx(5.0)  # the stale frame did not move it
    assert bridge.values["ParamAngleX"] == pytest.approx(-7.0)
    assert [u.index for u in shown] == [0, 2] and (live.frames_received, live.frames_skipped) == (3, 1)
    assert len(live._recorder) == 3  # the motion keeps every frame
    live.driver.end()

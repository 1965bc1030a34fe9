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

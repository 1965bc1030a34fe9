"""Microphone lip-sync in the editor: a recorded voice through the dock's Lip-sync row moves the mouth
over the camera layer, the meter shows the level, and stopping puts the mouth back."""

from __future__ import annotations

import time

import numpy as np
import pytest

from inference.tracking.audio import AudioError
from inference.tracking.lipsync import LipSync
from rig.drive import Layer
from tests.inference.tracking.speech import RATE, speech
from tests.rig.document.rigs import small_rig

pytestmark = pytest.mark.qt


class RecordedMicrophone:
    """Plays a recording into LipSync at the wall clock's pace (what PortAudio's callback would do)."""

    def __init__(self, samples, settings):
        self.samples, self.sync, self.t0 = samples, LipSync(RATE, settings), None
        self.fed = 0
        self.closed = False

    def start(self):
        self.t0 = time.perf_counter()
        return self

    def _catch_up(self):
        due = min(self.samples.size, int((time.perf_counter() - self.t0) * RATE))
        if due > self.fed:
            self.sync.feed(self.samples[self.fed:due])
            self.fed = due

    def values(self):
        self._catch_up()
        return self.sync.values

    @property
    def level_db(self):
        return self.sync.level_db

    def close(self):
        self.closed = True


def _panel(qtbot, factory):
    from app.bridge import DocumentBridge
    from app.panels.tracking_panel import TrackingPanel
    from rig.document.commands import ReplaceRig

    bridge = DocumentBridge()
    bridge.push(ReplaceRig(bridge.rig, small_rig()))
    panel = TrackingPanel(bridge, probe=False)
    panel.lipsync.microphone_factory = factory
    qtbot.addWidget(panel)
    return bridge, panel


def test_voice_moves_the_mouth_over_the_camera_and_stopping_restores_it(qtbot, tmp_path):
    mics = []
    bridge, panel = _panel(qtbot, lambda device, s: mics.append(RecordedMicrophone(speech(1.5), s)) or mics[-1])
    bridge.values.set("ParamMouthOpenY", 0.25)
    bridge.drive.start(Layer.TRACKING, ["ParamMouthOpenY", "ParamAngleX"])  # a camera that sees a half-open mouth
    bridge.drive.write(Layer.TRACKING, {"ParamMouthOpenY": 0.4, "ParamAngleX": 12.0})
    seen, levels = [], []
    panel.lipsync.level.connect(levels.append)
    bridge.values_changed.connect(lambda ch: seen.append(bridge.values["ParamMouthOpenY"]))
    panel.microphone_row.button.setChecked(True)
    assert panel.lipsync.running and bridge.drive.top == Layer.LIPSYNC
    qtbot.waitUntil(lambda: mics[0].fed >= mics[0].samples.size, timeout=5000)
    qtbot.wait(50)
    assert max(seen) > 0.5 and min(seen) < 0.1  # the voice, not the camera's 0.4, opens and shuts it
    assert bridge.values["ParamAngleX"] == pytest.approx(12.0)  # the camera keeps the head
    assert max(levels) > -35 and panel.microphone_row.meter.value() >= 0
    panel.microphone_row.button.setChecked(False)
    assert not panel.lipsync.running and mics[0].closed
    assert bridge.values["ParamMouthOpenY"] == pytest.approx(0.4)  # back to the camera's mouth
    bridge.drive.stop(Layer.TRACKING)
    assert bridge.values["ParamMouthOpenY"] == pytest.approx(0.25)


def test_a_microphone_that_cannot_open_unchecks_and_says_why(qtbot):
    def broken(device, s):
        raise AudioError("microphone input needs the sounddevice package and the PortAudio library: pip install sounddevice")

    bridge, panel = _panel(qtbot, broken)
    panel.microphone_row.button.setChecked(True)
    assert not panel.microphone_row.button.isChecked() and not panel.lipsync.running
    assert "pip install sounddevice" in panel.message
    assert not bridge.drive.is_running(Layer.LIPSYNC)
    assert np.isfinite(bridge.values["ParamMouthOpenY"])

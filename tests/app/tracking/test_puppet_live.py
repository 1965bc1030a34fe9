"""The headless puppet under live sources: idle life under tracking, microphone lip-sync over the camera's mouth."""

from __future__ import annotations

import numpy as np
import pytest

from app.tracking.puppet import Puppet
from inference.tracking.lipsync import analyse
from rig.drive import Layer
from rig.drive.idle import BLINK_INTERVAL_S
from tests.inference.tracking.speech import RATE, speech
from tests.rig.document.rigs import small_rig

FPS = 30.0


def _run(puppet: Puppet, seconds: float, tracked, lipsync=None) -> list[dict[str, float]]:
    out = []
    for i in range(int(seconds * FPS)):
        t = i / FPS
        out.append(puppet.pose(tracked(t), 0.0 if i == 0 else 1 / FPS, lipsync(t) if lipsync else None))
    return out


def test_breath_and_blink_keep_running_where_tracking_does_not_drive():
    puppet = Puppet(small_rig(), idle=True)
    # tracking drives the head only: the eye still blinks, the chest still breathes
    poses = _run(puppet, BLINK_INTERVAL_S[0] + 0.5, lambda t: {"ParamAngleX": 20 * np.sin(t)})
    breath = np.array([p["ParamBreath"] for p in poses])
    eye = np.array([p["ParamEyeLOpen"] for p in poses])
    angle = np.array([p["ParamAngleX"] for p in poses])
    assert breath.max() - breath.min() > 0.5 and breath.max() <= 1.0
    assert eye.max() == pytest.approx(1.0) and eye.min() < 0.3  # one blink within the first interval
    assert np.abs(angle - 20 * np.sin(np.arange(len(poses)) / FPS)).max() < 1e-4


def test_tracked_eyes_win_over_the_idle_blink_and_it_resumes_when_tracking_lets_go():
    puppet = Puppet(small_rig(), idle=True)
    poses = _run(puppet, BLINK_INTERVAL_S[0] + 0.5, lambda t: {"ParamEyeLOpen": 0.6})
    assert {round(p["ParamEyeLOpen"], 6) for p in poses} == {0.6}  # no blink fights the camera
    puppet.pose({}, 1 / FPS)  # the face is lost: tracking drives nothing now
    assert puppet.values["ParamEyeLOpen"] == pytest.approx(1.0, abs=0.05)  # back to the idle layer
    assert puppet.stack.is_running(Layer.PREVIEW)


def test_microphone_mouth_lies_over_the_camera_mouth():
    track = analyse(speech(2.0), RATE)
    puppet = Puppet(small_rig())
    poses = _run(puppet, 2.0, lambda t: {"ParamMouthOpenY": 0.5, "ParamAngleX": 5.0}, track.at)
    mouth = np.array([p["ParamMouthOpenY"] for p in poses])
    expected = np.array([track.at(i / FPS)["ParamMouthOpenY"] for i in range(len(poses))])
    np.testing.assert_allclose(mouth, expected, atol=1e-5)
    assert mouth.max() > 0.5 and mouth.min() == 0.0
    assert all(p["ParamAngleX"] == pytest.approx(5.0) for p in poses)  # the camera keeps the head
    assert puppet.stack.top == Layer.LIPSYNC
    puppet.stack.stop(Layer.LIPSYNC)
    assert puppet.values["ParamMouthOpenY"] == pytest.approx(0.5)  # the camera's mouth again

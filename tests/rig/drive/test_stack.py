"""ValueStack (no Qt): layers defaults < preview < tracking < physics, base values put back, one physics clock."""

from __future__ import annotations

import logging

import pytest

from rig.drive import MAX_DT_S, Layer, ParameterValues, ValueStack
from rig.model import PhysicsInput, PhysicsSource
from tests.rig.document.rigs import small_rig

HAIR = "ParamHairFront"


def _stack(rig=None):
    rig = rig or small_rig()
    values = ParameterValues(rig)
    return values, ValueStack(values, rig)


def test_tracking_wins_over_preview_only_where_it_drives():
    values, stack = _stack()
    values.set("ParamEyeLOpen", 0.8)
    stack.start(Layer.PREVIEW, ["ParamEyeLOpen", "ParamBreath"])
    stack.start(Layer.TRACKING, ["ParamEyeLOpen", "ParamAngleX"])
    stack.write(Layer.TRACKING, {"ParamEyeLOpen": 0.3, "ParamAngleX": 10.0})
    out = stack.write(Layer.PREVIEW, {"ParamEyeLOpen": 0.0, "ParamBreath": 0.7})
    assert out == {"ParamBreath": pytest.approx(0.7)}  # the blink does not reach the tracked eye
    assert values["ParamEyeLOpen"] == pytest.approx(0.3) and values["ParamBreath"] == pytest.approx(0.7)
    stack.stop(Layer.TRACKING)  # the eye falls back to the preview, the angle to its base
    assert values["ParamEyeLOpen"] == 0.0 and values["ParamAngleX"] == 0.0
    assert stack.base("ParamEyeLOpen") == pytest.approx(0.8)  # remembered before either layer moved it
    stack.stop(Layer.PREVIEW)
    assert values["ParamEyeLOpen"] == pytest.approx(0.8) and values["ParamBreath"] == 0.0
    assert not stack.running and stack.simulator is None


def test_physics_runs_once_on_top_and_its_outputs_are_put_back():
    values, stack = _stack()
    stack.start(Layer.PREVIEW, ["ParamBreath"], time_s=0.0)
    stack.start(Layer.TRACKING, ["ParamAngleX"], time_s=0.0)
    assert stack.simulator is not None and stack.top == Layer.TRACKING
    steps, hair = [], []
    real_step = stack.simulator.step
    stack.simulator.step = lambda current, dt: steps.append(dt) or real_step(current, dt)
    for k in range(1, 40):
        stack.write(Layer.TRACKING, {"ParamAngleX": 30.0}, time_s=k / 30)
        stack.write(Layer.PREVIEW, {"ParamBreath": 0.5}, time_s=k / 60)  # not the clock: no physics step
        hair.append(values[HAIR])
    assert len(steps) == 39 and steps[0] == pytest.approx(1 / 30)
    assert max(map(abs, hair)) > 0.5  # the hair swings under the tracked angle
    assert stack.write(Layer.PREVIEW, {HAIR: 0.0}) == {}  # physics outputs stay on top of every layer
    stack.stop_all()
    assert values[HAIR] == 0.0 and values["ParamAngleX"] == 0.0 and values["ParamBreath"] == 0.0


def test_dt_is_clamped_and_the_first_write_steps_zero():
    values, stack = _stack()
    stack.start(Layer.TRACKING)
    seen = []
    real_step = stack.simulator.step
    stack.simulator.step = lambda current, dt: seen.append(dt) or real_step(current, dt)
    for t in (5.0, 5.02, 9.0, 8.0):
        stack.write(Layer.TRACKING, {"ParamAngleX": 1.0}, time_s=t)
    assert seen == [0.0, pytest.approx(0.02), MAX_DT_S, 0.0]


def test_broken_physics_is_switched_off_with_a_reason(caplog):
    rig = small_rig()
    rig.physics.settings[0].inputs = [PhysicsInput("ParamGone", 60, PhysicsSource.X)]
    values, stack = _stack(rig)
    with caplog.at_level(logging.WARNING, logger="rig.drive.stack"):
        stack.start(Layer.PREVIEW, ["ParamBreath"])
    assert stack.simulator is None and "physics could not be built" in stack.physics_off_reason
    assert "physics disabled" in caplog.text
    assert stack.write(Layer.PREVIEW, {"ParamBreath": 0.4}) == {"ParamBreath": pytest.approx(0.4)}


def test_a_failing_step_stops_physics_and_keeps_the_source(caplog):
    values, stack = _stack()
    stack.start(Layer.TRACKING)

    def boom(current, dt):
        raise FloatingPointError("particle exploded")

    stack.simulator.step = boom
    with caplog.at_level(logging.WARNING, logger="rig.drive.stack"):
        out = stack.write(Layer.TRACKING, {"ParamAngleX": 12.0})
    assert out == {"ParamAngleX": 12.0} and stack.simulator is None
    assert "particle exploded" in stack.physics_off_reason and "physics stopped" in caplog.text
    assert stack.write(Layer.TRACKING, {"ParamAngleX": 13.0}) == {"ParamAngleX": 13.0}


def test_replace_drops_what_a_frame_no_longer_drives_and_late_writes_are_ignored():
    values, stack = _stack()
    stack.start(Layer.TRACKING)
    stack.write(Layer.TRACKING, {"ParamAngleX": 20.0, "ParamMouthOpenY": 0.6, "ParamNope": 3.0})
    stack.write(Layer.TRACKING, {"ParamAngleX": 25.0}, replace=True)
    assert values["ParamMouthOpenY"] == 0.0 and values["ParamAngleX"] == 25.0
    stopped = []
    stack.stopped.connect(stopped.append)
    stack.stop(Layer.TRACKING)
    assert stopped == [Layer.TRACKING] and values["ParamAngleX"] == 0.0
    assert stack.write(Layer.TRACKING, {"ParamAngleX": 5.0}) == {} and values["ParamAngleX"] == 0.0


def test_rig_change_and_attach_keep_layers_running():
    values, stack = _stack()
    stack.start(Layer.TRACKING, ["ParamAngleX", "ParamEyeLOpen"])
    stack.write(Layer.TRACKING, {"ParamAngleX": 20.0})
    rig = small_rig()
    rig.parameters = [p for p in rig.parameters if p.id != "ParamEyeLOpen"]
    rig.physics.settings = []
    values.sync(rig)
    stack.rig_changed(rig)
    assert stack.simulator is None and stack.physics_off_reason == "the rig has no physics"
    other_rig = small_rig()
    other = ParameterValues(other_rig)
    other.set("ParamAngleX", -7.0)
    stack.attach(other, other_rig)
    assert stack.is_running(Layer.TRACKING) and stack.simulator is not None
    stack.write(Layer.TRACKING, {"ParamAngleX": 3.0})
    stack.stop(Layer.TRACKING)
    assert other["ParamAngleX"] == -7.0 and values["ParamAngleX"] == 20.0  # the old values are left alone

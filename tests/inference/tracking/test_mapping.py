"""ParameterMapper on synthetic features: rules, calibration, smoothing, dropout, body follow, eyes."""

from __future__ import annotations

import json

import numpy as np
import pytest

from inference.tracking.calibration import Calibration, CalibrationError, calibrate
from inference.tracking.mapping import MappingRule, ParameterMapper, default_rules
from tests.inference.tracking.synthetic import face

DT_MS = 1000 / 30


def test_rule_maps_clamps_inverts_and_validates():
    rule = MappingRule("ParamMouthOpenY", "mouth_open", 0.1, 0.6, 0.0, 1.0)
    assert rule.apply(0.05) == 0.0 and rule.apply(0.35) == pytest.approx(0.5) and rule.apply(2.0) == 1.0
    assert MappingRule("P", "yaw", 30, -30, -1, 1).apply(15) == pytest.approx(-0.5)  # inverted input
    assert MappingRule("P", "yaw", -30, 30, -1, 1, clamp=False).apply(60) == pytest.approx(2.0)
    with pytest.raises(ValueError, match="unknown source 'nose'"):
        MappingRule("P", "nose", 0, 1, 0, 1)
    with pytest.raises(ValueError, match="empty input range"):
        MappingRule("P", "yaw", 1, 1, 0, 1)
    with pytest.raises(ValueError, match="one rule only.*ParamAngleX"):
        ParameterMapper([MappingRule("ParamAngleX", "yaw", -30, 30, -30, 30)] * 2)
    assert MappingRule.from_dict(json.loads(json.dumps(rule.to_dict()))) == rule


def test_default_table_drives_the_standard_parameters():
    ids = [r.parameter_id for r in default_rules()]
    for pid in ("ParamAngleX", "ParamAngleY", "ParamAngleZ", "ParamBodyAngleX", "ParamBodyAngleZ", "ParamEyeLOpen",
                "ParamEyeROpen", "ParamEyeBallX", "ParamEyeBallY", "ParamBrowLY", "ParamBrowRY", "ParamMouthOpenY",
                "ParamMouthForm"):
        assert pid in ids
    mapper = ParameterMapper(smoothing=0.0)
    assert mapper.neutral_values()["ParamEyeLOpen"] == 1.0 and mapper.neutral_values()["ParamAngleX"] == 0.0
    v = mapper.update(face(0, yaw=50.0, pitch=-10.0, roll=5.0, jaw=0.03, lip=0.02, mouthSmileLeft=0.6, mouthSmileRight=0.6))
    assert v["ParamAngleX"] == pytest.approx(30.0)  # clamped to +-30
    assert v["ParamAngleY"] == pytest.approx(-10.0, abs=1e-6) and v["ParamAngleZ"] == pytest.approx(5.0, abs=1e-6)
    assert v["ParamMouthOpenY"] == 0.0 and v["ParamMouthForm"] == pytest.approx(1.0)
    v = mapper.update(face(40, jaw=0.3, lip=0.3))
    assert 0.5 < v["ParamMouthOpenY"] < 1.0
    v = mapper.update(face(80, jaw=0.06, lip=0.05))  # barely open: inside the dead zone
    assert v["ParamMouthOpenY"] == 0.0


def test_calibration_removes_neutral_pose_and_normalises_eyes():
    # a user who sits turned 10 deg with small eyes (ratio 0.2) and a slightly open resting mouth
    neutral = [face(i * DT_MS, yaw=10.0, pitch=4.0, eye_left=0.2, eye_right=0.21, lip=0.05, jaw=0.1) for i in range(30)]
    for i in range(10, 20):  # a long wink of the image-left eye, a third of the window
        neutral[i] = face(i * DT_MS, yaw=10.0, pitch=4.0, eye_left=0.02, eye_right=0.21, lip=0.05, jaw=0.1)
    raw = ParameterMapper(smoothing=0.0).update(neutral[0])
    assert raw["ParamAngleX"] == pytest.approx(10.0, abs=1e-6) and raw["ParamEyeLOpen"] < 0.6
    mapper = ParameterMapper(smoothing=0.0)
    cal = mapper.calibrate(neutral)
    assert cal.eye_open_image_left == pytest.approx(0.2)  # the open-eye percentile ignores the wink
    v = mapper.update(neutral[0])
    assert v["ParamAngleX"] == pytest.approx(0.0, abs=1e-6) and v["ParamAngleY"] == pytest.approx(0.0, abs=1e-6)
    assert v["ParamEyeLOpen"] == pytest.approx(1.0) and v["ParamEyeROpen"] == pytest.approx(1.0)
    assert v["ParamMouthOpenY"] == 0.0
    v = mapper.update(face(2000, yaw=25.0, pitch=4.0, eye_left=0.1, eye_right=0.21, lip=0.05, jaw=0.1))
    assert v["ParamAngleX"] == pytest.approx(15.0, abs=0.3)  # relative to the neutral rotation
    assert v["ParamEyeLOpen"] == pytest.approx(1.0) and v["ParamEyeROpen"] == pytest.approx((0.5 - 0.25) / 0.75)
    assert Calibration.from_dict(json.loads(json.dumps(cal.to_dict()))) == cal
    with pytest.raises(CalibrationError, match="at least 5 frames, got 2"):
        calibrate(neutral[:2] + [face(0, found=False)] * 10)


def _noisy_constant_std(smoothing: float) -> float:
    rng = np.random.default_rng(1)
    mapper = ParameterMapper(smoothing=smoothing)
    out = [mapper.update(face(i * DT_MS, yaw=10.0 + rng.normal(0.0, 2.0)))["ParamAngleX"] for i in range(150)]
    return float(np.std(out[60:]))


def test_smoothing_slider_reduces_jitter_and_steps_still_converge():
    stds = [_noisy_constant_std(s) for s in (0.0, 0.25, 0.5, 0.75, 1.0)]
    assert stds[0] == pytest.approx(2.0, rel=0.25)  # slider 0 is the raw signal
    assert all(b < a for a, b in zip(stds, stds[1:])), stds
    assert stds[-1] < 0.25 * stds[0]
    lag = {}
    for s in (0.0, 0.5, 1.0):
        mapper = ParameterMapper(smoothing=s)
        xs = [mapper.update(face(i * DT_MS, yaw=0.0 if i < 30 else 20.0))["ParamAngleX"] for i in range(30 + 120)]
        assert xs[-1] == pytest.approx(20.0, abs=0.5), s  # converges within 4 s
        lag[s] = xs[33]  # 0.1 s after the step
    assert lag[0.0] == pytest.approx(20.0) and lag[0.0] > lag[0.5] > lag[1.0]


def test_dropout_holds_then_eases_to_neutral_and_recovers_smoothly():
    mapper = ParameterMapper(smoothing=0.5, hold_s=0.5, ease_s=1.0)
    for i in range(60):
        last = mapper.update(face(i * DT_MS, yaw=20.0, eye_left=0.1, eye_right=0.1, jaw=0.5, lip=0.5))
    t_lost = 60 * DT_MS
    held = mapper.update(face(t_lost + 300, found=False))
    assert held == last
    mid = mapper.update(face(t_lost + 1000, found=False))  # halfway through the ease
    assert 0.3 * last["ParamAngleX"] < mid["ParamAngleX"] < 0.7 * last["ParamAngleX"]
    assert last["ParamEyeLOpen"] < mid["ParamEyeLOpen"] < 1.0
    later = mapper.update(face(t_lost + 1300, found=False))
    assert later["ParamAngleX"] < mid["ParamAngleX"]
    done = mapper.update(face(t_lost + 1600, found=False))
    assert done == pytest.approx(mapper.neutral_values())
    back = mapper.update(face(t_lost + 1633, yaw=20.0))  # the face returns: no jump
    assert back["ParamAngleX"] < 10.0
    for i in range(1, 90):
        back = mapper.update(face(t_lost + 1633 + i * DT_MS, yaw=20.0))
    assert back["ParamAngleX"] == pytest.approx(20.0, abs=0.5)
    assert ParameterMapper().update(face(0, found=False)) == ParameterMapper().neutral_values()


def test_body_follows_damped_and_late():
    mapper = ParameterMapper(smoothing=0.0)
    xs = [mapper.update(face(i * DT_MS, yaw=0.0 if i < 10 else 20.0)) for i in range(70)]
    assert xs[10]["ParamAngleX"] == pytest.approx(20.0)
    assert 0.0 < xs[10]["ParamBodyAngleX"] < 0.3 * 6.0  # lags behind
    assert xs[-1]["ParamBodyAngleX"] == pytest.approx(0.3 * 20.0, abs=0.05)  # 0.3 x AngleX


def test_link_eyes_evens_noise_but_keeps_winks():
    linked = ParameterMapper(smoothing=0.0, link_eyes=True)
    v = linked.update(face(0, eye_left=0.30, eye_right=0.24))
    assert v["ParamEyeLOpen"] == pytest.approx(v["ParamEyeROpen"])
    v = linked.update(face(40, eye_left=0.32, eye_right=0.05))  # a wink is not averaged away
    assert v["ParamEyeLOpen"] < 0.1 and v["ParamEyeROpen"] == pytest.approx(1.0)
    v = ParameterMapper(smoothing=0.0).update(face(0, eye_left=0.30, eye_right=0.24))
    assert v["ParamEyeLOpen"] != pytest.approx(v["ParamEyeROpen"])


def test_mapper_settings_round_trip_and_live_changes():
    rules = default_rules()
    rules[0] = MappingRule("ParamAngleX", "yaw", -20, 20, -30, 30)
    mapper = ParameterMapper(rules, smoothing=0.7, mirror=True, link_eyes=True, hold_s=0.2, ease_s=0.4,
                             calibration=Calibration(eye_open_image_left=0.25))
    copy = ParameterMapper.from_dict(json.loads(json.dumps(mapper.to_dict())))
    assert copy.to_dict() == mapper.to_dict()
    feats = [face(i * DT_MS, yaw=10.0 * np.sin(i / 5), eye_left=0.2) for i in range(20)]
    assert [mapper.update(f) for f in feats] == [copy.update(f) for f in feats]
    mapper.smoothing = 0.0  # the GUI slider moves mid-stream: takes effect on the next frame
    assert mapper.update(face(20 * DT_MS, yaw=10.0))["ParamAngleX"] == pytest.approx(-15.0, abs=1e-6)

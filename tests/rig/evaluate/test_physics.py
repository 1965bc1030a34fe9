"""Physics with Cubism physics3 semantics: pendulum period and damping, direction, reflect, weights, rates.

The pendulum prediction (derived in ``rig/evaluate/physics.py``): with ``tau = 30 d / fps`` and
``rho = L / (L + a tau**2)`` the small-angle sub-step recurrence is
``x[n+1] = rho (1 + m) x[n] - rho m x[n-1]``, a damped oscillation with
``cos(phi) = rho (1 + m) / (2 sqrt(rho m))`` per sub-step and amplitude factor ``sqrt(rho m)``.
Cubism's scheme *is* a pendulum (gravity ``a`` pulls a particle held at distance ``L`` by projection,
Verlet-style), but it has a dead zone: ``|x| < 0.001 * normalization.position_max`` is snapped to 0,
which nudges every zero crossing. The period tests therefore use a position normalisation of +-0.1
(dead zone 1e-4, far below the amplitudes measured), stop after ~3.5 periods, and measure extremum to
extremum. The snap itself is tested separately.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from rig.errors import ValidationError
from rig.evaluate.physics import PhysicsSimulator
from rig.evaluate.physics_math import normalize_parameter_value
from rig.model import (
    Parameter,
    PhysicsInput,
    PhysicsNormalization,
    PhysicsOutput,
    PhysicsParticle,
    PhysicsRig,
    PhysicsSetting,
    PhysicsSource,
)

PARAMS = [
    Parameter("ParamAngleX", "Angle X", -30, 0, 30),
    Parameter("ParamAngleZ", "Angle Z", -30, 0, 30),
    Parameter("ParamHairFront", "Hair Front", -1, 0, 1),
    Parameter("ParamHairBack", "Hair Back", -1, 0, 1),
]


def _setting(
    inputs,
    *,
    length=10.0,
    accel=1.5,
    delay=0.8,
    mobility=0.95,
    scale=1.0,
    out_weight=100.0,
    out_reflect=False,
    position_max=10.0,
    sid="PhysicsSetting1",
    out_id="ParamHairFront",
):
    return PhysicsSetting(
        sid,
        "hair",
        inputs,
        [PhysicsOutput(out_id, 1, scale, out_weight, PhysicsSource.ANGLE, out_reflect)],
        [PhysicsParticle((0, 0), 1, 1, 1, 0), PhysicsParticle((0, length), mobility, delay, accel, length)],
        PhysicsNormalization(-position_max, 0, position_max, -10, 0, 10),
    )


def _released(setting, theta, fps=60.0):
    """A simulator whose particle 1 is released at rest from ``theta`` radians off the vertical."""
    sim = PhysicsSimulator(PhysicsRig([setting], fps=fps), PARAMS)
    state = sim.state()
    length = setting.particles[1].radius
    x, y = length * math.sin(theta), length * math.cos(theta)
    sim.set_state(
        dataclasses.replace(state, particles=((state.particles[0][0], (x, y, x, y, 0.0, 0.0, 0.0, 1.0)),))
    )
    return sim


def _run(sim, values, dt, n, out="ParamHairFront"):
    return np.array([sim.step(values, dt)[out] for _ in range(n)])


def _extrema(a):
    """Sub-sample positions and values of local extrema (parabolic interpolation), first sample excluded."""
    pos, val = [], []
    for i in range(2, len(a) - 1):
        y0, y1, y2 = a[i - 1], a[i], a[i + 1]
        if (y1 - y0) * (y2 - y1) < 0:
            d = y0 - 2 * y1 + y2
            pos.append(i + 0.5 * (y0 - y2) / d)
            val.append(y1 - (y0 - y2) ** 2 / (8 * d))
    return np.array(pos), np.array(val)


def _predicted(length, accel, delay, mobility, fps):
    tau = delay * 30.0 / fps
    rho = length / (length + accel * tau * tau)
    phi = math.acos(rho * (1 + mobility) / (2 * math.sqrt(rho * mobility)))
    return 2 * math.pi / phi / fps, math.sqrt(rho * mobility)


# ------------------------------------------------------------------------------------- pendulum
@pytest.mark.parametrize("mobility", [1.0, 0.95])
def test_small_angle_period_and_decay_match_prediction(mobility):
    setting = _setting([], mobility=mobility, position_max=0.1)
    out = _run(_released(setting, 0.1), {}, 1 / 60, 150)  # ~3.5 periods, amplitude >> dead zone
    pos, val = _extrema(out)
    predicted_s, factor = _predicted(10.0, 1.5, 0.8, mobility, 60.0)
    assert len(pos) >= 5
    period_s = 2 * np.mean(np.diff(pos)) / 60
    assert period_s == pytest.approx(predicted_s, rel=2e-3)  # 0.681 s / 0.685 s
    # the undamped continuous-time limit 2 pi / (30 d sqrt(a / L)) = 0.676 s: discretisation and damping
    # lengthen the period by less than 3 %
    assert period_s == pytest.approx(2 * math.pi / (30 * 0.8 * math.sqrt(1.5 / 10)), rel=0.03)
    # each half period multiplies the amplitude by factor ** (sub-steps per half period), sign flipped;
    # even mobility 1 loses energy: projecting back onto the radius shrinks each step by rho
    assert val / val[0] == pytest.approx((-(factor ** (predicted_s * 30))) ** np.arange(len(val)), rel=0.03)


def test_physics_rate_changes_period_only_by_discretisation():
    periods = []
    for fps in (30.0, 60.0, 120.0):
        setting = _setting([], mobility=1.0, position_max=1.0)
        out = _run(_released(setting, 0.05, fps), {}, 1 / fps, int(2.5 * fps))
        pos, _ = _extrema(out)
        periods.append(2 * np.mean(np.diff(pos)) / fps)
        assert periods[-1] == pytest.approx(_predicted(10.0, 1.5, 0.8, 1.0, fps)[0], rel=3e-3)
    assert max(periods) / min(periods) < 1.04


def test_dead_zone_snaps_tiny_offsets():
    # |x| < 0.001 * position_max (= 0.01 here) is snapped to 0: a 0.0005 rad release never moves
    setting = _setting([], mobility=1.0, position_max=10.0)
    out = _run(_released(setting, 0.0005), {}, 1 / 60, 30)
    assert np.all(out == 0.0)


# ----------------------------------------------------------------------------- inputs, outputs
def _angle_x_setting(weight=100.0, reflect=False, **kw):
    return _setting([PhysicsInput("ParamAngleX", weight, PhysicsSource.X, reflect)], **kw)


def test_x_input_step_lags_then_settles():
    sim = PhysicsSimulator(PhysicsRig([_angle_x_setting()]), PARAMS)
    rest = _run(sim, {"ParamAngleX": 0.0}, 1 / 60, 30)
    assert np.all(rest == 0.0)
    out = _run(sim, {"ParamAngleX": 30.0}, 1 / 60, 300)
    # a non-reflected X input moves the root to -x; the particle lags on the +x side of the root,
    # which is a negative angle from the vertical
    assert out.min() < -0.3 and out[:10].max() <= 0.0 and out[np.argmax(np.abs(out))] < 0.0
    assert out.max() > 0.05  # overshoots and swings back
    assert np.all(np.abs(out[-30:]) < 1e-3)  # settles: a translation alone leaves no lasting angle


def test_angle_input_settles_at_normalised_angle():
    inputs = [PhysicsInput("ParamAngleZ", 60.0, PhysicsSource.ANGLE)]
    sim = PhysicsSimulator(PhysicsRig([_setting(inputs, scale=2.0)]), PARAMS)
    out = _run(sim, {"ParamAngleZ": 15.0}, 1 / 60, 900)
    # 15 of 30 -> 5 of the 10-degree angle range, x 60 %, negated (no reflect) -> gravity turns -3 deg;
    # the chain follows and the output is +3 deg in radians times scale 2
    expected = math.radians(3.0) * 2.0
    assert out[-1] == pytest.approx(expected, rel=1e-3)
    assert sim.stabilize({"ParamAngleZ": 15.0})["ParamHairFront"] == pytest.approx(expected, rel=1e-9)


def test_input_reflect_flips_sign():
    plain = _run(
        PhysicsSimulator(PhysicsRig([_angle_x_setting()]), PARAMS), {"ParamAngleX": 20.0}, 1 / 60, 120
    )
    mirrored = _run(
        PhysicsSimulator(PhysicsRig([_angle_x_setting(reflect=True)]), PARAMS),
        {"ParamAngleX": 20.0},
        1 / 60,
        120,
    )
    assert np.abs(plain).max() > 0.1
    np.testing.assert_allclose(mirrored, -plain, atol=1e-12)


def test_output_reflect_flips_sign():
    plain = _run(
        PhysicsSimulator(PhysicsRig([_angle_x_setting()]), PARAMS), {"ParamAngleX": 20.0}, 1 / 60, 120
    )
    flipped = _run(
        PhysicsSimulator(PhysicsRig([_angle_x_setting(out_reflect=True)]), PARAMS),
        {"ParamAngleX": 20.0},
        1 / 60,
        120,
    )
    np.testing.assert_array_equal(flipped, -plain)


def test_input_weight_scales_response():
    def peak(weight):
        sim = PhysicsSimulator(PhysicsRig([_angle_x_setting(weight=weight)]), PARAMS)
        return np.abs(_run(sim, {"ParamAngleX": 10.0}, 1 / 60, 120)).max()

    full, half = peak(100.0), peak(50.0)
    assert full > 0.05
    assert half / full == pytest.approx(0.5, rel=0.05)  # linear for small swings


def test_output_weight_blends_with_current_value():
    full = _run(PhysicsSimulator(PhysicsRig([_angle_x_setting()]), PARAMS), {"ParamAngleX": 20.0}, 1 / 60, 60)
    sim = PhysicsSimulator(PhysicsRig([_angle_x_setting(out_weight=25.0)]), PARAMS)
    blended = _run(sim, {"ParamAngleX": 20.0, "ParamHairFront": 0.4}, 1 / 60, 60)
    np.testing.assert_allclose(blended[1:], 0.75 * 0.4 + 0.25 * full[1:], atol=1e-12)


def test_scale_and_clamp_to_parameter_range():
    sim = PhysicsSimulator(PhysicsRig([_angle_x_setting(scale=50.0)]), PARAMS)
    out = _run(sim, {"ParamAngleX": 30.0}, 1 / 60, 120)
    assert out.min() == -1.0 and out.max() <= 1.0


def test_setting_reads_previous_setting_output():
    first = _angle_x_setting()
    second = _setting(
        [PhysicsInput("ParamHairFront", 100.0, PhysicsSource.ANGLE)],
        sid="PhysicsSetting2",
        out_id="ParamHairBack",
    )
    sim = PhysicsSimulator(PhysicsRig([first, second]), PARAMS)
    outs = [sim.step({"ParamAngleX": 30.0}, 1 / 60) for _ in range(60)]
    assert max(abs(o["ParamHairBack"]) for o in outs) > 0.05
    alone = PhysicsSimulator(PhysicsRig([second]), PARAMS)
    assert all(alone.step({"ParamAngleX": 30.0}, 1 / 60)["ParamHairBack"] == 0.0 for _ in range(60))


def test_normalisation_uses_range_middle_and_clamps():
    # parameter [0, 1] (middle 0.5) into [-10, 0, 10]; non-reflected results are negated
    assert normalize_parameter_value(1.0, 0, 1, -10, 0, 10, False) == -10.0
    assert normalize_parameter_value(0.5, 0, 1, -10, 0, 10, False) == 0.0
    assert normalize_parameter_value(0.25, 0, 1, -10, 0, 10, True) == -5.0
    assert normalize_parameter_value(7.0, 0, 1, -10, 0, 10, True) == 10.0


# ------------------------------------------------------------------- determinism, state, rates
def _jittered_inputs(n=240, seed=3):
    rng = np.random.default_rng(seed)
    dts = rng.uniform(0.004, 0.04, n)
    values = 30 * np.sin(np.cumsum(dts) * 5.0)
    return dts, values


def test_deterministic_and_state_round_trip():
    dts, values = _jittered_inputs()
    rig = PhysicsRig(
        [
            _angle_x_setting(),
            _setting(
                [PhysicsInput("ParamAngleZ", 50, PhysicsSource.ANGLE)],
                sid="PhysicsSetting2",
                out_id="ParamHairBack",
            ),
        ]
    )
    a, b = PhysicsSimulator(rig, PARAMS), PhysicsSimulator(rig, PARAMS)
    ra = [a.step({"ParamAngleX": v, "ParamAngleZ": -v}, dt) for dt, v in zip(dts, values)]
    rb = [b.step({"ParamAngleX": v, "ParamAngleZ": -v}, dt) for dt, v in zip(dts, values)]
    assert ra == rb and a.state() == b.state()
    # restore a mid-run snapshot and replay: identical continuation
    a.reset()
    for dt, v in zip(dts[:100], values[:100]):
        a.step({"ParamAngleX": v, "ParamAngleZ": -v}, dt)
    snap = a.state()
    first = [a.step({"ParamAngleX": v, "ParamAngleZ": -v}, dt) for dt, v in zip(dts[100:], values[100:])]
    a.set_state(snap)
    again = [a.step({"ParamAngleX": v, "ParamAngleZ": -v}, dt) for dt, v in zip(dts[100:], values[100:])]
    assert first == again == rb[100:]
    with pytest.raises(ValidationError):
        PhysicsSimulator(PhysicsRig([_angle_x_setting()]), PARAMS).set_state(snap)


def test_render_rate_independence():
    """The same input motion rendered at 30, 60, 144 Hz and jittered gives the same curve."""

    def sample(dts):
        sim = PhysicsSimulator(PhysicsRig([_angle_x_setting()]), PARAMS)
        t, ts, out = 0.0, [], []
        for dt in dts:
            t += dt
            ts.append(t)
            out.append(sim.step({"ParamAngleX": 30 * math.sin(4.0 * t)}, dt)["ParamHairFront"])
        return np.interp(np.linspace(0.2, 2.8, 200), ts, out)

    reference = sample(np.full(180, 1 / 60))
    amplitude = np.abs(reference).max()
    assert amplitude > 0.1
    for dts in (
        np.full(90, 1 / 30),
        np.full(432, 1 / 144),
        np.random.default_rng(1).uniform(0.005, 0.03, 200),
    ):
        assert np.abs(sample(dts) - reference).max() < 0.05 * amplitude


def test_long_pause_is_dropped():
    sim = PhysicsSimulator(PhysicsRig([_angle_x_setting()]), PARAMS)
    sim.step({"ParamAngleX": 0.0}, 1 / 60)
    before = sim.state()
    sim.step({"ParamAngleX": 30.0}, 6.0)  # > 5 s: nothing simulated (Cubism MaxDeltaTime)
    assert sim.state().particles == before.particles


def test_unknown_parameter_is_refused():
    setting = _setting([PhysicsInput("ParamMissing", 100, PhysicsSource.X)])
    with pytest.raises(ValidationError, match="ParamMissing"):
        PhysicsSimulator(PhysicsRig([setting]), PARAMS)

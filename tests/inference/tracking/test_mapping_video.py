"""The mapper on real clips: blinks, speech and head turns move the right parameters; mirroring; L/R."""

from __future__ import annotations

import numpy as np

from inference.tracking.mapping import ParameterMapper


def run(features, mirror=False, calibrate_on=8, smoothing=0.5):
    mapper = ParameterMapper(smoothing=smoothing, mirror=mirror)
    mapper.calibrate(features[:calibrate_on])
    rows = [mapper.update(f) for f in features]
    return {pid: np.array([r[pid] for r in rows]) for pid in rows[0]}


def dips(x, below, above):
    """Number of times ``x`` falls below ``below`` after having been above ``above``."""
    n, armed = 0, False
    for v in x:
        if v > above:
            armed = True
        elif v < below and armed:
            n, armed = n + 1, False
    return n


def test_blinks_produce_eye_open_dips(tracked):
    v = run(tracked("d9", 0, 60))  # two blinks: frames 11-17 and 37-44
    for pid in ("ParamEyeLOpen", "ParamEyeROpen"):
        eye = v[pid]
        assert eye[:9].min() > 0.85 and eye[26:35].min() > 0.7, pid
        assert eye[12:17].max() < 0.25 and eye[38:44].max() < 0.25, pid
        assert dips(eye, 0.3, 0.8) == 2, pid
    assert v["ParamMouthOpenY"].max() < 0.05  # mouth shut: the dead zone keeps it at 0


def test_speech_produces_mouth_activity(tracked):
    mouth = run(tracked("d10", 0, 60), calibrate_on=5)["ParamMouthOpenY"]
    assert mouth.max() > 0.6 and mouth[:4].max() < 0.1
    assert dips(mouth, 0.15, 0.35) >= 3  # opens and closes again several times
    assert mouth.std() > 0.15


def test_head_turns_swing_angle_x(tracked):
    left = tracked("d3", 0, 48)
    mapper = ParameterMapper(smoothing=0.3)
    mapper.calibrate(left[:5])
    ax_left = np.array([mapper.update(f)["ParamAngleX"] for f in left])
    mapper.reset()
    ax_right = np.array([mapper.update(f)["ParamAngleX"] for f in tracked("d3", 240, 40)])
    assert ax_left[14:26].max() < -8.0  # face toward the image's left: AngleX < 0 (screen left)
    assert ax_right.max() > 12.0
    assert ax_right.max() - ax_left.min() > 25.0
    yaw = np.array([f.yaw_deg for f in left])
    assert np.corrcoef(yaw[8:], ax_left[8:])[0, 1] > 0.9
    body = ParameterMapper(smoothing=0.3, calibration=mapper.calibration)
    bx = np.array([body.update(f)["ParamBodyAngleX"] for f in left])
    assert -9.0 <= bx.min() < -1.5 and abs(bx).max() < 0.5 * abs(ax_left).max()  # damped follow


def test_mirrored_video_equals_mirror_option(tracked):
    orig, flip = tracked("d3", 0, 48), tracked("d3", 0, 48, flip=True)
    plain, mirrored, flipped = run(orig), run(orig, mirror=True), run(flip)
    for pid in ("ParamAngleX", "ParamAngleZ", "ParamEyeBallX", "ParamBodyAngleX"):
        np.testing.assert_allclose(mirrored[pid], -plain[pid], atol=1e-9)  # mirrored yaw / roll / gaze
    np.testing.assert_allclose(mirrored["ParamEyeLOpen"], plain["ParamEyeROpen"], atol=1e-9)  # swapped eyes
    np.testing.assert_allclose(mirrored["ParamBrowLY"], plain["ParamBrowRY"], atol=1e-9)
    np.testing.assert_allclose(mirrored["ParamAngleY"], plain["ParamAngleY"], atol=1e-9)
    # tracking the flipped pixels without the option gives what the option gives on the original
    assert np.abs(flipped["ParamAngleX"] - mirrored["ParamAngleX"]).max() < 2.5
    assert np.abs(flipped["ParamAngleZ"] - mirrored["ParamAngleZ"]).max() < 2.5
    for pid in ("ParamEyeLOpen", "ParamEyeROpen"):
        assert np.abs(flipped[pid] - mirrored[pid]).max() < 0.2, pid
    assert np.abs(plain["ParamAngleX"]).max() > 8 and np.abs(plain["ParamEyeLOpen"] - plain["ParamEyeROpen"]).max() > 0.3


def test_left_right_decision_on_a_wink(tracked):
    """She winks her left eye, which an unmirrored camera shows on the image's right (frame 16)."""
    plain, mirrored = run(tracked("d3", 0, 48), smoothing=0.0), run(tracked("d3", 0, 48), mirror=True, smoothing=0.0)
    # copying the picture: the eye on screen right closes -> the character's left eye (ParamEyeLOpen)
    assert plain["ParamEyeLOpen"][16] < plain["ParamEyeROpen"][16] - 0.3
    # selfie view: her left eye appears on screen left -> the character's right eye, like a mirror
    assert mirrored["ParamEyeROpen"][16] < mirrored["ParamEyeLOpen"][16] - 0.3


def _whole(tracked, clip, count):
    return [f for f in tracked(clip, 0, count) if f.found]


def test_default_mouth_range_opens_fully_at_the_widest_and_shuts_when_closed(tracked):
    """Issue 17: a big grin or a wide "O" on the driving clips gave a barely open mouth."""
    d9 = run(_whole(tracked, "d9", 300), calibrate_on=8, smoothing=0.0)["ParamMouthOpenY"]  # shut, then an "O"
    d10 = run(_whole(tracked, "d10", 300), calibrate_on=5, smoothing=0.0)["ParamMouthOpenY"]  # a shout, speech
    for mouth in (d9, d10):
        assert mouth.max() > 0.95, "the widest mouth opens the character's fully"
        assert np.percentile(mouth, 5) < 0.05, "a closed mouth stays shut"
    assert np.median(d9) < 0.05 and (d9 > 0.9).mean() < 0.1  # mostly shut; saturated only briefly
    grin = _whole(tracked, "d0", 120)  # a big grin, teeth apart, the whole clip
    mapper = ParameterMapper(smoothing=0.0)  # population defaults: the grin has no neutral frame to calibrate on
    v = [mapper.update(f) for f in grin]
    form = np.array([x["ParamMouthForm"] for x in v])
    opened = np.array([x["ParamMouthOpenY"] for x in v])
    smiling = form > 0.8
    assert smiling.mean() > 0.5 and np.median(opened[smiling]) > 0.45  # was 0.30 with the old range

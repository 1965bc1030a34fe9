"""Virtual-camera output: frames fitted on the key colour through a recording sink; the real backend
skips with its reason where no loopback device exists."""

from __future__ import annotations

import numpy as np
import pytest

from app.tracking.sinks import (
    KEY_COLOUR,
    RecordingSink,
    VirtualCameraError,
    VirtualCameraSink,
    fit_on_background,
    parse_background,
    parse_size,
)


def _avatar(w=200, h=400):
    """An opaque red disc on transparency, half-transparent blue rim."""
    yy, xx = np.mgrid[:h, :w]
    r = np.hypot(xx - w / 2, yy - h / 2)
    rgba = np.zeros((h, w, 4), np.uint8)
    rgba[r < 90] = (255, 0, 0, 255)
    rgba[(r >= 90) & (r < 100)] = (0, 0, 255, 128)
    return rgba


def _blend_all(rgba, background):
    """fit_on_background's blend over every pixel (same size), the reference for its fast paths."""
    a = rgba[..., 3:4].astype(np.float32) / 255.0
    under = np.empty(rgba.shape[:2] + (3,), np.float32)
    under[:] = background
    return np.clip(rgba[..., :3] * a + under * (1.0 - a) + 0.5, 0, 255).astype(np.uint8)


def test_fit_blends_only_partial_pixels_with_the_same_numbers():
    rng = np.random.default_rng(0)
    rgba = rng.integers(0, 256, (60, 80, 4), dtype=np.uint8)
    rgba[..., 3] = rng.choice([0, 1, 77, 254, 255], (60, 80))
    np.testing.assert_array_equal(fit_on_background(rgba, (80, 60), KEY_COLOUR), _blend_all(rgba, KEY_COLOUR))
    rgba[..., 3] = 255  # opaque (what SinkWorker sends a sink with a background): the colours unchanged
    np.testing.assert_array_equal(fit_on_background(rgba[::-1], (80, 60), KEY_COLOUR), rgba[::-1, :, :3])


def test_fit_keeps_aspect_centres_and_keys_the_transparency():
    out = fit_on_background(_avatar(), (640, 360), KEY_COLOUR)
    assert out.shape == (360, 640, 3) and out.dtype == np.uint8
    assert tuple(out[0, 0]) == KEY_COLOUR and tuple(out[180, 40]) == KEY_COLOUR  # letterbox sides
    assert tuple(out[180, 320]) == (255, 0, 0)  # the disc's centre at the frame's centre
    red = np.argwhere((out[..., 0] > 200) & (out[..., 1] < 50))
    width = red[:, 1].max() - red[:, 1].min()
    height = red[:, 0].max() - red[:, 0].min()
    assert width == pytest.approx(height, abs=2)  # a disc, not an ellipse: aspect kept
    rim = out[180, 320 + 86]  # half-transparent blue over green (rim at 81..90 px after the 0.9 scale)
    assert 100 < rim[1] < 160 and 100 < rim[2] < 160


def test_recording_sink_records_fitted_frames_in_order():
    sink = RecordingSink((320, 240), fps=30, background=parse_background("#102030"))
    for shift in range(3):
        sink.send(np.roll(_avatar(), shift * 20, axis=1))
    sink.close()
    assert len(sink.frames) == 3 and all(f.shape == (240, 320, 3) for f in sink.frames)
    assert tuple(sink.frames[0][0, 0]) == (0x10, 0x20, 0x30)
    assert not np.array_equal(sink.frames[0], sink.frames[2])
    with pytest.raises(RuntimeError):
        sink.send(_avatar())


def test_parsers():
    assert parse_background("key") == KEY_COLOUR and parse_background("FF8000") == (255, 128, 0)
    assert parse_size("1280x720") == (1280, 720)
    for bad in ("12x7", "1281x720", "big"):
        with pytest.raises(ValueError):
            parse_size(bad)
    with pytest.raises(ValueError):
        parse_background("#12345")


def test_real_virtual_camera_or_the_reason_it_cannot_start():
    try:
        sink = VirtualCameraSink((320, 240), fps=30)
    except VirtualCameraError as exc:
        message = str(exc)
        assert "v4l2loopback" in message or "pip install pyvirtualcam" in message or "OBS" in message
        pytest.skip(f"no virtual camera here: {message}")
    try:
        sink.send(_avatar())
    finally:
        sink.close()

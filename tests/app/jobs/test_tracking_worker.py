"""Tracking worker pieces: preview drawing, option hand-over, raw values, camera probe, clean stop."""

from __future__ import annotations

import numpy as np
import pytest

from app.jobs.tracking import TrackingController, apply_options, raw_values
from app.tracking.media import draw_landmarks, probe_cameras
from inference.tracking.features import FaceFeatures
from inference.tracking.mapping import ParameterMapper

GREEN = (40, 255, 90)


def test_draw_landmarks_scales_and_mirrors():
    rgb = np.zeros((50, 100, 3), np.uint8)
    marks = np.array([[0.25, 0.5, 0.0]], np.float32)
    out = draw_landmarks(rgb, marks, mirror=False, max_width_px=100)
    assert out.shape == (50, 100, 3) and tuple(out[25, 25]) == GREEN and tuple(out[25, 75]) == (0, 0, 0)
    flipped = draw_landmarks(rgb, marks, mirror=True, max_width_px=100)
    assert tuple(flipped[25, 75]) == GREEN and tuple(flipped[25, 25]) == (0, 0, 0)
    small = draw_landmarks(rgb, marks, mirror=False, max_width_px=50)
    assert small.shape == (25, 50, 3) and tuple(small[12, 12]) == GREEN
    assert draw_landmarks(rgb, None, mirror=True).flags.c_contiguous


def test_apply_options_and_raw_values():
    mapper = ParameterMapper()
    apply_options(mapper, {"smoothing": 0.2, "mirror": True, "link_eyes": True,
                           "ranges": {"ParamAngleX": {"in_min": -10.0, "in_max": 10.0},
                                      "ParamAngleY": {"in_min": 5.0, "in_max": 5.0},  # empty: ignored
                                      "NotAParam": {"in_min": 0.0}}})
    rules = {r.parameter_id: r for r in mapper.rules}
    assert mapper.smoothing == pytest.approx(0.2) and mapper.mirror and mapper.link_eyes
    assert (rules["ParamAngleX"].in_min, rules["ParamAngleX"].in_max, rules["ParamAngleX"].out_max) == (-10, 10, 30)
    assert (rules["ParamAngleY"].in_min, rules["ParamAngleY"].in_max) == (-30.0, 30.0)
    raw = raw_values(mapper, FaceFeatures(timestamp_ms=0, found=False))
    assert set(raw) == set(mapper.parameter_ids) and all(np.isnan(v) for v in raw.values())


def test_probe_skips_missing_cameras():
    assert probe_cameras([57, 58]) == []


@pytest.mark.qt
def test_stop_waits_for_the_thread_and_drops_queued_frames(qtbot, shared_data, shared_models):
    if not (shared_models / "face_landmarker.task").is_file():
        pytest.skip("face_landmarker.task not in ../shared/models")
    controller = TrackingController()
    frames, finished = [], []
    controller.frame.connect(frames.append)
    controller.finished.connect(finished.append)
    assert controller.start(str(shared_data / "driving" / "d3.mp4"), ParameterMapper(), realtime=False)
    assert not controller.start("0", ParameterMapper())  # one session at a time
    qtbot.waitUntil(lambda: len(frames) >= 5, timeout=30_000)
    thread = controller.thread
    controller.stop()
    assert finished == ["stopped"] and not controller.running and thread.isFinished()
    count = len(frames)
    qtbot.wait(200)  # frames the worker queued before it stopped are dropped
    assert len(frames) == count
    assert [u.index for u in frames] == list(range(count))
    assert frames[0].preview is not None and frames[0].preview.shape[1] <= 360


@pytest.mark.qt
def test_frames_queued_behind_a_busy_gui_thread_are_marked_stale(qtbot, shared_data, shared_models):
    """While the GUI thread sleeps, the worker keeps tracking; of the frames that queued up, all but the
    newest arrive marked stale (recorded, not drawn), so the rig jumps to the newest frame."""
    import time

    if not (shared_models / "face_landmarker.task").is_file():
        pytest.skip("face_landmarker.task not in ../shared/models")
    controller = TrackingController()
    frames = []
    controller.frame.connect(frames.append)
    assert controller.start(str(shared_data / "driving" / "d3.mp4"), ParameterMapper(), realtime=False)
    qtbot.waitUntil(lambda: len(frames) >= 3, timeout=30_000)
    seen = len(frames)
    time.sleep(1.5)  # the GUI thread is busy; the worker goes on
    newest = controller.worker.newest_index
    qtbot.wait(100)
    controller.stop()
    burst = [u for u in frames[seen:] if u.index < newest]  # queued while the GUI thread slept
    assert len(burst) >= 5, "the worker tracked while the GUI thread slept"
    assert all(u.stale for u in burst)
    assert any(not u.stale for u in frames[:seen])  # frames that were newest on arrival are drawn
    assert [u.index for u in frames] == list(range(len(frames)))  # every frame still arrives, in order

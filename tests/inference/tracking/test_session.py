"""TrackingSession: source -> tracker -> mapper -> recorder, as a worker thread drives it."""

from __future__ import annotations

import threading

import pytest

from inference.tracking.calibration import Calibration
from inference.tracking.mapping import ParameterMapper
from inference.tracking.recorder import MotionRecorder
from inference.tracking.session import TrackingSession
from inference.tracking.sources import TrackingSourceError, VideoSource
from inference.types import CancelToken
from tests.inference.tracking.test_sources import _write_avi


@pytest.fixture()
def d10(shared_data, shared_models):
    if not (shared_models / "face_landmarker.task").is_file():
        pytest.skip("face_landmarker.task not in ../shared/models")
    return shared_data / "driving" / "d10.mp4"


def test_frames_with_calibration_recording_and_timing(d10):
    recorder = MotionRecorder(fps=30.0)
    mapper = ParameterMapper()
    with TrackingSession(VideoSource(d10), mapper=mapper, recorder=recorder, calibrate_frames=10, max_frames=30) as s:
        out = list(s.frames())
    assert [t.frame.index for t in out] == list(range(30))
    assert all(b.timestamp_ms > a.timestamp_ms for a, b in zip(out, out[1:]))
    assert all(t.features.found for t in out) and len(recorder) == 30
    assert mapper.calibration != Calibration()  # calibrated before the first frame was emitted
    assert abs(out[0].values["ParamAngleX"]) < 3.0 and out[0].values["ParamEyeLOpen"] > 0.8
    assert all(t.timing.track_ms > 0 and t.timing.map_ms >= 0 for t in out)
    assert max(t.values["ParamMouthOpenY"] for t in out) > 0.5  # she talks


def test_run_with_cancel_and_live_calibration(d10):
    cancel = CancelToken()
    mapper = ParameterMapper()
    seen = []
    session = TrackingSession(VideoSource(d10), mapper=mapper)

    def on_frame(tracked):
        seen.append(tracked)
        if len(seen) == 3:  # the GUI's Calibrate button, from another thread
            t = threading.Thread(target=session.request_calibration, args=(6,))
            t.start()
            t.join()
        if len(seen) == 12:
            cancel.cancel()

    with session:
        stats = session.run(on_frame, cancel)
    assert stats.frames == len(seen) == 12 and stats.faces_found == 12
    assert mapper.calibration != Calibration()
    med = stats.medians()
    assert med["track_ms"] > 0 and set(med) == {"read_ms", "track_ms", "map_ms"}


def test_source_failure_reaches_the_caller(tmp_path, shared_models):
    if not (shared_models / "face_landmarker.task").is_file():
        pytest.skip("face_landmarker.task not in ../shared/models")
    full = _write_avi(tmp_path / "full.avi")
    cut = tmp_path / "cut.avi"
    cut.write_bytes(full.read_bytes()[: int(full.stat().st_size * 0.6)])
    with TrackingSession(VideoSource(cut), calibrate_frames=5) as session:
        with pytest.raises(TrackingSourceError, match="truncated"):
            session.run(lambda t: None)

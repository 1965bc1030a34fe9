"""Tracking fixtures: real FaceLandmarker runs on short ranges of ``../shared/data/driving/*.mp4``, cached.

Frame ranges were chosen by looking at the clips (contact sheets) and their per-frame eye/mouth ratios:

- ``d9`` 0-59: neutral face with glasses, two full blinks (frames 11-17 and 37-44), mouth shut;
- ``d10`` 0-59: a woman speaking: the jaw opens and closes five or six times;
- ``d3`` 0-47: a head turn toward the image's left (yaw about -13 deg at frames 16-24) with a wink of the
  image-right eye (frames 8-20), then back toward the image's right (+4 deg, frame 48);
- ``d3`` 240-279: a turn toward the image's right (yaw up to +17 deg).
"""

from __future__ import annotations

import numpy as np
import pytest

from inference.tracking.sources import VideoSource

_CACHE: dict = {}


def read_frames(path, start: int, count: int, flip: bool = False):
    """Frames ``start .. start+count-1`` of a video as ``Frame`` objects (optionally mirrored left-right)."""
    from inference.tracking.sources import Frame

    out = []
    with VideoSource(path) as src:
        for frame in src:
            if frame.index >= start + count:
                break
            if frame.index >= start:
                rgb = np.ascontiguousarray(frame.rgb[:, ::-1]) if flip else frame.rgb
                out.append(Frame(rgb, frame.timestamp_ms, frame.index))
    return out


@pytest.fixture(scope="session")
def tracked(shared_data, shared_models):
    """``tracked(clip, start, count, flip=False)`` -> list of FaceFeatures (cached for the session)."""
    if not (shared_models / "face_landmarker.task").is_file():
        pytest.skip("face_landmarker.task not in ../shared/models")
    from inference.tracking.tracker import FaceTracker

    def run(clip: str, start: int, count: int, flip: bool = False):
        key = (clip, start, count, flip)
        if key not in _CACHE:
            frames = read_frames(shared_data / "driving" / f"{clip}.mp4", start, count, flip)
            with FaceTracker() as tracker:
                _CACHE[key] = [tracker.process(f.rgb, f.timestamp_ms) for f in frames]
        return _CACHE[key]

    return run

"""Frame sources: RGB frames with strictly increasing timestamps; clear errors instead of hangs."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from PIL import Image

from inference.tracking.sources import (
    CameraSource,
    ImageSequenceSource,
    TrackingSourceError,
    VideoSource,
    open_source,
)


def _write_avi(path, n=40, fps=25.0, size=(64, 48)):
    import cv2

    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, size)
    for i in range(n):
        img = np.zeros((size[1], size[0], 3), np.uint8)
        img[:, :, 2] = 200  # BGR: red
        img[: 8 + i % 30, :8] = 255
        writer.write(img)
    writer.release()
    return path


def test_video_source_rgb_and_timestamps(shared_data):
    import cv2

    path = shared_data / "driving" / "d0.mp4"
    with open_source(str(path)) as src:
        assert isinstance(src, VideoSource) and src.fps == 25.0 and src.frame_count == 78
        frames = list(src)
    assert len(frames) == 78
    ts = [f.timestamp_ms for f in frames]
    assert ts[:3] == [0, 40, 80] and all(b > a for a, b in zip(ts, ts[1:]))
    assert [f.index for f in frames] == list(range(78))
    cap = cv2.VideoCapture(str(path))
    _, bgr = cap.read()
    cap.release()
    f0 = frames[0].rgb
    assert f0.shape == (512, 512, 3) and f0.dtype == np.uint8 and f0.flags.c_contiguous
    assert np.array_equal(f0, bgr[:, :, ::-1])  # RGB, not BGR
    assert f0[..., 1].mean() > f0[..., 0].mean()  # the green screen is green


def test_missing_and_unopenable_videos(tmp_path, shared_data):
    with pytest.raises(TrackingSourceError, match="does not exist"):
        open_source(str(tmp_path / "nope.mp4"))
    # d0.mp4 keeps its index (moov) at the end: cut in half it cannot be opened at all
    data = (shared_data / "driving" / "d0.mp4").read_bytes()
    half = tmp_path / "half.mp4"
    half.write_bytes(data[: len(data) // 2])
    with pytest.raises(TrackingSourceError, match="cannot be opened.*truncated"):
        open_source(str(half))


def test_truncated_video_reports_instead_of_ending_quietly(tmp_path):
    full = _write_avi(tmp_path / "full.avi")
    with VideoSource(full) as src:
        assert len(list(src)) == 40
    data = full.read_bytes()
    cut = tmp_path / "cut.avi"
    cut.write_bytes(data[: int(len(data) * 0.6)])
    src = VideoSource(cut)
    got = []
    with pytest.raises(TrackingSourceError, match=r"ended after \d+ of 40 frames.*truncated"):
        for frame in src:
            got.append(frame)
    assert 10 < len(got) < 35
    assert src.read() is None  # closed, no crash


def test_missing_camera_fails_fast():
    t0 = time.monotonic()
    with pytest.raises(TrackingSourceError, match="camera 57 is not available"):
        open_source(57)
    with pytest.raises(TrackingSourceError, match="camera 58 is not available"):
        open_source("58")
    assert time.monotonic() - t0 < 10.0


def test_camera_that_stops_delivering(tmp_path):
    import cv2

    # a capture that delivers 5 frames and then fails, like an unplugged camera
    cap = cv2.VideoCapture(str(_write_avi(tmp_path / "cam.avi", n=5)))
    cam = CameraSource(0, capture=cap, timeout_s=2.0)
    frames = []
    with pytest.raises(TrackingSourceError, match="camera 0 stopped delivering frames"):
        while True:
            frames.append(cam.read())
    cam.close()
    assert 1 <= len(frames) <= 5  # newest-frame policy may skip some
    ts = [f.timestamp_ms for f in frames]
    assert all(b > a for a, b in zip(ts, ts[1:]))
    assert frames[0].rgb.shape == (48, 64, 3) and frames[0].rgb[20, 30, 0] > 150  # red in RGB


class _HangingCapture:
    """A driver that delivers one frame, then blocks forever in read()."""

    def __init__(self):
        self.release_event = threading.Event()
        self.calls = 0

    def isOpened(self):  # noqa: N802 - cv2.VideoCapture's API
        return True

    def get(self, prop):
        return 0.0

    def set(self, prop, value):
        return True

    def read(self):
        self.calls += 1
        if self.calls == 1:
            return True, np.zeros((4, 6, 3), np.uint8)
        self.release_event.wait(30.0)
        return False, None

    def release(self):
        self.release_event.set()


def test_camera_read_times_out_instead_of_hanging():
    cap = _HangingCapture()
    cam = CameraSource(3, capture=cap, timeout_s=0.3)
    assert cam.read().rgb.shape == (4, 6, 3)
    t0 = time.monotonic()
    with pytest.raises(TrackingSourceError, match="camera 3 stopped delivering frames"):
        cam.read()
    assert 0.25 < time.monotonic() - t0 < 3.0
    cap.release_event.set()
    cam.close()


def test_image_sequence_folder_and_glob(tmp_path):
    for i in range(3):
        Image.fromarray(np.full((10, 12, 3), 40 * i, np.uint8)).save(tmp_path / f"f{i:02d}.png")
    (tmp_path / "notes.txt").write_text("not an image")
    src = open_source(str(tmp_path), fps=20)
    assert isinstance(src, ImageSequenceSource)
    frames = list(src)
    assert [f.timestamp_ms for f in frames] == [0, 50, 100]
    assert [int(f.rgb[0, 0, 0]) for f in frames] == [0, 40, 80] and frames[0].rgb.shape == (10, 12, 3)
    assert len(list(open_source(str(tmp_path / "f0[01].png")))) == 2
    with pytest.raises(TrackingSourceError, match="no images"):
        open_source(str(tmp_path / "*.jpg"))
    (tmp_path / "f03.png").write_bytes(b"broken")
    with pytest.raises(TrackingSourceError, match="f03.png cannot be read"):
        list(ImageSequenceSource(tmp_path))

"""Frame sources for face tracking: a camera, a video file or an image sequence.

Every source yields :class:`Frame` objects: ``(H, W, 3) uint8`` RGB pixels exactly as the device or
file delivers them (never mirrored here; mirroring is a mapping choice, see
:mod:`inference.tracking.mapping`) and a timestamp in milliseconds that is strictly increasing, as
MediaPipe's VIDEO mode requires.

- :class:`CameraSource` (``cv2.VideoCapture(index)``, headless OpenCV) grabs on a background thread
  and keeps only the newest frame, so a slow consumer never sees stale frames (lower latency).
  :meth:`CameraSource.read` waits at most ``timeout_s``; a camera that cannot be opened, or that stops
  delivering (unplugged), raises :class:`TrackingSourceError` instead of hanging.
- :class:`VideoSource` decodes a file with OpenCV; timestamps come from the file's frame rate
  (``round(index * 1000 / fps)``). A file that ends clearly before its declared frame count is
  reported as truncated.
- :class:`ImageSequenceSource` reads a folder (sorted by name) or a glob pattern with Pillow, at a
  given frame rate.

:func:`open_source` picks one from a CLI-style spec (``0``, ``"0"``, ``"clip.mp4"``, ``"frames/"``,
``"frames/*.png"``).
"""

from __future__ import annotations

import glob
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rig.errors import RigError

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff")
DEFAULT_SEQUENCE_FPS = 30.0
#: A video that ends more than this many frames before its declared count is reported as truncated.
TRUNCATION_SLACK_FRAMES = 2


class TrackingSourceError(RigError):
    """A camera, video or image sequence cannot deliver frames (missing, unplugged, damaged)."""


@dataclass(frozen=True, slots=True)
class Frame:
    """One input frame.

    Attributes
    ----------
    rgb : (H, W, 3) uint8 ndarray
        RGB, rows top to bottom, C-contiguous, as captured (not mirrored).
    timestamp_ms : int
        Milliseconds since the start of the stream; strictly increasing within one source.
    index : int
        0-based frame number within the source (camera: frames delivered to the consumer).
    """

    rgb: np.ndarray
    timestamp_ms: int
    index: int


class FrameSource:
    """Base of the sources: iterate, or call :meth:`read` until it returns None; then :meth:`close`.

    Attributes
    ----------
    name : str
        A human-readable description for messages (``"camera 0"``, ``"video clip.mp4"``).
    fps : float or None
        Nominal frame rate when known (files, sequences), else None.
    """

    name: str = "source"
    fps: float | None = None

    def read(self) -> Frame | None:
        """The next frame, or None at the end of a finite stream.

        Raises
        ------
        TrackingSourceError
            If the source fails (camera unplugged, file truncated or unreadable).
        """
        raise NotImplementedError

    def close(self) -> None:
        """Release the device or file; safe to call twice."""

    def __iter__(self) -> Iterator[Frame]:
        while (frame := self.read()) is not None:
            yield frame

    def __enter__(self) -> FrameSource:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _bgr_to_rgb(bgr: np.ndarray) -> np.ndarray:
    if bgr.ndim == 2:
        return np.ascontiguousarray(np.repeat(bgr[:, :, None], 3, axis=2))
    return np.ascontiguousarray(bgr[:, :, 2::-1])


class CameraSource(FrameSource):
    """A webcam through ``cv2.VideoCapture(index)``, read on a grabber thread (newest frame wins).

    Parameters
    ----------
    index : int
        OpenCV camera index (``/dev/video<index>`` on Linux).
    size : (int, int), optional
        Requested ``(width, height)``; the camera may choose another.
    timeout_s : float
        Longest wait for a frame in :meth:`read`.
    capture : object, optional
        An already opened capture with ``cv2.VideoCapture``'s ``isOpened/read/get/set/release``
        (tests pass a video file's capture or a stub); default ``cv2.VideoCapture(index)``.

    Raises
    ------
    TrackingSourceError
        If the camera cannot be opened.
    """

    def __init__(self, index: int, size: tuple[int, int] | None = None, timeout_s: float = 3.0,
                 capture=None) -> None:
        import cv2

        self.name = f"camera {index}"
        self.timeout_s = float(timeout_s)
        self._cap = cv2.VideoCapture(int(index)) if capture is None else capture
        if not self._cap.isOpened():
            self._cap.release()
            raise TrackingSourceError(
                f"camera {index} is not available: it cannot be opened (not connected, in use by another "
                "program, or no permission). Check the cable or choose another camera index."
            )
        if size is not None:
            self._cap.set(cv2.CAP_PROP_FRAME_WIDTH, size[0])
            self._cap.set(cv2.CAP_PROP_FRAME_HEIGHT, size[1])
        fps = self._cap.get(cv2.CAP_PROP_FPS)
        self.fps = float(fps) if fps and fps > 0 else None
        self._cond = threading.Condition()
        self._latest: np.ndarray | None = None
        self._seq = 0  # grabbed frames
        self._taken = 0  # sequence number of the last frame handed out
        self._failed = False
        self._stop = threading.Event()
        self._t0 = time.monotonic()
        self._last_ms = -1
        self._index = 0
        self._thread = threading.Thread(target=self._grab_loop, name=f"kirie-{self.name}", daemon=True)
        self._thread.start()

    def _grab_loop(self) -> None:
        while not self._stop.is_set():
            ok, bgr = self._cap.read()
            with self._cond:
                if not ok or bgr is None:
                    self._failed = True
                    self._cond.notify_all()
                    return
                self._latest = bgr
                self._seq += 1
                self._cond.notify_all()

    def read(self) -> Frame:
        """The newest frame not yet returned (waits up to ``timeout_s``); never None.

        Raises
        ------
        TrackingSourceError
            ``"camera N stopped delivering frames"`` when the device fails or times out.
        """
        deadline = time.monotonic() + self.timeout_s
        with self._cond:
            while self._seq == self._taken and not self._failed and not self._stop.is_set():
                left = deadline - time.monotonic()
                if left <= 0 or not self._cond.wait(left):
                    if self._seq == self._taken:
                        break
            if self._seq == self._taken:
                raise TrackingSourceError(
                    f"{self.name} stopped delivering frames (no frame for {self.timeout_s:g} s; unplugged or "
                    "in use by another program?). Reconnect it and start tracking again."
                )
            bgr, self._taken = self._latest, self._seq
        now_ms = int((time.monotonic() - self._t0) * 1000.0)
        self._last_ms = max(now_ms, self._last_ms + 1)
        frame = Frame(_bgr_to_rgb(bgr), self._last_ms, self._index)
        self._index += 1
        return frame

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self.timeout_s)
        if not self._thread.is_alive():
            self._cap.release()  # a grabber stuck in a dead driver keeps the handle; it is a daemon


class VideoSource(FrameSource):
    """A video file decoded with OpenCV (FFmpeg backend).

    Parameters
    ----------
    path : str or Path
    fps : float, optional
        Override the file's frame rate for the timestamps (default: the file's, else 30).

    Raises
    ------
    TrackingSourceError
        If the file is missing or cannot be opened (e.g. an mp4 truncated before its index).
    """

    def __init__(self, path: str | Path, fps: float | None = None) -> None:
        import cv2

        self.path = Path(path)
        self.name = f"video {self.path.name}"
        if not self.path.is_file():
            raise TrackingSourceError(f"video {self.path} does not exist")
        self._cap = cv2.VideoCapture(str(self.path))
        if not self._cap.isOpened():
            self._cap.release()
            raise TrackingSourceError(
                f"video {self.path} cannot be opened: the file is damaged, truncated or not a video "
                "OpenCV can decode"
            )
        file_fps = self._cap.get(cv2.CAP_PROP_FPS)
        self.fps = float(fps or (file_fps if file_fps and file_fps > 0 else DEFAULT_SEQUENCE_FPS))
        count = self._cap.get(cv2.CAP_PROP_FRAME_COUNT)
        self.frame_count: int | None = int(count) if count and count > 0 else None
        self._index = 0
        self._last_ms = -1

    def read(self) -> Frame | None:
        """The next decoded frame, or None at the end of the file.

        Raises
        ------
        TrackingSourceError
            If decoding stops more than :data:`TRUNCATION_SLACK_FRAMES` before the declared count.
        """
        if self._cap is None:
            return None
        ok, bgr = self._cap.read()
        if not ok or bgr is None:
            self.close()
            if self.frame_count is not None and self._index < self.frame_count - TRUNCATION_SLACK_FRAMES:
                raise TrackingSourceError(
                    f"video {self.path} ended after {self._index} of {self.frame_count} frames: the file is "
                    "truncated or damaged"
                )
            return None
        ms = max(round(self._index * 1000.0 / self.fps), self._last_ms + 1)
        frame = Frame(_bgr_to_rgb(bgr), ms, self._index)
        self._last_ms, self._index = ms, self._index + 1
        return frame

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


class ImageSequenceSource(FrameSource):
    """Still images (a folder, sorted by file name, or a glob pattern) played at ``fps``.

    Raises
    ------
    TrackingSourceError
        If no image matches, or (in :meth:`read`) an image cannot be decoded.
    """

    def __init__(self, spec: str | Path, fps: float | None = None) -> None:
        spec_path = Path(spec)
        if spec_path.is_dir():
            files = sorted(p for p in spec_path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        else:
            files = sorted(Path(p) for p in glob.glob(str(spec)) if Path(p).suffix.lower() in IMAGE_SUFFIXES)
        if not files:
            raise TrackingSourceError(f"no images ({', '.join(IMAGE_SUFFIXES)}) found at {spec}")
        self.files = files
        self.name = f"images {spec}"
        self.fps = float(fps or DEFAULT_SEQUENCE_FPS)
        self._index = 0

    def read(self) -> Frame | None:
        from PIL import Image, UnidentifiedImageError

        if self._index >= len(self.files):
            return None
        path = self.files[self._index]
        try:
            with Image.open(path) as im:
                rgb = np.asarray(im.convert("RGB"), np.uint8)
        except (OSError, UnidentifiedImageError) as exc:
            raise TrackingSourceError(f"image {path} cannot be read: {exc}") from exc
        frame = Frame(np.ascontiguousarray(rgb), round(self._index * 1000.0 / self.fps), self._index)
        self._index += 1
        return frame


def open_source(spec: str | int | Path, fps: float | None = None, timeout_s: float = 3.0) -> FrameSource:
    """Open a frame source from a spec.

    Parameters
    ----------
    spec : int, str or Path
        An int or a string of digits: a camera index. A folder or a pattern with ``*?[``: an image
        sequence. Otherwise a video file.
    fps : float, optional
        Frame rate for image sequences (default 30) or a video override.
    timeout_s : float
        Camera read timeout.

    Raises
    ------
    TrackingSourceError
        If the camera, file or images are missing or unusable.
    """
    if isinstance(spec, int) or (isinstance(spec, str) and spec.strip().isdigit()):
        return CameraSource(int(spec), timeout_s=timeout_s)
    text = str(spec)
    if Path(text).is_dir() or any(c in text for c in "*?["):
        return ImageSequenceSource(text, fps=fps)
    return VideoSource(text, fps=fps)

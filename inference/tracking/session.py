"""A tracking session: frame source -> :class:`FaceTracker` -> :class:`ParameterMapper` (-> recorder).

Made for a worker thread (the Tracking dock's QThread, or the CLI's main loop):

- :meth:`TrackingSession.frames` is an iterator of :class:`TrackedFrame` (timestamp, parameter values,
  features, the RGB frame for a preview, per-stage timing);
- :meth:`TrackingSession.run` calls ``on_frame(tracked)`` for each frame until the source ends, the
  frame limit is reached or ``cancel`` (an :class:`inference.types.CancelToken`, or anything with a
  ``cancelled`` attribute) is set, and returns :class:`SessionStats` with median timings;
- :meth:`TrackingSession.request_calibration` may be called from another thread (a "Calibrate" button):
  the next frames are collected and the mapper is calibrated from them; mapper settings (smoothing,
  mirror) may be changed between frames.

``calibrate_frames`` > 0 calibrates on the first frames *before* emitting them (for files: the first
second is taken as the neutral face, LivePortrait-style); those frames are then mapped and emitted.
"""

from __future__ import annotations

import logging
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from inference.tracking.calibration import CalibrationError
from inference.tracking.features import FaceFeatures
from inference.tracking.mapping import ParameterMapper
from inference.tracking.recorder import MotionRecorder
from inference.tracking.sources import Frame, FrameSource
from inference.tracking.tracker import FaceTracker

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FrameTiming:
    """Wall-clock milliseconds spent per stage on one frame (``read`` includes waiting for a camera)."""

    read_ms: float
    track_ms: float
    map_ms: float

    @property
    def process_ms(self) -> float:
        """Tracking + mapping: the latency the session adds to a frame."""
        return self.track_ms + self.map_ms


@dataclass(frozen=True, slots=True)
class TrackedFrame:
    """One frame's result: ``values`` is ``{parameter id: value}``; ``frame.rgb`` is the unmirrored input."""

    frame: Frame
    features: FaceFeatures
    values: dict[str, float]
    timing: FrameTiming

    @property
    def timestamp_ms(self) -> int:
        return self.frame.timestamp_ms


@dataclass(slots=True)
class SessionStats:
    """Totals and median per-frame timings (ms) of a run."""

    frames: int = 0
    faces_found: int = 0
    read_ms: list[float] = field(default_factory=list)
    track_ms: list[float] = field(default_factory=list)
    map_ms: list[float] = field(default_factory=list)

    def add(self, t: TrackedFrame) -> None:
        self.frames += 1
        self.faces_found += int(t.features.found)
        self.read_ms.append(t.timing.read_ms)
        self.track_ms.append(t.timing.track_ms)
        self.map_ms.append(t.timing.map_ms)

    def medians(self) -> dict[str, float]:
        med = lambda xs: statistics.median(xs) if xs else 0.0  # noqa: E731
        return {"read_ms": med(self.read_ms), "track_ms": med(self.track_ms), "map_ms": med(self.map_ms)}


class TrackingSession:
    """Ties a source, a tracker and a mapper together (see the module docstring).

    Parameters
    ----------
    source : FrameSource
    tracker : FaceTracker, optional
        Default: a new one (the session then closes it in :meth:`close`).
    mapper : ParameterMapper, optional
        Default: ``ParameterMapper()``.
    recorder : MotionRecorder, optional
        When given, every emitted frame's values are recorded.
    calibrate_frames : int
        Calibrate on this many first frames before emitting them (0: keep the mapper's calibration).
    max_frames : int, optional
        Stop after this many frames.
    """

    def __init__(self, source: FrameSource, tracker: FaceTracker | None = None, mapper: ParameterMapper | None = None,
                 recorder: MotionRecorder | None = None, calibrate_frames: int = 0, max_frames: int | None = None) -> None:
        self.source = source
        self._owns_tracker = tracker is None
        self.tracker = tracker if tracker is not None else FaceTracker()
        self.mapper = mapper if mapper is not None else ParameterMapper()
        self.recorder = recorder
        self.calibrate_frames = int(calibrate_frames)
        self.max_frames = max_frames
        self._lock = threading.Lock()
        self._calibration_wanted = 0
        self._calibration_buffer: list[FaceFeatures] = []

    def request_calibration(self, n_frames: int = 30) -> None:
        """Calibrate from the next ``n_frames`` frames (thread-safe; values keep flowing meanwhile)."""
        with self._lock:
            self._calibration_wanted = max(int(n_frames), 1)
            self._calibration_buffer = []

    def _track(self, cancel) -> Iterator[tuple[Frame, FaceFeatures, float, float]]:
        count = 0
        while self.max_frames is None or count < self.max_frames:
            if cancel is not None and getattr(cancel, "cancelled", False):
                return
            t0 = time.perf_counter()
            frame = self.source.read()
            t1 = time.perf_counter()
            if frame is None:
                return
            features = self.tracker.process(frame.rgb, frame.timestamp_ms)
            t2 = time.perf_counter()
            count += 1
            yield frame, features, (t1 - t0) * 1000.0, (t2 - t1) * 1000.0

    def _calibrate(self, features: list[FaceFeatures]) -> None:
        try:
            self.mapper.calibrate(features)
            log.info("calibrated on %d frames", len(features))
        except CalibrationError as exc:
            log.warning("%s; keeping the previous calibration", exc)

    def _emit(self, frame: Frame, features: FaceFeatures, read_ms: float, track_ms: float) -> TrackedFrame:
        t0 = time.perf_counter()
        values = self.mapper.update(features)
        map_ms = (time.perf_counter() - t0) * 1000.0
        if self.recorder is not None:
            self.recorder.add(frame.timestamp_ms, values)
        return TrackedFrame(frame, features, values, FrameTiming(read_ms, track_ms, map_ms))

    def _collect_for_calibration(self, features: FaceFeatures) -> None:
        with self._lock:
            if self._calibration_wanted <= 0:
                return
            self._calibration_buffer.append(features)
            if len(self._calibration_buffer) < self._calibration_wanted:
                return
            batch, self._calibration_buffer, self._calibration_wanted = self._calibration_buffer, [], 0
        self._calibrate(batch)

    def frames(self, cancel=None) -> Iterator[TrackedFrame]:
        """Track until the source ends, ``max_frames`` or ``cancel``; yields :class:`TrackedFrame`.

        Raises
        ------
        inference.tracking.sources.TrackingSourceError
            If the source fails (camera unplugged, truncated file).
        """
        pending: list[tuple[Frame, FaceFeatures, float, float]] = []
        for item in self._track(cancel):
            if len(pending) < self.calibrate_frames and item[0].index < self.calibrate_frames:
                pending.append(item)
                if len(pending) == self.calibrate_frames:
                    self._calibrate([p[1] for p in pending])
                    yield from (self._emit(*p) for p in pending)
                continue
            self._collect_for_calibration(item[1])
            yield self._emit(*item)
        if 0 < len(pending) < self.calibrate_frames:  # the source ended during calibration
            self._calibrate([p[1] for p in pending])
            yield from (self._emit(*p) for p in pending)

    def run(self, on_frame: Callable[[TrackedFrame], None], cancel=None) -> SessionStats:
        """Call ``on_frame`` for every tracked frame; returns the run's statistics."""
        stats = SessionStats()
        for tracked in self.frames(cancel):
            stats.add(tracked)
            on_frame(tracked)
        return stats

    def close(self) -> None:
        """Close the source, and the tracker if the session created it."""
        self.source.close()
        if self._owns_tracker:
            self.tracker.close()

    def __enter__(self) -> TrackingSession:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

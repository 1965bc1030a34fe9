"""Face tracking off the GUI thread for the Tracking dock (style.md section 4).

:class:`TrackingWorker` is a streaming :class:`~app.jobs.base.BackgroundJob`: it runs
:class:`inference.tracking.session.TrackingSession` on a camera or a video file in a ``QThread``, and every
tracked frame reaches the GUI thread as a :class:`TrackingUpdate` through its ``partial`` signal (queued). Video files are paced to their frame rate (the character moves at the
speed of the clip); cameras deliver as fast as they capture. Settings changed in the dock (smoothing,
mirror, link eyes, mapping ranges) are handed over with :meth:`TrackingWorker.set_options` and applied
between frames, so the mapper is only ever touched by the worker thread.

:class:`TrackingController` is the job's :class:`~app.jobs.base.JobRunner` (no dialog): it starts and
stops the thread and drops signals of a session that was already stopped. Camera discovery and the preview drawing live in :mod:`app.tracking.media`.

Newest frame wins, at both ends: a camera is read on its own grabber thread that keeps only the
latest capture (:class:`inference.tracking.sources.CameraSource`), and when the GUI thread falls
behind (a long paint, a dialog), the updates that queued up meanwhile reach it marked
:attr:`TrackingUpdate.stale` (a newer one is already waiting): they are still recorded, but only the
newest drives the rig and the dock (:class:`app.tracking.controller.LiveTracking`), so the avatar
never lags behind the camera by the length of a queue.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from app.jobs.base import BackgroundJob, JobRunner
from app.tracking.media import draw_landmarks
from inference.tracking.mapping import ParameterMapper
from inference.types import CancelToken

log = logging.getLogger(__name__)

#: Seconds between two preview images (about 15 fps); the values themselves go out every frame.
PREVIEW_INTERVAL_S = 1.0 / 15.0
CAMERA_TIMEOUT_S = 3.0
RANGE_FIELDS = ("in_min", "in_max", "out_min", "out_max")


@dataclass(frozen=True, slots=True)
class TrackingUpdate:
    """One tracked frame as the dock receives it.

    Attributes
    ----------
    index : int
        Frame number within the source.
    timestamp_ms : int
        Source timestamp (strictly increasing).
    found : bool
        A face was detected in this frame.
    values : dict of str to float
        Smoothed parameter values (the mapper's output; what drives the rig and is recorded).
    raw : dict of str to float
        The same parameters before smoothing (``nan`` while no face is seen).
    preview : (H, W, 3) uint8 ndarray or None
        The frame, downscaled, mirrored when the mirror option is on, landmarks drawn in green;
        only about every :data:`PREVIEW_INTERVAL_S`, else None.
    process_ms : float
        Tracking + mapping time of this frame.
    session : int
        Number of the :class:`TrackingController` session that produced it.
    stale : bool
        Set by :class:`TrackingController` on the GUI thread: a newer frame had already been sent
        when this one arrived (record it, do not draw it).
    """

    index: int
    timestamp_ms: int
    found: bool
    values: dict
    raw: dict
    preview: np.ndarray | None
    process_ms: float
    session: int = 0
    stale: bool = False


class TrackingWorker(BackgroundJob):
    """Runs one tracking session (:meth:`run` in the worker thread); emit-only otherwise.

    Parameters
    ----------
    spec : int or str
        Camera index or video path (:func:`inference.tracking.sources.open_source`).
    mapper : ParameterMapper
        Owned by the worker from now on (settings go through :meth:`set_options`).
    token : CancelToken
    calibrate_frames : int, optional
        Neutral-face frames at the start; default a quarter second of a video file (at least 5),
        none for a camera (its calibration comes with ``mapper``).
    realtime : bool
        Pace files and image sequences to their frame rate.
    session : int
        Stamped on every update (lets the controller drop frames of a stopped session still queued).

    Signals
    -------
    opened(int, str, float)
        Session, source name and frame rate (0 when unknown).
    partial(object)
        A :class:`TrackingUpdate`, every frame.
    calibrated(int, object)
        Session and the mapper's new :class:`~inference.tracking.calibration.Calibration`.
    succeeded(object)
        ``"ended"``: the end of the file.
    cancelled()
        Stopped (the token was cancelled).
    failed(str, str)
        A readable message (missing camera, unplugged, truncated file, missing model) and the traceback.
    """

    opened = Signal(int, str, float)
    calibrated = Signal(int, object)
    what = "Tracking"

    def __init__(self, spec: int | str, mapper: ParameterMapper, token: CancelToken,
                 calibrate_frames: int | None = None, realtime: bool = True, session: int = 0) -> None:
        super().__init__()
        self.spec, self.mapper, self.token, self.session = spec, mapper, token, session
        self.calibrate_frames = calibrate_frames
        self.realtime = realtime
        self._lock = threading.Lock()
        self._pending: dict = {}
        self._tracking = None
        self._calibration_wanted = 0.0
        #: Index of the newest frame sent (written by the worker thread before each emit, read by the GUI).
        self.newest_index = -1

    # ------------------------------------------------------------------ any thread
    def set_options(self, smoothing: float | None = None, mirror: bool | None = None, link_eyes: bool | None = None,
                    ranges: Mapping[str, Mapping[str, float]] | None = None) -> None:
        """Queue setting changes; applied before the next frame (thread-safe)."""
        with self._lock:
            for key, value in (("smoothing", smoothing), ("mirror", mirror), ("link_eyes", link_eyes)):
                if value is not None:
                    self._pending[key] = value
            if ranges:
                self._pending.setdefault("ranges", {}).update({k: dict(v) for k, v in ranges.items()})

    def request_calibration(self, seconds: float = 1.0) -> None:
        """Take the next ``seconds`` of frames as the neutral face (thread-safe)."""
        with self._lock:
            self._calibration_wanted = float(seconds)

    # ------------------------------------------------------------------ worker thread
    def _apply_pending(self, fps: float) -> None:
        with self._lock:
            pending, self._pending = self._pending, {}
            seconds, self._calibration_wanted = self._calibration_wanted, 0.0
        apply_options(self.mapper, pending)
        if seconds > 0 and self._tracking is not None:
            self._tracking.request_calibration(max(5, round(seconds * fps)))

    def is_cancelled(self) -> bool:
        return self.token.cancelled

    def work(self) -> str:
        """Track until the source ends (``"ended"``) or the token is cancelled; errors propagate."""
        try:
            return self._run()
        finally:
            self._tracking = None

    def _run(self) -> str:
        from inference.tracking.session import TrackingSession
        from inference.tracking.sources import CameraSource, open_source

        source = open_source(self.spec, timeout_s=CAMERA_TIMEOUT_S)
        try:
            is_camera = isinstance(source, CameraSource)
            fps = source.fps or 30.0
            calibrate = self.calibrate_frames
            if calibrate is None:
                calibrate = 0 if is_camera else max(5, round(fps / 4))
            self._apply_pending(fps)
            session = TrackingSession(source, mapper=self.mapper, calibrate_frames=calibrate)
        except BaseException:
            source.close()
            raise
        with session:
            self._tracking = session
            self.opened.emit(self.session, source.name, float(source.fps or 0.0))
            log.info("tracking %s", source.name)
            self._loop(session, fps, pace=self.realtime and not is_camera)
        return "stopped" if self.token.cancelled else "ended"

    def _loop(self, session, fps: float, pace: bool) -> None:
        calibration = self.mapper.calibration
        t0 = time.perf_counter()
        last_preview = -1.0
        for tracked in session.frames(self.token):
            if pace and not self._wait_until(t0 + tracked.timestamp_ms / 1000.0):
                return
            if self.mapper.calibration is not calibration:
                calibration = self.mapper.calibration
                self.calibrated.emit(self.session, calibration)
            now = time.perf_counter()
            preview = None
            if now - last_preview >= PREVIEW_INTERVAL_S:
                last_preview = now
                preview = draw_landmarks(tracked.frame.rgb, tracked.features.landmarks, self.mapper.mirror)
            self.newest_index = tracked.frame.index  # before the emit: the GUI compares with it
            self.partial.emit(TrackingUpdate(
                tracked.frame.index, tracked.timestamp_ms, tracked.features.found, dict(tracked.values),
                raw_values(self.mapper, tracked.features), preview, tracked.timing.process_ms, self.session))
            self._apply_pending(fps)

    def _wait_until(self, deadline: float) -> bool:
        """Sleep until ``deadline`` (perf_counter s) in short steps; False when cancelled meanwhile."""
        while (left := deadline - time.perf_counter()) > 0:
            if self.token.cancelled:
                return False
            time.sleep(min(left, 0.02))
        return not self.token.cancelled


def apply_options(mapper: ParameterMapper, options: Mapping) -> None:
    """Apply ``smoothing``, ``mirror``, ``link_eyes`` and ``ranges`` ({parameter id: {field: value}})."""
    if "smoothing" in options:
        mapper.smoothing = float(options["smoothing"])
    if "mirror" in options:
        mapper.mirror = bool(options["mirror"])
    if "link_eyes" in options:
        mapper.link_eyes = bool(options["link_eyes"])
    rules = {rule.parameter_id: rule for rule in mapper.rules}
    for pid, fields in options.get("ranges", {}).items():
        rule = rules.get(pid)
        if rule is None:
            continue
        merged = {f: float(fields.get(f, getattr(rule, f))) for f in RANGE_FIELDS}
        if merged["in_min"] == merged["in_max"]:
            log.warning("%s: empty input range ignored", pid)
            continue
        for f, v in merged.items():
            setattr(rule, f, v)


def raw_values(mapper: ParameterMapper, features) -> dict[str, float]:
    """Each rule's output before lag and smoothing (``nan`` without a face)."""
    if not features.found:
        return {rule.parameter_id: float("nan") for rule in mapper.rules}
    src = mapper.sources(features)
    return {rule.parameter_id: rule.apply(src[rule.source]) for rule in mapper.rules}


class TrackingController(JobRunner):
    """Starts and stops one :class:`TrackingWorker` thread at a time.

    Signals
    -------
    The worker's ``opened``, frames (``frame``, every frame, the ones overtaken marked ``stale``), ``calibrated`` and failure message (``failed``) are
    re-emitted on the GUI thread, only while their session is the current one (frames still queued
    after :meth:`stop` are dropped); ``finished(str)`` (``"ended"``, ``"stopped"`` or ``"failed"``) comes
    after the thread has stopped.
    """

    opened = Signal(str, float)
    frame = Signal(object)
    calibrated = Signal(object)
    failed = Signal(str)
    finished = Signal(str)
    job_name = "tracking"

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.token: CancelToken | None = None
        self.session = 0

    def start(self, spec: int | str, mapper: ParameterMapper, calibrate_frames: int | None = None,
              realtime: bool = True) -> bool:
        """Start tracking ``spec``; False when a session is already running."""
        if self.running:
            return False
        self.session += 1
        self.token = CancelToken()
        worker = TrackingWorker(spec, mapper, self.token, calibrate_frames, realtime, self.session)
        worker.opened.connect(self._on_opened)
        worker.partial.connect(self._on_frame)
        worker.calibrated.connect(self._on_calibrated)
        self._launch(worker, None, "kirie-tracking")
        return True

    def set_options(self, **options) -> None:
        """See :meth:`TrackingWorker.set_options` (ignored while nothing runs)."""
        if self.worker is not None:
            self.worker.set_options(**options)

    def request_calibration(self, seconds: float = 1.0) -> None:
        if self.worker is not None:
            self.worker.request_calibration(seconds)

    def cancel(self) -> None:
        if self.token is not None:
            self.token.cancel()

    def stop(self, wait_ms: int = 10_000) -> None:
        """Cancel the session and wait for the thread (a camera read returns within its timeout)."""
        if self.thread is None:
            return
        self.cancel()
        self.thread.quit()
        if self.thread.wait(wait_ms):
            self._end("stopped")  # now, not when the queued signal arrives
        else:
            log.warning("the tracking thread did not stop within %d ms", wait_ms)

    def _session(self, session: int) -> bool:
        return self.worker is not None and session == self.session

    @Slot(int, str, float)
    def _on_opened(self, session: int, name: str, fps: float) -> None:
        if self._session(session):
            self.opened.emit(name, fps)

    @Slot(object)
    def _on_frame(self, update: TrackingUpdate) -> None:
        if self._session(update.session) and not self.token.cancelled:
            if update.index < self.worker.newest_index:  # a newer frame is queued behind this one
                update = dataclasses.replace(update, stale=True)
            self.frame.emit(update)

    @Slot(int, object)
    def _on_calibrated(self, session: int, calibration) -> None:
        if self._session(session):
            self.calibrated.emit(calibration)

    def _finish(self, status: str, payload) -> None:
        if status == "failed":
            message, details = payload
            log.error("tracking: %s", message)
            log.debug("%s", details)
            self.failed.emit(message)
        self._end({"done": "ended", "cancelled": "stopped"}.get(status, status))

    def _end(self, status: str) -> None:
        self._stop_thread()
        self._release()
        self.token = None
        self.finished.emit(status)

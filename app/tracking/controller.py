"""The live tracking controller: one session from a camera or video file to the rig's parameter values.

:class:`LiveTracking` is what the Tracking dock drives, without widgets: it builds the
:class:`~inference.tracking.mapping.ParameterMapper` (the camera's saved calibration included), runs
the tracking job (:class:`app.jobs.tracking.TrackingController`), writes every frame through the
tracking layer of the bridge's value stack (:class:`app.tracking.driver.RigDriver`), keeps the camera
calibration in the settings, and records a motion3.json on request. The dock shows what it reports
(:attr:`LiveTracking.message`, :attr:`LiveTracking.frame`, :attr:`LiveTracking.finished`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from app.bridge import DocumentBridge
from app.jobs.tracking import TrackingController, TrackingUpdate
from app.tracking.driver import RigDriver
from app.tracking.settings import TrackingSettings
from inference.tracking.calibration import Calibration
from inference.tracking.mapping import MappingRule, ParameterMapper, default_rules
from inference.tracking.recorder import MotionRecorder

log = logging.getLogger(__name__)


class LiveTracking(QObject):
    """One tracking session at a time, driving ``bridge.values``.

    Parameters
    ----------
    bridge : DocumentBridge
    settings : TrackingSettings
        Where the camera calibration is kept.

    Attributes
    ----------
    controller : TrackingController
        The tracking job (thread, options, stop).
    driver : RigDriver
    last_update : TrackingUpdate or None
    frames_received : int
        Frames of the current (or last) session.
    frames_skipped : int
        Of those, the stale ones (overtaken while the GUI thread was busy): recorded, not drawn.
    fps : float
        The source's frame rate (0 until known).

    Signals
    -------
    message(str, bool)
        A line for the dock and whether it reports an error.
    frame(object)
        Each :class:`~app.jobs.tracking.TrackingUpdate` that drove the rig (after it was recorded);
        stale ones are recorded only.
    finished(str)
        ``"ended"``, ``"stopped"`` or ``"failed"``, after the thread stopped and the values went back.
    """

    message = Signal(str, bool)
    frame = Signal(object)
    finished = Signal(str)

    def __init__(self, bridge: DocumentBridge, settings: TrackingSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.bridge, self.settings = bridge, settings
        self.controller = TrackingController(self)
        self.driver = RigDriver(bridge)
        self.last_update: TrackingUpdate | None = None
        self.frames_received = self.frames_skipped = 0
        self.fps = 0.0
        self.closing = False
        self._source_is_camera = False
        self._calibrating = False
        self._recorder: MotionRecorder | None = None
        self.controller.opened.connect(self._on_opened)
        self.controller.frame.connect(self._on_frame)
        self.controller.calibrated.connect(self._on_calibrated)
        self.controller.failed.connect(lambda text: self.message.emit(text, True))
        self.controller.finished.connect(self._on_finished)

    @staticmethod
    def default_rules() -> list[MappingRule]:
        """The default face-to-parameter mapping (:func:`inference.tracking.mapping.default_rules`)."""
        return default_rules()

    # ---------------------------------------------------------------- start / stop
    @property
    def running(self) -> bool:
        return self.controller.running

    def start(self, spec: int | str, name: str, rules: list[MappingRule], smoothing: float, mirror: bool,
              link_eyes: bool) -> bool:
        """Track ``spec`` (camera index or video path, shown as ``name``); False when one runs already."""
        if self.running:
            return False
        self._source_is_camera = isinstance(spec, int)
        calibration = self.settings.calibration() if self._source_is_camera else None
        mapper = ParameterMapper(rules, smoothing=smoothing, mirror=mirror, link_eyes=link_eyes,
                                 calibration=Calibration.from_dict(calibration) if calibration else None)
        self.frames_received, self.last_update, self.fps, self._calibrating = 0, None, 0.0, False
        self.frames_skipped = 0
        self.driver.begin(mapper.parameter_ids)
        self.message.emit(f"Opening {name}...", False)
        return self.controller.start(spec, mapper)

    def stop(self) -> None:
        """Stop tracking (waits for the worker thread)."""
        self.controller.stop()

    def shutdown(self) -> None:
        """The window is closing: stop the thread, discard an unsaved recording, report nothing more."""
        self.closing = True
        if self._recorder is not None and len(self._recorder):
            log.warning("the tracking recording (%d frames) was discarded: the window closed", len(self._recorder))
        self._recorder = None
        self.controller.stop()

    def calibrate(self, seconds: float = 1.0) -> bool:
        """Take the next ``seconds`` as the neutral face (False when nothing runs)."""
        if not self.running:
            return False
        self.controller.request_calibration(seconds)
        self._calibrating = True
        self.message.emit("Calibrating: look straight ahead with a neutral face for one second...", False)
        return True

    def set_options(self, **options) -> None:
        """Mapper options for the running session (:meth:`TrackingController.set_options`)."""
        self.controller.set_options(**options)

    # ---------------------------------------------------------------- recording
    @property
    def recording(self) -> bool:
        return self._recorder is not None

    def start_recording(self) -> None:
        self._recorder = MotionRecorder(fps=self.fps or 30.0)
        self.message.emit("Recording..." if self.running else "Recording starts with tracking.", False)

    def finish_recording(self, ask_path: Callable[[str], str | None]) -> Path | None:
        """Stop recording and save a motion3.json where ``ask_path(suggested)`` says (None: discard)."""
        recorder, self._recorder = self._recorder, None
        if recorder is None or not len(recorder):
            log.info("nothing was recorded")
            return None
        recorder.fps = self.fps or recorder.fps
        path = ask_path(str(Path(self.settings.video_folder()) / "tracking.motion3.json"))
        if not path:
            log.info("recording discarded (%d frames)", len(recorder))
            return None
        try:
            motion = recorder.save(path)
        except (OSError, ValueError) as exc:
            self.message.emit(f"Cannot save the motion: {exc}", True)
            log.error("cannot save %s: %s", path, exc)
            return None
        self.message.emit(f"Saved {Path(path).name}: {len(recorder)} frames, {motion.duration_s:.2f} s.", False)
        log.info("wrote %s (%d curves, %d frames)", path, len(motion.curves), len(recorder))
        return Path(path)

    # ---------------------------------------------------------------- job signals
    def _on_opened(self, name: str, fps: float) -> None:
        self.fps = fps
        rate = f" at {fps:g} fps" if fps > 0 else ""
        self.message.emit(f"Tracking {name}{rate}.", False)

    def _on_frame(self, update: TrackingUpdate) -> None:
        self.frames_received += 1
        if self._recorder is not None:  # every frame, stale ones included: the motion keeps its timing
            self._recorder.add(update.timestamp_ms, update.values)
        if update.stale:  # a newer frame is already queued: drive and show only that one
            self.frames_skipped += 1
            return
        self.last_update = update
        self.driver.drive(update.timestamp_ms, update.values)
        self.frame.emit(update)

    def _on_calibrated(self, calibration: Calibration) -> None:
        if self._calibrating:  # not the automatic calibration on the first frames of a file
            self._calibrating = False
            self.message.emit("Calibrated: this is now the neutral face.", False)
        if self._source_is_camera:
            self.settings.set_calibration(calibration.to_dict())

    def _on_finished(self, status: str) -> None:
        self.driver.end()
        if status == "ended":
            self.message.emit(f"End of the video: {self.frames_received} frames tracked.", False)
        elif status == "stopped" and not self.closing:
            self.message.emit(f"Stopped after {self.frames_received} frames.", False)
        self.finished.emit(status)

"""The Tracking dock: a webcam or a video file drives the rig live (VTube Studio-style face tracking).

Controls: a source picker (cameras 0-4, probed on a background thread, and "Video file..."),
**Start/Stop**, **Calibrate** (the next second is the neutral face), **Record** (a motion3.json,
saved through a file dialog when recording stops), **Mirror**, **Link eyes**, one **Smoothing**
slider, a **microphone** row (device picker, **Lip-sync**, level meter: :mod:`app.panels.lipsync_row`,
:class:`app.tracking.lipsync_live.LiveLipSync`), a preview of the frame with the landmarks drawn (~15 fps), the mapping table with editable
input/output ranges and live value bars, and plots of the last 5 s of every mapped parameter.

The session itself (mapper, tracking job, driving the values, calibration, recording) is
:class:`app.tracking.controller.LiveTracking`; this dock is its view. Tracking runs on a ``QThread``
(:mod:`app.jobs.tracking`); each frame arrives through a queued signal and is written to
:attr:`DocumentBridge.values` in one ``update`` (the viewport follows at the source's rate). Like the Preview animation (:mod:`app.editor.preview`), tracking writes to the window's
one :class:`rig.drive.ValueStack` (:class:`app.tracking.driver.RigDriver`): tracking wins over the
preview, physics adds its outputs (hair sway) on top. Stopping puts the driven parameters back. Values only: nothing enters the
history. A missing or unplugged camera, or a damaged file, ends the session with a message in the dock
and the Log; the editor keeps working. Settings persist in QSettings (:mod:`app.tracking.settings`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSlider,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.bridge import DocumentBridge
from app.panels.lipsync_row import MicrophoneRow
from app.panels.tracking_views import BROWSE, MappingTable, SourcePicker, TrackingPlots, ranges_of
from app.tracking.controller import LiveTracking
from app.tracking.lipsync_live import LiveLipSync
from app.tracking.media import CameraProbe, TrackingDialogs
from app.tracking.settings import TrackingSettings

log = logging.getLogger(__name__)

REFRESH_INTERVAL_MS = 66  # preview, bars and plots at about 15 fps
PREVIEW_HEIGHT_PX = 160
MIN_VIEWS_HEIGHT_PX = 220  # mapping table / plots tabs: about seven table rows


class TrackingPanel(QWidget):
    """The Tracking dock's widget.

    Parameters
    ----------
    bridge : DocumentBridge
    settings : QSettings, optional
        Where the tracking settings live (the editor's store by default).
    probe : bool
        Look for cameras 0-4 now (on a background thread).

    Attributes
    ----------
    live : LiveTracking
        The session this dock shows and drives.
    controller : TrackingController
        ``live.controller``, the tracking job.
    table : MappingTable
    plots : TrackingPlots
    dialogs : TrackingDialogs
    last_update : TrackingUpdate or None
    frames_received : int
        Frames of the current (or last) session.
    message : str
        The text of the dock's status line.
    project_folder : callable() -> str or None
        The saved project's folder (None while untitled); the window sets it. A recorded motion is
        offered in the folder the last one went to, else there, else the home folder.
    """

    def __init__(self, bridge: DocumentBridge, settings: QSettings | None = None, probe: bool = True,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.settings = TrackingSettings(settings)
        self.dialogs = TrackingDialogs(self)
        self.live = LiveTracking(bridge, self.settings, self)
        self.lipsync = LiveLipSync(bridge, parent=self)  # microphone -> mouth, with or without the camera
        self.controller, self.driver = self.live.controller, self.live.driver
        self.probe = CameraProbe(self)
        self.message = ""
        self.project_folder: Callable[[], str | None] = lambda: None
        self._pending_preview = None
        self._build()
        self._load_settings()
        self._connect()
        self.table.mark_available(self.bridge.values)
        if probe:
            self.probe.start()

    # ---------------------------------------------------------------- building
    def _build(self) -> None:
        self.source_combo = SourcePicker()
        self.refresh_button = QToolButton(text="\u21bb", toolTip="Look for cameras again")
        self.start_button = QPushButton("Start")
        self.calibrate_button = QPushButton("Calibrate")
        self.calibrate_button.setToolTip("Keep a neutral face for one second: it becomes the rest pose")
        self.record_button = QPushButton("Record")
        self.record_button.setCheckable(True)
        self.record_button.setToolTip("Record the tracked parameters; saved as motion3.json when you stop")
        self.mirror_check = QCheckBox("Mirror")
        self.mirror_check.setToolTip("Selfie view: the character moves like your mirror image")
        self.link_eyes_check = QCheckBox("Link eyes")
        self.link_eyes_check.setToolTip("Blink both eyes together unless they clearly differ (winks pass)")
        self.smoothing_slider = QSlider(Qt.Orientation.Horizontal)
        self.smoothing_slider.setRange(0, 100)
        self.smoothing_label = QLabel()
        self.reset_ranges_button = QToolButton(text="Reset ranges", toolTip="Default input and output ranges")
        self.preview_label = QLabel("No video")
        self.preview_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview_label.setFixedHeight(PREVIEW_HEIGHT_PX)
        self.preview_label.setMinimumWidth(1)  # a wide frame never widens the dock
        self.preview_label.setStyleSheet("background: #222; color: #aaa;")
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setMinimumWidth(1)
        self.info_label = QLabel()
        self.info_label.setStyleSheet("color: #666;")
        rules = LiveTracking.default_rules()
        self.table = MappingTable(rules)
        self.plots = TrackingPlots(rules)
        plots_scroll = QScrollArea()
        plots_scroll.setWidgetResizable(True)
        plots_scroll.setWidget(self.plots)
        self.views = QTabWidget()  # the table and the plots each get the full height, never two rows
        self.views.setDocumentMode(True)
        self.views.addTab(self.table, "Mapping")
        self.views.addTab(plots_scroll, "Plots")
        self.views.setMinimumHeight(MIN_VIEWS_HEIGHT_PX)
        content = QWidget()
        self.scroll = QScrollArea()  # a short dock scrolls instead of squeezing rows over each other
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroll)
        layout = QVBoxLayout(content)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(self._row(self.source_combo, self.refresh_button, stretch_first=True))
        layout.addLayout(self._row(self.start_button, self.calibrate_button, self.record_button))
        layout.addLayout(self._row(self.mirror_check, self.link_eyes_check, self.reset_ranges_button))
        layout.addLayout(self._row(QLabel("Smoothing"), self.smoothing_slider, self.smoothing_label))
        self.microphone_row = MicrophoneRow(self.lipsync)
        layout.addWidget(self.microphone_row)
        layout.addWidget(self.preview_label)
        layout.addWidget(self.status_label)
        layout.addWidget(self.info_label)
        layout.addWidget(self.views, 1)
        self.refresh_timer = QTimer(self)
        self.refresh_timer.setInterval(REFRESH_INTERVAL_MS)
        self._set_running_ui(False)

    @staticmethod
    def _row(*widgets, stretch_first: bool = False) -> QHBoxLayout:
        row = QHBoxLayout()
        for i, w in enumerate(widgets):
            row.addWidget(w, 1 if (stretch_first and i == 0) or isinstance(w, QSlider) else 0)
        return row

    def _load_settings(self) -> None:
        s = self.settings
        self.mirror_check.setChecked(s.mirror())
        self.link_eyes_check.setChecked(s.link_eyes())
        self.smoothing_slider.setValue(round(100 * s.smoothing()))
        self.smoothing_label.setText(f"{s.smoothing():.2f}")
        self.table.set_ranges(s.ranges())
        source = s.source()
        if source is not None:
            self.source_combo.select(source, remembered=True)

    def _connect(self) -> None:
        self.start_button.clicked.connect(self.toggle)
        self.calibrate_button.clicked.connect(self.calibrate)
        self.record_button.toggled.connect(self._record_toggled)
        self.mirror_check.toggled.connect(self._mirror_toggled)
        self.link_eyes_check.toggled.connect(self._link_eyes_toggled)
        self.smoothing_slider.valueChanged.connect(self._smoothing_changed)
        self.table.range_edited.connect(self._range_edited)
        self.reset_ranges_button.clicked.connect(self.reset_ranges)
        self.source_combo.activated.connect(self._source_activated)
        self.refresh_button.clicked.connect(self.probe.start)
        self.probe.finished.connect(self._cameras_found)
        self.live.message.connect(self._show_message)
        self.lipsync.message.connect(self._show_message)
        self.live.frame.connect(self._on_frame)
        self.live.finished.connect(self._on_finished)
        self.refresh_timer.timeout.connect(self.refresh)
        self.bridge.document_replaced.connect(self._rig_changed)
        self.bridge.changed.connect(self._on_document_changed)

    # ---------------------------------------------------------------- sources
    def _cameras_found(self, cameras: list) -> None:
        log.info("cameras found: %s", ", ".join(map(str, cameras)) or "none")
        self.source_combo.fill(cameras)
        if self.source_spec() is None and cameras:
            self.set_source(cameras[0])

    def source_spec(self) -> int | str | None:
        """The selected camera index or video path, or None."""
        return self.source_combo.spec()

    def set_source(self, spec: int | str) -> None:
        """Select a camera index or a video path (added to the list when new) and remember it."""
        self.settings.set_source(self.source_combo.select(spec))

    def _source_activated(self, index: int) -> None:
        if self.source_combo.itemData(index) != BROWSE:
            if self.source_spec() is not None:
                self.settings.set_source(self.source_spec())
            return
        path = self.dialogs.open_video_path(self.settings.video_folder())
        self.set_source(path or self.settings.source())

    # ---------------------------------------------------------------- start / stop
    @property
    def running(self) -> bool:
        return self.live.running

    @property
    def frames_received(self) -> int:
        return self.live.frames_received

    @property
    def last_update(self):
        return self.live.last_update

    def toggle(self) -> None:
        if self.running:
            self.stop()
        else:
            self.start()

    def start(self) -> bool:
        """Start tracking the selected source; False when none is selected or one is running."""
        spec = self.source_spec()
        if self.running or spec is None:
            if spec is None:
                self._show_message("Choose a camera or a video file first.", error=True)
            return False
        self.plots.clear_samples()
        self.live.start(spec, self.source_combo.currentText(), self.table.rules(), self.smoothing,
                        self.mirror_check.isChecked(), self.link_eyes_check.isChecked())  # fmt: skip
        self._set_running_ui(True)
        self.refresh_timer.start()
        return True

    def stop(self) -> None:
        """Stop tracking (waits for the worker thread)."""
        self.live.stop()

    def shutdown(self) -> None:
        """The window is closing: stop the thread, discard an unsaved recording, no dialogs."""
        self.live.shutdown()
        self.lipsync.stop()
        self.refresh_timer.stop()

    def _on_document_changed(self, change) -> None:
        if change.kind in ("structure", "parameter_definition"):
            self._rig_changed()

    def _rig_changed(self) -> None:
        self.table.mark_available(self.bridge.values)  # the value stack follows the rig itself (bridge)

    # ---------------------------------------------------------------- session signals
    def _on_frame(self, update) -> None:
        if update.preview is not None:
            self._pending_preview = update.preview
        self.plots.add(update.timestamp_ms, update.raw, update.values)

    def _on_finished(self, status: str) -> None:
        self.refresh_timer.stop()
        self.refresh()
        self._set_running_ui(False)
        if self.record_button.isChecked() and not self.live.closing:
            self.record_button.setChecked(False)  # saves the recording

    # ---------------------------------------------------------------- controls
    @property
    def smoothing(self) -> float:
        return self.smoothing_slider.value() / 100.0

    def calibrate(self) -> None:
        """Take the next second as the neutral face."""
        self.live.calibrate(1.0)

    def _mirror_toggled(self, on: bool) -> None:
        self.settings.set_mirror(on)
        self.live.set_options(mirror=on)

    def _link_eyes_toggled(self, on: bool) -> None:
        self.settings.set_link_eyes(on)
        self.live.set_options(link_eyes=on)

    def _smoothing_changed(self, steps: int) -> None:
        value = steps / 100.0
        self.smoothing_label.setText(f"{value:.2f}")
        self.settings.set_smoothing(value)
        self.live.set_options(smoothing=value)

    def _range_edited(self, pid: str, fields: dict) -> None:
        self.settings.set_ranges(self.table.ranges())
        self.live.set_options(ranges={pid: fields})

    def reset_ranges(self) -> None:
        self.table.set_ranges(ranges_of(LiveTracking.default_rules()))
        self.settings.set_ranges(self.table.ranges())
        self.live.set_options(ranges=self.table.ranges())

    # ---------------------------------------------------------------- recording
    def _record_toggled(self, on: bool) -> None:
        if on:
            self.live.start_recording()
        else:
            self.live.finish_recording(self._ask_motion_path)

    def motion_folder(self) -> str:
        """Where the save dialog of a recorded motion starts: the last motion's folder, else the project's."""
        return self.settings.motion_folder() or self.project_folder() or str(Path.home())

    def _ask_motion_path(self, suggested: str) -> str | None:
        path = self.dialogs.save_motion_path(str(Path(self.motion_folder()) / Path(suggested).name))
        if path:
            self.settings.set_motion_folder(path)
        return path

    # ---------------------------------------------------------------- display
    def _set_running_ui(self, running: bool) -> None:
        self.start_button.setText("Stop" if running else "Start")
        self.calibrate_button.setEnabled(running)
        self.source_combo.setEnabled(not running)
        self.refresh_button.setEnabled(not running)

    def _show_message(self, text: str, error: bool = False) -> None:
        self.message = text
        self.status_label.setText(text)
        self.status_label.setStyleSheet("color: #b41e1e; font-weight: bold;" if error else "")

    def refresh(self) -> None:
        """Preview image, value bars and plots (the ~15 fps timer)."""
        if self._pending_preview is not None:
            rgb, self._pending_preview = self._pending_preview, None
            h, w = rgb.shape[:2]
            image = QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
            self.preview_label.setPixmap(QPixmap.fromImage(image).scaled(
                self.preview_label.width(), self.preview_label.height(), Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation))
        update = self.last_update
        if update is not None:
            self.table.show_values(update.values)
            self.plots.redraw()
            face = "face found" if update.found else "no face"
            self.info_label.setText(f"Frame {update.index}: {face}, {update.process_ms:.0f} ms tracking")

"""The Live menu: Stream Window (OBS window capture) and Virtual Camera (OBS, Discord, Zoom).

* **Stream Window** (checkable) opens :class:`app.viewport.stream_window.StreamWindow` on the window's
  document: borderless, the avatar only, on the key colour (or transparent where supported);
* **Virtual Camera** (checkable) sends the rig at the current values to a
  :class:`app.tracking.sinks.VirtualCameraSink` at the chosen rate, evaluated and rendered **off the GUI
  thread** by a :class:`app.tracking.sink_worker.SinkWorker` (its own EGL context); a missing driver is
  reported in a dialog naming what to install and the action unchecks;
* **Live Settings...**: resolution, frame rate and background (key colour or a chosen colour) of the
  virtual camera, size and transparency of the stream window (:class:`LiveSettings`).

The camera follows whatever drives the values (tracking, lip-sync, the preview animation, sliders): the
GUI thread posts a copy of the values after each change and a new scene (the viewport's evaluation plan,
refreshed or recompiled, and the layers) after each document change, into the worker's newest-wins
slots, and never waits for a frame. A frame that fails on the worker (the camera device disappearing)
stops the camera: it is reported once (dialog and status bar) and the action unchecks. Turning the camera
off, or closing the editor, joins the worker thread (its context released, the device closed). The
stream window renders off the GUI thread too, on a worker of its own (:mod:`app.viewport.stream_window`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QMenu,
    QSpinBox,
)

from app.editor.host import EditorHost
from app.editor.modes import make_action
from app.tracking.sink_worker import LiveScene, SinkWorker
from app.tracking.sinks import KEY_COLOUR, FrameSink, VirtualCameraError, parse_background, parse_size

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LiveSettings:
    """Virtual camera (W, H), fps and background (r, g, b); stream window (W, H) and transparency."""

    camera_size: tuple[int, int] = (1280, 720)
    camera_fps: float = 30.0
    camera_background: tuple[int, int, int] = KEY_COLOUR
    window_size: tuple[int, int] = (720, 720)
    window_transparent: bool = False


def _virtual_camera(settings: LiveSettings) -> FrameSink:
    from app.tracking.sinks import VirtualCameraSink

    return VirtualCameraSink(settings.camera_size, settings.camera_fps, settings.camera_background)


class LiveMenu(QObject):
    """Builds the Live menu for ``host`` (module docstring).

    Parameters
    ----------
    host : EditorHost
    sink_factory : callable, optional
        ``sink_factory(LiveSettings) -> FrameSink`` (default: the pyvirtualcam sink; tests pass a
        :class:`app.tracking.sinks.RecordingSink`). May raise :class:`VirtualCameraError`.

    Attributes
    ----------
    menu : QMenu
    stream_action, camera_action, settings_action : QAction
    stream_window : StreamWindow or None
    sink : FrameSink or None
        The virtual camera while it runs.
    worker : SinkWorker or None
        The thread that renders into :attr:`sink` while it runs.

    Signals
    -------
    camera_failed(str)
        A frame failed on the worker and the camera stopped (emitted from the worker thread, once).
    """

    camera_failed = Signal(str)

    def __init__(self, host: EditorHost, sink_factory: Callable[[LiveSettings], FrameSink] | None = None) -> None:
        super().__init__(host.dialog_parent())
        self.host = host
        self.settings = LiveSettings()
        self.sink_factory = sink_factory or _virtual_camera
        self.stream_window = None
        self.sink: FrameSink | None = None
        self.worker: SinkWorker | None = None
        self._scene_pending = False
        self.camera_failed.connect(self._on_camera_failed)
        self.menu = QMenu("&Live", host.dialog_parent())
        self.stream_action = make_action(self.menu, "&Stream Window", None, "Ctrl+Shift+W",
                                         "A borderless window with only the avatar, for OBS window capture")
        self.stream_action.setCheckable(True)
        self.stream_action.toggled.connect(self.set_stream_window)
        self.camera_action = make_action(self.menu, "&Virtual Camera", None, None,
                                         "Send the avatar to a virtual camera (OBS, Discord, Zoom)")
        self.camera_action.setCheckable(True)
        self.camera_action.toggled.connect(self.set_virtual_camera)
        self.settings_action = make_action(self.menu, "Live &Settings...", self.edit_settings)
        self.menu.addActions([self.stream_action, self.camera_action])
        self.menu.addSeparator()
        self.menu.addAction(self.settings_action)

    # ---------------------------------------------------------------- stream window
    def set_stream_window(self, on: bool) -> None:
        from app.viewport.stream_window import StreamWindow

        if on and self.stream_window is None:
            s = self.settings
            self.stream_window = StreamWindow(self.host.bridge, s.window_size, s.camera_background,
                                              transparent=s.window_transparent)
            self.stream_window.closed.connect(self._stream_closed)
            self.stream_window.show()
        elif not on and self.stream_window is not None:
            self.stream_window.close()

    def _stream_closed(self) -> None:
        self.stream_window = None
        self.stream_action.setChecked(False)

    # ---------------------------------------------------------------- virtual camera
    def set_virtual_camera(self, on: bool) -> None:
        if on and self.sink is None:
            try:
                self.sink = self.sink_factory(self.settings)
            except VirtualCameraError as exc:
                log.warning("%s", exc)
                self.host.dialogs.error("Virtual Camera", str(exc))
                self.camera_action.setChecked(False)
                return
            self.worker = SinkWorker(self.sink, on_error=lambda exc: self.camera_failed.emit(str(exc)),
                                     name="kirie-virtual-camera")
            bridge = self.host.bridge
            bridge.values_changed.connect(self._post_values)
            bridge.changed.connect(self._schedule_scene)
            bridge.document_replaced.connect(self._schedule_scene)
            self._post_scene()
            self.worker.start()
            self.host.show_status(f"virtual camera on: {self.settings.camera_size[0]}x{self.settings.camera_size[1]}"
                                  f" at {self.settings.camera_fps:g} fps")
        elif not on and self.sink is not None:
            bridge = self.host.bridge
            bridge.values_changed.disconnect(self._post_values)
            bridge.changed.disconnect(self._schedule_scene)
            bridge.document_replaced.disconnect(self._schedule_scene)
            self.worker.stop()
            self.worker = self.sink = None

    def _post_values(self, _changed: dict | None = None) -> None:
        if self.worker is not None and self.host.bridge.values is not None:
            self.worker.post_values(self.host.bridge.values.as_dict())

    def _schedule_scene(self, _change=None) -> None:
        """After the slots of this change ran (the viewport's evaluator invalidated first)."""
        if not self._scene_pending:
            self._scene_pending = True
            QTimer.singleShot(0, self._post_scene)

    def _post_scene(self) -> None:
        self._scene_pending = False
        if self.worker is None:
            return
        rig = self.host.bridge.rig
        try:
            plan = self.host.viewport.evaluator.plan(rig)
        except Exception as exc:  # noqa: BLE001 - a broken rig: the camera keeps the last good scene
            log.warning("virtual camera: cannot evaluate the rig: %s", exc)
            return
        self.worker.post_scene(LiveScene(plan, tuple(rig.layers)))
        self._post_values()  # a replaced document brings its own values

    def _on_camera_failed(self, text: str) -> None:
        if self.worker is None or self.worker.error is None:  # a worker already stopped and replaced
            return
        self.camera_action.setChecked(False)  # joins the (ended) worker
        self.host.show_status(f"virtual camera stopped: {text}")
        self.host.dialogs.error("Virtual Camera", f"The virtual camera stopped: {text}")

    # ---------------------------------------------------------------- settings
    def edit_settings(self) -> None:
        dialog = LiveSettingsDialog(self.settings, self.host.dialog_parent())
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.settings = dialog.result_settings()

    def close(self) -> None:
        """Stop the camera and close the stream window (the editor is closing)."""
        self.set_virtual_camera(False)
        self.set_stream_window(False)


class LiveSettingsDialog(QDialog):
    """Edits a :class:`LiveSettings`; invalid text keeps the old value."""

    def __init__(self, settings: LiveSettings, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Live Settings")
        self._old = settings
        form = QFormLayout(self)
        self.camera_size = QLineEdit(f"{settings.camera_size[0]}x{settings.camera_size[1]}")
        self.camera_fps = QSpinBox()
        self.camera_fps.setRange(1, 120)
        self.camera_fps.setValue(round(settings.camera_fps))
        bg = settings.camera_background
        self.background = QLineEdit("key" if bg == KEY_COLOUR else "#{:02X}{:02X}{:02X}".format(*bg))
        self.window_size = QLineEdit(f"{settings.window_size[0]}x{settings.window_size[1]}")
        self.transparent = QCheckBox("Transparent where the window system allows")
        self.transparent.setChecked(settings.window_transparent)
        form.addRow("Virtual camera size (WxH)", self.camera_size)
        form.addRow("Frame rate", self.camera_fps)
        form.addRow("Background (key or #RRGGBB)", self.background)
        form.addRow("Stream window size (WxH)", self.window_size)
        form.addRow("", self.transparent)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def result_settings(self) -> LiveSettings:
        s = replace(self._old, camera_fps=float(self.camera_fps.value()),
                    window_transparent=self.transparent.isChecked())
        for field, text, parse in (("camera_size", self.camera_size, parse_size),
                                   ("camera_background", self.background, parse_background),
                                   ("window_size", self.window_size, parse_size)):
            try:
                s = replace(s, **{field: parse(text.text())})
            except ValueError as exc:
                log.warning("%s", exc)
        return s

"""The Live menu: Stream Window (OBS window capture) and Virtual Camera (OBS, Discord, Zoom).

* **Stream Window** (checkable) opens :class:`app.viewport.stream_window.StreamWindow` on the window's
  document: borderless, the avatar only, on the key colour (or transparent where supported);
* **Virtual Camera** (checkable) renders the rig at the current values headless
  (:func:`app.render.offscreen.render_to_array`) on a timer at the chosen rate and sends it to a
  :class:`app.tracking.sinks.VirtualCameraSink`; a missing driver is reported in a dialog naming what
  to install and the action unchecks;
* **Live Settings...**: resolution, frame rate and background (key colour or a chosen colour) of the
  virtual camera, size and transparency of the stream window (:class:`LiveSettings`).

The camera follows whatever drives the values (tracking, lip-sync, the preview animation, sliders).
Rendering runs on the GUI thread: when a frame takes longer than the frame interval (software GL),
the timer slows to twice the render time, so the editor keeps half the thread and stays responsive
(:attr:`LiveMenu.camera_interval_ms`; logged once).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from PySide6.QtCore import QObject, QTimer
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
    """

    def __init__(self, host: EditorHost, sink_factory: Callable[[LiveSettings], FrameSink] | None = None) -> None:
        super().__init__(host.dialog_parent())
        self.host = host
        self.settings = LiveSettings()
        self.sink_factory = sink_factory or _virtual_camera
        self.stream_window = None
        self.sink: FrameSink | None = None
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.send_frame)
        self._slow_logged = False
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
            self._slow_logged = False
            self._timer.start(max(1, round(1000.0 / self.settings.camera_fps)))
            self.host.show_status(f"virtual camera on: {self.settings.camera_size[0]}x{self.settings.camera_size[1]}"
                                  f" at {self.settings.camera_fps:g} fps")
        elif not on and self.sink is not None:
            self._timer.stop()
            self.sink.close()
            self.sink = None

    def send_frame(self) -> None:
        """Render the rig at the current values and send it to the virtual camera (one timer tick)."""
        if self.sink is None:
            return
        from app.render.offscreen import render_to_array

        bridge = self.host.bridge
        t0 = time.perf_counter()
        try:
            evaluated = self.host.viewport.evaluated()
            w, h = self.sink.size
            rig = bridge.rig
            scale = min(w / max(rig.canvas_width_px, 1), h / max(rig.canvas_height_px, 1))
            size = (max(16, round(rig.canvas_width_px * scale)), max(16, round(rig.canvas_height_px * scale)))
            self.sink.send(render_to_array(evaluated, size=size))
        except Exception as exc:  # noqa: BLE001 - a broken frame or device stops the camera, not the editor
            log.error("virtual camera stopped: %s", exc)
            self.camera_action.setChecked(False)
            return
        self._pace((time.perf_counter() - t0) * 1000.0)

    @property
    def camera_interval_ms(self) -> int:
        """The virtual camera timer's current interval (ms)."""
        return self._timer.interval()

    def _pace(self, frame_ms: float) -> None:
        nominal = max(1, round(1000.0 / self.settings.camera_fps))
        wanted = max(nominal, round(2.0 * frame_ms))
        if wanted != self._timer.interval():
            if wanted > nominal and not self._slow_logged:
                self._slow_logged = True
                log.warning("virtual camera: a frame takes %.0f ms to render; sending %.1f fps instead of %g",
                            frame_ms, 1000.0 / wanted, self.settings.camera_fps)
            self._timer.setInterval(wanted)

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

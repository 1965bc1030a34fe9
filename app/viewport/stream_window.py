"""The stream window: a borderless window showing only the avatar, for OBS window capture.

A top-level ``QWidget`` on the document's rig at the current parameter values (the same
:class:`~app.bridge.DocumentBridge` as the editor's viewport, so tracking, lip-sync and the preview
animation move it too), over

* a solid **key colour** (``background``, default pure green: OBS's chroma key removes it), or
* **transparency** (``transparent=True``) where the window system composites alpha (Windows, macOS,
  X11 with a compositor, Wayland): OBS's window capture then sees only the avatar.
  :func:`transparency_supported` says whether the platform can; without it the key colour is used.

Threads: the avatar is evaluated and rendered **off the GUI thread**, by a
:class:`app.tracking.sink_worker.SinkWorker` (its own headless EGL context, at most 60 fps, newest
values win) into a sink that hands each new frame to the window (a queued signal); the GUI thread only
posts values and scenes (the plan, refreshed after keyform edits, recompiled otherwise) and draws the
newest frame as an image (``paintEvent``, a blit). A ``QOpenGLWidget`` could not do this: its context
and framebuffer belong to the GUI thread (``app.viewport.viewport``, "Threads"). Frames are rendered at
the window's device-pixel size, fitted without margin; a new frame arrives a render later than the value
that made it (:meth:`wait_frame` waits for it).

No frame, no menus: left-drag moves the window, the wheel or :meth:`set_avatar_size` resizes it, Esc or
a double click closes it. Values only; nothing enters the history.
"""

from __future__ import annotations

import logging
import threading
import time

import numpy as np
from PySide6.QtCore import QPoint, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter
from PySide6.QtWidgets import QWidget

from app.bridge import DocumentBridge
from app.tracking.sink_worker import LiveScene, SinkWorker
from app.viewport.evaluator import RigEvaluator

log = logging.getLogger(__name__)

KEY_RGB = (0, 255, 0)
MIN_SIDE_PX, MAX_SIDE_PX = 64, 4096


def transparency_supported() -> bool:
    """Whether top-level windows can have a see-through background on this platform (offscreen,
    minimal and plain X11 servers without a compositor, like Xvfb, cannot)."""
    platform = QGuiApplication.platformName()
    if platform in ("windows", "cocoa", "wayland"):
        return True
    if platform == "xcb":  # a 32-bit visual: an ARGB screen, as under a compositor
        screen = QGuiApplication.primaryScreen()
        return screen is not None and screen.depth() >= 32
    return False


class _WindowSink:
    """The :class:`~app.tracking.sink_worker.FrameSink` between the worker and the window: keeps the newest
    frame and calls ``arrived()`` (on the worker thread) when a new one came; a resend is ignored."""

    def __init__(self, size: tuple[int, int], background: tuple[int, int, int] | None, arrived) -> None:
        self.size, self.fps, self.background = size, 60.0, background
        self.frame: np.ndarray | None = None
        self.frames = 0
        self._arrived = arrived
        self._lock = threading.Lock()

    def send(self, rgba: np.ndarray) -> None:
        with self._lock:
            if rgba is self.frame:
                return
            self.frame = rgba
            self.frames += 1
        self._arrived()

    def newest(self) -> np.ndarray | None:
        with self._lock:
            return self.frame

    def close(self) -> None:
        pass


class StreamWindow(QWidget):
    """Borderless avatar-only window (module docstring).

    Parameters
    ----------
    bridge : DocumentBridge
    size : (int, int)
        Window (W, H) in logical pixels, each clamped to [64, 4096].
    background : (r, g, b)
        0..255 key colour, used when not transparent.
    transparent : bool
        Ask for a see-through background (falls back to ``background`` where unsupported;
        :attr:`transparent` says what it got).

    Attributes
    ----------
    worker : SinkWorker
        Renders the frames (started with the window, stopped when it closes).
    last_error : str or None
        Why the rig could not be compiled or the last frame failed.

    Signals
    -------
    closed()
    """

    closed = Signal()
    _frame_arrived = Signal()
    _failed = Signal(str)

    def __init__(self, bridge: DocumentBridge, size: tuple[int, int] = (720, 720),
                 background: tuple[int, int, int] = KEY_RGB, transparent: bool = False) -> None:
        super().__init__(None)
        self.bridge = bridge
        self.evaluator = RigEvaluator()
        self.background_rgb = tuple(int(c) for c in background)
        self.transparent = bool(transparent) and transparency_supported()
        if transparent and not self.transparent:
            log.info("the window system has no transparent windows; the stream window uses its key colour")
        self.last_error: str | None = None
        self._drag: QPoint | None = None
        self._image: QImage | None = None
        self.setWindowTitle("Kirie stream")
        self.setWindowFlags(Qt.WindowType.Window | Qt.WindowType.FramelessWindowHint)
        if self.transparent:
            self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, not self.transparent)
        self._sink = _WindowSink((64, 64), None if self.transparent else self.background_rgb,
                                 self._frame_arrived.emit)
        self.worker = SinkWorker(self._sink, on_error=lambda exc: self._failed.emit(str(exc)),
                                 name="kirie-stream-window")
        self._frame_arrived.connect(self.update)  # queued: emitted on the worker thread
        self._failed.connect(self._on_failed)
        self.set_avatar_size(size)
        bridge.changed.connect(self._on_document_changed)
        bridge.values_changed.connect(self._on_values_changed)
        bridge.document_replaced.connect(self._on_document_replaced)
        self._post_scene()
        self.worker.start()

    def set_avatar_size(self, size: tuple[int, int]) -> None:
        """Resize the window to (W, H) logical pixels (clamped to [64, 4096] each)."""
        w, h = (min(MAX_SIDE_PX, max(MIN_SIDE_PX, int(v))) for v in size)
        self.setFixedSize(w, h)
        dpr = self.devicePixelRatioF()
        self._sink.size = (max(16, round(w * dpr)), max(16, round(h * dpr)))
        self._post_values()  # render again at the new size

    @property
    def frames_shown(self) -> int:
        """Frames the worker has handed over so far (a resend of the same frame is not counted)."""
        return self._sink.frames

    def wait_frame(self, after: int, timeout_s: float = 5.0) -> bool:
        """Wait (GUI thread, events processed) until more than ``after`` frames arrived; True if they did."""
        end = time.perf_counter() + timeout_s
        while self._sink.frames <= after and time.perf_counter() < end:
            QGuiApplication.processEvents()
            time.sleep(0.005)
        QGuiApplication.processEvents()
        return self._sink.frames > after

    # ------------------------------------------------------------------ model events
    def _on_document_changed(self, change=None) -> None:
        self.evaluator.invalidate(change)  # keyform edits refresh the plan, anything else recompiles it
        self._post_scene()

    def _on_document_replaced(self) -> None:
        self.evaluator.invalidate()
        self._post_scene()

    def _on_values_changed(self, _changed) -> None:
        self._post_values()

    def _post_scene(self) -> None:
        rig = self.bridge.rig
        if rig is None:
            return
        try:
            plan = self.evaluator.plan(rig)
        except Exception as exc:  # noqa: BLE001 - a broken rig must not take the window down: last good scene
            if str(exc) != self.last_error:
                log.error("stream window: cannot evaluate the rig: %s", exc)
            self.last_error = str(exc)
            return
        self.last_error = None
        self.worker.post_scene(LiveScene(plan, tuple(rig.layers)))
        self._post_values()

    def _post_values(self) -> None:
        values = self.bridge.values
        self.worker.post_values(values.as_dict() if values is not None else {})

    def _on_failed(self, text: str) -> None:
        self.last_error = text
        log.error("stream window: rendering stopped: %s", text)

    # ------------------------------------------------------------------ painting
    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        frame = self._sink.newest()
        if self.transparent:
            painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
            painter.fillRect(self.rect(), Qt.GlobalColor.transparent)
        else:
            painter.fillRect(self.rect(), QColor(*self.background_rgb))
        if frame is not None:
            h, w = frame.shape[:2]
            image = QImage(frame.data, w, h, 4 * w, QImage.Format.Format_RGBA8888)
            scale = self.width() / max(self._sink.size[0], 1)  # frame px -> logical px (rendered at the sink's size)
            target = QRectF((self.width() - w * scale) / 2.0, (self.height() - h * scale) / 2.0, w * scale, h * scale)
            painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
            painter.drawImage(target, image)
        painter.end()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.set_avatar_size((self.width(), self.height()))  # the screen's device-pixel ratio is known now

    # ------------------------------------------------------------------ input
    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._drag = event.globalPosition().toPoint() - self.frameGeometry().topLeft()

    def mouseMoveEvent(self, event) -> None:
        if self._drag is not None:
            self.move(event.globalPosition().toPoint() - self._drag)

    def mouseReleaseEvent(self, event) -> None:
        self._drag = None

    def mouseDoubleClickEvent(self, event) -> None:
        self.close()

    def wheelEvent(self, event) -> None:
        factor = 1.1 if event.angleDelta().y() > 0 else 1 / 1.1
        self.set_avatar_size((round(self.width() * factor), round(self.height() * factor)))

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.close()
        else:
            super().keyPressEvent(event)

    def closeEvent(self, event) -> None:
        super().closeEvent(event)
        self._stop()
        self.closed.emit()

    def _stop(self) -> None:
        """Stop the worker (its context released) and leave the document's signals."""
        self.worker.stop()
        for signal, slot in ((self.bridge.changed, self._on_document_changed),
                             (self.bridge.values_changed, self._on_values_changed),
                             (self.bridge.document_replaced, self._on_document_replaced)):
            try:
                signal.disconnect(slot)
            except (RuntimeError, TypeError):  # already disconnected
                pass

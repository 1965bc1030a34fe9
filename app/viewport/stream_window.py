"""The stream window: a borderless window showing only the avatar, for OBS window capture.

A ``QOpenGLWidget`` top-level window on the document's rig at the current parameter values (the same
:class:`~app.bridge.DocumentBridge` as the editor's viewport, so tracking, lip-sync and the preview
animation move it too), drawn with :class:`app.render.renderer.Renderer`, fitted into the window with a
small margin, over

* a solid **key colour** (``background``, default pure green: OBS's chroma key removes it), or
* **transparency** (``transparent=True``) where the window system composites alpha (Windows, macOS,
  X11 with a compositor, Wayland): OBS's window capture then sees only the avatar.
  :func:`transparency_supported` says whether the platform can; without it the key colour is used.

No frame, no menus: left-drag moves the window, the wheel or :meth:`set_avatar_size` resizes it, Esc or
a double click closes it. Values only; nothing enters the history.
"""

from __future__ import annotations

import logging

import moderngl
from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtOpenGLWidgets import QOpenGLWidget

from app.bridge import DocumentBridge
from app.render.renderer import Renderer
from app.render.view import View
from app.viewport.evaluator import RigEvaluator

log = logging.getLogger(__name__)

KEY_RGB = (0, 255, 0)
MARGIN_PX = 8.0
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


class StreamWindow(QOpenGLWidget):
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

    Signals
    -------
    closed()
    """

    closed = Signal()

    def __init__(self, bridge: DocumentBridge, size: tuple[int, int] = (720, 720),
                 background: tuple[int, int, int] = KEY_RGB, transparent: bool = False) -> None:
        super().__init__(None)
        self.bridge = bridge
        self.evaluator = RigEvaluator()
        self.background_rgb = tuple(int(c) for c in background)
        self.transparent = bool(transparent) and transparency_supported()
        if transparent and not self.transparent:
            log.info("the window system has no transparent windows; the stream window uses its key colour")
        self.ctx: moderngl.Context | None = None
        self.renderer: Renderer | None = None
        self.last_error: str | None = None
        self._drag: QPoint | None = None
        self.setWindowTitle("Kirie stream")
        self.setWindowFlags(Qt.WindowType.Window | Qt.WindowType.FramelessWindowHint)
        if self.transparent:
            self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
        self.set_avatar_size(size)
        bridge.changed.connect(self._on_document_changed)
        bridge.values_changed.connect(self._on_values_changed)
        bridge.document_replaced.connect(self._on_document_changed)

    def set_avatar_size(self, size: tuple[int, int]) -> None:
        """Resize the window to (W, H) logical pixels (clamped to [64, 4096] each)."""
        w, h = (min(MAX_SIDE_PX, max(MIN_SIDE_PX, int(v))) for v in size)
        self.setFixedSize(w, h)

    # ------------------------------------------------------------------ model events
    def _on_document_changed(self, *_args) -> None:
        self.evaluator.invalidate()
        self.update()

    def _on_values_changed(self, _changed) -> None:
        self.evaluator.values_changed()
        self.update()

    # ------------------------------------------------------------------ GL
    def initializeGL(self) -> None:
        self.ctx = moderngl.create_context()
        self.renderer = Renderer(self.ctx)

    def paintGL(self) -> None:
        fb = self.ctx.detect_framebuffer(self.defaultFramebufferObject())
        clear = None if self.transparent else tuple(c / 255.0 for c in self.background_rgb)
        fb.use()
        fb.clear(*(clear + (1.0,) if clear else (0.0, 0.0, 0.0, 0.0)))
        rig = self.bridge.rig
        try:
            evaluated = self.evaluator.evaluated(rig, self.bridge.values)
        except Exception as exc:  # noqa: BLE001 - a broken rig must not take the window down
            if str(exc) != self.last_error:
                log.error("stream window: cannot evaluate the rig: %s", exc)
            self.last_error = str(exc)
            return
        self.last_error = None
        size = tuple(fb.size)
        view = View.fit((rig.canvas_width_px, rig.canvas_height_px), size, MARGIN_PX)
        self.renderer.render(evaluated, fb, view, clear=False)

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
        self.closed.emit()

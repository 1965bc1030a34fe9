"""The viewport: a ``QOpenGLWidget`` hosting :mod:`app.render` (style.md section 5, "Hosting").

- ``initializeGL``: ``moderngl.create_context()`` on the widget's context, a :class:`Renderer` and a
  :class:`BackgroundPass`;
- ``paintGL``: evaluate only when dirty (:class:`RigEvaluator`), draw the background, the rig, then
  the overlays (wireframe of the selected meshes, deformer gizmos) into
  ``ctx.detect_framebuffer(self.defaultFramebufferObject())``.

Navigation: wheel zooms about the cursor, middle-drag or Space+left-drag pans, :meth:`fit_view`
shows the whole canvas. A left click selects the topmost art mesh under the cursor (Shift/Ctrl
toggles it in the selection; a click on nothing clears it). Locked meshes
(``editor_meta["locked_ids"]``) are not picked.

``QSurfaceFormat.setDefaultFormat(opengl_format())`` must run before the ``QApplication`` exists.

Threads
-------
Painting stays on the GUI thread, on purpose. A ``QOpenGLWidget``'s context and framebuffer belong
to the widget, and Qt composites that framebuffer into the window on the GUI thread; Qt lets another
thread render into it only by moving the widget's context to that thread for each frame and holding
the GUI thread while it composites (the ``aboutToCompose`` / ``frameSwapped`` hand-shake of the
QOpenGLWidget "Threading" notes), and ``moderngl.create_context()`` wraps whichever context is
current, so the renderer would have to be rebuilt around a context that changes threads. With the
GUI thread waiting for the render either way, and software GL (llvmpipe) on the 2-core machines the
live loop targets, that gains nothing. What keeps the GUI thread light instead: tracking runs on its
own thread, the camera on another, and only the newest tracked frame drives the rig
(:mod:`app.jobs.tracking`); the evaluation's numeric core is compiled and releases the GIL
(:mod:`rig.evaluate.kernel`), so MediaPipe on the tracking thread and the evaluation here use both
cores; ``update()`` coalesces paints, and a keyform edit refreshes the evaluation plan instead of
recompiling it (:class:`app.viewport.evaluator.RigEvaluator`). Off-screen outputs that are not a
widget (``app.render.offscreen``: its own EGL context) are free of this limit: the virtual camera
evaluates and renders on its own thread and context (:mod:`app.tracking.sink_worker`), and so does the
stream window (:mod:`app.viewport.stream_window`, a plain widget that blits the worker's newest frame).
"""

from __future__ import annotations

import collections
import dataclasses
import logging
import time

import moderngl
import numpy as np
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QSurfaceFormat
from PySide6.QtOpenGLWidgets import QOpenGLWidget

from app.bridge import DocumentBridge
from app.render.background import BackgroundPass
from app.render.renderer import Renderer
from app.render.view import View
from app.viewport.evaluator import RigEvaluator
from app.viewport.hit_test import pick
from rig.evaluate.types import EvaluatedRig

log = logging.getLogger(__name__)

FIT_MARGIN_PX = 24.0
ZOOM_STEP = 1.0015  # zoom factor per wheel angle unit (1/8 degree): 120 units ~ x1.2
MIN_ZOOM, MAX_ZOOM = 0.02, 64.0


def opengl_format() -> QSurfaceFormat:
    """OpenGL 3.3 core, 8-bit RGBA, no multisampling: what the renderer's shaders need."""
    fmt = QSurfaceFormat()
    fmt.setVersion(3, 3)
    fmt.setProfile(QSurfaceFormat.OpenGLContextProfile.CoreProfile)
    fmt.setAlphaBufferSize(8)
    fmt.setDepthBufferSize(0)
    fmt.setStencilBufferSize(0)
    return fmt


class Viewport(QOpenGLWidget):
    """Live view of the document's rig at the current parameter values.

    Parameters
    ----------
    bridge : DocumentBridge
        Source of the rig, values and selection; the viewport redraws on its signals.

    Signals
    -------
    zoom_changed(float)
        Viewport px per canvas px after a zoom, pan, fit or resize.
    frame_rendered(float)
        Seconds ``paintGL`` took (evaluation + draw submission).
    """

    zoom_changed = Signal(float)
    frame_rendered = Signal(float)

    def __init__(self, bridge: DocumentBridge, parent=None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.evaluator = RigEvaluator()
        self.ctx: moderngl.Context | None = None
        self.renderer: Renderer | None = None
        self.background: BackgroundPass | None = None
        self._view: View | None = None  # None: fit the canvas on every resize
        self.wireframe = True  # wireframe of the selected meshes
        self.show_gizmos = False  # every deformer's gizmo (the selected deformer's is always shown)
        self.checkerboard = True
        self.solid_rgb = (1.0, 1.0, 1.0)
        self.last_frame_s = 0.0
        self.last_error: str | None = None
        self._paint_times: collections.deque[float] = collections.deque(maxlen=240)
        self._drag: tuple[QPointF, tuple[float, float]] | None = None
        self._space = False
        self.tool = None  # the active app.viewport.tools.base.Tool, or None (click selects)
        self.setMouseTracking(True)  # tools show hover feedback (brush outline, handle highlight)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(160, 120)
        bridge.changed.connect(self._on_document_changed)
        bridge.values_changed.connect(self._on_values_changed)
        bridge.document_replaced.connect(self._on_document_replaced)
        bridge.selection_changed.connect(self.update)

    # ------------------------------------------------------------------ state
    @property
    def view(self) -> View:
        """The current canvas-to-viewport transform (framebuffer px)."""
        size = self._framebuffer_size()
        if self._view is None:
            return View.fit(self._canvas_size(), size, FIT_MARGIN_PX)
        return self._view.with_viewport(size)

    def fit_view(self) -> None:
        """Show the whole canvas, centred; the view follows resizes until the next pan or zoom."""
        self._view = None
        self.zoom_changed.emit(self.view.zoom)
        self.update()

    def set_view(self, view: View) -> None:
        zoom = min(MAX_ZOOM, max(MIN_ZOOM, view.zoom))
        self._view = dataclasses.replace(view, zoom=zoom, canvas_size_px=self._canvas_size())
        self.zoom_changed.emit(self._view.zoom)
        self.update()

    def evaluated(self) -> EvaluatedRig:
        """The rig at the current values (evaluated now if dirty)."""
        return self.evaluator.evaluated(self.bridge.rig, self.bridge.values)

    def _canvas_size(self) -> tuple[int, int]:
        rig = self.bridge.rig
        return (rig.canvas_width_px, rig.canvas_height_px)

    def _framebuffer_size(self) -> tuple[int, int]:
        dpr = self.devicePixelRatioF()
        return (max(1, round(self.width() * dpr)), max(1, round(self.height() * dpr)))

    # ------------------------------------------------------------------ events from the model
    def _on_document_changed(self, change) -> None:
        self.evaluator.invalidate(change)
        self.update()

    def _on_values_changed(self, changed: dict) -> None:
        self.evaluator.values_changed()
        self.update()

    # ------------------------------------------------------------------ tools
    def set_tool(self, tool) -> None:
        """Make ``tool`` (an :class:`app.viewport.tools.base.Tool` or None) the active tool."""
        if self.tool is tool:
            return
        if self.tool is not None:
            self.tool.deactivate()
            self.tool.overlay_changed.disconnect(self.update)
        self.tool = tool
        if tool is not None:
            tool.overlay_changed.connect(self.update)
            tool.activate()
        self.update()

    def _on_document_replaced(self) -> None:
        self.evaluator.invalidate()
        self.fit_view()

    # ------------------------------------------------------------------ GL
    def initializeGL(self) -> None:
        self.ctx = moderngl.create_context()
        self.renderer = Renderer(self.ctx)
        self.background = BackgroundPass(self.ctx)
        log.info("viewport OpenGL: %s, %s", self.ctx.info.get("GL_RENDERER"), self.ctx.info.get("GL_VERSION"))

    def paintGL(self) -> None:
        t0 = time.perf_counter()
        fb = self.ctx.detect_framebuffer(self.defaultFramebufferObject())
        view = self.view
        self.background.render(fb, view, self.checkerboard, self.solid_rgb)
        try:
            evaluated = self.evaluated()
        except Exception as exc:  # noqa: BLE001 - a broken rig must not take the window down
            if str(exc) != self.last_error:
                log.error("cannot evaluate the rig: %s", exc)
            self.last_error = str(exc)
            return
        self.last_error = None
        if self.tool is not None:
            evaluated = self.tool.preview(evaluated)
        self.renderer.render(evaluated, fb, view, clear=False)
        overlay = self._overlay(evaluated)
        if overlay is not None:
            self.renderer.render(overlay, fb, view, clear=False, wireframe=True, gizmos=bool(overlay.gizmos))
        shapes = self.tool.overlay_shapes(evaluated) if self.tool is not None else None
        if shapes is not None:
            self.renderer.render_shapes(shapes, fb, view)
        self._timing(t0)

    def _overlay(self, evaluated: EvaluatedRig) -> EvaluatedRig | None:
        """Selected items (drawn invisible, wireframed) and the gizmos to show, or None."""
        selected = self.bridge.state.selection.ids
        items = ()
        if self.wireframe:
            items = tuple(dataclasses.replace(i, opacity=0.0, mask_ids=()) for i in evaluated.items
                          if i.art_mesh_id in selected)
        gizmos = tuple(g for g in evaluated.gizmos if self.show_gizmos or g.deformer_id in selected)
        if not items and not gizmos:
            return None
        return EvaluatedRig(evaluated.canvas_size_px, items, {}, {}, gizmos)

    def _timing(self, t0: float) -> None:
        now = time.perf_counter()
        self.last_frame_s = now - t0
        self._paint_times.append(now)
        self.frame_rendered.emit(self.last_frame_s)

    @property
    def fps(self) -> int:
        """Frames painted during the last second (0 while idle)."""
        now = time.perf_counter()
        return sum(1 for t in self._paint_times if now - t <= 1.0)

    def resizeGL(self, w: int, h: int) -> None:
        self.zoom_changed.emit(self.view.zoom)

    # ------------------------------------------------------------------ mouse and keys
    def _fb_pos(self, pos: QPointF) -> tuple[float, float]:
        dpr = self.devicePixelRatioF()
        return (pos.x() * dpr, pos.y() * dpr)

    def canvas_point(self, pos: QPointF) -> tuple[float, float]:
        """Widget position (logical px) -> canvas px."""
        p = self.view.viewport_to_canvas(np.array([self._fb_pos(pos)]))[0]
        return (float(p[0]), float(p[1]))

    def wheelEvent(self, event) -> None:
        delta = event.angleDelta().y()
        if delta:
            self.set_view(self.view.zoomed_at(ZOOM_STEP**delta, self._fb_pos(event.position())))
        event.accept()

    def mousePressEvent(self, event) -> None:
        button = event.button()
        if button == Qt.MouseButton.MiddleButton or (button == Qt.MouseButton.LeftButton and self._space):
            self._drag = (event.position(), self.view.pan_px)
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
        elif self.tool is not None and self.tool.press_event(self.canvas_point(event.position()), button,
                                                             event.modifiers()):
            pass
        elif button == Qt.MouseButton.LeftButton:
            self.select_at(event.position(), event.modifiers())
        event.accept()

    def mouseMoveEvent(self, event) -> None:
        if self._drag is not None:
            start, pan = self._drag
            dpr = self.devicePixelRatioF()
            d = event.position() - start
            self.set_view(dataclasses.replace(self.view, pan_px=(pan[0] + d.x() * dpr, pan[1] + d.y() * dpr)))
        elif self.tool is not None:
            self.tool.move_event(self.canvas_point(event.position()), event.buttons(), event.modifiers())
        event.accept()

    def mouseReleaseEvent(self, event) -> None:
        if self._drag is not None:
            self._drag = None
            self.unsetCursor()
        elif self.tool is not None:
            self.tool.release_event(self.canvas_point(event.position()), event.button(), event.modifiers())
        event.accept()

    def mouseDoubleClickEvent(self, event) -> None:
        if self.tool is not None and self._drag is None and self.tool.double_click_event(
                self.canvas_point(event.position()), event.button(), event.modifiers()):
            event.accept()
            return
        self.mousePressEvent(event)

    def keyPressEvent(self, event) -> None:
        if self.tool is not None and event.key() != Qt.Key.Key_Space and self.tool.key_event(event.key(), event.modifiers()):
            event.accept()
            return
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.setCursor(Qt.CursorShape.OpenHandCursor)
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = False
            self.unsetCursor()
        super().keyReleaseEvent(event)

    def select_at(self, pos: QPointF, modifiers=Qt.KeyboardModifier.NoModifier) -> str | None:
        """Select the topmost unlocked art mesh under widget position ``pos``; return its id."""
        try:
            evaluated = self.evaluated()
        except Exception:  # noqa: BLE001 - nothing to pick in a broken rig
            return None
        locked = frozenset(self.bridge.document.editor_meta.get("locked_ids", ()))
        hit = pick(evaluated, self.canvas_point(pos), skip=locked)
        selection = self.bridge.state.selection
        toggle = bool(modifiers & (Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.ControlModifier))
        if hit is None:
            if not toggle:
                selection.clear()
        elif toggle:
            selection.toggle(hit)
        else:
            selection.select(hit)
        return hit

    # ------------------------------------------------------------------ teardown
    def release_gl(self) -> None:
        """Free GPU objects (call before the widget's context goes away)."""
        if self.ctx is None:
            return
        self.makeCurrent()
        self.renderer.release()
        self.background.release()
        self.doneCurrent()
        self.ctx = self.renderer = self.background = None

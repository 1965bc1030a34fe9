"""Helpers of the Deform-mode Qt tests: real mouse gestures in canvas px, rig snapshots, renders."""

from __future__ import annotations

import copy
import pickle

import numpy as np
from PySide6.QtCore import QPoint, QPointF, Qt

from rig.document.commands import ReplaceRig
from rig.evaluate import evaluate
from rig.model import deep_equal


def load_rig(window, rig) -> None:
    """Put ``rig`` into the window's document (one ReplaceRig), mark it saved, fit the view."""
    window.bridge.push(ReplaceRig(window.bridge.rig, rig))
    window.bridge.document.history.mark_clean()
    window.viewport.fit_view()


def enter_deform(window, qtbot, object_id: str) -> None:
    """Select ``object_id`` and switch Deform mode on with its shortcut ("D")."""
    window.bridge.state.selection.select(object_id)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    window.viewport.setFocus()
    qtbot.keyClick(window.viewport, Qt.Key.Key_D)
    assert window.deform.enabled, "the D shortcut did not enter Deform mode"


def widget_point(viewport, canvas_px) -> QPoint:
    """Canvas px -> logical widget px (rounded)."""
    fb = viewport.view.canvas_to_viewport(np.asarray(canvas_px, np.float64)[None])[0]
    w = fb / viewport.devicePixelRatioF()
    return QPoint(round(float(w[0])), round(float(w[1])))


def canvas_of(viewport, point: QPoint) -> np.ndarray:
    """Where a widget point lands in canvas px."""
    return np.asarray(viewport.canvas_point(QPointF(point)), np.float64)


def drag(qtbot, viewport, start_px, end_px, modifier=Qt.KeyboardModifier.NoModifier, steps: int = 4,
         release: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Press at ``start_px``, move in ``steps`` to ``end_px`` (canvas px), release; return the actual canvas
    positions of press and release (after rounding to widget px)."""
    a, b = widget_point(viewport, start_px), widget_point(viewport, end_px)
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, modifier, a)
    for t in np.linspace(0, 1, steps + 1)[1:]:
        p = QPoint(round(a.x() + (b.x() - a.x()) * t), round(a.y() + (b.y() - a.y()) * t))
        qtbot.mouseMove(viewport, p)
    if release:
        qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, modifier, b)
    return canvas_of(viewport, a), canvas_of(viewport, b)


def snapshot(window):
    """A deep copy of the document's rig and the undo depth."""
    return copy.deepcopy(window.bridge.rig), window.bridge.document.history.undo_count


def assert_one_step_and_exact_undo(window, before) -> None:
    """Exactly one undo step was added since ``before``, and undoing it restores the rig exactly."""
    rig0, depth0 = before
    history = window.bridge.document.history
    assert history.undo_count == depth0 + 1, f"expected one undo step, got {history.undo_count - depth0}"
    assert not deep_equal(rig0, window.bridge.rig)
    after = copy.deepcopy(window.bridge.rig)
    window.bridge.undo()
    assert deep_equal(rig0, window.bridge.rig), "undo did not restore the rig exactly"
    window.bridge.redo()
    assert deep_equal(after, window.bridge.rig)


def vertices(rig, values) -> dict[str, np.ndarray]:
    """Evaluated canvas vertices of every drawn art mesh."""
    return {i.art_mesh_id: np.array(i.vertices_px) for i in evaluate(rig, values).items}


_render_thread = None
_render_ctx = None


def _render_in_thread(evaluated) -> np.ndarray:
    global _render_ctx
    import moderngl

    from app.render.offscreen import render_to_array

    if _render_ctx is None:
        _render_ctx = moderngl.create_standalone_context(backend="egl")
    return render_to_array(evaluated, ctx=_render_ctx)


def render(rig, values) -> np.ndarray:
    """The rig rendered headless at ``values`` ((H, W, 4) uint8).

    The render runs on a worker thread with its own EGL context: on the GUI thread the EGL context
    and Qt's GLX contexts would keep each other from becoming current (blank read-backs, later
    "QOpenGLWidget: Failed to make context current" in other tests).
    """
    from concurrent.futures import ThreadPoolExecutor

    global _render_thread
    if _render_thread is None:
        _render_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="deform-test-render")
    image = _render_thread.submit(_render_in_thread, evaluate(rig, values)).result()
    assert image[..., 3].any(), "the offscreen render came back empty"
    return image


def fresh(rig):
    return pickle.loads(pickle.dumps(rig))


def screenshot(window, path) -> None:
    """Save the window with the viewport's GL framebuffer painted in (``QWidget.grab`` leaves it blank)."""
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QPainter

    image = window.grab().toImage()
    gl = window.viewport.grabFramebuffer()
    gl.setDevicePixelRatio(window.viewport.devicePixelRatioF())
    painter = QPainter(image)
    painter.drawImage(window.viewport.mapTo(window, QPoint(0, 0)), gl)
    painter.end()
    image.save(str(path))

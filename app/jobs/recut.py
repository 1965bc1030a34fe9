"""The brush's re-cut (Paint Mask) as a :class:`~app.jobs.base.BackgroundJob`.

:func:`recut` cuts, completes and meshes one layer again from the source image
(:func:`inference.layers.recut.recut_layer`) and locates the new vertices in the old mesh
(:func:`rig.document.commands.repaint.repaint_vertex_map`); it only reads the rig, so it is safe on a
worker thread. :class:`RecutRunner` runs it for :class:`app.viewport.tools.brush_tool.BrushTool`: at
once on the GUI thread (:meth:`RecutRunner.run_now`) or on a ``QThread`` (:meth:`RecutRunner.start`),
and reports both the same way (:attr:`RecutRunner.finished`). Building and pushing the
``RepaintLayer`` stays with the tool, on the GUI thread.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, Signal

from app.jobs.base import BackgroundJob, JobRunner
from inference.layers.recut import CUT_KINDS, recut_layer
from rig.document.commands.repaint import repaint_vertex_map


def recut(request) -> tuple:
    """``(Recut, vertex_map)`` for ``request`` (read-only on ``request.rig``); errors propagate.

    ``request`` is an :class:`app.viewport.tools.brush_tool.RecutRequest` (``rig``, ``source``,
    ``layer_id``, ``mask``); it is not imported here, so the jobs do not depend on the viewport.
    """
    cut = recut_layer(request.source, request.layer_id, request.mask)
    size = (cut.layer.image.shape[1], cut.layer.image.shape[0])
    vmap = repaint_vertex_map(request.rig, request.layer_id, size, cut.layer.origin_px, cut.mesh.uvs)
    return cut, vmap


class RecutWorker(BackgroundJob):
    """One re-cut; emits ``succeeded((Recut, vertex_map))`` or ``failed(message, traceback)``."""

    what = "Re-cut"

    def __init__(self, request) -> None:
        super().__init__()
        self.request = request

    def work(self):
        return recut(self.request)

    def failure_message(self, exc: Exception) -> str:
        return str(exc)  # shown after "Paint mask:" in the status bar


class RecutRunner(JobRunner):
    """Runs the brush's re-cuts, one at a time, without a dialog.

    Attributes
    ----------
    cut_kinds : tuple of str
        Layer kinds a source record can re-cut (:data:`inference.layers.recut.CUT_KINDS`).

    Signals
    -------
    finished(object, object, float)
        ``(request, result, seconds)``: ``result`` is ``(Recut, vertex_map)`` or the failure message (str).
    """

    finished = Signal(object, object, float)
    job_name = "re-cut"
    cut_kinds: tuple[str, ...] = CUT_KINDS

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)

    def run_now(self, request) -> None:
        """Re-cut on this (the GUI) thread; :attr:`finished` is emitted before this returns."""
        worker = RecutWorker(request)
        t0 = time.perf_counter()
        try:
            result = worker.work()
        except Exception as exc:  # noqa: BLE001 - reported to the user, the document is untouched
            result = worker.failure_message(exc)
        worker.deleteLater()
        self.finished.emit(request, result, time.perf_counter() - t0)

    def start(self, request) -> bool:
        """Re-cut on a worker thread; False when one is already running."""
        if self.running:
            return False
        self._launch(RecutWorker(request), None, "kirie-recut")
        return True

    def cancel(self) -> None:
        """A re-cut runs to its end (a fraction of a second); its result is dropped when stale."""

    def _finish(self, status: str, payload) -> None:
        request, seconds = self.worker.request, time.perf_counter() - self.started_at
        self._stop_thread()
        self._release()
        result = payload if status == "done" else (payload[0] if status == "failed" else "cancelled")
        self.finished.emit(request, result, seconds)

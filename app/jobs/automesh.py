"""Edit > Auto-mesh off the GUI thread (style.md section 4, like :mod:`app.jobs.generation`).

:class:`AutoMeshWorker` runs :func:`inference.meshing.automesh.automesh_command` in a ``QThread`` over a
**deep copy** of the document's rig and emits the finished command; :class:`AutoMeshProgress` is
a small window-modal dialog with a bar and **Cancel**; :class:`AutoMeshRunner` ties them together.
On the GUI thread the command is pushed through the bridge as one undo step, unless the document
changed while the worker ran (a push, undo or redo, or another document): then the result is
dropped with a status message. Failures become a readable message plus a traceback ("Show
Details...").
"""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from app.bridge import DocumentBridge
from app.jobs.base import BackgroundJob, JobRunner
from app.jobs.progress import ProgressDialog
from inference.types import CancelToken
from rig.errors import RigError
from rig.model import Rig

log = logging.getLogger(__name__)


class AutoMeshWorker(BackgroundJob):
    """Builds the Auto-mesh command once; emit-only, owned by its thread.

    Signals
    -------
    progress(float, str)
        Fraction of meshes done in [0, 1] and the mesh being meshed.
    succeeded(object)
        The :class:`~rig.document.commands.EditMeshes` (built over the copy).
    failed(str, str)
        A readable message and the traceback.
    cancelled()
    """

    what = "Auto-mesh"

    def __init__(self, rig: Rig, mesh_ids: list[str], preset: str, token: CancelToken) -> None:
        super().__init__()
        self.rig, self.mesh_ids, self.preset, self.token = rig, list(mesh_ids), preset, token

    def work(self):
        from inference.meshing.automesh import automesh_command

        return automesh_command(self.rig, self.mesh_ids, self.preset, progress=self.progress.emit, cancel=self.token)

    def is_cancelled(self) -> bool:
        return self.token.cancelled


class AutoMeshProgress(ProgressDialog):
    """A progress bar and Cancel (Esc and the close button cancel too)."""

    def __init__(self, what: str, parent: QWidget | None = None) -> None:
        super().__init__("Auto-mesh", f"Re-meshing {what}...", parent)
        self.setObjectName("AutoMeshProgress")

    def show_progress(self, fraction: float, mesh_id: str) -> None:
        self.set_fraction(fraction)
        if mesh_id:
            self.status.setText(f"Re-meshing {mesh_id}...")


class AutoMeshRunner(JobRunner):
    """Runs one Auto-mesh at a time and applies its command on the GUI thread.

    Parameters
    ----------
    bridge : DocumentBridge
    parent_widget : QWidget
        Parent of the progress dialog.
    on_status : callable(str)
        Short messages (the status bar).
    on_error : callable(message, details)
        A failed run (a message box with the traceback behind "Show Details...").

    Signals
    -------
    finished(str)
        ``"done"``, ``"cancelled"``, ``"failed"`` or ``"stale"`` (the document changed meanwhile;
        nothing pushed) after the thread has stopped.
    """

    finished = Signal(str)

    def __init__(self, bridge: DocumentBridge, parent_widget: QWidget, on_status: Callable[[str], None],
                 on_error: Callable[[str, str], None]) -> None:
        super().__init__(parent_widget)
        self.bridge, self.parent_widget = bridge, parent_widget
        self.on_status, self.on_error = on_status, on_error
        self.token: CancelToken | None = None
        self.document = None
        self.stale = False

    def start(self, mesh_ids: list[str], preset: str) -> bool:
        """Re-mesh ``mesh_ids`` with ``preset`` in the background; False when one is already running."""
        if self.running:
            self.on_status("Auto-mesh is already running")
            return False
        self.token, self.document, self.stale = CancelToken(), self.bridge.document, False
        what = mesh_ids[0] if len(mesh_ids) == 1 else f"{len(mesh_ids)} art meshes"
        self.bridge.changed.connect(self._mark_stale)
        self.bridge.document_replaced.connect(self._mark_stale)
        worker = AutoMeshWorker(copy.deepcopy(self.bridge.rig), mesh_ids, preset, self.token)
        self._launch(worker, AutoMeshProgress(what, self.parent_widget))
        return True

    job_name = "auto-mesh"

    def cancel(self) -> None:
        """Ask the worker to stop (before its next mesh); nothing is pushed."""
        if self.token is not None:
            self.token.cancel()

    def _mark_stale(self, *_args) -> None:
        self.stale = True

    def _release(self) -> None:
        self.bridge.changed.disconnect(self._mark_stale)
        self.bridge.document_replaced.disconnect(self._mark_stale)
        super()._release()
        self.token = None

    def _finish(self, status: str, payload) -> None:
        self._stop_thread()
        stale = self.stale or self.bridge.document is not self.document
        if status == "done" and self.token.cancelled:  # Cancel came after the last check: drop it
            status = "cancelled"
        self._release()
        self.document = None
        if status == "done" and stale:
            status = "stale"
            self.on_status("Auto-mesh result dropped: the document changed while it ran")
        elif status == "done":
            status = self._apply(payload)
        elif status == "failed":
            log.error("auto-mesh failed: %s", payload[0])
            self.on_status(payload[0])
            self.on_error(*payload)
        else:
            self.on_status("Auto-mesh cancelled")
        log.info("auto-mesh %s after %.2f s", status, time.perf_counter() - self.started_at)
        self.finished.emit(status)

    def _apply(self, cmd) -> str:
        """Push ``cmd`` (built over the copy) as one undo step; its undo restores the live meshes."""
        def rebased(rig):
            for child in cmd.commands:
                if rig.art_meshes[child.index].id != child.mesh_id:
                    raise RigError(f"auto-mesh: {child.mesh_id!r} moved while meshing")
                child.old = rig.art_meshes[child.index]
            return cmd

        if not self.bridge.apply(rebased):  # refused: reported (status bar, log) by the bridge
            return "failed"
        rig = self.bridge.rig
        n = sum(rig.art_mesh(c.mesh_id).vertex_count for c in cmd.commands)
        self.on_status(f"{cmd.label}: {n} vertices")
        return "done"

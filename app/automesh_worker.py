"""Edit > Auto-mesh off the GUI thread (style.md section 4, like :mod:`app.generation`).

:class:`AutoMeshWorker` runs :func:`inference.automesh.automesh_command` in a ``QThread`` over a
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
import traceback
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import QDialog, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from app.bridge import DocumentBridge
from app.workers import BackgroundJob
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
        from inference.automesh import automesh_command

        return automesh_command(self.rig, self.mesh_ids, self.preset, progress=self.progress.emit, cancel=self.token)

    def is_cancelled(self) -> bool:
        return self.token.cancelled


class AutoMeshProgress(QDialog):
    """A progress bar and Cancel (Esc and the close button cancel too).

    Signals
    -------
    cancel_requested()
    """

    cancel_requested = Signal()

    def __init__(self, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("AutoMeshProgress")
        self.setWindowTitle("Auto-mesh")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.status = QLabel(f"Re-meshing {what}...")
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self._cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignRight)

    def show_progress(self, fraction: float, mesh_id: str) -> None:
        self.bar.setValue(round(1000 * max(0.0, min(1.0, fraction))))
        if mesh_id:
            self.status.setText(f"Re-meshing {mesh_id}...")

    def _cancel(self) -> None:
        self.cancel_button.setEnabled(False)
        self.status.setText("Cancelling...")
        self.cancel_requested.emit()

    def reject(self) -> None:
        if self.cancel_button.isEnabled():
            self._cancel()


class AutoMeshRunner(QObject):
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
        self.thread: QThread | None = None
        self.worker: AutoMeshWorker | None = None
        self.dialog: AutoMeshProgress | None = None
        self.token: CancelToken | None = None
        self.document = None
        self.stale = False
        self.started_at = 0.0

    @property
    def running(self) -> bool:
        return self.thread is not None

    def start(self, mesh_ids: list[str], preset: str) -> bool:
        """Re-mesh ``mesh_ids`` with ``preset`` in the background; False when one is already running."""
        if self.running:
            self.on_status("Auto-mesh is already running")
            return False
        self.started_at = time.perf_counter()
        self.token, self.document, self.stale = CancelToken(), self.bridge.document, False
        self.thread = QThread(self)
        self.worker = AutoMeshWorker(copy.deepcopy(self.bridge.rig), mesh_ids, preset, self.token)
        self.worker.moveToThread(self.thread)
        what = mesh_ids[0] if len(mesh_ids) == 1 else f"{len(mesh_ids)} art meshes"
        self.dialog = AutoMeshProgress(what, self.parent_widget)
        self.dialog.cancel_requested.connect(self.cancel)
        self.worker.progress.connect(self.dialog.show_progress)
        self.worker.succeeded.connect(self._on_succeeded)
        self.worker.failed.connect(self._on_failed)
        self.worker.cancelled.connect(self._on_cancelled)
        self.bridge.changed.connect(self._mark_stale)
        self.bridge.document_replaced.connect(self._mark_stale)
        self.thread.started.connect(self.worker.run)
        self.dialog.show()
        self.thread.start()
        return True

    def cancel(self) -> None:
        """Ask the worker to stop (before its next mesh); nothing is pushed."""
        if self.token is not None:
            self.token.cancel()

    def shutdown(self, timeout_ms: int = 30_000) -> None:
        """Cancel a running Auto-mesh and wait for its thread (the window is closing); no callbacks."""
        if self.thread is None:
            return
        self.token.cancel()
        for signal in (self.worker.succeeded, self.worker.failed, self.worker.cancelled):
            signal.disconnect()
        self.thread.quit()
        if not self.thread.wait(timeout_ms):
            log.warning("the auto-mesh thread did not stop within %d ms", timeout_ms)
        self._release()

    def _mark_stale(self, *_args) -> None:
        self.stale = True

    @Slot(object)
    def _on_succeeded(self, cmd) -> None:
        self._finish("done", cmd)

    @Slot(str, str)
    def _on_failed(self, message: str, details: str) -> None:
        self._finish("failed", (message, details))

    @Slot()
    def _on_cancelled(self) -> None:
        self._finish("cancelled", None)

    def _release(self) -> None:
        self.bridge.changed.disconnect(self._mark_stale)
        self.bridge.document_replaced.disconnect(self._mark_stale)
        self.dialog.close()
        self.dialog.deleteLater()
        self.worker.deleteLater()
        self.thread.deleteLater()
        self.thread = self.worker = self.dialog = self.token = None

    def _finish(self, status: str, payload) -> None:
        self.thread.quit()
        self.thread.wait()
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
        rig = self.bridge.rig
        try:
            for child in cmd.commands:
                if rig.art_meshes[child.index].id != child.mesh_id:
                    raise RigError(f"auto-mesh: {child.mesh_id!r} moved while meshing")
                child.old = rig.art_meshes[child.index]
            self.bridge.push(cmd)
        except RigError as exc:
            log.error("%s", exc)
            self.on_status(str(exc))
            self.on_error(str(exc), traceback.format_exc())
            return "failed"
        n = sum(rig.art_mesh(c.mesh_id).vertex_count for c in cmd.commands)
        self.on_status(f"{cmd.label}: {n} vertices")
        return "done"

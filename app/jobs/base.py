"""The one shape of background work in the editor: a QObject moved to a QThread that runs a job,
reports progress (or streams partial results), honours a cancel flag and ends with exactly one of
three signals.

Subclasses implement :meth:`BackgroundJob.work` (runs on the worker thread) and, optionally,
:meth:`BackgroundJob.failure_message`; :class:`JobRunner` owns the thread, an optional progress
dialog and the outcome routing. Used by New from Image (:mod:`app.jobs.generation`), Auto-mesh
(:mod:`app.jobs.automesh`), File > Export (:mod:`app.editor.export_actions`), the brush re-cut
(:mod:`app.jobs.recut`) and face tracking (:mod:`app.jobs.tracking`, a streaming job: every frame
goes out through :attr:`BackgroundJob.partial`).
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from rig.errors import CancelledError, RigError

log = logging.getLogger(__name__)


class BackgroundJob(QObject):
    """Emit-only job object owned by its thread.

    Signals
    -------
    progress(float, str)
        Fraction in [0, 1] and a stage or item name.
    partial(object)
        A result while the job keeps running (a streaming job: one tracked frame).
    succeeded(object)
        The job's result (``object``, not ``list``/``dict``: container-typed signals tripped a
        PySide6 reference-count bug).
    failed(str, str)
        A readable message and the traceback.
    cancelled()
    """

    progress = Signal(float, str)
    partial = Signal(object)
    succeeded = Signal(object)
    failed = Signal(str, str)
    cancelled = Signal()

    #: Used in the message of an unexpected (non-``RigError``) failure: "<what> failed unexpectedly".
    what = "The job"

    def __init__(self) -> None:
        super().__init__()
        #: Set once :meth:`run` has returned (any thread may wait on it; the outcome is still queued).
        self.done = threading.Event()

    def work(self) -> Any:
        """Do the job (on the worker thread) and return its result; raise ``CancelledError`` to stop."""
        raise NotImplementedError

    def is_cancelled(self) -> bool:
        """True when cancellation was requested (a late cancel drops a finished result)."""
        return False

    def failure_message(self, exc: Exception) -> str:
        """The readable message for ``exc``: a ``RigError``'s own text, else a generic sentence."""
        if isinstance(exc, RigError):
            return str(exc)
        return f"{self.what} failed unexpectedly: {type(exc).__name__}: {exc}"

    @Slot()
    def run(self) -> None:
        try:
            result = self.work()
        except CancelledError:
            self.cancelled.emit()
        except Exception as exc:  # noqa: BLE001 - every failure becomes a readable message
            self.failed.emit(self.failure_message(exc), traceback.format_exc())
        else:
            if self.is_cancelled():
                self.cancelled.emit()
            else:
                self.succeeded.emit(result)
        finally:
            self.done.set()


class JobRunner(QObject):
    """Runs one :class:`BackgroundJob` at a time on a ``QThread``, with a progress dialog or without.

    Subclasses build the job (and its dialog, if any), call :meth:`_launch`, implement :meth:`cancel`
    and :meth:`_finish` (which runs on the GUI thread once the job has ended), and may extend
    :meth:`_release`. Attributes ``thread``, ``worker`` and ``dialog`` are None when idle. A dialog
    needs a ``cancel_requested`` signal and a ``show_progress(fraction, stage)`` slot. Outcome
    signals of a job that was already released (stopped and replaced) are dropped.
    """

    #: Name used in the log when a thread does not stop in time.
    job_name = "background"

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.thread: QThread | None = None
        self.worker: BackgroundJob | None = None
        self.dialog = None
        self.started_at = 0.0

    @property
    def running(self) -> bool:
        return self.thread is not None

    def cancel(self) -> None:
        raise NotImplementedError

    def _finish(self, status: str, payload) -> None:
        """``status`` is "done" (payload: the result), "failed" ((message, details)) or "cancelled"."""
        raise NotImplementedError

    def _launch(self, worker: BackgroundJob, dialog=None, thread_name: str | None = None) -> None:
        self.started_at = time.perf_counter()
        self.thread = QThread(self)
        if thread_name:
            self.thread.setObjectName(thread_name)
        self.worker, self.dialog = worker, dialog
        worker.moveToThread(self.thread)
        if dialog is not None:
            dialog.cancel_requested.connect(self.cancel)
            worker.progress.connect(dialog.show_progress)
        # bound slots of this GUI-thread object: queued, so _finish runs on the GUI thread
        worker.succeeded.connect(self._on_succeeded)
        worker.failed.connect(self._on_failed)
        worker.cancelled.connect(self._on_cancelled)
        self.thread.started.connect(worker.run)
        if dialog is not None:
            dialog.show()
        self.thread.start()

    def shutdown(self, timeout_ms: int = 30_000) -> None:
        """Cancel a running job and wait for its thread (the window is closing); no callbacks."""
        if self.thread is None:
            return
        self.cancel()
        for signal in (self.worker.succeeded, self.worker.failed, self.worker.cancelled):
            signal.disconnect()
        self.thread.quit()  # takes effect as soon as the worker returns
        if not self.thread.wait(timeout_ms):
            log.warning("the %s thread did not stop within %d ms", self.job_name, timeout_ms)
        self._release()

    def wait_done(self, timeout_s: float = 30.0) -> bool:
        """Block until the running job's :meth:`BackgroundJob.run` returned (True when idle or done)."""
        return self.worker is None or self.worker.done.wait(timeout_s)

    def _stop_thread(self) -> None:
        self.thread.quit()
        self.thread.wait()

    def _release(self) -> None:
        """Close the dialog and drop the thread, job and dialog (all deleted later by Qt)."""
        if self.dialog is not None:
            self.dialog.close()
        for obj in (self.dialog, self.worker, self.thread):
            if obj is not None:
                obj.deleteLater()
        self.thread = self.worker = self.dialog = None

    def _current(self) -> bool:
        """The signal being handled comes from the running job (not from one already released)."""
        return self.worker is not None and self.sender() is self.worker

    @Slot(object)
    def _on_succeeded(self, result) -> None:
        if self._current():
            self._finish("done", result)

    @Slot(str, str)
    def _on_failed(self, message: str, details: str) -> None:
        if self._current():
            self._finish("failed", (message, details))

    @Slot()
    def _on_cancelled(self) -> None:
        if self._current():
            self._finish("cancelled", None)

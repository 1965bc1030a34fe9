"""The one shape of background work in the editor: a QObject moved to a QThread that runs a job,
reports progress, honours a cancel flag and ends with exactly one of three signals.

Subclasses implement :meth:`BackgroundJob.work` (runs on the worker thread) and, optionally,
:meth:`BackgroundJob.failure_message`. Used by New from Image (:mod:`app.generation`), Auto-mesh
(:mod:`app.automesh_worker`) and File > Export (:mod:`app.export_actions`).
"""

from __future__ import annotations

import traceback
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from rig.errors import CancelledError, RigError


class BackgroundJob(QObject):
    """Emit-only job object owned by its thread.

    Signals
    -------
    progress(float, str)
        Fraction in [0, 1] and a stage or item name.
    succeeded(object)
        The job's result (``object``, not ``list``/``dict``: container-typed signals tripped a
        PySide6 reference-count bug).
    failed(str, str)
        A readable message and the traceback.
    cancelled()
    """

    progress = Signal(float, str)
    succeeded = Signal(object)
    failed = Signal(str, str)
    cancelled = Signal()

    #: Used in the message of an unexpected (non-``RigError``) failure: "<what> failed unexpectedly".
    what = "The job"

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

"""New from Image: run :func:`inference.pipeline.generate` off the GUI thread (style.md section 4).

:class:`GenerationWorker` lives in a ``QThread`` and reports ``progress(fraction, stage)``;
:class:`GenerationDialog` shows a row per pipeline stage, an overall bar and **Cancel**
(:meth:`CancelToken.cancel`; the pipeline stops at its next check). :class:`GenerationController`
ties them together and hands the finished rig to a callback on the GUI thread, where it enters the
document as one :class:`~rig.document.commands.ReplaceRig` (one undo step). Errors arrive as a
short message plus a traceback for "Show Details...".
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from app.jobs.base import BackgroundJob, JobRunner
from app.jobs.progress import ProgressDialog
from inference.types import CancelToken

log = logging.getLogger(__name__)

STAGE_TITLES = {
    "load": "Load image", "foreground": "Foreground", "landmarks": "Face landmarks", "parts": "Parts",
    "layers": "Layers and completion", "meshes": "Meshes", "rig": "Rig (template fit)", "physics": "Physics",
}


class GenerationWorker(BackgroundJob):
    """Runs the pipeline once; emit-only, owned by its thread.

    Signals
    -------
    progress(float, str)
        Overall fraction in [0, 1] and the current stage name.
    succeeded(object)
        The :class:`inference.pipeline.GenerationResult`.
    failed(str, str)
        A readable message and the traceback.
    cancelled()
    """

    what = "Generation"

    def __init__(self, image_path: str, token: CancelToken) -> None:
        super().__init__()
        self.image_path = image_path
        self.token = token

    def work(self):
        from inference.pipeline import generate

        return generate(self.image_path, progress=self.progress.emit, cancel=self.token)

    def is_cancelled(self) -> bool:
        return self.token.cancelled


class GenerationDialog(ProgressDialog):
    """Per-stage progress and a Cancel button."""

    def __init__(self, image_name: str, parent: QWidget | None = None) -> None:
        from inference.pipeline import STAGES

        self.stage_labels: dict[str, QLabel] = {}
        grid = QGridLayout()
        for row, (stage, _) in enumerate(STAGES):
            grid.addWidget(QLabel(STAGE_TITLES.get(stage, stage)), row, 0)
            self.stage_labels[stage] = QLabel("waiting")
            grid.addWidget(self.stage_labels[stage], row, 1)
        super().__init__("New from image", f"Rigging {image_name}...", parent, details=grid)
        self._seen: dict[str, int] = {}
        self._stage_t0: dict[str, float] = {}

    def show_progress(self, fraction: float, stage: str) -> None:
        """The pipeline calls progress at the start and at the end of each stage."""
        self.set_fraction(fraction)
        count = self._seen.get(stage, 0) + 1
        self._seen[stage] = count
        label = self.stage_labels.get(stage)
        if label is None:
            return
        if count == 1:
            self._stage_t0[stage] = time.perf_counter()
            label.setText("running...")
            self.status.setText(f"{STAGE_TITLES.get(stage, stage)}...")
        else:
            label.setText(f"done ({time.perf_counter() - self._stage_t0.get(stage, time.perf_counter()):.2f} s)")



class GenerationController(JobRunner):
    """Starts one generation at a time and delivers its outcome on the GUI thread.

    Parameters
    ----------
    parent_widget : QWidget
        Parent of the progress dialog.
    on_result : callable(result, image_path)
        Called on the GUI thread with the GenerationResult (apply it as one command).
    on_error : callable(message, details)
        Called on the GUI thread when the pipeline failed.

    Signals
    -------
    finished(str)
        ``"done"``, ``"cancelled"`` or ``"failed"`` after the thread has stopped.
    """

    finished = Signal(str)

    def __init__(self, parent_widget: QWidget, on_result: Callable, on_error: Callable) -> None:
        super().__init__(parent_widget)
        self.parent_widget = parent_widget
        self.on_result, self.on_error = on_result, on_error
        self.token: CancelToken | None = None
        self.image_path = ""

    def start(self, image_path: str | Path) -> bool:
        """Begin generating from ``image_path``; False when a generation is already running."""
        if self.running:
            log.warning("a generation is already running")
            return False
        image_path = str(image_path)
        self.token = CancelToken()
        self.image_path = image_path
        log.info("generating a rig from %s", image_path)
        self._launch(GenerationWorker(image_path, self.token), GenerationDialog(Path(image_path).name, self.parent_widget))
        return True

    job_name = "generation"

    def _release(self) -> None:
        super()._release()
        self.token = None

    def cancel(self) -> None:
        """Ask the running pipeline to stop (it does at its next cancellation check)."""
        if self.token is not None:
            self.token.cancel()

    def _finish(self, status: str, payload) -> None:
        image_path = self.image_path
        self._stop_thread()
        self._release()
        elapsed = time.perf_counter() - self.started_at
        if status == "done":
            log.info("generated %s in %.2f s", Path(image_path).name, elapsed)
            self.on_result(payload, image_path)
        elif status == "failed":
            log.error("generation failed: %s", payload[0])
            self.on_error(*payload)
        else:
            log.info("generation cancelled; the document is unchanged")
        self.finished.emit(status)

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

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import QDialog, QGridLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from app.workers import BackgroundJob
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


class GenerationDialog(QDialog):
    """Per-stage progress and a Cancel button.

    Signals
    -------
    cancel_requested()
    """

    cancel_requested = Signal()

    def __init__(self, image_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from inference.pipeline import STAGES

        self.setWindowTitle("New from image")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.stage_labels: dict[str, QLabel] = {}
        grid = QGridLayout()
        for row, (stage, _) in enumerate(STAGES):
            grid.addWidget(QLabel(STAGE_TITLES.get(stage, stage)), row, 0)
            self.stage_labels[stage] = QLabel("waiting")
            grid.addWidget(self.stage_labels[stage], row, 1)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.status = QLabel(f"Rigging {image_name}...")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self._cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addLayout(grid)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignRight)
        self._seen: dict[str, int] = {}
        self._stage_t0: dict[str, float] = {}

    def show_progress(self, fraction: float, stage: str) -> None:
        """The pipeline calls progress at the start and at the end of each stage."""
        self.bar.setValue(round(1000 * max(0.0, min(1.0, fraction))))
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

    def _cancel(self) -> None:
        self.cancel_button.setEnabled(False)
        self.status.setText("Cancelling...")
        self.cancel_requested.emit()

    def reject(self) -> None:  # Esc or the close button cancel too
        if self.cancel_button.isEnabled():
            self._cancel()


class GenerationController(QObject):
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
        self.thread: QThread | None = None
        self.worker: GenerationWorker | None = None
        self.dialog: GenerationDialog | None = None
        self.token: CancelToken | None = None
        self.image_path = ""
        self.started_at = 0.0

    @property
    def running(self) -> bool:
        return self.thread is not None

    def start(self, image_path: str | Path) -> bool:
        """Begin generating from ``image_path``; False when a generation is already running."""
        if self.running:
            log.warning("a generation is already running")
            return False
        image_path = str(image_path)
        self.started_at = time.perf_counter()
        self.token = CancelToken()
        self.thread = QThread(self)
        self.worker = GenerationWorker(image_path, self.token)
        self.worker.moveToThread(self.thread)
        self.dialog = GenerationDialog(Path(image_path).name, self.parent_widget)
        self.dialog.cancel_requested.connect(self.cancel)
        self.worker.progress.connect(self.dialog.show_progress)
        # bound slots of this GUI-thread object: queued, so _finish runs on the GUI thread
        self.worker.succeeded.connect(self._on_succeeded)
        self.worker.failed.connect(self._on_failed)
        self.worker.cancelled.connect(self._on_cancelled)
        self.image_path = image_path
        self.thread.started.connect(self.worker.run)
        log.info("generating a rig from %s", image_path)
        self.dialog.show()
        self.thread.start()
        return True

    def cancel(self) -> None:
        """Ask the running pipeline to stop (it does at its next cancellation check)."""
        if self.token is not None:
            self.token.cancel()

    def shutdown(self, timeout_ms: int = 30_000) -> None:
        """Cancel a running generation and wait for its thread (the window is closing); no callbacks."""
        if self.thread is None:
            return
        self.token.cancel()
        for signal in (self.worker.succeeded, self.worker.failed, self.worker.cancelled):
            signal.disconnect()
        self.thread.quit()  # takes effect as soon as the worker returns
        if not self.thread.wait(timeout_ms):
            log.warning("the generation thread did not stop within %d ms", timeout_ms)
        self.dialog.close()
        self.thread = self.worker = self.dialog = self.token = None

    @Slot(object)
    def _on_succeeded(self, result) -> None:
        self._finish("done", result)

    @Slot(str, str)
    def _on_failed(self, message: str, details: str) -> None:
        self._finish("failed", (message, details))

    @Slot()
    def _on_cancelled(self) -> None:
        self._finish("cancelled", None)

    def _finish(self, status: str, payload) -> None:
        image_path = self.image_path
        self.thread.quit()
        self.thread.wait()
        self.dialog.close()
        self.dialog.deleteLater()
        self.worker.deleteLater()
        self.thread.deleteLater()
        self.thread = self.worker = self.dialog = self.token = None
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

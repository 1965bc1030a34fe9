"""The one progress dialog of the background jobs: a status line, a bar and **Cancel**.

New from Image (:class:`app.jobs.generation.GenerationDialog`, with a row per pipeline stage),
Auto-mesh (:class:`app.jobs.automesh.AutoMeshProgress`) and File > Export
(:class:`app.jobs.export.ExportDialog`) are :class:`ProgressDialog` s. Cancel, Esc and the close
button all ask once to cancel, when cancelling is possible.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QLabel, QLayout, QProgressBar, QPushButton, QVBoxLayout, QWidget


class ProgressDialog(QDialog):
    """Window-modal progress of one job.

    Parameters
    ----------
    title, status : str
        Window title and the first status line.
    parent : QWidget, optional
    cancellable : bool
        Whether Cancel is offered (a job that cannot stop part-way shows it disabled).
    busy : bool
        An indeterminate bar (the job reports no fractions).
    details : QLayout, optional
        Extra rows between the status line and the bar.

    Signals
    -------
    cancel_requested()
        Emitted once, by Cancel, Esc or the close button.
    """

    cancel_requested = Signal()

    def __init__(self, title: str, status: str, parent: QWidget | None = None, *, cancellable: bool = True,
                 busy: bool = False, details: QLayout | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.status = QLabel(status)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0 if busy else 1000)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(cancellable)
        self.cancel_button.clicked.connect(self._cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        if details is not None:
            layout.addLayout(details)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignRight)

    def set_fraction(self, fraction: float) -> None:
        """Fill the bar to ``fraction`` in [0, 1] (clamped; ignored while busy)."""
        if self.bar.maximum() > 0:
            self.bar.setValue(round(1000 * max(0.0, min(1.0, fraction))))

    def show_progress(self, fraction: float, stage: str) -> None:
        """The job's ``progress(fraction, stage)``; subclasses also show the stage."""
        self.set_fraction(fraction)

    def _cancel(self) -> None:
        self.cancel_button.setEnabled(False)
        self.status.setText("Cancelling...")
        self.cancel_requested.emit()

    def reject(self) -> None:
        if self.cancel_button.isEnabled():
            self._cancel()

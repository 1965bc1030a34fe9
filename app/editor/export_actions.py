"""File > Export: the three exporters run off the GUI thread with a progress dialog (style.md section 4).

* **Cubism model (model3.json + moc3)...** asks for a folder and writes the model folder
  ``<chosen>/<NAME>/`` with :func:`rig.formats.cubism.export_cubism` (``NAME`` = the rig's name made
  file-safe). Its progress callback reports stages; **Cancel** takes effect at the next stage, and
  every stage before the writing comes first, so a cancelled export writes nothing.
* **Inochi2D puppet (.inp)...** -> :func:`rig.formats.inochi.export_inp`,
  **Layered PSD...** -> :func:`rig.formats.psd.export_psd`: one file each, no stages, so the dialog
  shows a busy bar and cannot cancel.

The rig is copied on the GUI thread before the worker starts, so editing during an export cannot
race with it. Every exporter validates first and writes atomically: a refused rig
(:class:`~rig.errors.CubismFormatError`, :class:`~rig.errors.ValidationError`...) writes nothing and
its message is shown through :meth:`app.editor.dialogs.Dialogs.error`, the traceback behind "Show
Details...". The last export folder is kept in the settings (``last_folder/export``).
"""

from __future__ import annotations

import copy
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QLabel, QMenu, QProgressBar, QPushButton, QVBoxLayout, QWidget

from app.editor.host import EditorHost
from app.jobs.base import BackgroundJob, CancelOnReject, JobRunner
from rig.errors import CancelledError, RigError
from rig.model import Rig

log = logging.getLogger(__name__)
SETTINGS_KIND = "export"


@dataclass(frozen=True, slots=True)
class ExportFormat:
    """One entry of File > Export.

    Attributes
    ----------
    key : str
        ``"cubism"``, ``"inp"`` or ``"psd"``.
    text : str
        Menu text.
    noun : str
        What is written, for titles and messages ("Cubism model").
    suffix : str
        File suffix; ``""`` for the Cubism model folder.
    file_filter : str or None
        Save dialog filter; None: the user picks a folder.
    cancellable : bool
        Whether the exporter reports stages that Cancel can stop at.
    """

    key: str
    text: str
    noun: str
    suffix: str
    file_filter: str | None
    cancellable: bool


FORMATS: dict[str, ExportFormat] = {
    f.key: f
    for f in (
        ExportFormat("cubism", "Cubism model (model3.json + moc3)...", "Cubism model", "", None, True),
        ExportFormat("inp", "Inochi2D puppet (.inp)...", "Inochi2D puppet", ".inp", "Inochi2D puppets (*.inp)", False),
        ExportFormat("psd", "Layered PSD...", "layered PSD", ".psd", "Photoshop documents (*.psd)", False),
    )
}


def model_folder_name(rig: Rig) -> str:
    """The Cubism model folder / file stem of ``rig`` (its name made file-safe)."""
    from rig.formats.cubism.export import safe_name

    return safe_name(rig.name)


def export_target(fmt: ExportFormat, rig: Rig, chosen: str | Path) -> Path:
    """Where an export goes: ``chosen/<NAME>`` for a Cubism model, else ``chosen`` with the suffix."""
    chosen = Path(chosen)
    if fmt.file_filter is None:
        return chosen / model_folder_name(rig)
    return chosen if chosen.suffix.lower() == fmt.suffix else chosen.with_name(chosen.name + fmt.suffix)


def run_export(fmt_key: str, rig: Rig, target: Path, progress=None, cancel: threading.Event | None = None) -> list[Path]:
    """Call the exporter of ``fmt_key`` (any thread); return the files written.

    Parameters
    ----------
    fmt_key : str
        A key of :data:`FORMATS`.
    rig : Rig
        Not modified.
    target : Path
        The model folder (cubism) or the file (inp, psd).
    progress : callable(fraction, stage), optional
    cancel : threading.Event, optional
        When set, the export stops at its next stage with :class:`CancelledError`, before writing.

    Raises
    ------
    CancelledError, RigError, OSError
    """

    def check() -> None:
        if cancel is not None and cancel.is_set():
            raise CancelledError("the export was cancelled")

    check()
    if fmt_key == "cubism":
        from rig.formats.cubism import export_cubism

        def report(fraction: float, stage: str) -> None:
            if fraction < 1.0:  # 1.0 comes after the files are in place: too late to stop
                check()
            if progress is not None:
                progress(fraction, stage)

        return export_cubism(rig, target, progress=report)
    if fmt_key == "inp":
        from rig.formats.inochi import export_inp

        return [export_inp(rig, target)]
    if fmt_key == "psd":
        from rig.formats.psd import export_psd

        return [export_psd(rig, target)]
    raise ValueError(f"unknown export format {fmt_key!r}")


def failure_message(fmt: ExportFormat, target: Path, exc: BaseException) -> str:
    """A readable one-paragraph reason for a failed export."""
    if isinstance(exc, RigError):
        reason = str(exc)
    elif isinstance(exc, OSError):
        reason = f"{exc.strerror or exc} ({exc.filename or target})"
    else:
        reason = f"unexpected {type(exc).__name__}: {exc}"
    return f"Could not export the {fmt.noun} to {target}.\n\n{reason}\n\nNothing was written."


class ExportWorker(BackgroundJob):
    """Runs one export; emit-only, owned by its thread.

    Signals
    -------
    progress(float, str)
        Fraction in [0, 1] and the stage.
    succeeded(object)
        The paths written.
    failed(str, str)
        A readable message and the traceback.
    cancelled()
    """

    def __init__(self, fmt: ExportFormat, rig: Rig, target: Path, cancel: threading.Event) -> None:
        super().__init__()
        self.fmt, self.rig, self.target, self.cancel = fmt, rig, target, cancel

    def work(self):
        return run_export(self.fmt.key, self.rig, self.target, self.progress.emit, self.cancel)

    def failure_message(self, exc: Exception) -> str:
        return failure_message(self.fmt, self.target, exc)


class ExportDialog(CancelOnReject, QDialog):
    """A stage label, a bar (busy when the format has no stages) and Cancel.

    Signals
    -------
    cancel_requested()
    """

    cancel_requested = Signal()

    def __init__(self, fmt: ExportFormat, target: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Export {fmt.noun}")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.status = QLabel(f"Exporting to {target}...")
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000 if fmt.cancellable else 0)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(fmt.cancellable)
        if not fmt.cancellable:
            self.cancel_button.setToolTip("This exporter cannot stop part-way; it writes nothing until it is done")
        self.cancel_button.clicked.connect(self._cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignRight)
        self.setMinimumWidth(420)

    def show_progress(self, fraction: float, stage: str) -> None:
        if self.bar.maximum() > 0:
            self.bar.setValue(round(1000 * max(0.0, min(1.0, fraction))))
        if self.cancel_button.isEnabled():
            self.status.setText(f"{stage[:1].upper()}{stage[1:]}...")



class ExportController(JobRunner):
    """File > Export for one window: the menu actions, one export at a time, its outcome.

    Parameters
    ----------
    window : EditorHost
        Supplies ``bridge`` (the rig), ``settings``, ``dialogs``, the status bar and the dialogs' parent.

    Attributes
    ----------
    actions : dict of str to QAction
        One per :data:`FORMATS` key.
    last_written : list of Path
        The files the last successful export wrote.

    Signals
    -------
    finished(str)
        ``"done"``, ``"failed"`` or ``"cancelled"`` after the worker thread has stopped.
    """

    finished = Signal(str)

    def __init__(self, window: EditorHost) -> None:
        super().__init__(window.dialog_parent())
        self.window = window
        self.actions: dict[str, QAction] = {}
        self.last_written: list[Path] = []
        self.cancel_event: threading.Event | None = None
        window.bridge.changed.connect(lambda change: self.update_enabled())
        window.bridge.document_replaced.connect(self.update_enabled)

    def install(self, menu: QMenu) -> None:
        """Fill ``menu`` (File > Export) with one action per format."""
        menu.clear()
        for fmt in FORMATS.values():
            action = menu.addAction(fmt.text)
            action.setStatusTip(f"Export the rig as a {fmt.noun}")
            action.triggered.connect(lambda checked=False, key=fmt.key: self.export(key))
            self.actions[fmt.key] = action
        self.update_enabled()

    def update_enabled(self) -> None:
        """Exports are possible when no export runs and the rig has art meshes."""
        enabled = not self.running and bool(self.window.bridge.rig.art_meshes)
        for action in self.actions.values():
            action.setEnabled(enabled)

    def export(self, key: str, chosen: str | Path | None = None) -> bool:
        """Export the document's rig as ``key``; ask where when ``chosen`` is None.

        ``chosen`` is the folder to create the model folder in (cubism) or the file (inp, psd).
        Returns True when an export started (its outcome arrives through :attr:`finished`).
        """
        fmt = FORMATS[key]
        if self.running:
            log.warning("an export is already running")
            return False
        rig = self.window.bridge.rig
        if not rig.art_meshes:
            self.window.dialogs.error(f"Export {fmt.noun}", "There is nothing to export: the rig has no art meshes.")
            return False
        if chosen is None:
            chosen = self._ask(fmt, rig)
            if chosen is None:
                return False
        self.window.settings.set_last_folder(SETTINGS_KIND, chosen)
        self._start(fmt, copy.deepcopy(rig), export_target(fmt, rig, chosen))
        return True

    def _ask(self, fmt: ExportFormat, rig: Rig) -> str | None:
        folder = self.window.settings.last_folder(SETTINGS_KIND)
        suggested = folder if fmt.file_filter is None else str(Path(folder) / f"{model_folder_name(rig)}{fmt.suffix}")
        return self.window.dialogs.export_path(f"Export {fmt.noun}", suggested, fmt.file_filter)

    def _start(self, fmt: ExportFormat, rig: Rig, target: Path) -> None:
        self.cancel_event = threading.Event()
        log.info("exporting a %s to %s", fmt.noun, target)
        self._launch(ExportWorker(fmt, rig, target, self.cancel_event), ExportDialog(fmt, target, self.window.dialog_parent()))
        self.update_enabled()

    def cancel(self) -> None:
        """Ask the running export to stop at its next stage (Cubism only; the others finish)."""
        if self.cancel_event is not None:
            self.cancel_event.set()

    job_name = "export"

    def shutdown(self, timeout_ms: int = 60_000) -> None:
        """Stop a running export and wait for its thread, without callbacks (the window is closing)."""
        super().shutdown(timeout_ms)

    def _release(self) -> None:
        super()._release()
        self.cancel_event = None

    def _finish(self, status: str, payload) -> None:
        fmt, target = self.worker.fmt, self.worker.target
        self._stop_thread()
        self._release()
        self.update_enabled()
        if status == "done":
            self.last_written = [Path(p) for p in payload]
            log.info("exported the %s to %s in %.2f s", fmt.noun, target, time.perf_counter() - self.started_at)
            self.window.show_status(f"Exported the {fmt.noun} to {target}", 10_000)
        elif status == "failed":
            log.error("the %s export to %s failed", fmt.noun, target)
            self.window.dialogs.error(f"Export {fmt.noun}", *payload)
        else:
            log.info("export cancelled; nothing was written")
            self.window.show_status("Export cancelled; nothing was written", 10_000)
        self.finished.emit(status)

"""File > Export: the menu actions and the outcome; the exporters run off the GUI thread with a progress
dialog (:mod:`app.jobs.export`, style.md section 4).

* **Cubism model (model3.json + moc3)...** asks for a folder (an existing one, or a new name that the
  chooser creates; a new ``<NAME>`` folder is offered) and writes ``<chosen>/<NAME>.model3.json``,
  ``<NAME>.moc3``, ``<NAME>.<size>/texture_00.png`` ... into it with
  :func:`rig.formats.cubism.export_cubism` (``NAME`` = the rig's name made file-safe): the same layout
  as ``kirie export -o <chosen>``. Its progress callback reports stages; **Cancel** takes effect at the next stage, and
  every stage before the writing comes first, so a cancelled export writes nothing.
* **Inochi2D puppet (.inp)...** -> :func:`rig.formats.inochi.export_inp`,
  **Layered PSD...** -> :func:`rig.formats.psd.export_psd`: one file each, no stages, so the dialog
  shows a busy bar and cannot cancel.

The rig is copied on the GUI thread before the worker starts, so editing during an export cannot
race with it. Every exporter validates first and writes atomically: a refused rig
(:class:`~rig.errors.CubismFormatError`, :class:`~rig.errors.ValidationError`...) writes nothing and
its message is shown through :meth:`app.editor.dialogs.Dialogs.error`, the traceback behind "Show
Details...". The chooser starts in the last export folder (``last_folder/export``, remembered after a
successful export), else the saved project's folder, else the home folder.
"""

from __future__ import annotations

import copy
import logging
import threading
import time
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from app.editor.host import EditorHost
from app.jobs.base import JobRunner
from app.jobs.export import (  # noqa: F401 - run_export is part of this module's interface
    FORMATS,
    ExportDialog,
    ExportFormat,
    ExportWorker,
    export_target,
    model_folder_name,
    run_export,
)
from rig.model import Rig

log = logging.getLogger(__name__)
SETTINGS_KIND = "export"


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
        self._start(fmt, copy.deepcopy(rig), export_target(fmt, rig, chosen))
        return True

    def start_folder(self) -> str:
        """Where the export chooser starts: the last export folder, else the project's, else home."""
        remembered = self.window.settings.remembered_folder(SETTINGS_KIND)
        return remembered or self.window.project_folder() or str(Path.home())

    def _ask(self, fmt: ExportFormat, rig: Rig) -> str | None:
        folder, name = Path(self.start_folder()), model_folder_name(rig)
        if fmt.file_filter is None:  # a new <NAME> folder is offered unless the chooser starts in one
            suggested = folder if folder.name == name else folder / name
        else:
            suggested = folder / f"{name}{fmt.suffix}"
        return self.window.dialogs.export_path(f"Export {fmt.noun}", str(suggested), fmt.file_filter)

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
            self.window.settings.set_last_folder(SETTINGS_KIND, target if fmt.file_filter is None else target.parent)
            log.info("exported the %s to %s in %.2f s", fmt.noun, target, time.perf_counter() - self.started_at)
            self.window.show_status(f"Exported the {fmt.noun} to {target}", 10_000)
        elif status == "failed":
            log.error("the %s export to %s failed", fmt.noun, target)
            self.window.dialogs.error(f"Export {fmt.noun}", *payload)
        else:
            log.info("export cancelled; nothing was written")
            self.window.show_status("Export cancelled; nothing was written", 10_000)
        self.finished.emit(status)

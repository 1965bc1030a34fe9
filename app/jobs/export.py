"""File > Export's job: the three exporters off the GUI thread, with a progress dialog (style.md section 4).

:data:`FORMATS` lists the exporters; :func:`run_export` runs one (Qt-free, on any thread);
:class:`ExportWorker` is its :class:`~app.jobs.base.BackgroundJob` and :class:`ExportDialog` its progress
dialog. The menu actions and the outcome live in :mod:`app.editor.export_actions`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import QWidget

from app.jobs.base import BackgroundJob
from app.jobs.progress import ProgressDialog
from rig.errors import CancelledError, RigError
from rig.model import Rig


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
    """Where an export goes: the ``chosen`` folder itself for a Cubism model (it receives
    ``<NAME>.model3.json``, ``<NAME>.moc3``, ``<NAME>.<size>/`` ..., as ``kirie export -o`` does), else
    ``chosen`` with the format's suffix."""
    chosen = Path(chosen)
    if fmt.file_filter is None:
        return chosen
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


class ExportDialog(ProgressDialog):
    """A stage label, a bar (busy when the format has no stages) and Cancel."""

    def __init__(self, fmt: ExportFormat, target: Path, parent: QWidget | None = None) -> None:
        super().__init__(f"Export {fmt.noun}", f"Exporting to {target}...", parent, cancellable=fmt.cancellable,
                         busy=not fmt.cancellable)  # fmt: skip
        if not fmt.cancellable:
            self.cancel_button.setToolTip("This exporter cannot stop part-way; it writes nothing until it is done")
        self.setMinimumWidth(420)

    def show_progress(self, fraction: float, stage: str) -> None:
        self.set_fraction(fraction)
        if self.cancel_button.isEnabled():
            self.status.setText(f"{stage[:1].upper()}{stage[1:]}...")

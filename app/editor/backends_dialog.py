"""Generation backends: the user's classical / learned / auto and device choice for New from Image.

:class:`GenerationOptions` keeps the choice in the editor's QSettings (group ``generation/``) so it is
remembered between sessions; :class:`BackendsDialog` edits it and shows, per learnable stage, what
``auto`` would run now (:func:`inference.backends.resolve`) with the ``kirie models pull NAME`` line
when a model is missing.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from app.settings import SettingsGroup
from inference.backends import BACKENDS, DEVICES, LEARNED_STAGES, BackendChoice, LearnedBackendError, resolve

BACKEND_TITLES = {"auto": "Auto (learned where available)", "learned": "Learned models only",
                  "classical": "Classical (embedded, no models)"}
DEVICE_TITLES = {"auto": "Auto (GPU when available)", "cpu": "CPU", "cuda": "NVIDIA GPU (CUDA)"}


class GenerationOptions(SettingsGroup):
    """``backend`` and ``device`` for :func:`inference.pipeline.generate`, persisted (defaults auto/auto)."""

    group = "generation/"

    @property
    def backend(self) -> str:
        value = str(self._get("backend", "auto"))
        return value if value in BACKENDS else "auto"

    @property
    def device(self) -> str:
        value = str(self._get("device", "auto"))
        return value if value in DEVICES else "auto"

    def set(self, backend: str, device: str) -> None:
        BackendChoice(backend, device)  # validates
        self._set("backend", backend)
        self._set("device", device)
        self.sync()

    def as_kwargs(self) -> dict[str, str]:
        return {"backend": self.backend, "device": self.device}


def stage_status(choice: BackendChoice) -> dict[str, str]:
    """Per learnable stage, one line: what would run under ``choice`` and why (never raises).

    No image is loaded here, so a stage that runs on real faces only says what it would do on a photo.
    """
    out = {}
    for stage, spec in LEARNED_STAGES.items():
        photos = "on photos: " if spec.real_only else ""
        try:
            got = resolve(stage, choice, kind="real" if spec.real_only else "anime")
            out[stage] = photos + (f"learned: {'+'.join(got.models)} on {got.provider}" if got.backend == "learned"
                                   else f"classical ({got.reason})")
        except LearnedBackendError as exc:
            out[stage] = f"cannot run: {exc}"
    return out


class BackendsDialog(QDialog):
    """Two choices (backend, device) and the per-stage outcome; OK stores them in ``options``."""

    def __init__(self, options: GenerationOptions, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Generation Backends")
        self.options = options
        self.backend = QComboBox()
        for key in BACKENDS:
            self.backend.addItem(BACKEND_TITLES[key], key)
        self.device = QComboBox()
        for key in DEVICES:
            self.device.addItem(DEVICE_TITLES[key], key)
        self.backend.setCurrentIndex(BACKENDS.index(options.backend))
        self.device.setCurrentIndex(DEVICES.index(options.device))
        form = QFormLayout()
        form.addRow("Backend", self.backend)
        form.addRow("Device", self.device)
        self.stage_labels = {stage: QLabel() for stage in LEARNED_STAGES}
        for stage, label in self.stage_labels.items():
            label.setWordWrap(True)
            form.addRow(stage.capitalize(), label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.backend.currentIndexChanged.connect(self.refresh)
        self.device.currentIndexChanged.connect(self.refresh)
        self.refresh()

    def choice(self) -> BackendChoice:
        return BackendChoice(self.backend.currentData(), self.device.currentData())

    def refresh(self) -> None:
        for stage, text in stage_status(self.choice()).items():
            self.stage_labels[stage].setText(text)

    def accept(self) -> None:
        c = self.choice()
        self.options.set(c.backend, c.device)
        super().accept()


def edit_backends(parent: QWidget | None, settings: QSettings) -> bool:
    """Show :class:`BackendsDialog` for the editor's settings; True when the user pressed OK."""
    return BackendsDialog(GenerationOptions(settings), parent).exec() == QDialog.DialogCode.Accepted

"""The Tracking dock's microphone row: device picker, Lip-sync toggle and a level meter.

A view of :class:`app.tracking.lipsync_live.LiveLipSync`: the picker lists the input devices (the
default input first), **Lip-sync** starts and stops the microphone, the meter shows the input level
from -60 to 0 dBFS with the gate marked in its tool tip.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QProgressBar, QPushButton, QWidget

from app.tracking.lipsync_live import LiveLipSync

METER_FLOOR_DB = -60.0


class MicrophoneRow(QWidget):
    """Device picker + Lip-sync button + level meter for ``lipsync``."""

    def __init__(self, lipsync: LiveLipSync, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lipsync = lipsync
        self.device_combo = QComboBox()
        self.device_combo.setToolTip("Microphone for lip-sync")
        self.button = QPushButton("Lip-sync")
        self.button.setCheckable(True)
        self.button.setToolTip("Drive the mouth from the microphone (over the camera's mouth)")
        self.meter = QProgressBar()
        self.meter.setRange(0, 100)
        self.meter.setTextVisible(False)
        self.meter.setMaximumHeight(10)
        self.meter.setToolTip(f"Input level; the mouth stays shut below {lipsync.settings.gate_db:g} dBFS")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.device_combo, 1)
        row.addWidget(self.button)
        row.addWidget(self.meter, 1)
        self.fill_devices()
        self.button.toggled.connect(self._toggled)
        lipsync.level.connect(self.show_level)
        lipsync.running_changed.connect(self._running_changed)

    def fill_devices(self) -> None:
        self.device_combo.clear()
        self.device_combo.addItem("Default microphone", None)
        for index, name in self.lipsync.devices():
            self.device_combo.addItem(name, index)

    def show_level(self, level_db: float) -> None:
        frac = (max(METER_FLOOR_DB, min(0.0, level_db)) - METER_FLOOR_DB) / -METER_FLOOR_DB
        self.meter.setValue(round(100 * frac))

    def _toggled(self, on: bool) -> None:
        if on and not self.lipsync.running:
            if not self.lipsync.start(self.device_combo.currentData()):
                self.button.setChecked(False)
        elif not on and self.lipsync.running:
            self.lipsync.stop()

    def _running_changed(self, running: bool) -> None:
        self.button.setChecked(running)
        if not running:
            self.meter.setValue(0)

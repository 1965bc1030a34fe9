"""Microphone lip-sync in the editor: a microphone drives the lip-sync layer of the window's value stack.

:class:`LiveLipSync` opens an input device (:class:`inference.tracking.audio.Microphone`, analysed on
PortAudio's thread) and, on a ~60 Hz ``QTimer``, writes its ParamMouthOpenY / ParamMouthForm to
:attr:`rig.drive.Layer.LIPSYNC`: above camera tracking (the microphone's mouth wins, the camera keeps
the head and eyes), below physics; the preview's breath and blink go on underneath. Stopping puts the
mouth back to the camera's value or its base. It runs with or without camera tracking.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from app.bridge import DocumentBridge
from inference.tracking.audio import AudioError, Microphone, input_devices
from inference.tracking.lipsync import MOUTH_FORM, MOUTH_OPEN, LipSyncSettings
from rig.drive import Layer

log = logging.getLogger(__name__)

INTERVAL_MS = 16


class LiveLipSync(QObject):
    """Microphone -> lip-sync layer while :attr:`running` (module docstring).

    Parameters
    ----------
    bridge : DocumentBridge
    microphone_factory : callable, optional
        ``factory(device, LipSyncSettings)`` -> an object with ``start()``, ``values()``, ``level_db``
        and ``close()`` (default :class:`Microphone`; tests pass a recorded signal).

    Signals
    -------
    level(float)
        The input level in dBFS, every tick (a level meter).
    message(str, bool)
        A line for the dock and whether it reports an error.
    running_changed(bool)
    """

    level = Signal(float)
    message = Signal(str, bool)
    running_changed = Signal(bool)

    def __init__(self, bridge: DocumentBridge, microphone_factory: Callable | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.microphone_factory = microphone_factory or (lambda device, settings: Microphone(device, settings))
        self.settings = LipSyncSettings()
        self.microphone = None
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self.tick)
        bridge.drive.stopped.connect(self._on_stack_stopped)

    @staticmethod
    def devices() -> list[tuple[int, str]]:
        """(index, name) of the input devices; empty (logged) when sounddevice/PortAudio is missing."""
        try:
            return input_devices()
        except AudioError as exc:
            log.info("%s", exc)
            return []

    @property
    def running(self) -> bool:
        return self.microphone is not None

    def start(self, device: int | str | None = None) -> bool:
        """Listen to ``device`` (None: the default input); False with a message when it cannot open."""
        if self.running:
            return True
        try:
            mic = self.microphone_factory(device, self.settings)
            mic.start()
        except AudioError as exc:
            self.message.emit(str(exc), True)
            log.warning("%s", exc)
            return False
        self.microphone = mic
        ids = [pid for pid in (MOUTH_OPEN, MOUTH_FORM) if pid in self.bridge.values]
        self.bridge.drive.start(Layer.LIPSYNC, ids, time_s=time.perf_counter())
        self.timer.start()
        self.message.emit("Lip-sync from the microphone.", False)
        self.running_changed.emit(True)
        return True

    def tick(self) -> dict[str, float]:
        """Write the microphone's current values to the lip-sync layer; returns what was set."""
        if self.microphone is None:
            return {}
        self.level.emit(float(self.microphone.level_db))
        return self.bridge.drive.write(Layer.LIPSYNC, self.microphone.values(), time_s=time.perf_counter())

    def stop(self) -> None:
        if self.microphone is None:
            return
        self.timer.stop()
        mic, self.microphone = self.microphone, None
        mic.close()
        self.bridge.drive.stop(Layer.LIPSYNC)
        self.running_changed.emit(False)

    def _on_stack_stopped(self, layer) -> None:
        if layer == Layer.LIPSYNC and self.microphone is not None:
            self.timer.stop()
            mic, self.microphone = self.microphone, None
            mic.close()
            self.running_changed.emit(False)

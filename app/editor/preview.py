"""Preview animation: breath and blinking on a QTimer (VTube Studio's auto-breath and auto-blink,
anchors.md section 3.2), on the preview layer of the window's value stack (:class:`rig.drive.ValueStack`).

While running, the animator writes ``ParamBreath`` (a 3.5 s sine) and ``ParamEyeLOpen`` /
``ParamEyeROpen`` (a 0.2 s blink every few seconds, scaled by their base values: where they were
before any source moved them) to :attr:`rig.drive.Layer.PREVIEW`. The stack runs the rig's physics
on top (so dragging ``ParamAngleX`` swings the hair), lets tracking win for the parameters it drives,
clamps the time step and puts every animated parameter back when the preview stops. Values only:
nothing enters the history.
"""


from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer, Signal

from app.bridge import DocumentBridge
from rig.drive import Layer
from rig.drive.idle import (  # noqa: F401 - re-exported for the editor's callers
    BLINK_DURATION_S,
    BLINK_INTERVAL_S,
    BREATH_ID,
    BREATH_PERIOD_S,
    EYE_IDS,
    blink_factor,
    breath_value,
    idle_values,
)


class PreviewAnimator(QObject):
    """Runs the preview while :attr:`running`.

    Parameters
    ----------
    bridge : DocumentBridge
        Its :attr:`~DocumentBridge.drive` stack is written to; when the stack stops the preview
        layer (the window closing, :meth:`~rig.drive.ValueStack.stop_all`) the timer stops too.
    interval_ms : int
        Timer period (16 ms: about 60 steps a second, the Cubism physics default rate).

    Signals
    -------
    running_changed(bool)
    """

    running_changed = Signal(bool)

    def __init__(self, bridge: DocumentBridge, parent: QObject | None = None, interval_ms: int = 16) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.tick)
        self._t0 = 0.0
        self._animated: tuple[str, ...] = ()
        bridge.document_replaced.connect(lambda: self.set_running(False))
        bridge.drive.stopped.connect(self._on_stack_stopped)

    @property
    def running(self) -> bool:
        return self.timer.isActive()

    def set_running(self, running: bool) -> None:
        if running == self.running:
            return
        if running:
            values = self.bridge.values
            self._animated = tuple(pid for pid in (BREATH_ID, *EYE_IDS) if pid in values)
            self._t0 = time.perf_counter()
            self.bridge.drive.start(Layer.PREVIEW, self._animated, time_s=self._t0)
            self.timer.start()
        else:
            self.timer.stop()
            self.bridge.drive.stop(Layer.PREVIEW)
        self.running_changed.emit(running)

    def _on_stack_stopped(self, layer) -> None:
        if layer == Layer.PREVIEW and self.timer.isActive():
            self.timer.stop()
            self.running_changed.emit(False)

    def tick(self, now_s: float | None = None) -> dict[str, float]:
        """One animation step at time ``now_s`` (perf_counter seconds; now when None); returns what was set
        (with the physics outputs when the preview is the stack's top layer)."""
        now = time.perf_counter() if now_s is None else now_s
        t = now - self._t0
        drive = self.bridge.drive
        return drive.write(Layer.PREVIEW, idle_values(t, self._animated, drive.base), time_s=now)

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

import math
import time

from PySide6.QtCore import QObject, QTimer, Signal

from app.bridge import DocumentBridge
from rig.drive import Layer

BREATH_PERIOD_S = 3.5
BLINK_INTERVAL_S = (2.5, 3.7, 3.1, 4.4)  # cycled, so the rhythm does not look mechanical
BLINK_DURATION_S = 0.2
EYE_IDS = ("ParamEyeLOpen", "ParamEyeROpen")
BREATH_ID = "ParamBreath"


def blink_factor(t_s: float) -> float:
    """Eye openness multiplier in [0, 1] at time ``t_s``: 1, with a V-shaped blink at each interval end."""
    period = sum(BLINK_INTERVAL_S)
    t = t_s % period
    for interval in BLINK_INTERVAL_S:
        if t < interval:
            into = interval - t
            if into < BLINK_DURATION_S:
                return abs(2.0 * into / BLINK_DURATION_S - 1.0)
            return 1.0
        t -= interval
    return 1.0


def breath_value(t_s: float) -> float:
    """``ParamBreath`` in [0, 1] at time ``t_s`` (inhale = 1)."""
    return 0.5 - 0.5 * math.cos(2.0 * math.pi * t_s / BREATH_PERIOD_S)


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
        out: dict[str, float] = {}
        if BREATH_ID in self._animated:
            out[BREATH_ID] = breath_value(t)
        factor = blink_factor(t)
        for pid in EYE_IDS:
            if pid in self._animated:
                out[pid] = drive.base(pid) * factor
        return drive.write(Layer.PREVIEW, out, time_s=now)

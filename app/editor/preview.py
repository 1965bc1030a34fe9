"""Preview animation: breath, blinking and physics driven by a QTimer (VTube Studio's auto-breath and
auto-blink, anchors.md section 3.2).

While running, the animator writes ``ParamBreath`` (a 3.5 s sine), ``ParamEyeLOpen`` /
``ParamEyeROpen`` (a 0.2 s blink every few seconds, scaled by the values they had when the preview
started) and the rig's physics outputs (:class:`rig.evaluate.physics.PhysicsSimulator` stepped with
the current values, so dragging ``ParamAngleX`` swings the hair). Stopping puts the animated
parameters back where they were. Values only: nothing enters the history.
"""

from __future__ import annotations

import logging
import math
import time

from PySide6.QtCore import QObject, QTimer, Signal

from app.bridge import DocumentBridge

log = logging.getLogger(__name__)

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
        self._last = 0.0
        self._saved: dict[str, float] = {}
        self._sim = None
        bridge.document_replaced.connect(lambda: self.set_running(False))
        bridge.changed.connect(self._on_changed)

    @property
    def running(self) -> bool:
        return self.timer.isActive()

    def set_running(self, running: bool) -> None:
        if running == self.running:
            return
        if running:
            self._start()
        else:
            self._stop()
        self.running_changed.emit(running)

    def _start(self) -> None:
        values = self.bridge.values
        animated = [pid for pid in (BREATH_ID, *EYE_IDS) if pid in values]
        self._sim = self._simulator()
        outputs = self._sim.output_parameter_ids if self._sim is not None else ()
        self._saved = {pid: values[pid] for pid in [*animated, *outputs] if pid in values}
        self._t0 = self._last = time.perf_counter()
        self.timer.start()

    def _stop(self) -> None:
        self.timer.stop()
        saved = {pid: v for pid, v in self._saved.items() if pid in self.bridge.values}
        self._saved = {}
        self._sim = None
        if saved:
            self.bridge.values.update(saved)

    def _simulator(self):
        from app.tracking.puppet import physics_simulator

        return physics_simulator(self.bridge.rig, "the preview")

    def _on_changed(self, change) -> None:
        if self.running and change.kind in ("structure", "parameter_definition"):
            self._sim = self._simulator()

    def tick(self, now_s: float | None = None) -> dict[str, float]:
        """One animation step at time ``now_s`` (perf_counter seconds; now when None); returns what was set."""
        now = time.perf_counter() if now_s is None else now_s
        t, dt = now - self._t0, min(max(now - self._last, 0.0), 0.1)
        self._last = now
        values = self.bridge.values
        out: dict[str, float] = {}
        if BREATH_ID in self._saved:
            out[BREATH_ID] = breath_value(t)
        factor = blink_factor(t)
        for pid in EYE_IDS:
            if pid in self._saved:
                out[pid] = self._saved[pid] * factor
        if self._sim is not None:
            current = values.as_dict()
            current.update(out)
            try:
                out.update(self._sim.step(current, dt))
            except Exception as exc:  # noqa: BLE001 - keep the preview alive without physics
                log.warning("physics step failed, physics preview stopped: %s", exc)
                self._sim = None
        out = {k: v for k, v in out.items() if k in values}
        if out:
            values.update(out)
        return out

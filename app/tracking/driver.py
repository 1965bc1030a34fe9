"""Tracked values into the editor's parameter values, with physics on top (Tracking dock).

Like the Preview animation (:mod:`app.editor.preview`) and ``kirie track`` (:class:`app.tracking.puppet.Puppet`):
tracking sets the input parameters, then :class:`rig.evaluate.physics.PhysicsSimulator` is stepped
with them and its outputs (hair sway) are written too, all in one :meth:`ParameterValues.update`
(VTube Studio order, anchors.md §3.2: defaults < tracking < physics). :meth:`RigDriver.end` puts the
driven parameters back where they were. Values only: nothing enters the history.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

from app.bridge import DocumentBridge

log = logging.getLogger(__name__)

#: Longest physics step (s): a stalled stream must not make the hair jump.
MAX_DT_S = 0.1


class RigDriver:
    """Drives ``bridge.values`` from tracked frames while :attr:`active`.

    Parameters
    ----------
    bridge : DocumentBridge
    """

    def __init__(self, bridge: DocumentBridge) -> None:
        self.bridge = bridge
        self.active = False
        self.simulator = None
        self._saved: dict[str, float] = {}
        self._last_ms: int | None = None

    def begin(self, parameter_ids: Iterable[str]) -> None:
        """Remember the values of ``parameter_ids`` and of the physics outputs; build the simulator."""
        values = self.bridge.values
        self.simulator = self._simulator()
        outputs = self.simulator.output_parameter_ids if self.simulator is not None else ()
        self._saved = {pid: values[pid] for pid in [*parameter_ids, *outputs] if pid in values}
        self._last_ms = None
        self.active = True

    def drive(self, timestamp_ms: int, tracked: Mapping[str, float]) -> dict[str, float]:
        """Write one frame: tracked values (unknown ids dropped) then physics outputs; returns what was set.

        Parameters
        ----------
        timestamp_ms : int
            Source time of the frame; the physics step is the difference to the previous frame (s),
            clamped to [0, :data:`MAX_DT_S`].
        tracked : mapping of str to float
        """
        values = self.bridge.values
        out = {pid: float(v) for pid, v in tracked.items() if pid in values}
        dt = 0.0 if self._last_ms is None else min(max((timestamp_ms - self._last_ms) / 1000.0, 0.0), MAX_DT_S)
        self._last_ms = timestamp_ms
        if self.simulator is not None:
            current = values.as_dict()
            current.update(out)
            try:
                out.update({k: v for k, v in self.simulator.step(current, dt).items() if k in values})
            except Exception as exc:  # noqa: BLE001 - keep tracking without physics
                log.warning("physics step failed, physics stopped: %s", exc)
                self.simulator = None
        if out:
            values.update(out)
        return out

    def rig_changed(self) -> None:
        """The rig's structure or parameters changed: rebuild the physics, forget removed parameters."""
        if self.active:
            self.simulator = self._simulator()
            self._saved = {pid: v for pid, v in self._saved.items() if pid in self.bridge.values}

    def end(self) -> None:
        """Put the driven parameters back to their values from :meth:`begin`."""
        saved = {pid: v for pid, v in self._saved.items() if pid in self.bridge.values}
        self._saved, self.simulator, self.active = {}, None, False
        if saved:
            self.bridge.values.update(saved)

    def _simulator(self):
        from app.tracking.puppet import physics_simulator

        return physics_simulator(self.bridge.rig, "tracking")

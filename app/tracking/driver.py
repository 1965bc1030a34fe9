"""Tracked values into the editor's parameter values: the tracking layer of the window's value stack.

Like the Preview animation (:mod:`app.editor.preview`) and ``kirie track`` (:class:`app.tracking.puppet.Puppet`),
tracking writes to one :class:`rig.drive.ValueStack` (defaults < preview < tracking < physics,
anchors.md §3.2): the stack runs the physics on top (hair sway), clamps the time step, wins over the
preview for the tracked parameters and puts them back on :meth:`RigDriver.end`. Values only: nothing
enters the history.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from app.bridge import DocumentBridge
from rig.drive import Layer


class RigDriver:
    """Drives ``bridge.values`` from tracked frames while :attr:`active`, through ``bridge.drive``.

    Parameters
    ----------
    bridge : DocumentBridge
    """

    def __init__(self, bridge: DocumentBridge) -> None:
        self.bridge = bridge

    @property
    def active(self) -> bool:
        return self.bridge.drive.is_running(Layer.TRACKING)

    @property
    def simulator(self):
        """The stack's physics simulator (None without physics, or when it failed)."""
        return self.bridge.drive.simulator

    def begin(self, parameter_ids: Iterable[str]) -> None:
        """Start the tracking layer: the values of ``parameter_ids`` (and the physics outputs) are
        remembered and put back by :meth:`end`."""
        self.bridge.drive.start(Layer.TRACKING, parameter_ids)

    def drive(self, timestamp_ms: int, tracked: Mapping[str, float]) -> dict[str, float]:
        """Write one frame (unknown ids dropped) and the physics outputs; returns what was set.

        ``timestamp_ms`` is the frame's source time; the physics step is the time since the previous
        frame, clamped by the stack (0 on the first frame).
        """
        return self.bridge.drive.write(Layer.TRACKING, tracked, time_s=timestamp_ms / 1000.0)

    def end(self) -> None:
        """Put the driven parameters back where they were before :meth:`begin`."""
        self.bridge.drive.stop(Layer.TRACKING)

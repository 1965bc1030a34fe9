"""Drive a rig from live parameter values: clamp, physics, evaluate, render (headless).

Used by ``kirie track --out-video`` and ``benchmarks/bench_tracking.py``; the editor's tracking does
the same through the window's value stack. Values go through one :class:`rig.drive.ValueStack` like
the editor's (anchors.md §3.2): defaults < idle life (breath, blink; ``idle=True``) < tracking <
microphone lip-sync < physics (physics outputs overwrite tracked values; the step is clamped to
:data:`rig.drive.MAX_DT_S`; broken physics is switched off, logged).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from rig.drive import Layer, ParameterValues, ValueStack
from rig.drive.idle import IDLE_IDS, idle_values
from rig.evaluate import compile_plan, evaluate
from rig.evaluate.types import EvaluatedRig
from rig.model import Rig


class Puppet:
    """A rig with its evaluation plan and physics state, posed frame by frame.

    Parameters
    ----------
    rig : Rig
        Not modified.
    idle : bool
        Breathe and blink (:mod:`rig.drive.idle`) on the preview layer, under tracking: the parameters
        tracking does not drive keep moving.

    Attributes
    ----------
    stack : ValueStack
        Its tracking layer runs from construction on (and the preview layer with ``idle``; the lip-sync
        layer from the first ``lipsync`` values); ``stack.simulator`` is the physics.
    """

    def __init__(self, rig: Rig, idle: bool = False) -> None:
        self.rig = rig
        self.plan = compile_plan(rig)
        self.defaults = {p.id: p.default for p in rig.parameters}
        self.values = ParameterValues(rig)
        self.stack = ValueStack(self.values, rig)
        self._idle = tuple(pid for pid in IDLE_IDS if pid in self.values) if idle else ()
        if self._idle:
            self.stack.start(Layer.PREVIEW, self._idle, time_s=0.0)
        self.stack.start(Layer.TRACKING, time_s=0.0)
        self._time_s = 0.0

    def pose(self, values: Mapping[str, float], dt_s: float,
             lipsync: Mapping[str, float] | None = None) -> dict[str, float]:
        """Every parameter's value: defaults, idle life, ``values`` clamped to range (unknown ids dropped),
        ``lipsync`` over them, then physics.

        Parameters
        ----------
        values : mapping of str to float
            Tracked values by parameter id.
        dt_s : float
            Seconds since the previous call (physics step); 0 on the first frame.
        lipsync : mapping of str to float, optional
            Microphone values (:mod:`inference.tracking.lipsync`), laid over the tracked mouth.
        """
        self._time_s += max(float(dt_s), 0.0)
        t = self._time_s
        if self._idle:
            self.stack.write(Layer.PREVIEW, idle_values(t, self._idle, self.stack.base), time_s=t)
        if lipsync is not None and not self.stack.is_running(Layer.LIPSYNC):
            self.stack.start(Layer.LIPSYNC, lipsync, time_s=t)
        self.stack.write(Layer.TRACKING, values, time_s=t, replace=True)
        if lipsync is not None:
            self.stack.write(Layer.LIPSYNC, lipsync, time_s=t, replace=True)
        return self.values.as_dict()

    def evaluate(self, values: Mapping[str, float], dt_s: float,
                 lipsync: Mapping[str, float] | None = None) -> EvaluatedRig:
        """:meth:`pose` then :func:`rig.evaluate.evaluate`."""
        return evaluate(self.rig, self.pose(values, dt_s, lipsync), self.plan, gizmos=False)

    def render(self, values: Mapping[str, float], dt_s: float, size: int | tuple[int, int] | None = None,
               lipsync: Mapping[str, float] | None = None,
               background: tuple[int, int, int] | None = None) -> np.ndarray:
        """(H, W, 4) uint8 straight RGBA of the rig posed by ``values`` (headless EGL); with ``background``
        (r, g, b) 0..255, drawn on that colour: opaque, ready for a sink at ``size`` without blending."""
        from app.render.offscreen import render_to_array

        evaluated = self.evaluate(values, dt_s, lipsync)
        if background is None:
            return render_to_array(evaluated, size=size)
        colour = tuple(c / 255.0 for c in background)
        return render_to_array(evaluated, size=size, background=colour, premultiplied=True)  # opaque: straight


def composite_over(rgba: np.ndarray, background_rgb: tuple[int, int, int] = (255, 255, 255)) -> np.ndarray:
    """Straight-alpha (H, W, 4) uint8 over an opaque colour -> (H, W, 3) uint8 RGB."""
    a = rgba[..., 3:4].astype(np.float32) / 255.0
    bg = np.asarray(background_rgb, np.float32)
    return np.clip(rgba[..., :3].astype(np.float32) * a + bg * (1.0 - a) + 0.5, 0, 255).astype(np.uint8)

"""Drive a rig from live parameter values: clamp, physics, evaluate, render (headless).

Used by ``kirie track --out-video`` and ``benchmarks/bench_tracking.py``; the editor's tracking does
the same through the window's value stack. Values go through one :class:`rig.drive.ValueStack` like
the editor's (anchors.md §3.2): defaults < tracking < physics (physics outputs overwrite tracked
values; the step is clamped to :data:`rig.drive.MAX_DT_S`; broken physics is switched off, logged).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from rig.drive import Layer, ParameterValues, ValueStack
from rig.evaluate import compile_plan, evaluate
from rig.evaluate.types import EvaluatedRig
from rig.model import Rig


class Puppet:
    """A rig with its evaluation plan and physics state, posed frame by frame.

    Parameters
    ----------
    rig : Rig
        Not modified.

    Attributes
    ----------
    stack : ValueStack
        Its tracking layer runs from construction on; ``stack.simulator`` is the physics.
    """

    def __init__(self, rig: Rig) -> None:
        self.rig = rig
        self.plan = compile_plan(rig)
        self.defaults = {p.id: p.default for p in rig.parameters}
        self.values = ParameterValues(rig)
        self.stack = ValueStack(self.values, rig)
        self.stack.start(Layer.TRACKING, time_s=0.0)
        self._time_s = 0.0

    def pose(self, values: Mapping[str, float], dt_s: float) -> dict[str, float]:
        """Every parameter's value: defaults, then ``values`` clamped to range (unknown ids dropped), then physics.

        Parameters
        ----------
        values : mapping of str to float
            Tracked values by parameter id.
        dt_s : float
            Seconds since the previous call (physics step); 0 on the first frame.
        """
        self._time_s += max(float(dt_s), 0.0)
        self.stack.write(Layer.TRACKING, values, time_s=self._time_s, replace=True)
        return self.values.as_dict()

    def evaluate(self, values: Mapping[str, float], dt_s: float) -> EvaluatedRig:
        """:meth:`pose` then :func:`rig.evaluate.evaluate`."""
        return evaluate(self.rig, self.pose(values, dt_s), self.plan, gizmos=False)

    def render(self, values: Mapping[str, float], dt_s: float, size: int | tuple[int, int] | None = None) -> np.ndarray:
        """(H, W, 4) uint8 straight RGBA of the rig posed by ``values`` (headless EGL)."""
        from app.render.offscreen import render_to_array

        return render_to_array(self.evaluate(values, dt_s), size=size)


def composite_over(rgba: np.ndarray, background_rgb: tuple[int, int, int] = (255, 255, 255)) -> np.ndarray:
    """Straight-alpha (H, W, 4) uint8 over an opaque colour -> (H, W, 3) uint8 RGB."""
    a = rgba[..., 3:4].astype(np.float32) / 255.0
    bg = np.asarray(background_rgb, np.float32)
    return np.clip(rgba[..., :3].astype(np.float32) * a + bg * (1.0 - a) + 0.5, 0, 255).astype(np.uint8)

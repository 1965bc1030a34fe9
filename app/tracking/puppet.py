"""Drive a rig from live parameter values: clamp, physics, evaluate, render (headless).

Used by ``kirie track --out-video`` and ``benchmarks/bench_tracking.py``; the viewport's tracking
mode does the same with its own GL context. The value-provider order follows VTube Studio
(anchors.md §3.2): defaults < tracking < physics (physics outputs overwrite tracked values).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import numpy as np

from rig.evaluate import compile_plan, evaluate
from rig.evaluate.physics import PhysicsSimulator
from rig.evaluate.types import EvaluatedRig
from rig.model import Rig


class Puppet:
    """A rig with its evaluation plan and physics state, posed frame by frame.

    Parameters
    ----------
    rig : Rig
        Not modified.
    """

    def __init__(self, rig: Rig) -> None:
        self.rig = rig
        self.plan = compile_plan(rig)
        self._ranges = {p.id: (p.min, p.max) for p in rig.parameters}
        self.defaults = {p.id: p.default for p in rig.parameters}
        self.physics = PhysicsSimulator(rig.physics, rig.parameters) if rig.physics.settings else None

    def pose(self, values: Mapping[str, float], dt_s: float) -> dict[str, float]:
        """Every parameter's value: defaults, then ``values`` clamped to range (unknown ids dropped), then physics.

        Parameters
        ----------
        values : mapping of str to float
            Tracked values by parameter id.
        dt_s : float
            Seconds since the previous call (physics step); 0 on the first frame.
        """
        out = dict(self.defaults)
        for pid, v in values.items():
            rng = self._ranges.get(pid)
            if rng is not None:
                out[pid] = min(max(float(v), rng[0]), rng[1])
        if self.physics is not None:
            out.update(self.physics.step(out, dt_s))
        return out

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


def physics_simulator(rig, purpose: str):
    """A :class:`rig.evaluate.physics.PhysicsSimulator` for ``rig``, or None when it has no physics
    or its physics is broken (logged: ``purpose`` names what goes on without it)."""
    if not rig.physics.settings:
        return None
    try:
        return PhysicsSimulator(rig.physics, rig.parameters)
    except Exception as exc:  # noqa: BLE001 - broken physics must not stop a preview or tracking
        logging.getLogger(__name__).warning("physics disabled during %s: %s", purpose, exc)
        return None

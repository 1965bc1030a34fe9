"""Pendulum physics with Cubism ``physics3.json`` semantics, stepped at a fixed rate.

:class:`PhysicsSimulator` reads input parameter values, advances every :class:`PhysicsSetting`'s
particle chain in fixed sub-steps of ``1 / fps`` seconds and returns the values of the output
parameters. It follows the Cubism Framework's ``CubismPhysics::Evaluate``:

- time accumulates; while at least one sub-step is due, the inputs for that sub-step are linearly
  interpolated between the inputs of the previous sub-step and the current values
  (weight ``(1 / fps) / remaining_time``), every setting's chain is updated and its outputs are
  written into the parameter cache, so a later setting may read an earlier one's output;
- more than 5 s of accumulated time is dropped (``MaxDeltaTime``), as after a long pause;
- the returned outputs interpolate between the last two sub-steps' results by
  ``remaining_time * fps`` (Framework ``Interpolate``), so the motion is smooth at any render rate.

The maths of one sub-step is in :mod:`rig.evaluate.physics_math`. Sources (semantics read, code
written anew): ``Live2D/CubismWebFramework : src/physics/cubismphysics.ts`` (``evaluate``,
``interpolate``, ``stabilization``, ``initialize``), ``Live2D/CubismNativeFramework :
src/Physics/CubismPhysics.cpp``, ``Live2D/CubismSpecs : FileFormats/physics3.json.md``.

Differences from the Framework, on purpose:

- ``scale`` also multiplies X and Y outputs. The Framework reads physics3 ``Scale`` only into the
  angle scale and leaves the translation scale at 0, so X/Y outputs always give 0 there; Kirie's
  exporter should therefore only write Angle outputs.
- ``PhysicsRig.gravity`` / ``.wind`` are used as the Framework's run-time ``Options`` (defaults
  (0, -1) and (0, 0)); the Framework ignores ``Meta.EffectiveForces`` from the file.
- A ``dt_s <= 0`` step advances nothing but still returns the interpolated outputs (the Framework
  returns without writing parameters). Before the first sub-step the outputs are the values given.

Pendulum model (derived and tested in ``tests/rig/evaluate/test_physics.py``): for a particle of
radius ``L``, acceleration ``a``, delay ``d`` and mobility ``m`` at ``fps`` Hz, let ``tau = 30 d / fps``
and ``rho = L / (L + a tau**2)``. The small-angle motion obeys ``x[n+1] = rho (1 + m) x[n] - rho m x[n-1]``:
a damped oscillation turning ``phi = acos(rho (1 + m) / (2 sqrt(rho m)))`` radians per sub-step, period
``2 pi / (phi fps)`` seconds (about ``2 pi / (30 d sqrt(a / L))``), amplitude factor ``sqrt(rho m)`` per
sub-step. Even ``m = 1`` decays (the projection onto the radius removes energy), and the damping per
second depends on ``fps``, as in Cubism.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rig.errors import ValidationError
from rig.evaluate.physics_math import (
    MOVEMENT_THRESHOLD,
    Particle,
    add_input,
    apply_output,
    output_value,
    rest_chain,
    rotate_like_cubism,
    stabilize_chain,
    update_chain,
)
from rig.model.parameter import Parameter
from rig.model.physics import PhysicsRig, PhysicsSetting

#: Accumulated time above this is dropped (Framework ``MaxDeltaTime``), seconds.
MAX_DELTA_TIME_S = 5.0


@dataclass(frozen=True, slots=True)
class PhysicsState:
    """A copy of everything that evolves in a :class:`PhysicsSimulator` (immutable, comparable).

    Attributes
    ----------
    particles : tuple of tuple of tuple of float
        Per setting, per particle: ``(x, y, last_x, last_y, vx, vy, gx, gy)`` in the physics3 frame.
    current_outputs, previous_outputs : tuple of tuple of float
        Per setting, per output: raw outputs (before scale) of the last two sub-steps.
    remaining_s : float
        Accumulated time not yet simulated, seconds (``< 1 / fps``).
    input_cache : tuple of (str, float) pairs, or None
        Input values of the last sub-step; None before the first step.
    stepped : bool
        Whether a sub-step has run since the last reset.
    """

    particles: tuple[tuple[tuple[float, ...], ...], ...]
    current_outputs: tuple[tuple[float, ...], ...]
    previous_outputs: tuple[tuple[float, ...], ...]
    remaining_s: float
    input_cache: tuple[tuple[str, float], ...] | None
    stepped: bool


class PhysicsSimulator:
    """Runs a rig's :class:`PhysicsRig`; deterministic for the same sequence of calls.

    Parameters
    ----------
    physics : PhysicsRig
        Settings, gravity, wind and the fixed rate ``fps`` (<= 0: one sub-step per call, as Cubism).
    parameters : sequence of Parameter
        Definitions of (at least) every parameter the physics reads or writes: ranges are used for
        input normalisation and output clamping, defaults for values not given to :meth:`step`.

    Raises
    ------
    ValidationError
        If a physics input or output names a parameter not in ``parameters``, or an output's
        ``particle_index`` is not in ``1 .. len(particles) - 1``.
    """

    def __init__(self, physics: PhysicsRig, parameters: Sequence[Parameter]) -> None:
        self._physics = physics
        by_id = {p.id: p for p in parameters}
        self._ranges: dict[str, tuple[float, float, float]] = {}
        for s in physics.settings:
            for io in [*s.inputs, *s.outputs]:
                p = by_id.get(io.parameter_id)
                if p is None:
                    raise ValidationError(
                        f"physics setting {s.id!r} uses unknown parameter {io.parameter_id!r}"
                    )
                self._ranges[p.id] = (p.min, p.max, p.default)
            for o in s.outputs:
                if not 0 < o.particle_index < len(s.particles):
                    raise ValidationError(
                        f"physics setting {s.id!r}: output particle {o.particle_index} out of range"
                    )
        self._chains = [
            [Particle(q.mobility, q.delay, q.acceleration, q.radius) for q in s.particles]
            for s in physics.settings
        ]
        self.output_parameter_ids: tuple[str, ...] = tuple(
            dict.fromkeys(o.parameter_id for s in physics.settings for o in s.outputs)
        )
        self.reset()

    # ----------------------------------------------------------------- state
    def reset(self) -> None:
        """Back to rest: chains hanging straight, outputs 0, no time accumulated (Framework ``Initialize``)."""
        for chain in self._chains:
            rest_chain(chain)
        self._current = [[0.0] * len(s.outputs) for s in self._physics.settings]
        self._previous = [[0.0] * len(s.outputs) for s in self._physics.settings]
        self._remaining_s = 0.0
        self._input_cache: dict[str, float] | None = None
        self._stepped = False

    def state(self) -> PhysicsState:
        """An immutable snapshot of the simulation state."""
        return PhysicsState(
            particles=tuple(tuple(p.dynamic_state() for p in chain) for chain in self._chains),
            current_outputs=tuple(tuple(o) for o in self._current),
            previous_outputs=tuple(tuple(o) for o in self._previous),
            remaining_s=self._remaining_s,
            input_cache=None if self._input_cache is None else tuple(sorted(self._input_cache.items())),
            stepped=self._stepped,
        )

    def set_state(self, state: PhysicsState) -> None:
        """Restore a snapshot from :meth:`state` of a simulator of the same physics.

        Raises
        ------
        ValidationError
            If the snapshot's chain or output counts do not match this simulator's settings.
        """
        shape = [len(c) for c in self._chains]
        if [len(c) for c in state.particles] != shape or [len(o) for o in state.current_outputs] != [
            len(o) for o in self._current
        ]:
            raise ValidationError("physics state does not match this rig's physics settings")
        for chain, saved in zip(self._chains, state.particles):
            for p, values in zip(chain, saved):
                p.set_dynamic_state(values)
        self._current = [list(o) for o in state.current_outputs]
        self._previous = [list(o) for o in state.previous_outputs]
        self._remaining_s = state.remaining_s
        self._input_cache = None if state.input_cache is None else dict(state.input_cache)
        self._stepped = state.stepped

    # ------------------------------------------------------------- stepping
    def step(self, values: Mapping[str, float], dt_s: float) -> dict[str, float]:
        """Advance by ``dt_s`` seconds with the current parameter ``values``; return the outputs.

        Parameters
        ----------
        values : mapping of str to float
            Current parameter values (sliders, tracking); missing ids use the parameter default.
        dt_s : float
            Elapsed time since the last call, seconds.

        Returns
        -------
        dict of str to float
            ``{output parameter id: value}`` in parameter units, clamped to its range.
        """
        current = {pid: float(values.get(pid, rng[2])) for pid, rng in self._ranges.items()}
        if dt_s > 0.0:
            self._advance(current, float(dt_s))
        if not self._stepped:
            return {pid: current[pid] for pid in self.output_parameter_ids}
        alpha = self._remaining_s / self._sub_step_s(dt_s) if self._physics.fps > 0 else 0.0
        out = dict(current)
        for k, s in enumerate(self._physics.settings):
            for j, o in enumerate(s.outputs):
                raw = self._previous[k][j] * (1.0 - alpha) + self._current[k][j] * alpha
                lo, hi, _ = self._ranges[o.parameter_id]
                out[o.parameter_id] = apply_output(out[o.parameter_id], raw, o, lo, hi)
        return {pid: out[pid] for pid in self.output_parameter_ids}

    def stabilize(self, values: Mapping[str, float]) -> dict[str, float]:
        """Jump to the resting pose for ``values`` and return the outputs (Framework ``Stabilization``).

        Each chain is laid straight along its constant force (gravity of the input angle times
        acceleration, plus wind) from the input root position, with zero velocity.
        """
        cache = {pid: float(values.get(pid, rng[2])) for pid, rng in self._ranges.items()}
        self._input_cache = dict(cache)
        for k, s in enumerate(self._physics.settings):
            root, angle = self._setting_inputs(s, cache)
            stabilize_chain(self._chains[k], root, angle, self._physics.wind, self._threshold(s))
            self._write_outputs(k, s, cache)
            self._previous[k] = list(self._current[k])
        self._stepped = True
        return {pid: cache[pid] for pid in self.output_parameter_ids}

    def _sub_step_s(self, dt_s: float) -> float:
        return 1.0 / self._physics.fps if self._physics.fps > 0 else dt_s

    def _advance(self, current: dict[str, float], dt_s: float) -> None:
        self._remaining_s += dt_s
        if self._remaining_s > MAX_DELTA_TIME_S:
            self._remaining_s = 0.0
        if self._input_cache is None:
            self._input_cache = dict(current)
        sub = self._sub_step_s(dt_s)
        while self._remaining_s >= sub:
            w = sub / self._remaining_s
            cache = {pid: self._input_cache[pid] * (1.0 - w) + current[pid] * w for pid in current}
            self._input_cache = dict(cache)
            for k, s in enumerate(self._physics.settings):
                self._previous[k] = list(self._current[k])
                root, angle = self._setting_inputs(s, cache)
                update_chain(self._chains[k], root, angle, self._physics.wind, self._threshold(s), sub)
                self._write_outputs(k, s, cache)
            self._remaining_s -= sub
            self._stepped = True

    def _setting_inputs(
        self, s: PhysicsSetting, cache: Mapping[str, float]
    ) -> tuple[tuple[float, float], float]:
        """Root translation (rotated by minus the total angle, as Cubism) and total angle in degrees."""
        tx = ty = angle = 0.0
        for i in s.inputs:
            lo, hi, _ = self._ranges[i.parameter_id]
            dx, dy, da = add_input(
                i.kind, s.normalization, (cache[i.parameter_id], lo, hi, i.reflect), i.weight
            )
            tx, ty, angle = tx + dx, ty + dy, angle + da
        return rotate_like_cubism(tx, ty, math.radians(-angle)), angle

    def _write_outputs(self, k: int, s: PhysicsSetting, cache: dict[str, float]) -> None:
        """Compute setting ``k``'s raw outputs and write them into ``cache`` (seen by later settings)."""
        for j, o in enumerate(s.outputs):
            raw = output_value(self._chains[k], o, self._physics.gravity)
            self._current[k][j] = raw
            lo, hi, _ = self._ranges[o.parameter_id]
            cache[o.parameter_id] = apply_output(cache[o.parameter_id], raw, o, lo, hi)

    @staticmethod
    def _threshold(s: PhysicsSetting) -> float:
        return MOVEMENT_THRESHOLD * s.normalization.position_max

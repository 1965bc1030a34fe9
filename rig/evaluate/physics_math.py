"""The pure maths of Cubism pendulum physics: input normalisation, one chain update, output values.

Everything here works on plain Python floats (a chain has 2 to ~11 particles; numpy would only add
per-call overhead). :mod:`rig.evaluate.physics` drives these functions at a fixed rate.

Frame: the physics3 frame. Particle 0 is the root; at rest the chain hangs along +y (the Framework's
``Initialize`` places particle ``i`` at ``(0, radius_1 + ... + radius_i)``). Gravity of the chain is the
unit vector ``(sin a, cos a)`` for the total input angle ``a``, i.e. ``(0, 1)`` at rest. Time is
measured in Cubism's unit: one sub-step of ``dt`` seconds advances a particle by ``delay * dt * 30``
units, so the particle ``delay`` is a time-scale factor (1 = a 30 Hz time unit).

Sources (semantics read, code written anew): ``Live2D/CubismWebFramework : src/physics/cubismphysics.ts``
(``normalizeParameterValue``, ``updateParticles``, ``updateParticlesForStabilization``,
``getOutputAngle``, ``updateOutputParameterValue``) and
``Live2D/CubismNativeFramework : src/Physics/CubismPhysics.cpp`` (same functions, PascalCase);
``Live2D/CubismSpecs : FileFormats/physics3.json.md`` for the fields.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rig.model.physics import PhysicsNormalization, PhysicsOutput, PhysicsSource

#: Divides the rotation a particle's direction follows when gravity turns (Framework ``AirResistance``).
AIR_RESISTANCE = 5.0
#: Input and output weights are percentages (Framework ``MaximumWeight``).
MAXIMUM_WEIGHT = 100.0
#: ``|x| < MOVEMENT_THRESHOLD * normalization.position_max`` snaps a particle's x to 0.
MOVEMENT_THRESHOLD = 0.001
#: Cubism's particle time unit: ``delay * dt_s * 30``.
TIME_UNIT_HZ = 30.0


@dataclass(slots=True)
class Particle:
    """Mutable simulation state of one particle plus its constants (physics3 ``Vertices`` entry).

    ``x, y``: position; ``last_x, last_y``: position before the last update; ``vx, vy``: velocity in
    units per Cubism time unit, already multiplied by ``mobility``; ``gx, gy``: the chain gravity the
    particle saw last (unit vector).
    """

    mobility: float
    delay: float
    acceleration: float
    radius: float
    x: float = 0.0
    y: float = 0.0
    last_x: float = 0.0
    last_y: float = 0.0
    vx: float = 0.0
    vy: float = 0.0
    gx: float = 0.0
    gy: float = 1.0

    def dynamic_state(self) -> tuple[float, ...]:
        return (self.x, self.y, self.last_x, self.last_y, self.vx, self.vy, self.gx, self.gy)

    def set_dynamic_state(self, values: tuple[float, ...]) -> None:
        self.x, self.y, self.last_x, self.last_y, self.vx, self.vy, self.gx, self.gy = (
            float(v) for v in values
        )


def rest_chain(chain: list[Particle]) -> None:
    """Put ``chain`` at rest: hanging straight down +y, particle ``i`` at the sum of radii 1..i.

    As the Framework's ``Initialize``: the physics3 ``Position`` of a vertex is not used, only radii.
    """
    y = 0.0
    for i, p in enumerate(chain):
        if i > 0:
            y += p.radius
        p.x, p.y, p.last_x, p.last_y = 0.0, y, 0.0, y
        p.vx = p.vy = 0.0
        p.gx, p.gy = 0.0, 1.0


def normalize_parameter_value(
    value: float,
    p_min: float,
    p_max: float,
    norm_min: float,
    norm_default: float,
    norm_max: float,
    reflect: bool,
) -> float:
    """Map a parameter value into a setting's normalisation range (Framework ``normalizeParameterValue``).

    The value is clamped to the parameter range. The *middle* of that range (not the parameter's
    default) maps to ``norm_default``; each half maps linearly onto its side of the normalisation
    range. The result is negated unless ``reflect`` is set (Cubism's convention: a non-reflected
    input pushes the root towards -x for a value above the middle).
    """
    lo, hi = min(p_min, p_max), max(p_min, p_max)
    value = min(hi, max(lo, value))
    middle = lo + (hi - lo) / 2.0
    offset = value - middle
    if offset > 0.0:
        result = norm_default + offset * (max(norm_min, norm_max) - norm_default) / (hi - middle)
    elif offset < 0.0:
        result = norm_default + offset * (min(norm_min, norm_max) - norm_default) / (lo - middle)
    else:
        result = norm_default
    return result if reflect else -result


def add_input(
    kind: PhysicsSource,
    normalized: PhysicsNormalization,
    args: tuple[float, float, float, bool],
    weight_pct: float,
) -> tuple[float, float, float]:
    """Contribution ``(dx, dy, dangle_deg)`` of one input; ``args`` = (value, min, max, reflect)."""
    value, p_min, p_max, reflect = args
    w = weight_pct / MAXIMUM_WEIGHT
    if kind is PhysicsSource.ANGLE:
        n = normalize_parameter_value(
            value, p_min, p_max, normalized.angle_min, normalized.angle_default, normalized.angle_max, reflect
        )
        return 0.0, 0.0, n * w
    n = normalize_parameter_value(
        value,
        p_min,
        p_max,
        normalized.position_min,
        normalized.position_default,
        normalized.position_max,
        reflect,
    )
    return (n * w, 0.0, 0.0) if kind is PhysicsSource.X else (0.0, n * w, 0.0)


def rotate_like_cubism(x: float, y: float, radian: float) -> tuple[float, float]:
    """Rotate ``(x, y)`` by ``radian`` exactly as the Framework does, quirk included.

    The Framework computes the new y from the *already rotated* x (its two assignments share the
    variable). For small angles the difference is second order; it is reproduced so that Kirie's
    preview matches Cubism hosts.
    """
    c, s = math.cos(radian), math.sin(radian)
    x = x * c - y * s
    y = x * s + y * c
    return x, y


def direction_to_radian(fx: float, fy: float, tx: float, ty: float) -> float:
    """Signed angle from vector ``f`` to vector ``t`` in (-pi, pi] (Framework ``directionToRadian``)."""
    ret = math.atan2(ty, tx) - math.atan2(fy, fx)
    while ret < -math.pi:
        ret += 2.0 * math.pi
    while ret > math.pi:
        ret -= 2.0 * math.pi
    return ret


def chain_gravity(angle_deg: float) -> tuple[float, float]:
    """Unit gravity of a chain for a total input angle: ``(sin a, cos a)`` (Framework ``radianToDirection``)."""
    r = math.radians(angle_deg)
    return math.sin(r), math.cos(r)


def update_chain(
    chain: list[Particle],
    root: tuple[float, float],
    angle_deg: float,
    wind: tuple[float, float],
    threshold: float,
    dt_s: float,
) -> None:
    """Advance a chain by one fixed sub-step of ``dt_s`` seconds (Framework ``updateParticles``).

    Per particle ``i >= 1``, with ``tau = delay * dt_s * 30`` and ``F = acceleration * g + wind``:
    turn the segment by 1/5 of the change of gravity direction since the last step, add
    ``v * tau + F * tau**2`` (a position-Verlet step whose velocity carries the ``mobility`` factor
    as damping), project back onto the circle of ``radius`` about particle ``i - 1``, snap a tiny
    ``|x| < threshold`` to 0, and store the new velocity ``(p - p_last) / tau * mobility``.
    The root (particle 0) is placed at ``root``.
    """
    chain[0].x, chain[0].y = root
    gx, gy = chain_gravity(angle_deg)
    for i in range(1, len(chain)):
        p, prev = chain[i], chain[i - 1]
        fx, fy = gx * p.acceleration + wind[0], gy * p.acceleration + wind[1]
        p.last_x, p.last_y = p.x, p.y
        tau = p.delay * dt_s * TIME_UNIT_HZ
        turn = direction_to_radian(p.gx, p.gy, gx, gy) / AIR_RESISTANCE
        dx, dy = rotate_like_cubism(p.x - prev.x, p.y - prev.y, turn)
        px = prev.x + dx + p.vx * tau + fx * tau * tau
        py = prev.y + dy + p.vy * tau + fy * tau * tau
        _place_on_radius(p, prev, px, py, threshold)
        if tau != 0.0:
            p.vx = (p.x - p.last_x) / tau * p.mobility
            p.vy = (p.y - p.last_y) / tau * p.mobility
        p.gx, p.gy = gx, gy


def stabilize_chain(
    chain: list[Particle],
    root: tuple[float, float],
    angle_deg: float,
    wind: tuple[float, float],
    threshold: float,
) -> None:
    """Put a chain straight along its constant force, at rest (Framework ``updateParticlesForStabilization``)."""
    chain[0].x, chain[0].y = root
    gx, gy = chain_gravity(angle_deg)
    for i in range(1, len(chain)):
        p, prev = chain[i], chain[i - 1]
        fx, fy = gx * p.acceleration + wind[0], gy * p.acceleration + wind[1]
        p.last_x, p.last_y = p.x, p.y
        p.vx = p.vy = 0.0
        _place_on_radius(p, prev, prev.x + fx, prev.y + fy, threshold)
        p.gx, p.gy = gx, gy


def _place_on_radius(p: Particle, prev: Particle, px: float, py: float, threshold: float) -> None:
    """Set ``p`` at distance ``p.radius`` from ``prev`` in the direction of ``(px, py)``; snap tiny x."""
    nx, ny = px - prev.x, py - prev.y
    length = math.hypot(nx, ny)
    if length > 0.0:  # the Framework would divide by zero here; keep the particle on the root instead
        nx, ny = nx / length, ny / length
    p.x, p.y = prev.x + nx * p.radius, prev.y + ny * p.radius
    if abs(p.x) < threshold:
        p.x = 0.0


def output_value(chain: list[Particle], output: PhysicsOutput, gravity: tuple[float, float]) -> float:
    """Raw output of ``output`` before scale (Framework ``getOutputTranslationX/Y``, ``getOutputAngle``).

    X / Y: the component of the segment ``p[i] - p[i-1]``. Angle: radians from the parent direction
    (``p[i-1] - p[i-2]``, or ``-gravity`` for ``i == 1``) to that segment. ``reflect`` negates.
    """
    i = output.particle_index
    tx, ty = chain[i].x - chain[i - 1].x, chain[i].y - chain[i - 1].y
    if output.kind is PhysicsSource.X:
        value = tx
    elif output.kind is PhysicsSource.Y:
        value = ty
    else:
        if i >= 2:
            ref = (chain[i - 1].x - chain[i - 2].x, chain[i - 1].y - chain[i - 2].y)
        else:
            ref = (-gravity[0], -gravity[1])
        value = direction_to_radian(ref[0], ref[1], tx, ty)
    return -value if output.reflect else value


def apply_output(current: float, raw: float, output: PhysicsOutput, p_min: float, p_max: float) -> float:
    """New parameter value: ``raw * scale`` clamped to the range, blended by ``weight`` percent.

    Framework ``updateOutputParameterValue``: ``w = weight / 100``; ``w >= 1`` replaces the value,
    otherwise ``current * (1 - w) + value * w``.
    """
    value = min(p_max, max(p_min, raw * output.scale))
    w = output.weight / MAXIMUM_WEIGHT
    return value if w >= 1.0 else current * (1.0 - w) + value * w

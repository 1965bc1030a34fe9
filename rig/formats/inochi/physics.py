"""Kirie physics (Cubism pendulum chains) -> Inochi2D ``SimplePhysics`` nodes (approximate).

Inochi2D's ``SimplePhysics`` (``Inochi2D/inochi2d`` v0.8.7, ``core/nodes/drivers/simplephysics.d``)
is one pendulum hanging from the node's world position (its *anchor*) that forces one parameter.
Cubism's model (``rig.evaluate.physics``) is a chain of particles whose root is moved by input
parameters. The mapping [our choice], one ``SimplePhysics`` node per :class:`PhysicsOutput`:

* **Model** ``Pendulum`` (rigid), ``map_mode`` ``AngleLength``: the output parameter gets
  ``angle / pi * output_scale.x`` where ``angle`` is the bob's angle from straight down
  (``atan2(-x, y)``); Cubism's raw Angle output is the same angle in radians, so
  ``output_scale.x = pi * scale`` (negated for ``reflect``). An X output uses ``map_mode`` ``XY``
  (x = bob x / length) with ``output_scale.x = scale * chain length``; Y outputs are skipped (logged):
  Inochi2D measures y from the rest length, Cubism from the root. Output ``weight`` below 100 % is
  ignored. An output on particle ``i >= 2`` becomes its own pendulum, as long as the chain up to
  ``i``; Cubism measures it relative to the segment before, Inochi2D from straight down.
* **Frequency and damping.** The Cubism chain segment of the output particle behaves as a damped
  oscillator turning ``phi = acos(rho (1 + m) / (2 sqrt(rho m)))`` per ``1 / fps`` sub-step with
  amplitude factor ``sqrt(rho m)`` (``rig.evaluate.physics`` module notes, ``rho = L / (L + a tau^2)``,
  ``tau = 30 d / fps``). Damped frequency ``w_d = phi fps``, decay rate ``s = -fps ln sqrt(rho m)``,
  natural ``w_n = hypot(w_d, s)``, damping ratio ``s / w_n`` = Inochi2D's ``angle_damping`` (its
  pendulum damps with ``angle_damping * 2 w_n``). Inochi2D's pendulum has ``w_n = sqrt(g / length)``
  with ``g = 9.8 * 1000`` px/s^2 (puppet ``physics`` defaults), so ``length = g / w_n^2`` px.
  An overdamped chain (``acos`` argument >= 1) gets damping 1 and ``w_n = 30 d sqrt(a / L)``.
* **Inputs** move the anchor through transform bindings on the node: an X (Y) input adds
  ``transform.t.x`` (``t.y``) = the Cubism root displacement (normalised input x weight, in physics
  units) x ``length / chain length`` px; an Angle input adds ``transform.r.z`` = the Cubism gravity
  rotation in radians, which gives the same equilibrium output as Cubism (the bob keeps hanging down
  in world space, and the output angle is measured in the node's rotated frame), but reaches it at
  once instead of swinging there. The normalisation is sampled at the parameter's axis points and
  interpolated linearly in between.

Enum fields are written as the D enum *member names* (``Pendulum``, ``AngleLength``), not their
string values (``pendulum``, ``angle_length``): v0.8.7 serialises enums through fghj/mir
``serdeGetKeyOut`` (the member identifier) and parses them back only by identifier
(``serdeParseEnum``), so the lower-case values would make the loader throw.
"""

from __future__ import annotations

import logging
import math

from rig.evaluate.physics_math import normalize_parameter_value
from rig.formats.inochi.params import InochiParam
from rig.model import PhysicsOutput, PhysicsSetting, PhysicsSource, Rig

log = logging.getLogger(__name__)

#: Inochi2D puppet physics defaults (``core/puppet.d`` ``PuppetPhysics``).
PIXELS_PER_METER = 1000.0
GRAVITY_M_S2 = 9.8
#: Inochi2D's pendulum gravity in px/s^2 with the node's ``gravity`` scale at 1.
GRAVITY_PX_S2 = PIXELS_PER_METER * GRAVITY_M_S2


def oscillator(setting: PhysicsSetting, particle_index: int, fps: float) -> tuple[float, float]:
    """Natural angular frequency (rad/s) and damping ratio of one Cubism chain segment.

    See the module docstring for the formula. Raises nothing; a degenerate particle (radius or
    acceleration 0) gives a slow, critically damped pendulum (1 rad/s, ratio 1).
    """
    p = setting.particles[particle_index]
    tau = 30.0 * p.delay / fps
    if p.radius <= 0 or p.acceleration <= 0 or p.delay <= 0:
        return 1.0, 1.0
    rho = p.radius / (p.radius + p.acceleration * tau * tau)
    r = math.sqrt(max(rho * p.mobility, 1e-12))
    arg = rho * (1.0 + p.mobility) / (2.0 * r)
    if arg >= 1.0 or r >= 1.0:
        return 30.0 * p.delay * math.sqrt(p.acceleration / p.radius), 1.0
    w_d = math.acos(arg) * fps
    s = -fps * math.log(r)
    w_n = math.hypot(w_d, s)
    return w_n, min(1.0, s / w_n)


def _input_bindings(
    setting: PhysicsSetting, rig: Rig, params_by_kirie: dict[str, InochiParam], px_per_unit: float, node_uuid: int
) -> dict[int, list[dict]]:
    """``transform.*`` value bindings on the physics node, grouped by Inochi2D parameter uuid."""
    sums: dict[tuple[int, str], list[list[float]]] = {}
    for inp in setting.inputs:
        q = params_by_kirie.get(inp.parameter_id)
        if q is None:
            continue
        p = rig.parameter(inp.parameter_id)
        norm = setting.normalization
        lo, dflt, hi = (norm.angle_min, norm.angle_default, norm.angle_max) if inp.kind is PhysicsSource.ANGLE else (
            norm.position_min, norm.position_default, norm.position_max)
        target = {PhysicsSource.X: "transform.t.x", PhysicsSource.Y: "transform.t.y"}.get(inp.kind, "transform.r.z")
        nx, ny = q.shape
        grid = sums.setdefault((q.uuid, target), [[0.0] * ny for _ in range(nx)])
        axis = q.axis(inp.parameter_id)
        for i in range(nx):
            for j in range(ny):
                v = q.axis_values[axis][(i, j)[axis]]
                n = normalize_parameter_value(v, p.min, p.max, lo, dflt, hi, inp.reflect) * inp.weight / 100.0
                grid[i][j] += math.radians(n) if inp.kind is PhysicsSource.ANGLE else n * px_per_unit
    out: dict[int, list[dict]] = {}
    for (quuid, target), values in sums.items():
        out.setdefault(quuid, []).append({
            "node": node_uuid, "param_name": target, "values": values,
            "isSet": [[True] * len(values[0]) for _ in values], "interpolate_mode": "Linear",
        })
    return out


def physics_nodes(
    rig: Rig, params: list[InochiParam], first_uuid: int
) -> tuple[list[dict], dict[int, list[dict]]]:
    """``SimplePhysics`` node objects and their input bindings (by Inochi2D parameter uuid).

    Outputs to a parameter missing from ``params`` are skipped. Node uuids are ``first_uuid``,
    ``first_uuid + 1``...; nodes are named ``<setting name> <output parameter id>``.
    """
    params_by_kirie = {kid: q for q in params for kid in q.ids}
    nodes: list[dict] = []
    bindings: dict[int, list[dict]] = {}
    for s in rig.physics.settings:
        for out in s.outputs:
            q = params_by_kirie.get(out.parameter_id)
            if q is None or out.kind is PhysicsSource.Y:
                if q is not None:
                    log.warning("physics %s: Y output to %s has no Inochi2D equivalent; skipped", s.id, out.parameter_id)
                continue
            uuid = first_uuid + len(nodes)
            w_n, zeta = oscillator(s, out.particle_index, rig.physics.fps)
            length_px = GRAVITY_PX_S2 / (w_n * w_n)
            chain_units = sum(p.radius for p in s.particles[1 : out.particle_index + 1]) or 1.0
            nodes.append(_node_json(s, out, q, uuid, (length_px, chain_units), w_n, zeta))
            for quuid, bs in _input_bindings(s, rig, params_by_kirie, length_px / chain_units, uuid).items():
                bindings.setdefault(quuid, []).extend(bs)
    return nodes, bindings


def _node_json(
    s: PhysicsSetting, out: PhysicsOutput, q: InochiParam, uuid: int, lengths: tuple[float, float], w_n: float,
    zeta: float,
) -> dict:
    length_px, chain_units = lengths
    sign = -1.0 if out.reflect else 1.0
    angle = out.kind is PhysicsSource.ANGLE
    scale_x = sign * (math.pi * out.scale if angle else out.scale * chain_units)
    return {
        "uuid": uuid, "name": f"{s.name} {out.parameter_id}", "type": "SimplePhysics", "enabled": True,
        "zsort": 0.0, "transform": {"trans": [0.0, 0.0, 0.0], "rot": [0.0, 0.0, 0.0], "scale": [1.0, 1.0]},
        "lockToRoot": False, "param": q.uuid, "model_type": "Pendulum", "map_mode": "AngleLength" if angle else "XY",
        "gravity": 1.0, "length": round(length_px, 4), "frequency": round(w_n / (2 * math.pi), 6),
        "angle_damping": round(zeta, 6), "length_damping": 0.5,
        "output_scale": [scale_x, 1.0], "local_only": False,
    }

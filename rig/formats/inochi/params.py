"""Kirie parameters -> Inochi2D parameters (1-D, or 2-D ``is_vec2`` for X/Y pairs).

Inochi2D (``Inochi2D/inochi2d`` v0.8.7, ``source/inochi2d/core/param/package.d``) gives every
parameter one or two axes with shared *axis points*, normalised to [0, 1] over ``min..max``, the
first at 0 and the last at 1. Every binding of the parameter has a value at every axis point.

Mapping decisions ([our choice], cubism-formats.md section 3):

* **Pairs.** Two Kirie parameters ``<prefix>X`` and ``<prefix>Y`` (``ParamAngleX`` / ``ParamAngleY``,
  ``ParamEyeBallX`` / ``ParamEyeBallY``, ``ParamBodyAngleX`` / ``ParamBodyAngleY``...) become one
  ``is_vec2`` parameter named ``<prefix>XY`` (x axis = the X parameter, y axis = the Y parameter), so a
  keyform grid over both is reproduced jointly instead of as a sum. A parameter written by physics is
  never paired: a ``SimplePhysics`` node forces both axes of its parameter.
* **Names.** Inochi2D parameters have a name and a uuid, no id: the name is the Kirie id
  (``ParamAngleZ``), which is stable and is what tracking setups expect.
* **Axis points** of one axis are the Kirie parameter's keys plus its min, default and max. The
  default must be an axis point: bindings store offsets from the rest pose, and the rest pose must
  give exactly zero.
"""

from __future__ import annotations

from dataclasses import dataclass

from rig.model import Parameter, Rig


@dataclass(frozen=True, slots=True)
class InochiParam:
    """One Inochi2D parameter built from one or two Kirie parameters.

    Attributes
    ----------
    name : str
        Inochi2D parameter name (the Kirie id, or ``<prefix>XY`` for a pair).
    uuid : int
        u32 uuid, unique among all nodes and parameters of the puppet.
    ids : tuple of str
        The Kirie parameter ids of the x (and y) axis.
    mins, maxs, defaults : tuple of float
        Per axis, in Kirie parameter units.
    axis_values : tuple of tuple of float
        Per axis, ascending Kirie parameter values at the axis points (first = min, last = max).
    """

    name: str
    uuid: int
    ids: tuple[str, ...]
    mins: tuple[float, ...]
    maxs: tuple[float, ...]
    defaults: tuple[float, ...]
    axis_values: tuple[tuple[float, ...], ...]

    @property
    def is_vec2(self) -> bool:
        return len(self.ids) == 2

    @property
    def shape(self) -> tuple[int, int]:
        """Axis point counts (x, y); y is 1 for a 1-D parameter (Inochi2D's ``axisPoints[1] = [0]``)."""
        return len(self.axis_values[0]), len(self.axis_values[1]) if self.is_vec2 else 1

    def values_at(self, i: int, j: int) -> dict[str, float]:
        """Kirie parameter values at axis point (i, j)."""
        out = {self.ids[0]: self.axis_values[0][i]}
        if self.is_vec2:
            out[self.ids[1]] = self.axis_values[1][j]
        return out

    def axis(self, kirie_id: str) -> int:
        """0 or 1: the axis carrying ``kirie_id``."""
        return self.ids.index(kirie_id)

    def to_json(self, bindings: list[dict]) -> dict:
        """The v0.8.7 ``Parameter.serializeSelf`` object."""
        if self.is_vec2:
            lo, hi, default = list(self.mins), list(self.maxs), list(self.defaults)
            points = [_normalised(self.axis_values[a], self.mins[a], self.maxs[a]) for a in (0, 1)]
        else:  # the y axis of a 1-D parameter keeps Inochi2D's defaults (range 0..1, one point at 0)
            lo, hi, default = [self.mins[0], 0.0], [self.maxs[0], 1.0], [self.defaults[0], 0.0]
            points = [_normalised(self.axis_values[0], self.mins[0], self.maxs[0]), [0.0]]
        return {
            "uuid": self.uuid, "name": self.name, "is_vec2": self.is_vec2, "min": lo, "max": hi,
            "defaults": default, "axis_points": points, "merge_mode": "Additive", "bindings": bindings,
        }


def _normalised(values: tuple[float, ...], lo: float, hi: float) -> list[float]:
    return [(v - lo) / (hi - lo) for v in values]


def axis_values(param: Parameter) -> tuple[float, ...]:
    """Keys plus min, default and max of ``param``, ascending, without duplicates."""
    return tuple(sorted({*param.keys, param.min, param.default, param.max}))


def build_params(rig: Rig, first_uuid: int) -> list[InochiParam]:
    """Inochi2D parameters for ``rig.parameters`` in display order (a pair sits at its X's place).

    Parameters
    ----------
    rig : Rig
    first_uuid : int
        The uuids given are ``first_uuid, first_uuid + 1, ...``.
    """
    physics_outputs = {o.parameter_id for s in rig.physics.settings for o in s.outputs}
    by_id = {p.id: p for p in rig.parameters}
    partner: dict[str, str] = {}
    for p in rig.parameters:
        if p.id.endswith("X") and p.id[:-1] + "Y" in by_id:
            y = p.id[:-1] + "Y"
            if not {p.id, y} & physics_outputs and not by_id[p.id].repeat and not by_id[y].repeat:
                partner[p.id], partner[y] = y, p.id
    out: list[InochiParam] = []
    for p in rig.parameters:
        if p.id in partner and p.id.endswith("Y"):
            continue  # emitted with its X
        group = (p, by_id[partner[p.id]]) if p.id in partner else (p,)
        name = p.id + "Y" if len(group) == 2 else p.id
        out.append(InochiParam(
            name, first_uuid + len(out), tuple(q.id for q in group), tuple(q.min for q in group),
            tuple(q.max for q in group), tuple(q.default for q in group), tuple(axis_values(q) for q in group),
        ))
    return out

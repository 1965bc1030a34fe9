"""Keyform editing logic for Deform mode, Qt-free: which keyform is armed, and the edit commands.

Terms (``rig/model/keyform.py``): an object keyed on parameters P0..Pm-1 has one keyform per
combination of its bindings' keys. The object is **on a key** at the current parameter values when
every bound parameter sits on one of its binding's keys (within ``KEY_SNAP``, the evaluator's snap);
the **armed keyform** is then the one whose blend weight is 1, and editing it changes the pose at
exactly that key combination. Parameters the object is not bound to do not matter.

The **rest keyform** is the object's keyform blend at every parameter's default value.

Mirroring (``anchors.md`` 4 item 5, ``Inochi2D/inochi-creator#211``): a left/right pair
(``ArtMeshEyeWhiteL`` / ``ArtMeshEyeWhiteR``) is found by swapping the ``L``/``R`` id token; the
source's displacement from rest, measured in canvas px at the rest pose, is reflected about the
vertical axis halfway between the two objects' rest centroids and applied to the target's rest
pose; target vertices take the displacement of the source vertex whose mirrored rest position is
nearest. Different vertex counts are fine. Pasting a keyform onto another object uses the same
transfer without the reflection.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from rig.document.commands import (
    AddParameterKey,
    CompoundCommand,
    RemoveParameterKey,
    SetKeyformGrid,
    SetKeyformValues,
)
from rig.errors import KeyformMismatchError, ValidationError
from rig.evaluate import evaluate
from rig.evaluate.keyforms import KEY_SNAP, interpolate_keyforms
from rig.evaluate.parent_space import ParentMap  # re-exported: the drag tools' parent-space map
from rig.model import ArtMesh, Rig, RotationDeformer, WarpDeformer

#: Keyform fields a Deform-mode edit changes, per class.
GEOMETRY_FIELDS = {ArtMesh: ("positions",), WarpDeformer: ("positions",),
                   RotationDeformer: ("origin", "angle_deg", "scale")}
_SIDE = re.compile(r"(?<=[a-z])([LR])(?=[A-Z0-9]|$)")


@dataclass(frozen=True, slots=True)
class KeyState:
    """Where an object stands at some parameter values.

    Attributes
    ----------
    object_id : str
    keyform_index : int or None
        The armed keyform (flat index) when on a key, else None.
    off_key : tuple of (str, float)
        ``(parameter_id, value)`` of every bound parameter that is not on one of its keys.
    unbound : tuple of str
        Parameters away from their default that the object is not keyed on (an edit there
        changes the object at every value of them).
    """

    object_id: str
    keyform_index: int | None
    off_key: tuple[tuple[str, float], ...] = ()
    unbound: tuple[str, ...] = ()

    @property
    def on_key(self) -> bool:
        return self.keyform_index is not None


def key_state(rig: Rig, object_id: str, values: Mapping[str, float]) -> KeyState:
    """The armed keyform of ``object_id`` at ``values`` (missing ids: defaults)."""
    grid = rig.find(object_id).keyforms
    params = {p.id: p for p in rig.parameters}
    indices, off = [], []
    for b in grid.bindings:
        x = float(values.get(b.parameter_id, params[b.parameter_id].default))
        dist = np.abs(np.asarray(b.keys) - x)
        if dist.min() < KEY_SNAP:
            indices.append(int(dist.argmin()))
        else:
            off.append((b.parameter_id, x))
    bound = set(grid.parameter_ids)
    unbound = tuple(p.id for p in rig.parameters
                    if p.id not in bound and abs(float(values.get(p.id, p.default)) - p.default) >= KEY_SNAP)
    index = grid.flat_index(tuple(indices)) if not off else None
    return KeyState(object_id, index, tuple(off), unbound)


def key_value(value: float) -> float:
    """A slider value as a key (rounded to 1e-3, inside the evaluator's snap distance)."""
    return round(float(value), 3)


def add_key_steps(rig: Rig, object_id: str, parameter_id: str, value: float) -> list:
    """Commands, as builders ``f(rig) -> Command``, that give ``object_id`` a key at ``value``.

    A new parameter key (:class:`AddParameterKey`, fanned out to every bound grid) when the
    parameter lacks it; then, if the object is not keyed on the parameter, a new binding on all of
    the parameter's keys (:meth:`SetKeyformGrid.bind`), or, if the parameter already had the key but
    this object's binding lacks it, that one key (:meth:`SetKeyformGrid.add_key`). Build and push
    the steps in order (each reads the rig the previous one left); group them in one macro.

    Raises
    ------
    ValidationError
        ``value`` outside the parameter's range, or the object already has that key.
    """
    value = key_value(value)
    param = rig.parameter(parameter_id)
    if not param.min <= value <= param.max:
        raise ValidationError(f"key {value:g} is outside {parameter_id} range [{param.min:g}, {param.max:g}]")
    binding = next((b for b in rig.find(object_id).keyforms.bindings if b.parameter_id == parameter_id), None)
    if binding is not None and value in binding.keys:
        raise ValidationError(f"{object_id} already has a key at {parameter_id} = {value:g}")
    steps = []
    if value not in param.keys:
        steps.append(lambda r: AddParameterKey(r, parameter_id, value))
    if binding is None:
        steps.append(lambda r: SetKeyformGrid.bind(r, object_id, parameter_id))
    elif value in param.keys:
        steps.append(lambda r: SetKeyformGrid.add_key(r, object_id, parameter_id, value))
    return steps


def remove_key_steps(rig: Rig, object_id: str, parameter_id: str, value: float) -> list:
    """Builders that remove the key at ``value`` of ``parameter_id`` (from the parameter and every grid).

    Raises
    ------
    ValidationError
        The parameter has no key at ``value`` (within ``KEY_SNAP``).
    """
    param = rig.parameter(parameter_id)
    near = [k for k in param.keys if abs(k - float(value)) < KEY_SNAP]
    if not near:
        raise ValidationError(f"{parameter_id} has no key at {value:g}; its keys are {param.keys}")
    return [lambda r: RemoveParameterKey(r, parameter_id, near[0])]


def rest_values(rig: Rig, object_id: str) -> dict[str, np.ndarray]:
    """The rest keyform: every geometry field blended at the default values, in the field's dtype."""
    obj = rig.find(object_id)
    blended = interpolate_keyforms(obj.keyforms, {}, {p.id: p for p in rig.parameters})
    return {f: blended[f].astype(obj.keyforms.values[f].dtype) for f in GEOMETRY_FIELDS[type(obj)]}


def keyform_values(rig: Rig, object_id: str, keyform_index: int) -> dict[str, np.ndarray]:
    """Copies of the geometry fields of one keyform."""
    obj = rig.find(object_id)
    return {f: obj.keyforms.values[f][keyform_index].copy() for f in GEOMETRY_FIELDS[type(obj)]}


def set_fields_command(rig: Rig, object_id: str, keyform_index: int, fields: Mapping[str, np.ndarray], label: str):
    """One command setting ``fields`` of one keyform (a CompoundCommand when several change)."""
    current = keyform_values(rig, object_id, keyform_index)
    cmds = [SetKeyformValues(rig, object_id, f, v, keyform_index) for f, v in fields.items()
            if not np.array_equal(np.asarray(v, current[f].dtype), current[f])]
    if not cmds:
        return None
    if len(cmds) == 1:
        cmds[0].label = label
        return cmds[0]
    return CompoundCommand(label, cmds)


def reset_to_base_command(rig: Rig, object_id: str, keyform_index: int, indices=None):
    """Set keyform ``keyform_index`` equal to the rest keyform (only ``indices`` of ``positions`` if given).

    Returns None when nothing would change.
    """
    rest = rest_values(rig, object_id)
    if indices is not None and "positions" in rest:
        new = keyform_values(rig, object_id, keyform_index)["positions"]
        idx = np.asarray(list(indices), np.intp)
        new[idx] = rest["positions"][idx]
        rest = {"positions": new}
    return set_fields_command(rig, object_id, keyform_index, rest, f"Reset {object_id} to base")


# ----------------------------------------------------------------------------------- copy / mirror
@dataclass(frozen=True, slots=True, eq=False)
class KeyformClip:
    """A copied keyform: its object and geometry field values."""

    object_id: str
    fields: dict[str, np.ndarray]


def mirror_id(object_id: str) -> str:
    """Swap the side token: ``ArtMeshEyeWhiteL`` <-> ``ArtMeshEyeWhiteR``, ``ParamBrowLY`` <-> ``ParamBrowRY``."""
    return _SIDE.sub(lambda m: "R" if m.group(1) == "L" else "L", object_id)


def _transfer(rig: Rig, source_id: str, source_fields: Mapping[str, np.ndarray], target_id: str,
              reflect: bool) -> dict[str, np.ndarray]:
    """Target geometry = target rest + the source's displacement from rest (canvas px, rest pose)."""
    defaults = rig.default_values()
    ev = evaluate(rig, defaults)
    ms, mt = ParentMap.of_object(rig, ev, source_id, defaults), ParentMap.of_object(rig, ev, target_id, defaults)
    src_rest, tgt_rest = rest_values(rig, source_id), rest_values(rig, target_id)
    key = "positions" if "positions" in src_rest else "origin"
    if ("positions" in tgt_rest) != (key == "positions"):
        raise KeyformMismatchError(f"cannot transfer a keyform of {source_id!r} onto {target_id!r} (different kinds)")
    cs_rest = ms.to_canvas(src_rest[key])
    disp = ms.to_canvas(source_fields[key]) - cs_rest
    ct_rest = mt.to_canvas(tgt_rest[key])
    if reflect:
        axis = 0.5 * (cs_rest[:, 0].mean() + ct_rest[:, 0].mean())
        cs_rest = np.stack([2 * axis - cs_rest[:, 0], cs_rest[:, 1]], 1)
        disp[:, 0] *= -1
    nearest = ((ct_rest[:, None, :] - cs_rest[None, :, :]) ** 2).sum(-1).argmin(1)
    new = mt.to_parent(ct_rest + disp[nearest], guess=tgt_rest[key]).astype(np.float32)
    out = {key: new.reshape(tgt_rest[key].shape)}
    if key == "origin":
        turn = float(source_fields["angle_deg"] - src_rest["angle_deg"])
        out["angle_deg"] = np.float32(tgt_rest["angle_deg"] + (-turn if reflect else turn))
        out["scale"] = np.float32(tgt_rest["scale"] * source_fields["scale"] / max(float(src_rest["scale"]), 1e-9))
    return out


def paste_command(rig: Rig, clip: KeyformClip, target_id: str, keyform_index: int):
    """Paste ``clip`` onto keyform ``keyform_index`` of ``target_id``.

    Same object, or same shapes: the values as copied. Otherwise the displacement from rest is
    transferred (module docstring). Returns None when nothing changes.
    """
    target = keyform_values(rig, target_id, keyform_index)
    same = clip.object_id == target_id or (
        set(clip.fields) == set(target) and all(clip.fields[f].shape == target[f].shape for f in target)
        and rig.find(clip.object_id).parent_deformer_id == rig.find(target_id).parent_deformer_id)
    fields = dict(clip.fields) if same else _transfer(rig, clip.object_id, clip.fields, target_id, reflect=False)
    return set_fields_command(rig, target_id, keyform_index, fields, f"Paste keyform onto {target_id}")


def mirrored_values(rig: Rig, source_id: str, values: Mapping[str, float]) -> dict[str, float]:
    """``values`` with each of the source's bound parameters copied onto its mirror parameter."""
    params = {p.id: p for p in rig.parameters}
    out = {pid: float(values[pid]) for pid in values}  # a dict or a ParameterValues
    for pid in rig.find(source_id).keyforms.parameter_ids:
        twin = mirror_id(pid)
        if twin != pid and twin in params:
            out[twin] = float(values.get(pid, params[pid].default))
    return out


def mirror_command(rig: Rig, source_id: str, values: Mapping[str, float]):
    """Mirror ``source_id``'s armed keyform onto its left/right partner's matching keyform.

    The target keyform is the partner's armed keyform at :func:`mirrored_values` (sided parameters
    such as ``ParamEyeLOpen`` map to ``ParamEyeROpen``; shared ones keep their value).

    Returns
    -------
    (command or None, target_id, target keyform index)

    Raises
    ------
    ValidationError
        No partner object, or the source or target is not on a key.
    """
    target_id = mirror_id(source_id)
    if target_id == source_id or not any(o.id == target_id for o in rig.objects()):
        raise ValidationError(f"{source_id!r} has no left/right partner (looked for {target_id!r})")
    src = key_state(rig, source_id, values)
    if not src.on_key:
        raise ValidationError(f"{source_id!r} is not on a key; add a key first")
    tgt = key_state(rig, target_id, mirrored_values(rig, source_id, values))
    if not tgt.on_key:
        raise ValidationError(f"{target_id!r} has no keyform at {dict(tgt.off_key)}; add that key first")
    fields = _transfer(rig, source_id, keyform_values(rig, source_id, src.keyform_index), target_id, reflect=True)
    cmd = set_fields_command(rig, target_id, tgt.keyform_index, fields, f"Mirror {source_id} onto {target_id}")
    return cmd, target_id, tgt.keyform_index


# ----------------------------------------------------------------------------------- gestures
def transform_points(points_px: np.ndarray, mode: str, press_px, pos_px, center_px=None) -> np.ndarray:
    """Canvas points after a whole-set drag from ``press_px`` to ``pos_px``.

    Parameters
    ----------
    points_px : (N, 2) array_like
        Canvas px before the drag.
    mode : {"translate", "scale", "rotate"}
        Translate by the drag; scale uniformly about ``center_px`` by the ratio of the pointer's
        distances from it; rotate about ``center_px`` by the angle the pointer turned.
    center_px : (2,) array_like, optional
        Default: the points' mean.
    """
    p = np.asarray(points_px, np.float64).reshape(-1, 2)
    a, b = np.asarray(press_px, np.float64), np.asarray(pos_px, np.float64)
    if mode == "translate":
        return p + (b - a)
    c = p.mean(0) if center_px is None else np.asarray(center_px, np.float64)
    if mode == "scale":
        return c + (p - c) * (np.hypot(*(b - c)) / max(np.hypot(*(a - c)), 1e-6))
    turn = np.arctan2(*(b - c)[::-1]) - np.arctan2(*(a - c)[::-1])
    rot = np.array([[np.cos(turn), -np.sin(turn)], [np.sin(turn), np.cos(turn)]])
    return c + (p - c) @ rot.T

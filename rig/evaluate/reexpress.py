"""Re-express an object's keyforms in a new parent deformer's space, so reparenting keeps it in place.

Keyform values of an ArtMesh (``positions``), a WarpDeformer (lattice ``positions``) and a
RotationDeformer (``origin``, ``angle_deg``, ``scale``) live in the **parent deformer's space**
(:mod:`rig.evaluate.evaluate`). Changing ``parent_deformer_id`` alone re-reads the same numbers in
another space and the object jumps. :func:`reexpress_keyforms` computes, for every keyform of the
object, values that give the same canvas geometry under the new parent:

1. the keyform's parameter values: its own bindings' keys, every other parameter at its default;
2. the object's canvas geometry there, evaluated under the old parent (:func:`evaluate`; hidden
   objects are made visible for the probe);
3. the new parent's canvas map at the same values, inverted point by point with
   :class:`rig.evaluate.parent_space.ParentMap` (the drag tools' map): identity (canvas),
   ``origin + s R(a) F p`` solved exactly (rotation parent), or the warp map inverted by
   :func:`rig.evaluate.warp_inverse.invert_warp` (far-field affine start, damped Newton, restarts per
   piece of the map; warp parent);
4. a rotation deformer's origin is mapped like a point; its ``angle_deg`` and ``scale`` are then
   corrected by the difference between the canvas angle and scale it has with the re-expressed
   origin under the new parent and the ones it had (the Core's flattening makes both depend only on
   the origin and the parent, so one trial evaluation per keyform makes them exact).

Limitation: the new parent (and its ancestors) may be keyed on parameters the object is not bound
to. The object keeps its canvas pose only where those parameters are at their defaults; elsewhere it
follows the new parent's motion (which is usually what reparenting means).
"""

from __future__ import annotations

import copy

import numpy as np

from rig.errors import ValidationError
from rig.evaluate.evaluate import evaluate
from rig.evaluate.parent_space import ParentMap, gizmo_of, gizmo_scale
from rig.evaluate.types import EvaluatedRig
from rig.evaluate.warp_inverse import invert_warp
from rig.model import ArtMesh, KeyformGrid, Rig, RotationDeformer, WarpDeformer

__all__ = ["invert_warp", "key_values", "reexpress_keyforms"]


def reexpress_keyforms(rig: Rig, object_id: str, new_parent_id: str | None) -> KeyformGrid:
    """The keyforms of ``object_id`` re-expressed in ``new_parent_id``'s space (None: the canvas).

    Parameters
    ----------
    rig : Rig
        A valid rig; not modified.
    object_id : str
        An ArtMesh, WarpDeformer or RotationDeformer.
    new_parent_id : str or None
        The deformer the object is to be moved under.

    Returns
    -------
    KeyformGrid
        Same bindings and fields as the object's; positions (float32, new parent's space) and, for
        a rotation deformer, ``origin``, ``angle_deg`` and ``scale`` changed. Canvas geometry under
        the new parent equals the old one at every keyform (other parameters at defaults; module
        docstring), within the warp inversion's tolerance (about 1e-4 px, float32 evaluation).

    Raises
    ------
    ValidationError
        Unknown object or parent, an object that has no keyed geometry (a part), or the new parent
        is the object itself.
    """
    obj = _find(rig, object_id)
    if not isinstance(obj, ArtMesh | WarpDeformer | RotationDeformer):
        raise ValidationError(f"{object_id!r} is not an art mesh or a deformer")
    if new_parent_id is not None:
        if new_parent_id == object_id:
            raise ValidationError(f"{object_id!r} cannot be its own parent")
        _find(rig, new_parent_id)
    probe = _all_visible(rig)
    grid = copy.deepcopy(obj.keyforms)
    frames = []
    for k in range(grid.count):
        values = key_values(rig, grid, k)
        ev = evaluate(probe, values)
        parent_map = ParentMap.of_deformer(rig, ev, new_parent_id, values)
        context = f"{object_id} key {k}"
        if isinstance(obj, RotationDeformer):
            gizmo = gizmo_of(ev, object_id)
            origin = parent_map.to_parent(np.asarray(gizmo.points_px[:1], np.float64), context=context)[0]
            grid.values["origin"][k] = origin.astype(grid.values["origin"].dtype)
            frames.append((gizmo.angle_deg, gizmo_scale(gizmo)))
        else:
            canvas = _geometry_px(ev, obj)
            field = grid.values["positions"]
            field[k] = parent_map.to_parent(canvas, context=context).astype(field.dtype).reshape(field[k].shape)
    if isinstance(obj, RotationDeformer):
        _correct_rotation(rig, obj, new_parent_id, grid, frames)
    return grid


def key_values(rig: Rig, grid: KeyformGrid, k: int) -> dict[str, float]:
    """Parameter values of keyform ``k`` of ``grid``: its keys, every other parameter at its default."""
    values = {p.id: float(p.default) for p in rig.parameters}
    for binding, i in zip(grid.bindings, grid.key_indices(k)):
        values[binding.parameter_id] = float(binding.keys[i])
    return values


def _find(rig: Rig, object_id: str):
    try:
        return rig.find(object_id)
    except KeyError as exc:
        raise ValidationError(str(exc)) from None


def _all_visible(rig: Rig) -> Rig:
    """A shallow copy of ``rig`` whose parts, deformers and meshes are all visible (arrays shared)."""
    out = copy.copy(rig)
    for name in ("parts", "deformers", "art_meshes"):
        objs = [copy.copy(o) for o in getattr(rig, name)]
        for o in objs:
            o.visible = True
        setattr(out, name, objs)
    return out


def _geometry_px(ev: EvaluatedRig, obj) -> np.ndarray:
    """(N, 2) float64 canvas px of a mesh's vertices or a warp's lattice points."""
    if isinstance(obj, WarpDeformer):
        return np.asarray(gizmo_of(ev, obj.id).points_px, np.float64).reshape(-1, 2)
    item = next((i for i in ev.items if i.art_mesh_id == obj.id), None)
    if item is None:
        raise ValidationError(f"art mesh {obj.id!r} was not evaluated")
    return np.asarray(item.vertices_px, np.float64)


def _correct_rotation(
    rig: Rig, obj: RotationDeformer, new_parent_id: str | None, grid: KeyformGrid, frames: list
) -> None:
    """Fix ``angle_deg`` and ``scale`` of ``grid`` so the canvas angle and scale match ``frames``."""
    trial = _all_visible(rig)
    moved = copy.copy(obj)
    moved.parent_deformer_id = new_parent_id
    moved.keyforms = grid
    trial.deformers = [moved if d.id == obj.id else d for d in trial.deformers]
    for k, (angle, scale) in enumerate(frames):
        gizmo = gizmo_of(evaluate(trial, key_values(rig, grid, k)), obj.id)
        diff = angle - gizmo.angle_deg
        diff -= 360.0 * np.round(diff / 360.0)
        angles, scales = grid.values["angle_deg"], grid.values["scale"]
        angles[k] = angles[k] + diff
        have = gizmo_scale(gizmo)
        if have > 0:
            scales[k] = scales[k] * (scale / have)

"""Plain attributes, names, tree placement and draw order of rig objects."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import numpy as np

from rig.document.change import Change, ChangeKind
from rig.document.commands.base import (
    BaseCommand,
    check_deformer_parent,
    check_masks,
    check_part_parent,
    find,
    index_of,
    keyform_fields,
)
from rig.errors import KeyformMismatchError, ValidationError
from rig.model import (
    ArtMesh,
    BlendMode,
    KeyformGrid,
    Layer,
    Parameter,
    Part,
    Rig,
    RotationDeformer,
    WarpDeformer,
)

if TYPE_CHECKING:
    from rig.document.document import Document

# attribute -> Change kind, per class. parent_deformer_id is changed only by the Reparent commands
# and Parameter attributes only by SetParameterDefinition / RenameObject.
SETTABLE: dict[type, dict[str, ChangeKind]] = {
    Part: {"name": "property", "visible": "property", "parent_part_id": "structure"},
    WarpDeformer: {"name": "property", "visible": "property", "part_id": "structure"},
    RotationDeformer: {
        "name": "property",
        "visible": "property",
        "part_id": "structure",
        "base_angle_deg": "property",
    },
    ArtMesh: {
        "name": "property",
        "visible": "property",
        "part_id": "structure",
        "layer_id": "property",
        "blend_mode": "property",
        "mask_ids": "property",
        "invert_mask": "property",
        "culling": "property",
    },
    Layer: {"name": "property", "origin_px": "property"},
}


def _normalise(name: str, value: Any) -> Any:
    if name in ("visible", "invert_mask", "culling"):
        return bool(value)
    if name == "blend_mode":
        return BlendMode(value)
    if name == "mask_ids":
        return tuple(str(v) for v in value)
    if name == "origin_px":
        return (float(value[0]), float(value[1]))
    if name == "base_angle_deg":
        return float(value)
    if name in ("name", "part_id", "layer_id"):
        return str(value)
    return value  # parent_part_id: str or None


class SetObjectProperty(BaseCommand):
    """Set one plain attribute of a part, deformer, art mesh or layer.

    Settable: ``name``, ``visible`` (all but layers); ``parent_part_id`` (Part); ``part_id``
    (deformers, ArtMesh); ``base_angle_deg`` (RotationDeformer); ``layer_id``, ``blend_mode``,
    ``mask_ids``, ``invert_mask``, ``culling`` (ArtMesh); ``origin_px`` (Layer). ``do`` sets the
    attribute; reports ``Change("structure", {object_id})`` for ``parent_part_id``/``part_id`` and
    ``Change("property", {object_id})`` otherwise. Consecutive sets of the same attribute merge.

    Raises
    ------
    ValidationError
        Unknown object or attribute, or a value referring to a missing object / making a cycle.
    """

    def __init__(self, rig: Rig, object_id: str, name: str, value: Any) -> None:
        obj = find(rig, object_id)
        allowed = SETTABLE.get(type(obj), {})
        if name not in allowed:
            hint = " (use SetParameterDefinition)" if isinstance(obj, Parameter) else ""
            raise ValidationError(
                f"{type(obj).__name__} {object_id!r}: {name!r} is not settable here{hint}; settable: {sorted(allowed)}"
            )
        value = _normalise(name, value)
        self._check(rig, obj, name, value)
        self.object_id, self.name, self.kind = object_id, name, allowed[name]
        self.old, self.new = getattr(obj, name), value
        self.label = f"Set {name} of {object_id}"

    @staticmethod
    def _check(rig: Rig, obj: Any, name: str, value: Any) -> None:
        if name == "parent_part_id":
            check_part_parent(rig, obj.id, value)
        elif name == "part_id" and value not in {p.id for p in rig.parts}:
            raise ValidationError(f"{obj.id!r}: part {value!r} does not exist")
        elif name == "layer_id" and value not in {la.id for la in rig.layers}:
            raise ValidationError(f"{obj.id!r}: layer {value!r} does not exist")
        elif name == "mask_ids":
            check_masks(rig, obj.id, value)

    def _set(self, doc: Document, value: Any) -> Change:
        setattr(doc.rig.find(self.object_id), self.name, value)
        return Change(self.kind, frozenset({self.object_id}))

    def do(self, doc: Document) -> Change:
        return self._set(doc, self.new)

    def undo(self, doc: Document) -> Change:
        return self._set(doc, self.old)

    def merge(self, other: object) -> bool:
        if isinstance(other, SetObjectProperty) and (other.object_id, other.name) == (
            self.object_id,
            self.name,
        ):
            self.new = other.new
            return True
        return False


class RenameObject(BaseCommand):
    """Change the display ``name`` of any object (ids never change).

    Reports ``Change("parameter_definition", {id})`` for a parameter and
    ``Change("property", {id})`` otherwise.
    """

    def __init__(self, rig: Rig, object_id: str, new_name: str) -> None:
        obj = find(rig, object_id)
        self.object_id, self.old, self.new = object_id, obj.name, str(new_name)
        self.kind: ChangeKind = "parameter_definition" if isinstance(obj, Parameter) else "property"
        self.label = f"Rename {object_id} to {self.new}"

    def _set(self, doc: Document, name: str) -> Change:
        doc.rig.find(self.object_id).name = name
        return Change(self.kind, frozenset({self.object_id}))

    def do(self, doc: Document) -> Change:
        return self._set(doc, self.new)

    def undo(self, doc: Document) -> Change:
        return self._set(doc, self.old)


class _Reparent(BaseCommand):
    """Set ``parent_deformer_id`` (and optionally swap in re-expressed keyforms)."""

    def __init__(self, rig: Rig, obj: Any, new_parent_id: str | None, keyforms: KeyformGrid | None) -> None:
        check_deformer_parent(rig, obj.id, new_parent_id)
        if keyforms is not None:
            keyforms = copy.deepcopy(keyforms)
            keyforms.check(obj.id, keyform_fields(obj))
            if keyforms.bindings != obj.keyforms.bindings:
                raise KeyformMismatchError(
                    f"{obj.id!r}: re-expressed keyforms must keep the bindings of the old ones"
                )
        self.object_id = obj.id
        self.old_parent, self.new_parent = obj.parent_deformer_id, new_parent_id
        self.old_keyforms, self.new_keyforms = obj.keyforms, keyforms
        self.label = f"Reparent {obj.id} to {new_parent_id or 'the canvas'}"

    def _set(self, doc: Document, parent: str | None, keyforms: KeyformGrid | None) -> Change:
        obj = doc.rig.find(self.object_id)
        obj.parent_deformer_id = parent
        if keyforms is not None:
            obj.keyforms = keyforms
        return Change("structure", frozenset({self.object_id}))

    def do(self, doc: Document) -> Change:
        return self._set(doc, self.new_parent, self.new_keyforms)

    def undo(self, doc: Document) -> Change:
        return self._set(doc, self.old_parent, self.old_keyforms if self.new_keyforms is not None else None)


class ReparentDeformer(_Reparent):
    """Move a deformer under another deformer (``None``: the canvas).

    ``keyforms``, when given, replaces the deformer's keyforms with values re-expressed in the new
    parent's space (same bindings); when None the stored values are kept as they are (so the
    deformer moves on screen). Reports ``Change("structure", {deformer_id})``.

    Raises
    ------
    ValidationError
        Missing deformer or parent, or the new parent is the deformer itself or one of its
        descendants (a cycle).
    KeyformMismatchError
        ``keyforms`` does not fit the deformer.
    """

    def __init__(
        self, rig: Rig, deformer_id: str, new_parent_id: str | None, keyforms: KeyformGrid | None = None
    ) -> None:
        obj = find(rig, deformer_id)
        if not isinstance(obj, WarpDeformer | RotationDeformer):
            raise ValidationError(f"{deformer_id!r} is not a deformer")
        super().__init__(rig, obj, new_parent_id, keyforms)


class ReparentArtMesh(_Reparent):
    """Move an art mesh under a deformer (``None``: the canvas).

    ``keyforms`` as in :class:`ReparentDeformer`. Reports ``Change("structure", {mesh_id})``.

    Raises
    ------
    ValidationError
        Missing mesh or parent deformer.
    """

    def __init__(
        self, rig: Rig, mesh_id: str, new_parent_id: str | None, keyforms: KeyformGrid | None = None
    ) -> None:
        obj = find(rig, mesh_id)
        if not isinstance(obj, ArtMesh):
            raise ValidationError(f"{mesh_id!r} is not an art mesh")
        super().__init__(rig, obj, new_parent_id, keyforms)


class ReorderDrawOrder(BaseCommand):
    """Move an art mesh in ``rig.art_meshes`` and/or set its ``draw_order`` keyform values.

    Parameters
    ----------
    rig : Rig
    mesh_id : str
    index : int, optional
        New position in ``rig.art_meshes`` (the tie-break order for equal draw orders), counted
        in the list *after* removing the mesh; None keeps the position.
    draw_order : float or (K,) array_like, optional
        New draw-order value for every keyform (scalar) or per keyform; None keeps them.

    Notes
    -----
    ``do`` reports ``Change("draw_order", {mesh_id})``.

    Raises
    ------
    ValidationError
        No such mesh, index out of range, or neither ``index`` nor ``draw_order`` given.
    KeyformMismatchError
        ``draw_order`` has the wrong length.
    """

    def __init__(self, rig: Rig, mesh_id: str, index: int | None = None, draw_order: Any = None) -> None:
        if index is None and draw_order is None:
            raise ValidationError("ReorderDrawOrder needs an index, a draw_order or both")
        mesh = find(rig, mesh_id)
        if not isinstance(mesh, ArtMesh):
            raise ValidationError(f"{mesh_id!r} is not an art mesh")
        self.mesh_id = mesh_id
        self.old_index = index_of(rig.art_meshes, mesh_id)
        self.new_index = self.old_index if index is None else int(index)
        if not 0 <= self.new_index < len(rig.art_meshes):
            raise ValidationError(f"draw-order index {index} outside 0..{len(rig.art_meshes) - 1}")
        old = mesh.keyforms.values["draw_order"]
        self.old_order = old.copy()
        if draw_order is None:
            self.new_order = old.copy()
        else:
            new = np.asarray(draw_order, np.float32)
            self.new_order = np.full(old.shape, new, np.float32) if new.ndim == 0 else new.copy()
            if self.new_order.shape != old.shape:
                raise KeyformMismatchError(
                    f"{mesh_id!r}: draw_order needs {old.shape[0]} values, got {new.shape}"
                )
        self.label = f"Reorder {mesh_id}"

    def _apply(self, doc: Document, src: int, dst: int, order: np.ndarray) -> Change:
        meshes = doc.rig.art_meshes
        mesh = meshes.pop(src)
        meshes.insert(dst, mesh)
        mesh.keyforms.values["draw_order"][...] = order
        return Change("draw_order", frozenset({self.mesh_id}))

    def do(self, doc: Document) -> Change:
        return self._apply(doc, self.old_index, self.new_index, self.new_order)

    def undo(self, doc: Document) -> Change:
        return self._apply(doc, self.new_index, self.old_index, self.old_order)

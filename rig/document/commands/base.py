"""Shared pieces of the commands: lookups, reference checks, and insert/remove primitives.

Every command here follows the rules of style.md section 3: the constructor reads the rig, checks
the edit and captures ids, old and new values and list indexes; ``do``/``undo`` only replay what was
captured (by id and index) and never read UI state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rig.document.change import Change, ChangeKind
from rig.errors import KeyformMismatchError, ValidationError
from rig.model import ArtMesh, KeyformGrid, Layer, Parameter, Part, Rig, RotationDeformer, WarpDeformer

if TYPE_CHECKING:
    from rig.document.document import Document

RigObject = Parameter | Part | WarpDeformer | RotationDeformer | ArtMesh | Layer

_LIST_OF: dict[type, str] = {
    Parameter: "parameters",
    Part: "parts",
    WarpDeformer: "deformers",
    RotationDeformer: "deformers",
    ArtMesh: "art_meshes",
    Layer: "layers",
}


class BaseCommand:
    """Default ``merge`` (never merges) and a readable ``repr``."""

    label: str = "Edit"

    def merge(self, other: object) -> bool:
        return False

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.label!r})"


def list_name(obj: RigObject) -> str:
    """Name of the ``Rig`` list that holds objects of ``obj``'s class."""
    try:
        return _LIST_OF[type(obj)]
    except KeyError:
        raise TypeError(f"{type(obj).__name__} is not a rig object with an id") from None


def index_of(items: list, object_id: str) -> int:
    """Position of the object with ``object_id`` in ``items``; KeyError naming the id if absent."""
    for i, obj in enumerate(items):
        if obj.id == object_id:
            return i
    raise KeyError(f"no object {object_id!r}")


def find(rig: Rig, object_id: str) -> RigObject:
    """``rig.find`` with an error that says what to do."""
    try:
        return rig.find(object_id)
    except KeyError:
        raise ValidationError(f"no object with id {object_id!r} in rig {rig.name!r}") from None


def keyform_fields(obj: Part | WarpDeformer | RotationDeformer | ArtMesh) -> dict:
    """Keyform field spec ``{name: (per-keyform shape, dtype)}`` of an object."""
    return dict(Part.KEYFORM_FIELDS) if isinstance(obj, Part) else obj.keyform_fields()


def check_bindings(rig: Rig, owner_id: str, grid: KeyformGrid) -> None:
    """Raise unless every binding of ``grid`` names a parameter of ``rig`` with keys in its range."""
    params = {p.id: p for p in rig.parameters}
    for b in grid.bindings:
        p = params.get(b.parameter_id)
        if p is None:
            raise ValidationError(
                f"{owner_id!r} is keyed on {b.parameter_id!r}, which is not a parameter; add it first"
            )
        if b.keys[0] < p.min - 1e-6 or b.keys[-1] > p.max + 1e-6:
            raise KeyformMismatchError(
                f"{owner_id!r}: keys {b.keys} lie outside {p.id} range [{p.min}, {p.max}]"
            )


def check_part_parent(rig: Rig, part_id: str, parent_id: str | None) -> None:
    """Raise unless ``parent_id`` may be the parent part of ``part_id`` (exists, no cycle)."""
    if parent_id is None:
        return
    parents = {p.id: p.parent_part_id for p in rig.parts}
    if parent_id not in parents:
        raise ValidationError(f"part {part_id!r}: parent part {parent_id!r} does not exist")
    node: str | None = parent_id
    while node is not None:
        if node == part_id:
            raise ValidationError(
                f"part {parent_id!r} is inside part {part_id!r}; making it the parent would create a cycle"
            )
        node = parents.get(node)


def check_deformer_parent(rig: Rig, child_id: str, parent_id: str | None) -> None:
    """Raise unless ``parent_id`` may parent ``child_id`` (a deformer or mesh): exists, no cycle."""
    if parent_id is None:
        return
    parents = {d.id: d.parent_deformer_id for d in rig.deformers}
    if parent_id not in parents:
        raise ValidationError(f"{child_id!r}: parent deformer {parent_id!r} does not exist")
    node: str | None = parent_id
    while node is not None:
        if node == child_id:
            raise ValidationError(
                f"cannot put {child_id!r} under {parent_id!r}: {parent_id!r} is {child_id!r} or one of its "
                "descendants, so the deformer tree would have a cycle"
            )
        node = parents.get(node)


def check_masks(rig: Rig, mesh_id: str, mask_ids: tuple[str, ...]) -> None:
    meshes = {m.id for m in rig.art_meshes}
    for mask in mask_ids:
        if mask == mesh_id or mask not in meshes:
            raise ValidationError(f"art mesh {mesh_id!r}: mask {mask!r} is not another art mesh of the rig")
    if len(set(mask_ids)) != len(mask_ids):
        raise ValidationError(f"art mesh {mesh_id!r}: mask ids {mask_ids} repeat an id")


def check_new_object(rig: Rig, obj: RigObject) -> None:
    """Raise unless ``obj`` could be added to ``rig``: fresh id, references resolve, keyforms fit.

    Raises
    ------
    ValidationError
        Duplicate id or a reference to a missing object.
    KeyformMismatchError
        The keyform grid does not fit the object or its parameters.
    InvalidMeshError
        Malformed ArtMesh uvs/triangles.
    """
    list_name(obj)
    if any(o.id == obj.id for o in rig.objects()):
        raise ValidationError(
            f"id {obj.id!r} is already used in rig {rig.name!r}; pick a fresh one (Rig.new_id)"
        )
    if isinstance(obj, Part):
        check_part_parent(rig, obj.id, obj.parent_part_id)
    if isinstance(obj, WarpDeformer | RotationDeformer | ArtMesh):
        if obj.part_id not in {p.id for p in rig.parts}:
            raise ValidationError(f"{obj.id!r}: part {obj.part_id!r} does not exist")
        check_deformer_parent(rig, obj.id, obj.parent_deformer_id)
    if isinstance(obj, ArtMesh):
        if obj.layer_id not in {la.id for la in rig.layers}:
            raise ValidationError(f"art mesh {obj.id!r}: layer {obj.layer_id!r} does not exist")
        obj.check_topology()
        check_masks(rig, obj.id, obj.mask_ids)
    if isinstance(obj, Part | WarpDeformer | RotationDeformer | ArtMesh):
        obj.keyforms.check(obj.id, keyform_fields(obj))
        check_bindings(rig, obj.id, obj.keyforms)


def structure_change(ids) -> Change:
    return Change("structure", frozenset(ids))


class InsertObject(BaseCommand):
    """Insert one object into its rig list at a captured index (primitive; no checks).

    do reports ``Change(kind, {obj.id})``; undo removes the very same object again.
    """

    def __init__(self, rig: Rig, obj: RigObject, index: int | None, kind: ChangeKind = "structure") -> None:
        self.list_name = list_name(obj)
        size = len(getattr(rig, self.list_name))
        self.index = size if index is None else int(index)
        if not 0 <= self.index <= size:
            raise IndexError(f"insertion index {index} outside 0..{size} of rig.{self.list_name}")
        self.obj = obj
        self.kind: ChangeKind = kind
        self.label = f"Add {obj.id}"

    def do(self, doc: Document) -> Change:
        getattr(doc.rig, self.list_name).insert(self.index, self.obj)
        return Change(self.kind, frozenset({self.obj.id}))

    def undo(self, doc: Document) -> Change:
        items = getattr(doc.rig, self.list_name)
        if items[self.index] is not self.obj:
            raise RuntimeError(
                f"undo of {self.label!r}: rig.{self.list_name}[{self.index}] is not {self.obj.id!r}"
            )
        del items[self.index]
        return Change(self.kind, frozenset({self.obj.id}))


class DeleteObject(BaseCommand):
    """Remove one object from its rig list, remembering it and its index (primitive; no checks).

    do reports ``Change(kind, {object_id})``; undo re-inserts the same object at the same index.
    """

    def __init__(self, rig: Rig, object_id: str, kind: ChangeKind = "structure") -> None:
        obj = find(rig, object_id)
        self.list_name = list_name(obj)
        self.index = index_of(getattr(rig, self.list_name), object_id)
        self.obj = obj
        self.kind: ChangeKind = kind
        self.label = f"Remove {object_id}"

    def do(self, doc: Document) -> Change:
        items = getattr(doc.rig, self.list_name)
        if items[self.index].id != self.obj.id:
            raise RuntimeError(f"{self.label!r}: rig.{self.list_name}[{self.index}] is not {self.obj.id!r}")
        self.obj = items.pop(self.index)
        return Change(self.kind, frozenset({self.obj.id}))

    def undo(self, doc: Document) -> Change:
        getattr(doc.rig, self.list_name).insert(self.index, self.obj)
        return Change(self.kind, frozenset({self.obj.id}))

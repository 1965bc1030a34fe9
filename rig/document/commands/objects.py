"""Add and remove parts, deformers, art meshes and layers.

Removal policy (objects that others reference):

- ``RemoveArtMesh`` is a compound: it first takes the mesh out of every other mesh's ``mask_ids``
  (one ``SetObjectProperty`` each), then removes it.
- ``RemovePart`` is a compound that removes the part's whole subtree: child parts, the deformers
  and art meshes in those parts (meshes first, then deformers, then parts, each list from the end
  so every captured index stays valid), after clearing masks that point into the subtree. It is
  refused when a deformer of the subtree still parents a deformer or mesh outside it.
- ``RemoveDeformer`` is refused while the deformer has child deformers or meshes (reparenting them
  would change the frame their keyforms live in; reparent or remove them first).
- ``RemoveLayer`` is refused while an art mesh samples the layer.

Compound removals follow ``biolab/orange-canvas-core : orangecanvas/document/commands.py``
(``RemoveNodeCommand`` = remove links + remove node).
"""

from __future__ import annotations

from rig.document.commands.base import DeleteObject, InsertObject, check_new_object
from rig.document.commands.properties import SetObjectProperty
from rig.document.history import Command, CompoundCommand
from rig.errors import ValidationError
from rig.model import ArtMesh, Layer, Part, Rig, RotationDeformer, WarpDeformer


def _expect(obj: object, cls: type | tuple[type, ...], what: str) -> None:
    if not isinstance(obj, cls):
        raise TypeError(f"expected {what}, got {type(obj).__name__}")


def _require(rig: Rig, items: list, object_id: str, what: str) -> None:
    if not any(o.id == object_id for o in items):
        raise ValidationError(f"no {what} {object_id!r} in rig {rig.name!r}")


def _unmask(rig: Rig, removed: set[str]) -> list[Command]:
    """``SetObjectProperty`` commands removing ``removed`` ids from other meshes' ``mask_ids``."""
    commands: list[Command] = []
    for m in rig.art_meshes:
        if m.id not in removed and removed.intersection(m.mask_ids):
            kept = tuple(x for x in m.mask_ids if x not in removed)
            commands.append(SetObjectProperty(rig, m.id, "mask_ids", kept))
    return commands


def _delete_from_end(rig: Rig, items: list, ids: set[str]) -> list[Command]:
    """``DeleteObject`` commands for ``ids``, highest list index first (indexes stay valid)."""
    return [DeleteObject(rig, o.id) for o in reversed(items) if o.id in ids]


class AddPart(InsertObject):
    """Add a Part.

    ``do`` inserts ``part`` into ``rig.parts`` at ``index`` (the end when None); the command owns
    ``part`` from now on. Reports ``Change("structure", {part.id})``.

    Raises
    ------
    ValidationError, KeyformMismatchError
        Duplicate id, missing parent part, keyforms that do not fit.
    """

    def __init__(self, rig: Rig, part: Part, index: int | None = None) -> None:
        _expect(part, Part, "a Part")
        check_new_object(rig, part)
        super().__init__(rig, part, index)
        self.label = f"Add part {part.name}"


class AddDeformer(InsertObject):
    """Add a WarpDeformer or RotationDeformer.

    ``do`` inserts ``deformer`` into ``rig.deformers`` at ``index`` (the end when None). Reports
    ``Change("structure", {deformer.id})``. Raises like :class:`AddPart` (also for a missing part
    or parent deformer).
    """

    def __init__(self, rig: Rig, deformer: WarpDeformer | RotationDeformer, index: int | None = None) -> None:
        _expect(deformer, (WarpDeformer, RotationDeformer), "a WarpDeformer or RotationDeformer")
        check_new_object(rig, deformer)
        super().__init__(rig, deformer, index)
        self.label = f"Add deformer {deformer.name}"


class AddArtMesh(InsertObject):
    """Add an ArtMesh.

    ``do`` inserts ``mesh`` into ``rig.art_meshes`` at ``index`` (the end when None; the list
    order breaks draw-order ties). Reports ``Change("structure", {mesh.id})``. Raises like
    :class:`AddPart`, plus ``InvalidMeshError`` for malformed uvs/triangles and
    ``ValidationError`` for a missing layer or mask.
    """

    def __init__(self, rig: Rig, mesh: ArtMesh, index: int | None = None) -> None:
        _expect(mesh, ArtMesh, "an ArtMesh")
        check_new_object(rig, mesh)
        super().__init__(rig, mesh, index)
        self.label = f"Add art mesh {mesh.name}"


class AddLayer(InsertObject):
    """Add a Layer (an RGBA image art meshes sample).

    ``do`` inserts ``layer`` into ``rig.layers`` at ``index`` (the end when None). Reports
    ``Change("structure", {layer.id})``. Raises ``ValidationError`` for a duplicate id.
    """

    def __init__(self, rig: Rig, layer: Layer, index: int | None = None) -> None:
        _expect(layer, Layer, "a Layer")
        check_new_object(rig, layer)
        super().__init__(rig, layer, index)
        self.label = f"Add layer {layer.name}"


class RemoveLayer(DeleteObject):
    """Remove a Layer no art mesh samples.

    ``do`` removes it from ``rig.layers``; undo puts the same object back at its index. Reports
    ``Change("structure", {layer_id})``.

    Raises
    ------
    ValidationError
        If the layer does not exist or art meshes still sample it (the message names them).
    """

    def __init__(self, rig: Rig, layer_id: str) -> None:
        _require(rig, rig.layers, layer_id, "layer")
        users = [m.id for m in rig.art_meshes if m.layer_id == layer_id]
        if users:
            raise ValidationError(
                f"layer {layer_id!r} is sampled by {', '.join(users)}; remove those art meshes or point "
                "them at another layer first"
            )
        super().__init__(rig, layer_id)
        self.label = f"Remove layer {layer_id}"


class RemoveDeformer(DeleteObject):
    """Remove a deformer that has no children.

    ``do`` removes it from ``rig.deformers``; undo puts the same object back at its index.
    Reports ``Change("structure", {deformer_id})``.

    Raises
    ------
    ValidationError
        If the deformer does not exist or still has child deformers or art meshes.
    """

    def __init__(self, rig: Rig, deformer_id: str) -> None:
        _require(rig, rig.deformers, deformer_id, "deformer")
        children = [o.id for o in [*rig.deformers, *rig.art_meshes] if o.parent_deformer_id == deformer_id]
        if children:
            raise ValidationError(
                f"deformer {deformer_id!r} still has children {', '.join(children)}; reparent or remove them first"
            )
        super().__init__(rig, deformer_id)
        self.label = f"Remove deformer {deformer_id}"


class RemoveArtMesh(CompoundCommand):
    """Remove an ArtMesh, first dropping it from other meshes' clip masks.

    ``do`` runs one ``SetObjectProperty(mask_ids)`` per mesh masked by it, then removes it from
    ``rig.art_meshes``. Reports ``Change("structure", {mesh_id, *mask users})`` (or
    ``"structure"`` alone when nothing was masked).

    Raises
    ------
    ValidationError
        If there is no such art mesh.
    """

    def __init__(self, rig: Rig, mesh_id: str) -> None:
        _require(rig, rig.art_meshes, mesh_id, "art mesh")
        super().__init__(f"Remove art mesh {mesh_id}", [*_unmask(rig, {mesh_id}), DeleteObject(rig, mesh_id)])


class RemovePart(CompoundCommand):
    """Remove a Part with its subtree: child parts and the deformers and art meshes in them.

    ``do`` clears masks pointing into the subtree from outside, then removes the subtree's art
    meshes, deformers and parts (see the module docstring for the order). Undo restores every
    object at its index. Reports ``Change("structure", ids of everything removed or unmasked)``.

    Raises
    ------
    ValidationError
        If there is no such part, or a deformer of the subtree parents an object outside it
        (the message names both; reparent that object first).
    """

    def __init__(self, rig: Rig, part_id: str) -> None:
        _require(rig, rig.parts, part_id, "part")
        parts = self._subtree(rig, part_id)
        deformers = {d.id for d in rig.deformers if d.part_id in parts}
        meshes = {m.id for m in rig.art_meshes if m.part_id in parts}
        for o in [*rig.deformers, *rig.art_meshes]:
            if o.parent_deformer_id in deformers and o.id not in deformers | meshes:
                raise ValidationError(
                    f"cannot remove part {part_id!r}: its deformer {o.parent_deformer_id!r} parents {o.id!r}, "
                    "which is outside the part; reparent it first"
                )
        commands = [
            *_unmask(rig, meshes),
            *_delete_from_end(rig, rig.art_meshes, meshes),
            *_delete_from_end(rig, rig.deformers, deformers),
            *_delete_from_end(rig, rig.parts, parts),
        ]
        super().__init__(f"Remove part {part_id}", commands)

    @staticmethod
    def _subtree(rig: Rig, part_id: str) -> set[str]:
        found = {part_id}
        grew = True
        while grew:
            more = {p.id for p in rig.parts if p.parent_part_id in found} - found
            found |= more
            grew = bool(more)
        return found

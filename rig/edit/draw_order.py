"""Draw-order edits as commands (Qt-free): raise, lower, place one art mesh above or below another.

Evaluation sorts art meshes by their evaluated ``draw_order`` keyform value, ties broken by the
position in ``rig.art_meshes`` (``rig.evaluate``, step 5). Here a mesh's *rest* draw order is the
mean of its ``draw_order`` keyforms; placing mesh A directly above mesh B sets every keyform of A
to B's rest draw order and moves A right after B in ``rig.art_meshes`` (one
:class:`~rig.document.commands.ReorderDrawOrder`), so A draws immediately after B at rest.
"""

from __future__ import annotations

from rig.document.commands import ReorderDrawOrder
from rig.model import ArtMesh, Rig


def rest_draw_order(mesh: ArtMesh) -> float:
    """Mean ``draw_order`` over the mesh's keyforms (its value when it has one keyform)."""
    return float(mesh.keyforms.values["draw_order"].mean())


def stacking_order(rig: Rig) -> list[str]:
    """Art mesh ids from the bottom (drawn first) to the top, at rest."""
    indexed = sorted(enumerate(rig.art_meshes), key=lambda im: (rest_draw_order(im[1]), im[0]))
    return [m.id for _, m in indexed]


def place_above(rig: Rig, mesh_id: str, target_id: str) -> ReorderDrawOrder:
    """The command that draws ``mesh_id`` directly above (after) ``target_id``.

    Raises
    ------
    ValidationError
        If either id is not an art mesh, or they are the same mesh.
    """
    return _place(rig, mesh_id, target_id, after=True)


def place_below(rig: Rig, mesh_id: str, target_id: str) -> ReorderDrawOrder:
    """The command that draws ``mesh_id`` directly below (before) ``target_id``."""
    return _place(rig, mesh_id, target_id, after=False)


def _place(rig: Rig, mesh_id: str, target_id: str, after: bool) -> ReorderDrawOrder:
    from rig.errors import ValidationError

    if mesh_id == target_id:
        raise ValidationError(f"cannot place {mesh_id!r} relative to itself")
    target = rig.art_mesh(target_id)
    others = [m.id for m in rig.art_meshes if m.id != mesh_id]
    if target_id not in others or mesh_id not in {m.id for m in rig.art_meshes}:
        raise ValidationError(f"{mesh_id!r} and {target_id!r} must both be art meshes")
    index = others.index(target_id) + (1 if after else 0)
    return ReorderDrawOrder(rig, mesh_id, index=index, draw_order=rest_draw_order(target))


def raise_command(rig: Rig, mesh_id: str) -> ReorderDrawOrder | None:
    """Move ``mesh_id`` one step up the stack (above the mesh now above it); None when it is on top."""
    order = stacking_order(rig)
    i = order.index(mesh_id)
    return None if i == len(order) - 1 else place_above(rig, mesh_id, order[i + 1])


def lower_command(rig: Rig, mesh_id: str) -> ReorderDrawOrder | None:
    """Move ``mesh_id`` one step down the stack; None when it is at the bottom."""
    order = stacking_order(rig)
    i = order.index(mesh_id)
    return None if i == 0 else place_below(rig, mesh_id, order[i - 1])

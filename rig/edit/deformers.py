"""Deformer edits as commands (Qt-free): new warp and rotation deformers, reparenting in place.

A new deformer starts at rest inside its parent's space (canvas px, a warp's [0, 1]^2 or a rotation
deformer's local px): a warp covers the middle half of that space, a rotation deformer's origin sits
at its centre. Reparenting re-expresses the object's keyforms in the new parent's space
(:func:`rig.evaluate.reexpress.reexpress_keyforms`, on :class:`rig.evaluate.parent_space.ParentMap`)
so it stays where it is on the canvas.
"""

from __future__ import annotations

import numpy as np

from rig.document.commands import AddDeformer, ReparentArtMesh, ReparentDeformer
from rig.errors import ValidationError
from rig.evaluate.reexpress import reexpress_keyforms
from rig.model import ArtMesh, KeyformGrid, Rig, RotationDeformer, WarpDeformer

#: A new child's box in a rotation parent's local px (x0, y0, x1, y1).
ROTATION_CHILD_BOX = (-64.0, -64.0, 64.0, 64.0)


def child_box(rig: Rig, parent_id: str | None) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) of a new child in its parent's space: canvas px, warp [0, 1]^2 or rotation-local px."""
    if parent_id is None:
        w, h = rig.canvas_width_px, rig.canvas_height_px
        return (w * 0.25, h * 0.25, w * 0.75, h * 0.75)
    if isinstance(rig.deformer(parent_id), WarpDeformer):
        return (0.25, 0.25, 0.75, 0.75)
    return ROTATION_CHILD_BOX


def new_warp(rig: Rig, parent_id: str | None, part_id: str, rows: int = 3, cols: int = 3) -> WarpDeformer:
    """A regular ``rows`` x ``cols`` warp deformer at rest, half the size of its parent's space, centred in it.

    The id is the rig's next free ``WarpN``; the name ``Warp N``. Not added to ``rig``.
    """
    grid = WarpDeformer.rest_grid(rows, cols, *child_box(rig, parent_id))
    keyforms = KeyformGrid.constant(positions=grid, opacity=np.float32(1.0))
    n = rig.new_id("Warp")
    return WarpDeformer(n, n.replace("Warp", "Warp "), part_id, parent_id, rows, cols, keyforms)


def new_rotation(rig: Rig, parent_id: str | None, part_id: str) -> RotationDeformer:
    """A rotation deformer at rest, its origin at the centre of its parent's space (not added to ``rig``)."""
    x0, y0, x1, y1 = child_box(rig, parent_id)
    keyforms = KeyformGrid.constant(**RotationDeformer.rest_values(((x0 + x1) / 2, (y0 + y1) / 2)))
    n = rig.new_id("Rotation")
    return RotationDeformer(n, n.replace("Rotation", "Rotation "), part_id, parent_id, keyforms)


def add_deformer_command(rig: Rig, kind: str, under_id: str | None) -> AddDeformer:
    """The command adding a new ``"warp"`` or ``"rotation"`` deformer under deformer ``under_id``.

    ``under_id`` that is not a deformer (None, a mesh, a part) puts it on the canvas. The new
    deformer belongs to its parent's part, else to the first part; it is the command's ``obj``.

    Raises
    ------
    ValidationError
        The rig has no part, or ``kind`` is neither "warp" nor "rotation".
    KeyformMismatchError
        As :class:`~rig.document.commands.AddDeformer` (a new deformer that does not fit).
    """
    if kind not in ("warp", "rotation"):
        raise ValidationError(f"unknown deformer kind {kind!r} (warp or rotation)")
    if not rig.parts:
        raise ValidationError("add a part (or generate a rig) before adding deformers")
    parent = next((d for d in rig.deformers if d.id == under_id), None)
    part_id = parent.part_id if parent is not None else rig.parts[0].id
    make = new_warp if kind == "warp" else new_rotation
    return AddDeformer(rig, make(rig, None if parent is None else parent.id, part_id))


def reparent_command(rig: Rig, object_id: str, new_parent_id: str | None) -> ReparentDeformer | ReparentArtMesh:
    """The command moving an art mesh or deformer under ``new_parent_id`` (None: the canvas) in place.

    Its keyforms are re-expressed in the new parent's space, so its canvas geometry at every
    keyform is unchanged (:func:`~rig.evaluate.reexpress.reexpress_keyforms`, limitations there).

    Raises
    ------
    ValidationError
        Unknown ids, a part, a parent that is the object or one of its descendants.
    """
    keyforms = reexpress_keyforms(rig, object_id, new_parent_id)
    cls = ReparentArtMesh if isinstance(rig.find(object_id), ArtMesh) else ReparentDeformer
    return cls(rig, object_id, new_parent_id, keyforms=keyforms)

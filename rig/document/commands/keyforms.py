"""Keyform values and mesh geometry: SetKeyformValues, MoveVertices, ReplaceMeshTopology."""

from __future__ import annotations

import copy
import itertools
from typing import TYPE_CHECKING, Any

import numpy as np

from rig.document.change import Change
from rig.document.commands.base import BaseCommand, find, index_of, keyform_fields
from rig.errors import KeyformMismatchError, ValidationError
from rig.model import ArtMesh, KeyformGrid, Rig

if TYPE_CHECKING:
    from rig.document.document import Document


class SetKeyformValues(BaseCommand):
    """Replace one keyed field of one keyform, or of all keyforms, of a part, deformer or mesh.

    Parameters
    ----------
    rig : Rig
    object_id : str
    field : str
        A keyform field of the object (``positions``, ``opacity``, ``draw_order``, ``angle_deg`` ...).
    values : array_like
        Per-keyform shape of the field when ``keyform_index`` is given, else ``(K, ...)``. Cast to
        the field's dtype (float32 or bool).
    keyform_index : int, optional
        Flat keyform index (first binding fastest); None for all keyforms.

    Notes
    -----
    ``do`` writes the values in place; reports ``Change("draw_order", {object_id})`` for the
    ``draw_order`` field and ``Change("keyform", {object_id})`` otherwise. Consecutive edits of the
    same field and keyform merge (a slider drag is one undo step).

    Raises
    ------
    ValidationError
        No such object or field.
    KeyformMismatchError
        Wrong shape or keyform index out of range.
    """

    def __init__(
        self, rig: Rig, object_id: str, field: str, values: Any, keyform_index: int | None = None
    ) -> None:
        obj = find(rig, object_id)
        if not hasattr(obj, "keyforms"):
            raise ValidationError(f"{object_id!r} has no keyforms")
        spec = keyform_fields(obj)
        if field not in spec:
            raise ValidationError(f"{object_id!r} has no keyform field {field!r}; fields: {sorted(spec)}")
        current = obj.keyforms.values[field]
        if keyform_index is not None and not 0 <= keyform_index < current.shape[0]:
            raise KeyformMismatchError(
                f"{object_id!r}: keyform index {keyform_index} outside 0..{current.shape[0] - 1}"
            )
        target = current if keyform_index is None else current[keyform_index]
        new = np.array(values, dtype=current.dtype)
        if new.shape != target.shape:
            raise KeyformMismatchError(
                f"{object_id!r}.{field}: expected shape {target.shape}, got {new.shape}"
            )
        self.object_id, self.field, self.keyform_index = object_id, field, keyform_index
        self.old, self.new = np.array(target, copy=True), new
        self.label = f"Set {field} of {object_id}"

    def _write(self, doc: Document, values: np.ndarray) -> Change:
        arr = doc.rig.find(self.object_id).keyforms.values[self.field]
        if self.keyform_index is None:
            arr[...] = values
        else:
            arr[self.keyform_index] = values
        kind = "draw_order" if self.field == "draw_order" else "keyform"
        return Change(kind, frozenset({self.object_id}))

    def do(self, doc: Document) -> Change:
        return self._write(doc, self.new)

    def undo(self, doc: Document) -> Change:
        return self._write(doc, self.old)

    def merge(self, other: object) -> bool:
        if isinstance(other, SetKeyformValues) and (other.object_id, other.field, other.keyform_index) == (
            self.object_id,
            self.field,
            self.keyform_index,
        ):
            self.new = other.new
            return True
        return False


class MoveVertices(BaseCommand):
    """Move some vertices of one ArtMesh in one keyform or in all keyforms.

    Parameters
    ----------
    mesh_id : str
    keyform_index : int or None
        Flat keyform index; None for every keyform.
    indices : (n,) int array_like
        Vertex indices (unique).
    old_xy, new_xy : array_like
        Positions before and after, in the mesh's parent-deformer space: ``(n, 2)`` when
        ``keyform_index`` is given, else ``(K, n, 2)``; float32.

    Notes
    -----
    ``do``/``undo`` write ``positions[keyform, indices]``; both report
    ``Change("keyform", {mesh_id})``. Consecutive moves of the same vertices in the same keyform
    merge (arrow-key nudges are one undo step). Shapes are checked against the mesh in ``do``
    (nothing is written on error). :meth:`to` and :meth:`by` build the command from a rig.
    """

    def __init__(
        self, mesh_id: str, keyform_index: int | None, indices: Any, old_xy: Any, new_xy: Any
    ) -> None:
        self.mesh_id, self.keyform_index = mesh_id, keyform_index
        self.indices = np.array(indices, dtype=np.intp).reshape(-1)
        if len(np.unique(self.indices)) != len(self.indices):
            raise ValidationError(f"{mesh_id!r}: vertex indices repeat")
        self.old_xy = np.array(old_xy, dtype=np.float32)
        self.new_xy = np.array(new_xy, dtype=np.float32)
        if self.old_xy.shape != self.new_xy.shape:
            raise KeyformMismatchError(
                f"{mesh_id!r}: old_xy {self.old_xy.shape} and new_xy {self.new_xy.shape} differ"
            )
        self.label = f"Move vertices of {mesh_id}"

    @classmethod
    def to(
        cls, rig: Rig, mesh_id: str, indices: Any, new_xy: Any, keyform_index: int | None = None
    ) -> MoveVertices:
        """Move ``indices`` to ``new_xy``, reading the old positions from ``rig``."""
        idx, old = cls._current(rig, mesh_id, indices, keyform_index)
        return cls(mesh_id, keyform_index, idx, old, new_xy)

    @classmethod
    def by(
        cls, rig: Rig, mesh_id: str, indices: Any, delta_xy: Any, keyform_index: int | None = None
    ) -> MoveVertices:
        """Move ``indices`` by ``delta_xy`` ((2,) or broadcastable to the old positions)."""
        idx, old = cls._current(rig, mesh_id, indices, keyform_index)
        return cls(mesh_id, keyform_index, idx, old, old + np.asarray(delta_xy, np.float32))

    @classmethod
    def _current(
        cls, rig: Rig, mesh_id: str, indices: Any, keyform_index: int | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Checked vertex indices and a copy of their current positions."""
        positions = cls._positions(rig, mesh_id)
        idx = np.array(indices, dtype=np.intp).reshape(-1)
        if idx.size and (idx.min() < 0 or idx.max() >= positions.shape[1]):
            raise ValidationError(f"{mesh_id!r}: vertex index out of range 0..{positions.shape[1] - 1}")
        if keyform_index is not None and not 0 <= keyform_index < positions.shape[0]:
            raise KeyformMismatchError(
                f"{mesh_id!r}: keyform index {keyform_index} outside 0..{positions.shape[0] - 1}"
            )
        old = positions[:, idx] if keyform_index is None else positions[keyform_index, idx]
        return idx, old.copy()

    @staticmethod
    def _positions(rig: Rig, mesh_id: str) -> np.ndarray:
        mesh = find(rig, mesh_id)
        if not isinstance(mesh, ArtMesh):
            raise ValidationError(f"{mesh_id!r} is not an art mesh")
        return mesh.keyforms.values["positions"]

    def _write(self, doc: Document, xy: np.ndarray) -> Change:
        positions = self._positions(doc.rig, self.mesh_id)
        view_shape = (
            (positions.shape[0], len(self.indices), 2)
            if self.keyform_index is None
            else (len(self.indices), 2)
        )
        if xy.shape != view_shape or (self.indices.size and self.indices.max() >= positions.shape[1]):
            raise KeyformMismatchError(
                f"{self.mesh_id!r}: vertex block {xy.shape} does not fit positions {positions.shape}"
            )
        if self.keyform_index is None:
            positions[:, self.indices] = xy
        else:
            positions[self.keyform_index, self.indices] = xy
        return Change("keyform", frozenset({self.mesh_id}))

    def do(self, doc: Document) -> Change:
        return self._write(doc, self.new_xy)

    def undo(self, doc: Document) -> Change:
        return self._write(doc, self.old_xy)

    def merge(self, other: object) -> bool:
        if (
            isinstance(other, MoveVertices)
            and other.mesh_id == self.mesh_id
            and other.keyform_index == self.keyform_index
            and np.array_equal(other.indices, self.indices)
        ):
            self.new_xy = other.new_xy
            return True
        return False


_topology_counter = itertools.count(1)


def next_topology_version(current: int) -> int:
    """A topology version never handed out before in this process and greater than ``current``.

    Undo restores the old version (exact undo), so versions must not be reused for different
    topologies: GPU caches key on ``(art_mesh_id, topology_version)``.
    """
    return max(current + 1, next(_topology_counter))


class ReplaceMeshTopology(BaseCommand):
    """Replace an ArtMesh's uvs and triangles (and keyforms), e.g. when a local mesh edit commits.

    Parameters
    ----------
    rig : Rig
    mesh_id : str
    uvs : (N', 2) float32 array_like
        New texture coordinates, [0, 1], origin top-left.
    triangles : (M', 3) uint16 array_like
    keyforms : KeyformGrid, optional
        Keyforms for the new vertices (``positions`` (K, N', 2)). None keeps the current keyforms,
        which is allowed only when the vertex count is unchanged.

    Notes
    -----
    ``do`` swaps in a new ArtMesh object (same id, ``topology_version`` bumped to a fresh value);
    undo puts the old object back. Reports ``Change("topology", {mesh_id})``.

    Raises
    ------
    KeyformMismatchError
        The keyforms do not match the new vertex count (remap them first).
    InvalidMeshError
        Malformed uvs or triangles.
    """

    def __init__(
        self, rig: Rig, mesh_id: str, uvs: Any, triangles: Any, keyforms: KeyformGrid | None = None
    ) -> None:
        mesh = find(rig, mesh_id)
        if not isinstance(mesh, ArtMesh):
            raise ValidationError(f"{mesh_id!r} is not an art mesh")
        grid = copy.deepcopy(mesh.keyforms if keyforms is None else keyforms)
        new = copy.copy(mesh)
        new.uvs = np.array(uvs, dtype=np.float32)
        new.triangles = np.array(triangles, dtype=np.uint16)
        new.keyforms = grid
        new.topology_version = next_topology_version(mesh.topology_version)
        new.check_topology()
        n_keyed = grid.values["positions"].shape[1] if "positions" in grid.values else None
        if n_keyed != new.vertex_count:
            raise KeyformMismatchError(
                f"{mesh_id!r}: the new topology has {new.vertex_count} vertices but its keyforms hold {n_keyed}; "
                "remap every keyform to the new vertices (or pass matching keyforms)"
            )
        grid.check(mesh_id, new.keyform_fields())
        self.mesh_id = mesh_id
        self.index = index_of(rig.art_meshes, mesh_id)
        self.old, self.new = mesh, new
        self.label = f"Edit mesh {mesh_id}"

    def _swap(self, doc: Document, obj: ArtMesh) -> Change:
        meshes = doc.rig.art_meshes
        if meshes[self.index].id != self.mesh_id:
            raise RuntimeError(f"{self.label!r}: rig.art_meshes[{self.index}] is not {self.mesh_id!r}")
        meshes[self.index] = obj
        return Change("topology", frozenset({self.mesh_id}))

    def do(self, doc: Document) -> Change:
        return self._swap(doc, self.new)

    def undo(self, doc: Document) -> Change:
        return self._swap(doc, self.old)

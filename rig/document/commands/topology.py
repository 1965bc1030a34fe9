"""Topology edits that keep every keyform consistent: vertex maps, keyform remapping, EditMeshTopology.

A topology edit of an ArtMesh (vertices added, removed, moved in the rest pose, or a whole new
triangulation) must give **every** keyform exactly one position per new vertex (style.md 2). Here
a new vertex is described by a :class:`VertexMap` row: three old vertices with

* ``weights``: where the vertex lies relative to them *in the rest pose* (barycentric; may be
  negative for a vertex outside the old mesh: affine extrapolation of the nearest triangle), and
* ``displacement_weights``: how it follows them in every keyform (equal to ``weights`` inside the
  old mesh, so the new vertex sits on the very same place of the deformed old triangle; one-hot on
  the nearest old vertex outside it, so it takes that vertex's displacement).

For keyform ``k``: ``new_k = sum(w * rest[idx]) + sum(d * (old_k[idx] - rest[idx])) (+ delta)``,
where ``rest`` is the mesh at the parameters' default values. Inside the mesh this is plain
barycentric interpolation ``sum(w * old_k[idx])``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from rig.document.command import CompoundCommand
from rig.document.commands.base import find
from rig.document.commands.keyforms import ReplaceMeshTopology
from rig.errors import KeyformMismatchError, ValidationError
from rig.evaluate.keyforms import interpolate_keyforms
from rig.model import ArtMesh, KeyformGrid, Rig

INSIDE_EPS = 1e-6
"""Barycentric tolerance: a point this far outside a triangle (in weight units) still counts as inside."""


@dataclass(frozen=True, slots=True, eq=False)
class VertexMap:
    """Where each vertex of a new topology comes from in the old one.

    Attributes
    ----------
    indices : (P, 3) intp ndarray
        Old vertex indices of the rest-pose weights.
    weights : (P, 3) float64 ndarray
        Rest-pose weights (sum 1; negative when extrapolating).
    displacement_indices : (P, 3) intp ndarray
        Old vertex indices of the displacement weights.
    displacement_weights : (P, 3) float64 ndarray
        Keyform-displacement weights (sum 1, >= 0).
    """

    indices: np.ndarray
    weights: np.ndarray
    displacement_indices: np.ndarray
    displacement_weights: np.ndarray

    @property
    def count(self) -> int:
        return int(self.indices.shape[0])

    @property
    def copies(self) -> np.ndarray:
        """(P,) bool: rows that copy one old vertex exactly."""
        return ((self.weights[:, 0] == 1.0) & (self.displacement_weights[:, 0] == 1.0)
                & (self.indices[:, 0] == self.displacement_indices[:, 0]))

    @staticmethod
    def empty() -> VertexMap:
        z = np.zeros((0, 3))
        return VertexMap(z.astype(np.intp), z, z.astype(np.intp), z.copy())

    @staticmethod
    def keep(old_indices: Any) -> VertexMap:
        """New vertex ``i`` is old vertex ``old_indices[i]`` (identity, deletions, reordering)."""
        idx = np.asarray(old_indices, np.intp).reshape(-1)
        rows = np.zeros((len(idx), 3), np.intp)
        rows[:, 0] = idx
        w = np.zeros((len(idx), 3))
        w[:, 0] = 1.0
        return VertexMap(rows, w, rows.copy(), w.copy())

    @staticmethod
    def identity(n: int) -> VertexMap:
        return VertexMap.keep(np.arange(n))

    def __add__(self, other: VertexMap) -> VertexMap:
        """Rows of ``self`` followed by rows of ``other``."""
        return VertexMap(*(np.concatenate([getattr(self, f), getattr(other, f)]) for f in _FIELDS))

    def apply(self, values: Any) -> np.ndarray:
        """Interpolate per-vertex ``values`` (N, C) with the rest weights -> (P, C) float64."""
        v = np.asarray(values, np.float64)
        return np.einsum("pj,pjc->pc", self.weights, v[self.indices])

    @property
    def max_index(self) -> int:
        """Largest old vertex index referred to (-1 when empty)."""
        if not self.count:
            return -1
        return int(max(self.indices.max(), self.displacement_indices.max()))


_FIELDS = ("indices", "weights", "displacement_indices", "displacement_weights")


def barycentric(points: np.ndarray, tri_xy: np.ndarray) -> np.ndarray:
    """Barycentric coordinates of every point in every triangle.

    Parameters
    ----------
    points : (P, 2) float ndarray
    tri_xy : (M, 3, 2) float ndarray

    Returns
    -------
    (P, M, 3) float64 ndarray
        NaN for degenerate (zero-area) triangles.
    """
    p = np.asarray(points, np.float64)[:, None, :]
    a, b, c = (np.asarray(tri_xy, np.float64)[None, :, i] for i in range(3))
    v0, v1, v2 = b - a, c - a, p - a
    den = v0[..., 0] * v1[..., 1] - v1[..., 0] * v0[..., 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        den = np.where(np.abs(den) < 1e-12, np.nan, den)
        wb = (v2[..., 0] * v1[..., 1] - v1[..., 0] * v2[..., 1]) / den
        wc = (v0[..., 0] * v2[..., 1] - v2[..., 0] * v0[..., 1]) / den
    return np.stack([1.0 - wb - wc, wb, wc], axis=-1)


def _segment_distance(points: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(P, M) distance from points (P, 1, 2) to segments a-b (1, M, 2)."""
    ab = b - a
    t = np.clip(np.sum((points - a) * ab, -1) / np.maximum(np.sum(ab * ab, -1), 1e-12), 0.0, 1.0)
    return np.linalg.norm(points - (a + t[..., None] * ab), axis=-1)


def locate_points(points: Any, mesh_xy: Any, triangles: Any, chunk: int = 256) -> VertexMap:
    """Locate new points in an old mesh (any 2-D frame, the same for both).

    Parameters
    ----------
    points : (P, 2) array_like
        New vertex positions.
    mesh_xy : (N, 2) array_like
        Old vertex positions in the same frame (e.g. layer px = ``uvs * layer size``).
    triangles : (M, 3) int array_like
        Old triangles.
    chunk : int
        Points processed at a time (memory ~ chunk * M * 3 floats).

    Returns
    -------
    VertexMap
        Inside a triangle: its barycentric weights for both rest and displacement. Outside the
        mesh: the nearest triangle's extrapolated weights for the rest position and the nearest
        old vertex for the displacement.

    Raises
    ------
    ValidationError
        If the old mesh has no triangle.
    """
    pts = np.asarray(points, np.float64).reshape(-1, 2)
    xy = np.asarray(mesh_xy, np.float64).reshape(-1, 2)
    tris = np.asarray(triangles, np.intp).reshape(-1, 3)
    if len(tris) == 0:
        raise ValidationError("cannot locate points in a mesh without triangles")
    rows = [_locate_chunk(pts[s : s + chunk], xy, tris) for s in range(0, len(pts), chunk)]
    if not rows:
        return VertexMap.empty()
    return VertexMap(*(np.concatenate(parts) for parts in zip(*rows)))


def _locate_chunk(pts: np.ndarray, xy: np.ndarray, tris: np.ndarray) -> tuple[np.ndarray, ...]:
    n = len(pts)
    tri_xy = xy[tris]
    bary = barycentric(pts, tri_xy)  # (P, M, 3)
    min_w = np.nan_to_num(bary.min(axis=-1), nan=-np.inf)
    best = np.argmax(min_w, axis=1)
    inside = min_w[np.arange(n), best] >= -INSIDE_EPS
    p3 = pts[:, None, :]
    dist = np.min([_segment_distance(p3, tri_xy[None, :, i], tri_xy[None, :, (i + 1) % 3]) for i in range(3)], 0)
    dist = np.where(np.isnan(bary[..., 0]), np.inf, dist)
    nearest_tri = np.where(inside, best, np.argmin(dist, axis=1))
    idx = tris[nearest_tri]
    w = bary[np.arange(n), nearest_tri]
    d_idx, d = idx.copy(), w.copy()
    out = ~inside
    if out.any():
        nearest_v = np.argmin(np.linalg.norm(pts[out, None, :] - xy[None], axis=-1), axis=1)
        d_idx[out] = nearest_v[:, None]
        d[out] = np.array([1.0, 0.0, 0.0])
    return idx, w, d_idx, d


def rest_positions(rig: Rig, mesh: ArtMesh) -> np.ndarray:
    """(N, 2) float64 positions of ``mesh`` at the parameters' default values, parent-deformer space."""
    params = {p.id: p for p in rig.parameters}
    return interpolate_keyforms(mesh.keyforms, rig.default_values(), params)["positions"]


def remap_keyforms(
    grid: KeyformGrid, rest_xy: Any, vertex_map: VertexMap, delta_xy: Any | None = None
) -> KeyformGrid:
    """Every keyform of a mesh moved onto a new topology (pure; ``grid`` is not modified).

    Parameters
    ----------
    grid : KeyformGrid
        The mesh's keyforms; ``positions`` (K, N, 2) float32, parent-deformer space.
    rest_xy : (N, 2) array_like
        The mesh at default parameter values (:func:`rest_positions`), same space.
    vertex_map : VertexMap
        P rows over the N old vertices.
    delta_xy : (P, 2) array_like, optional
        Added to every keyform of each new vertex (a rest-pose move in mesh mode).

    Returns
    -------
    KeyformGrid
        Same bindings, ``positions`` (K, P, 2) float32; the other fields are copied.

    Raises
    ------
    KeyformMismatchError
        If ``rest_xy``, ``delta_xy`` or the map's indices do not fit the keyforms.
    """
    pos = grid.values["positions"]
    rest = np.asarray(rest_xy, np.float64)
    n = pos.shape[1]
    if rest.shape != (n, 2):
        raise KeyformMismatchError(f"rest positions {rest.shape} do not fit keyform positions {pos.shape}")
    if vertex_map.count and (min(vertex_map.indices.min(), vertex_map.displacement_indices.min()) < 0
                             or vertex_map.max_index >= n):
        raise KeyformMismatchError(f"vertex map refers to vertices outside 0..{n - 1}")
    disp = pos.astype(np.float64) - rest[None]
    new_rest = vertex_map.apply(rest)
    new_disp = np.einsum("pj,kpjc->kpc", vertex_map.displacement_weights, disp[:, vertex_map.displacement_indices])
    new = new_rest[None] + new_disp
    copies = vertex_map.copies
    new[:, copies] = pos[:, vertex_map.indices[copies, 0]]
    if delta_xy is not None:
        delta = np.asarray(delta_xy, np.float64)
        if delta.shape != (vertex_map.count, 2):
            raise KeyformMismatchError(f"delta {delta.shape} does not fit {vertex_map.count} new vertices")
        new = new + delta[None]
    values = {k: np.array(v, copy=True) for k, v in grid.values.items()}
    values["positions"] = new.astype(np.float32)
    return KeyformGrid(tuple(grid.bindings), values)


class EditMeshTopology(ReplaceMeshTopology):
    """Replace an ArtMesh's topology, remapping every keyform through a :class:`VertexMap`.

    Parameters
    ----------
    rig : Rig
    mesh_id : str
    uvs : (P, 2) float32 array_like
        New texture coordinates, [0, 1] of the layer image, origin top-left.
    triangles : (M', 3) uint16 array_like
    vertex_map : VertexMap
        P rows over the mesh's current N vertices.
    delta_xy : (P, 2) array_like, optional
        Parent-space offset added to every keyform of each new vertex (mesh-mode moves).
    label : str, optional
        Undo label (default "Edit mesh <id>").
    merge_key : hashable, optional
        Consecutive commands on the same mesh with the same non-None key merge into one undo step
        (arrow-key nudges); None never merges.

    Notes
    -----
    ``do`` swaps in a new ArtMesh (same id, fresh ``topology_version``, remapped keyforms); undo
    puts the old object back. Reports ``Change("topology", {mesh_id})``. Masks refer to meshes by
    id, so clip relations stay valid.

    Raises
    ------
    KeyformMismatchError
        The map does not have one row per new uv, or does not fit the mesh's vertices.
    InvalidMeshError
        Malformed uvs or triangles.
    """

    def __init__(self, rig: Rig, mesh_id: str, uvs: Any, triangles: Any, vertex_map: VertexMap,
                 delta_xy: Any | None = None, label: str | None = None, merge_key: Any = None) -> None:
        mesh = find(rig, mesh_id)
        if not isinstance(mesh, ArtMesh):
            raise ValidationError(f"{mesh_id!r} is not an art mesh")
        n_new = int(np.asarray(uvs).reshape(-1, 2).shape[0])
        if vertex_map.count != n_new:
            raise KeyformMismatchError(
                f"{mesh_id!r}: {n_new} new uvs but the vertex map has {vertex_map.count} rows; "
                "every new vertex needs a source in the old mesh"
            )
        keyforms = remap_keyforms(mesh.keyforms, rest_positions(rig, mesh), vertex_map, delta_xy)
        super().__init__(rig, mesh_id, uvs, triangles, keyforms)
        self.merge_key = merge_key
        if label:
            self.label = label

    def can_merge(self, other: object) -> bool:
        return (isinstance(other, EditMeshTopology) and self.merge_key is not None
                and other.merge_key == self.merge_key and other.mesh_id == self.mesh_id and other.old is self.new)

    def merge(self, other: object) -> bool:
        if not self.can_merge(other):
            return False
        self.new = other.new
        return True


class EditMeshes(CompoundCommand):
    """Topology edits of several meshes as one undo step (a gesture, Auto-mesh of a selection).

    ``do`` runs the children in order and ``undo`` in reverse; reports the combined
    ``Change("topology", mesh ids)``. Merges with the next EditMeshes only when both carry the same
    non-None ``merge_key`` and every child merges (arrow-key nudges).
    """

    def __init__(self, label: str, commands: list[EditMeshTopology], merge_key: Any = None) -> None:
        super().__init__(label, commands)
        self.merge_key = merge_key

    @property
    def mesh_ids(self) -> tuple[str, ...]:
        return tuple(c.mesh_id for c in self.commands)

    def merge(self, other: object) -> bool:
        if not (isinstance(other, EditMeshes) and self.merge_key is not None and other.merge_key == self.merge_key
                and other.mesh_ids == self.mesh_ids):
            return False
        if not all(a.can_merge(b) for a, b in zip(self.commands, other.commands)):
            return False
        for a, b in zip(self.commands, other.commands):
            a.merge(b)
        return True

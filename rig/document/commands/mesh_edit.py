"""Mesh-mode edits as commands: add, delete and move vertices, re-triangulate, re-mesh.

Every builder returns one :class:`~rig.document.commands.topology.EditMeshTopology` whose keyforms
are remapped (so no keyform ever has a different vertex count than its mesh). Triangulations are
done in **layer px** (``uvs * layer size``, the texture's own frame, independent of deformers): a
Delaunay triangulation of the vertices, keeping the triangles whose centroid lies inside the
current mesh (a constrained triangulation by filtering, as ``inference.meshing.meshes`` does).

Rest-pose moves (mesh mode) add the same parent-space delta to every keyform of a vertex and move
its uv with it, so the texture stays put on the canvas (Cubism's mesh edit behaviour).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rig.document.commands.base import find
from rig.document.commands.topology import INSIDE_EPS, EditMeshTopology, VertexMap, barycentric, locate_points
from rig.errors import InvalidMeshError, ValidationError
from rig.model import ArtMesh, Rig

MIN_AREA_PX2 = 1e-3
"""Triangles smaller than this (layer px²) are dropped as degenerate."""


def art_mesh(rig: Rig, mesh_id: str) -> ArtMesh:
    mesh = find(rig, mesh_id)
    if not isinstance(mesh, ArtMesh):
        raise ValidationError(f"{mesh_id!r} is not an art mesh")
    return mesh


def uv_px(rig: Rig, mesh: ArtMesh, uvs: Any | None = None) -> np.ndarray:
    """(N, 2) float64: ``uvs`` (default the mesh's) in layer px of the mesh's layer."""
    w, h = rig.layer(mesh.layer_id).size_px
    return np.asarray(mesh.uvs if uvs is None else uvs, np.float64) * np.array([w, h], np.float64)


def inside_mesh(points: Any, mesh_xy: Any, triangles: Any, chunk: int = 512) -> np.ndarray:
    """(P,) bool: whether each point lies in (or on) any of the triangles."""
    pts = np.asarray(points, np.float64).reshape(-1, 2)
    tri_xy = np.asarray(mesh_xy, np.float64)[np.asarray(triangles, np.intp).reshape(-1, 3)]
    out = np.zeros(len(pts), bool)
    if len(tri_xy) == 0:
        return out
    for s in range(0, len(pts), chunk):
        bary = barycentric(pts[s : s + chunk], tri_xy)
        out[s : s + chunk] = (np.nan_to_num(bary.min(axis=-1), nan=-np.inf) >= -INSIDE_EPS).any(axis=1)
    return out


def triangulate_in_region(points: Any, region_xy: Any, region_triangles: Any) -> np.ndarray:
    """Delaunay triangles of ``points`` restricted to a region given as a triangle mesh.

    Parameters
    ----------
    points : (N, 2) array_like
        Vertices, any 2-D frame (layer px here).
    region_xy, region_triangles : (R, 2), (T, 3) array_like
        The region (the mesh before the edit) in the same frame.

    Returns
    -------
    (M, 3) uint16 ndarray
        Triangles whose centroid lies in the region, area > ``MIN_AREA_PX2``, counter-clockwise on
        screen (+y down: negative cross product), like ``inference.meshing.meshes``.

    Raises
    ------
    InvalidMeshError
        Fewer than 3 points, all points collinear, or no triangle left inside the region.
    """
    from scipy.spatial import Delaunay, QhullError

    pts = np.asarray(points, np.float64).reshape(-1, 2)
    if len(pts) < 3:
        raise InvalidMeshError(f"a mesh needs at least 3 vertices, got {len(pts)}")
    try:
        tris = Delaunay(pts).simplices.astype(np.int64)
    except QhullError as exc:
        raise InvalidMeshError(f"cannot triangulate {len(pts)} vertices (collinear or coincident?)") from exc
    p = pts[tris]
    e1, e2 = p[:, 1] - p[:, 0], p[:, 2] - p[:, 0]
    cross = e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0]
    keep = (np.abs(cross) / 2 > MIN_AREA_PX2) & inside_mesh(p.mean(axis=1), region_xy, region_triangles)
    tris, cross = tris[keep], cross[keep]
    tris[cross > 0] = tris[cross > 0][:, [0, 2, 1]]
    if len(tris) == 0:
        raise InvalidMeshError("no triangle of the new mesh lies inside the old outline")
    return tris.astype(np.uint16)


def add_vertices(rig: Rig, mesh_id: str, located: VertexMap, label: str | None = None) -> EditMeshTopology:
    """Insert vertices located in the mesh (:func:`locate_points` in any frame) and re-triangulate.

    The new vertices get uvs and keyform positions by barycentric interpolation of their
    triangle (rest and every keyform alike); the mesh is re-triangulated inside its outline.
    """
    mesh = art_mesh(rig, mesh_id)
    vmap = VertexMap.identity(mesh.vertex_count) + located
    uvs = vmap.apply(mesh.uvs).astype(np.float32)
    tris = triangulate_in_region(uv_px(rig, mesh, uvs), uv_px(rig, mesh), mesh.triangles)
    n = located.count
    return EditMeshTopology(rig, mesh_id, uvs, tris, vmap,
                            label=label or f"Add {n} vertex{'es' if n != 1 else ''} to {mesh_id}")


def delete_vertices(rig: Rig, mesh_id: str, indices: Any) -> EditMeshTopology:
    """Remove vertices (dropped from every keyform) and re-triangulate inside the old outline.

    Raises
    ------
    InvalidMeshError
        If fewer than 3 vertices would remain or nothing could be triangulated.
    """
    mesh = art_mesh(rig, mesh_id)
    drop = np.unique(np.asarray(indices, np.intp).reshape(-1))
    keep = np.setdiff1d(np.arange(mesh.vertex_count), drop)
    if len(keep) < 3:
        raise InvalidMeshError(f"{mesh_id!r}: deleting {len(drop)} vertices would leave {len(keep)} (< 3)")
    tris = triangulate_in_region(uv_px(rig, mesh)[keep], uv_px(rig, mesh), mesh.triangles)
    return EditMeshTopology(rig, mesh_id, mesh.uvs[keep], tris, VertexMap.keep(keep),
                            label=f"Delete {len(drop)} vertices of {mesh_id}")


def move_vertices(rig: Rig, mesh_id: str, indices: Any, delta_uv: Any, delta_xy: Any,
                  merge_key: Any = None, label: str | None = None) -> EditMeshTopology:
    """Move vertices in the rest pose: uvs by ``delta_uv``, every keyform by ``delta_xy``.

    Parameters
    ----------
    indices : (n,) int array_like
    delta_uv : (n, 2) or (2,) array_like
        Texture-coordinate offsets (uv units).
    delta_xy : (n, 2) or (2,) array_like
        Parent-deformer-space offsets, the same for every keyform of a vertex.
    merge_key : hashable, optional
        See :class:`EditMeshTopology` (arrow-key nudges share one key).
    """
    mesh = art_mesh(rig, mesh_id)
    idx = np.asarray(indices, np.intp).reshape(-1)
    if idx.size and (idx.min() < 0 or idx.max() >= mesh.vertex_count):
        raise ValidationError(f"{mesh_id!r}: vertex index out of range 0..{mesh.vertex_count - 1}")
    uvs = mesh.uvs.astype(np.float64)
    uvs[idx] += np.broadcast_to(np.asarray(delta_uv, np.float64), (len(idx), 2))
    delta = np.zeros((mesh.vertex_count, 2))
    delta[idx] = np.broadcast_to(np.asarray(delta_xy, np.float64), (len(idx), 2))
    return EditMeshTopology(rig, mesh_id, uvs.astype(np.float32), mesh.triangles, VertexMap.identity(mesh.vertex_count),
                            delta_xy=delta, merge_key=merge_key, label=label or f"Move vertices of {mesh_id}")


def retriangulate(rig: Rig, mesh_id: str) -> EditMeshTopology:
    """Delaunay re-triangulation of the current vertices inside the current outline."""
    mesh = art_mesh(rig, mesh_id)
    xy = uv_px(rig, mesh)
    tris = triangulate_in_region(xy, xy, mesh.triangles)
    return EditMeshTopology(rig, mesh_id, mesh.uvs, tris, VertexMap.identity(mesh.vertex_count),
                            label=f"Re-triangulate {mesh_id}")


def remesh(rig: Rig, mesh_id: str, uvs: Any, triangles: Any, label: str | None = None) -> EditMeshTopology:
    """Replace the mesh by a new one over the same layer, keyforms interpolated from the old mesh.

    New vertices are located in the old mesh in layer px (:func:`locate_points`): inside, every
    keyform interpolates the old deformed triangle; outside, the nearest old vertex's displacement.
    """
    mesh = art_mesh(rig, mesh_id)
    new_uvs = np.asarray(uvs, np.float32).reshape(-1, 2)
    vmap = locate_points(uv_px(rig, mesh, new_uvs), uv_px(rig, mesh), mesh.triangles)
    return EditMeshTopology(rig, mesh_id, new_uvs, triangles, vmap, label=label or f"Re-mesh {mesh_id}")


def local_linear_maps(src: Any, dst: Any, triangles: Any, indices: Any) -> np.ndarray:
    """Per-vertex 2x2 linear maps taking small ``src`` offsets to ``dst`` offsets.

    Least-squares fit over each vertex's one-ring: ``dst_j - dst_i ~= A (src_j - src_i)``. Used to
    turn a canvas-px drag into parent-space and uv offsets (exact for affine parents; the local
    linearisation of a warp deformer).

    Parameters
    ----------
    src, dst : (N, 2) array_like
        The same vertices in two frames (e.g. canvas px and parent-deformer space).
    triangles : (M, 3) int array_like
    indices : (n,) int array_like

    Returns
    -------
    (n, 2, 2) float64 ndarray
        ``A`` per vertex (``d_dst = A @ d_src``); a whole-mesh fit where the one-ring is degenerate.
    """
    s, d = np.asarray(src, np.float64), np.asarray(dst, np.float64)
    tris = np.asarray(triangles, np.intp).reshape(-1, 3)
    edges = np.concatenate([tris[:, [0, 1]], tris[:, [1, 2]], tris[:, [2, 0]]])
    edges = np.concatenate([edges, edges[:, ::-1]])
    fallback = _fit(s - s.mean(0), d - d.mean(0))
    if fallback is None:
        fallback = np.eye(2)
    out = []
    for i in np.asarray(indices, np.intp).reshape(-1):
        nb = edges[edges[:, 0] == i, 1]
        a = _fit(s[nb] - s[i], d[nb] - d[i]) if len(nb) >= 2 else None
        out.append(fallback if a is None else a)
    return np.array(out).reshape(-1, 2, 2)


def _fit(ds: np.ndarray, dd: np.ndarray) -> np.ndarray | None:
    """A with ``dd ~= ds @ A.T`` (least squares), or None when ``ds`` spans less than 2-D."""
    if len(ds) < 2 or np.linalg.matrix_rank(ds, tol=1e-9 * max(1.0, float(np.abs(ds).max()))) < 2:
        return None
    sol, *_ = np.linalg.lstsq(ds, dd, rcond=None)
    return sol.T

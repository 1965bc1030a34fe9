"""Picking: which art mesh is under a canvas point, topmost first (pure numpy).

A mesh is hit when the point lies in one of its evaluated triangles *and* its layer is not
transparent there (alpha sampled at the interpolated uv), so clicking through the empty corners of
a hair mesh selects what is visible below.
"""

from __future__ import annotations

import numpy as np

from rig.evaluate.types import DrawItem, EvaluatedRig


def barycentric(points: np.ndarray, a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Barycentric coordinates of one point in M triangles.

    Parameters
    ----------
    points : (2,) float64
        The point, canvas px.
    a, b, c : (M, 2) float64
        Triangle corners, canvas px.

    Returns
    -------
    (M, 3) float64
        Weights of a, b, c; degenerate triangles get NaN.
    """
    v0, v1, v2 = b - a, c - a, points[None, :] - a
    d00 = np.einsum("ij,ij->i", v0, v0)
    d01 = np.einsum("ij,ij->i", v0, v1)
    d11 = np.einsum("ij,ij->i", v1, v1)
    d20 = np.einsum("ij,ij->i", v2, v0)
    d21 = np.einsum("ij,ij->i", v2, v1)
    denom = d00 * d11 - d01 * d01
    with np.errstate(divide="ignore", invalid="ignore"):
        v = (d11 * d20 - d01 * d21) / denom
        w = (d00 * d21 - d01 * d20) / denom
    return np.stack([1.0 - v - w, v, w], axis=1)


def item_hit(item: DrawItem, point_px: tuple[float, float], image: np.ndarray | None,
             alpha_threshold: int = 16) -> bool:
    """True when ``point_px`` is inside ``item`` and its texture is at least ``alpha_threshold`` there.

    Parameters
    ----------
    item : DrawItem
    point_px : (x, y)
        Canvas px.
    image : (H, W, 4) uint8 ndarray or None
        The item's layer image (straight alpha); None skips the alpha test.
    alpha_threshold : int
        Minimum alpha (0..255) counted as visible.
    """
    p = np.asarray(point_px, np.float64)
    verts = np.asarray(item.vertices_px, np.float64)
    lo, hi = verts.min(axis=0), verts.max(axis=0)
    if (p < lo).any() or (p > hi).any() or len(item.triangles) == 0:
        return False
    tri = item.triangles.astype(np.int64)
    bary = barycentric(p, verts[tri[:, 0]], verts[tri[:, 1]], verts[tri[:, 2]])
    inside = np.flatnonzero(np.all(bary >= -1e-6, axis=1))
    if inside.size == 0:
        return False
    if image is None:
        return True
    uvs = np.asarray(item.uvs, np.float64)
    h, w = image.shape[:2]
    for t in inside:
        uv = bary[t] @ uvs[tri[t]]
        x = int(np.clip(uv[0] * w, 0, w - 1))
        y = int(np.clip(uv[1] * h, 0, h - 1))
        if image[y, x, 3] >= alpha_threshold:
            return True
    return False


def pick(evaluated: EvaluatedRig, point_px: tuple[float, float], skip: frozenset[str] = frozenset(),
         alpha_test: bool = True) -> str | None:
    """Id of the topmost drawn art mesh under ``point_px`` (canvas px), or None.

    Items with opacity 0 and ids in ``skip`` (locked meshes) are ignored.
    """
    for item in reversed(evaluated.items):
        if item.opacity <= 0.0 or item.art_mesh_id in skip:
            continue
        texture = evaluated.textures.get(item.layer_id) if alpha_test else None
        if item_hit(item, point_px, None if texture is None else texture.image):
            return item.art_mesh_id
    return None

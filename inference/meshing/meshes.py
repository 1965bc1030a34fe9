"""Stage 6: contour-following triangle meshes for the cut layers (design.md "Generation", 6).

Each mesh covers every pixel of its layer with alpha > 0:

1. the alpha mask is dilated by ``DILATE_PX`` and its outlines (outer contours and holes) are traced
   with ``cv2.findContours`` and simplified with ``cv2.approxPolyDP`` (tolerance ``SIMPLIFY_PX`` <
   the dilation, so the simplified outline still encloses every pixel);
2. outline edges are resampled to at most half the vertex spacing, and interior points are laid
   on a staggered (hexagonal) grid of that spacing, kept away from the outline;
3. the points are triangulated with ``scipy.spatial.Delaunay`` and triangles whose centroid lies
   outside the outline are dropped (a constrained triangulation by filtering);
4. any alpha > 0 pixel left uncovered (thin strands where a Delaunay edge cut across the outline)
   becomes an extra vertex and the triangulation is redone; degenerate triangles are dropped.

Spacing depends on the part (``LAYER_DENSITY``): eyes, brows and mouth are dense, the face medium,
hair and body coarse, in fractions of the face width so the vertex count does not grow with the
image resolution (rigging.md 1: features need enough vertices to bend, hair moves in larger pieces).
"""

from __future__ import annotations

import numpy as np

from inference.types import CutLayer, LayerMesh
from rig.errors import InvalidMeshError

DILATE_PX = 2
SIMPLIFY_PX = 1.0
DENSITY_SPACING_FW: dict[str, float] = {"fine": 0.05, "medium": 0.085, "coarse": 0.15}
"""Interior vertex spacing per density, in face widths."""
LAYER_DENSITY: dict[str, str] = {
    "BackHair": "coarse",
    "Body": "coarse",
    "FrontHair": "coarse",
    "Accessory": "coarse",
    "Neck": "medium",
    "Face": "medium",
    "EarL": "medium",
    "EarR": "medium",
}
"""Density of each layer; unnamed layers (eyes, brows, nose, mouth, synthesised) are "fine"."""
MIN_TRIANGLE_AREA_PX2 = 0.05
MIN_ANGLE_DEG = 2.0
"""Triangles below this area or smallest angle are slivers and are dropped (gaps are repaired)."""
MIN_SPACING_PX = 3.0
MAX_REPAIRS = 4


def spacing_for(layer: CutLayer, density: str | float, face_width_px: float | None) -> float:
    """Vertex spacing (px) of a layer: ``density`` px when a number, else a fraction of the face width.

    Small layers are capped at a quarter of their longer side so a brow still bends.
    """
    h, w = layer.image.shape[:2]
    if isinstance(density, str):
        if density not in DENSITY_SPACING_FW:
            raise ValueError(
                f"unknown mesh density {density!r}; use one of {sorted(DENSITY_SPACING_FW)} or px"
            )
        fw = face_width_px if face_width_px else float(max(h, w))
        spacing = DENSITY_SPACING_FW[density] * fw
    else:
        spacing = float(density)
    return max(MIN_SPACING_PX, min(spacing, max(h, w) / 4.0))


def mesh_layer(layer: CutLayer, density: str | float, face_width_px: float | None = None) -> LayerMesh:
    """Triangulate one layer.

    Parameters
    ----------
    layer : CutLayer
        ``image`` (h, w, 4) uint8 RGBA; its pixels with alpha > 0 are covered.
    density : "fine", "medium", "coarse" or float
        Interior vertex spacing: a named density (fraction of ``face_width_px``) or px.
    face_width_px : float, optional
        FW (rigging.md 0); without it a named density is relative to the layer's longer side.

    Returns
    -------
    LayerMesh
        ``vertices_px`` (N, 2) float32 canvas px = ``origin_px + uvs * (w, h)``; ``uvs`` (N, 2)
        float32 in [0, 1], origin top-left; ``triangles`` (M, 3) uint16, counter-clockwise on
        screen (+y down). Empty arrays when the layer has no visible pixel.

    Raises
    ------
    InvalidMeshError
        If the mesh would need more than 65535 vertices (uint16 indices).
    """
    import cv2

    alpha = layer.image[..., 3] > 0
    h, w = alpha.shape
    if not alpha.any():
        return LayerMesh(
            layer.name,
            np.zeros((0, 2), np.float32),
            np.zeros((0, 2), np.float32),
            np.zeros((0, 3), np.uint16),
        )
    spacing = spacing_for(layer, density, face_width_px)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * DILATE_PX + 1, 2 * DILATE_PX + 1))
    grown = cv2.dilate(np.pad(alpha, DILATE_PX + 1).astype(np.uint8), kernel)
    outlines = _outlines(grown, spacing, offset=DILATE_PX + 1)
    inside = np.zeros(grown.shape, np.uint8)
    cv2.fillPoly(
        inside, [np.round((o + DILATE_PX + 1 - 0.5) * 16).astype(np.int32) for o in outlines], 1, shift=4
    )
    points = np.concatenate(outlines + [_interior_points(inside, spacing, DILATE_PX + 1)])
    target = np.argwhere(alpha)[:, ::-1] + 0.5  # (x, y) pixel centres
    for _ in range(MAX_REPAIRS + 1):
        points = _unique(points)
        tris = _triangulate(points, inside, DILATE_PX + 1)
        missing = _uncovered(points, tris, target, (h, w))
        if len(missing) == 0:
            break
        points = np.concatenate([points, missing[:: max(1, len(missing) // 400)]])
    if len(points) > 65535:
        raise InvalidMeshError(
            f"layer {layer.name!r}: {len(points)} vertices exceed uint16 indices; use a coarser density"
        )
    points = np.clip(points, 0.0, [w, h])
    uvs = (points / np.array([w, h], np.float64)).astype(np.float32)
    verts = (np.array(layer.origin_px, np.float64) + points).astype(np.float32)
    return LayerMesh(layer.name, verts, uvs, tris.astype(np.uint16))


def mesh_layers(layers: list[CutLayer], face_width_px: float | None = None) -> list[LayerMesh]:
    """Mesh every layer with its ``LAYER_DENSITY`` ("fine" when unnamed).

    ``face_width_px`` defaults to the width of the Face layer's visible pixels (else the widest layer).
    """
    if face_width_px is None:
        face = next((la for la in layers if la.name == "Face"), None)
        if face is not None and face.visible_mask.any():
            cols = np.flatnonzero(face.visible_mask.any(axis=0))
            face_width_px = float(cols[-1] - cols[0] + 1)
        else:
            face_width_px = float(max((max(la.image.shape[:2]) for la in layers), default=1))
    return [mesh_layer(la, LAYER_DENSITY.get(la.name, "fine"), face_width_px) for la in layers]


def _outlines(grown: np.ndarray, spacing: float, offset: int) -> list[np.ndarray]:
    """Simplified, resampled outlines (each (P, 2) float64 layer px, pixel centres) of a padded mask."""
    import cv2

    contours, _ = cv2.findContours(grown, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_NONE)
    step = max(2.0, 0.5 * spacing)
    out = []
    for c in contours:
        if cv2.contourArea(c) < 1.0 and len(c) < 3:
            continue
        simple = cv2.approxPolyDP(c, SIMPLIFY_PX, True).reshape(-1, 2).astype(np.float64)
        if len(simple) < 3:
            simple = c.reshape(-1, 2).astype(np.float64)
        out.append(_resample(simple, step) + 0.5 - offset)
    return out


def _resample(poly: np.ndarray, step: float) -> np.ndarray:
    """A closed polygon with every edge split into pieces no longer than ``step``."""
    nxt = np.roll(poly, -1, axis=0)
    lengths = np.linalg.norm(nxt - poly, axis=1)
    pieces = np.maximum(1, np.ceil(lengths / step).astype(int))
    parts = [a + (b - a) * (np.arange(n)[:, None] / n) for a, b, n in zip(poly, nxt, pieces)]
    return np.concatenate(parts)


def _interior_points(inside: np.ndarray, spacing: float, offset: int) -> np.ndarray:
    """Staggered grid points at least half a spacing inside the outline, layer px."""
    import cv2

    dist = cv2.distanceTransform(inside, cv2.DIST_L2, 3)
    h, w = inside.shape
    dy = spacing * np.sqrt(3) / 2
    ys = np.arange(dy / 2, h, dy)
    pts = []
    for i, y in enumerate(ys):
        xs = np.arange((spacing / 2) * (1 + i % 2), w, spacing)
        pts.append(np.stack([xs, np.full_like(xs, y)], axis=1))
    if not pts:
        return np.zeros((0, 2))
    grid = np.concatenate(pts)
    ok = dist[grid[:, 1].astype(int), grid[:, 0].astype(int)] >= 0.5 * spacing
    return grid[ok] - offset


def _unique(points: np.ndarray) -> np.ndarray:
    """Points with near-duplicates (< 0.05 px apart) removed, order kept."""
    key = np.round(points * 20).astype(np.int64)
    _, idx = np.unique(key, axis=0, return_index=True)
    return points[np.sort(idx)]


def _triangulate(points: np.ndarray, inside: np.ndarray, offset: int) -> np.ndarray:
    """Delaunay triangles (M, 3) int64 whose centroid is inside the outline, non-degenerate, CCW."""
    from scipy.spatial import Delaunay

    tris = Delaunay(points).simplices
    p = points[tris]
    cen = p.mean(axis=1) + offset
    cx = np.clip(cen[:, 0].astype(int), 0, inside.shape[1] - 1)
    cy = np.clip(cen[:, 1].astype(int), 0, inside.shape[0] - 1)
    keep = inside[cy, cx] > 0
    e1, e2 = p[:, 1] - p[:, 0], p[:, 2] - p[:, 0]
    cross = e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0]
    keep &= (np.abs(cross) / 2 > MIN_TRIANGLE_AREA_PX2) & (min_angle_deg(p) >= MIN_ANGLE_DEG)
    tris, cross = tris[keep], cross[keep]
    flip = cross < 0  # counter-clockwise on screen with +y down means a negative cross product
    tris[~flip] = tris[~flip][:, [0, 2, 1]]
    return tris


def min_angle_deg(tri_px: np.ndarray) -> np.ndarray:
    """(M,) smallest interior angle (degrees) of triangles given as (M, 3, 2) vertex positions."""
    sides = np.linalg.norm(tri_px - np.roll(tri_px, -1, axis=1), axis=2)  # side i: vertex i -> i+1
    a, b, c = sides[:, 1], sides[:, 2], sides[:, 0]  # a opposite vertex 0, ...
    out = []
    for opp, s1, s2 in ((a, b, c), (b, c, a), (c, a, b)):
        cosv = (s1**2 + s2**2 - opp**2) / np.maximum(2 * s1 * s2, 1e-12)
        out.append(np.degrees(np.arccos(np.clip(cosv, -1.0, 1.0))))
    return np.min(out, axis=0)


def _uncovered(
    points: np.ndarray, tris: np.ndarray, target: np.ndarray, shape: tuple[int, int]
) -> np.ndarray:
    """Pixel centres of ``target`` (T, 2) not inside any triangle (tested by rasterising at 1/16 px)."""
    import cv2

    covered = np.zeros(shape, np.uint8)
    if len(tris):
        polys = np.round(points[tris] * 16 - 8).astype(np.int32)  # pixel (i, j) centre -> integer grid
        cv2.fillPoly(covered, list(polys), 1, lineType=cv2.LINE_8, shift=4)
    ix = target.astype(int)
    hit = covered[ix[:, 1], ix[:, 0]] > 0
    return target[~hit]

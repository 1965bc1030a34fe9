"""Hand-built EvaluatedRig scenes and numpy references for the renderer tests."""

from __future__ import annotations

import numpy as np

from rig.evaluate.types import DeformerGizmo, DrawItem, EvaluatedRig, LayerTexture

QUAD_UV = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], np.float32)
QUAD_TRIANGLES = np.array([[0, 1, 2], [0, 2, 3]], np.uint16)


def solid(rgba, size=(4, 4)) -> np.ndarray:
    """(h, w, 4) uint8 image of one straight-alpha colour."""
    img = np.empty((size[1], size[0], 4), np.uint8)
    img[...] = rgba
    return img


def item(mesh_id, vertices_px, uvs, triangles, layer_id, **kw) -> DrawItem:
    fields = dict(opacity=1.0, multiply_rgb=(1.0, 1.0, 1.0), screen_rgb=(0.0, 0.0, 0.0), blend_mode="normal",
                  mask_ids=(), invert_mask=False, draw_order=500.0, topology_version=0)
    fields.update(kw)
    return DrawItem(mesh_id, np.asarray(vertices_px, np.float32), np.asarray(uvs, np.float32),
                    np.asarray(triangles, np.uint16), layer_id, **fields)


def quad(mesh_id, rect, layer_id, **kw) -> DrawItem:
    """An axis-aligned quad ``rect = (x0, y0, x1, y1)`` in canvas px sampling the whole layer."""
    x0, y0, x1, y1 = rect
    vertices = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float32)
    return item(mesh_id, vertices, QUAD_UV, QUAD_TRIANGLES, layer_id, **kw)


def scene(items, layers, size=(64, 48), masks=(), gizmos=()) -> EvaluatedRig:
    """An EvaluatedRig from items, ``{layer_id: image}`` and mask items (kept out of the draw list)."""
    textures = {k: LayerTexture(k, v, 0) for k, v in layers.items()}
    return EvaluatedRig(size, tuple(items), textures, {m.art_mesh_id: m for m in masks}, tuple(gizmos))


def rect_coverage(rect, size) -> np.ndarray:
    """(H, W) bool: pixels whose centre lies inside ``rect`` (integer edges: no centre on an edge)."""
    x0, y0, x1, y1 = rect
    ys, xs = np.mgrid[0:size[1], 0:size[0]] + 0.5
    return (xs > x0) & (xs < x1) & (ys > y0) & (ys < y1)


def triangle_coverage(tri, size) -> np.ndarray:
    """(H, W) bool: pixels whose centre lies inside triangle ``tri`` ((3, 2) canvas px)."""
    ys, xs = np.mgrid[0:size[1], 0:size[0]] + 0.5
    (ax, ay), (bx, by), (cx, cy) = tri

    def edge(px, py, qx, qy):
        return (qx - px) * (ys - py) - (qy - py) * (xs - px)

    e = np.stack([edge(ax, ay, bx, by), edge(bx, by, cx, cy), edge(cx, cy, ax, ay)])
    return np.all(e > 0, axis=0) | np.all(e < 0, axis=0)


def over(dst, src):
    """Premultiplied float 'over': both (..., 4) in [0, 1]."""
    return src + dst * (1.0 - src[..., 3:4])


def premul(rgba_u8, opacity=1.0) -> np.ndarray:
    """Straight uint8 RGBA -> premultiplied float RGBA in [0, 1], times opacity."""
    c = np.asarray(rgba_u8, np.float64) / 255.0
    return np.concatenate([c[..., :3] * c[..., 3:4], c[..., 3:4]], axis=-1) * opacity


def straight_u8(premultiplied) -> np.ndarray:
    """Premultiplied float RGBA -> straight uint8 RGBA (colour 0 where alpha is 0)."""
    p = np.asarray(premultiplied, np.float64)
    a = p[..., 3:4]
    rgb = np.where(a > 0, p[..., :3] / np.maximum(a, 1e-12), 0.0)
    return np.round(np.clip(np.concatenate([rgb, a], axis=-1), 0, 1) * 255).astype(np.uint8)


def gizmo_scene() -> EvaluatedRig:
    """One grey quad with a 2x3 warp lattice and a rotation handle over it."""
    yy, xx = np.meshgrid(np.linspace(16, 80, 3), np.linspace(16, 112, 4), indexing="ij")
    lattice = np.stack([xx, yy], axis=-1).astype(np.float32)
    rotation = np.array([[64, 48], [64, 20]], np.float32)
    gizmos = (DeformerGizmo("warp", "warp", lattice), DeformerGizmo("rot", "rotation", rotation, 0.0))
    return scene([quad("q", (8, 8, 120, 88), "grey")], {"grey": solid((128, 128, 128, 255))},
                 size=(128, 96), gizmos=gizmos)

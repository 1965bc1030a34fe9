"""Ghost outlines: line art left at its rest position on the layers beneath a part that moved.

``ghost_outline(rig, mesh_id, values)`` renders the rig at rest and in a pose, split at ``mesh_id``
(the draw items before it = the layers beneath, the rest = the part and everything above). The rest
outline is the dark thin line art of the rest render (luma black-hat) within a band of the part's
rest silhouette; a ghost pixel is a rest-outline pixel that in the pose shows through (nothing from
the part or above covers it) and is still a dark line on the layers beneath.

``layer_pixels_moved(rig, mesh_id, values)`` is the mean displacement (px) of one art mesh's vertices.
"""

from __future__ import annotations

import dataclasses

import numpy as np

BLACKHAT_MIN = 30.0
"""Luma (0..255) by which a pixel is darker than its surroundings to count as line art."""


def _luma(rgba: np.ndarray) -> np.ndarray:
    rgb = rgba[..., :3].astype(np.float32)
    a = rgba[..., 3:4].astype(np.float32) / 255.0
    grey = 128.0
    comp = rgb * a + grey * (1 - a)
    return comp @ np.array([0.299, 0.587, 0.114], np.float32)


def _lines(rgba: np.ndarray, k: int) -> np.ndarray:
    """(H, W) bool: dark thin line art (black-hat of the luma with a k x k square)."""
    import cv2

    bh = cv2.morphologyEx(_luma(rgba), cv2.MORPH_BLACKHAT, np.ones((k, k), np.uint8))
    return bh > BLACKHAT_MIN


def _split(ev, mesh_id: str):
    ids = [it.art_mesh_id for it in ev.items]
    i = ids.index(mesh_id)
    below = dataclasses.replace(ev, items=ev.items[:i])
    above = dataclasses.replace(ev, items=ev.items[i:])
    alone = dataclasses.replace(ev, items=(ev.items[i],))
    return below, above, alone


def face_width(rig) -> float:
    """FW (px): the width of the face-skin mesh at rest."""
    from rig.evaluate import evaluate

    pts = next(it.vertices_px for it in evaluate(rig, rig.default_values()).items if it.art_mesh_id == "ArtMeshFace")
    return float(pts[:, 0].max() - pts[:, 0].min())


def ghost_outline(rig, mesh_id: str, values: dict[str, float], band_fw: float = 0.03) -> tuple[int, int]:
    """(ghost pixels, rest-outline pixels) of art mesh ``mesh_id`` in the pose ``values``."""
    import cv2

    from app.render.offscreen import render_to_array
    from rig.evaluate import compile_plan, evaluate

    plan = compile_plan(rig)
    d = rig.default_values()
    fw = face_width(rig)
    k = max(5, int(0.06 * fw) | 1)
    r = max(2, round(band_fw * fw))
    ev0 = evaluate(rig, d, plan, gizmos=False)
    evp = evaluate(rig, d | values, plan, gizmos=False)
    rest = render_to_array(ev0)
    _, _, alone0 = _split(ev0, mesh_id)
    part0 = render_to_array(alone0)[..., 3] > 127
    kern = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    m = part0.astype(np.uint8)
    band = (cv2.dilate(m, kern) > 0) & ~(cv2.erode(m, kern) > 0)
    outline = band & _lines(rest, k) & (rest[..., 3] > 127)
    below_p, above_p, _ = _split(evp, mesh_id)
    lower = render_to_array(below_p)
    upper = render_to_array(above_p)
    ghost = outline & (upper[..., 3] < 128) & (lower[..., 3] > 127) & _lines(lower, k)
    return int(ghost.sum()), int(outline.sum())


def mean_shift(rig, mesh_id: str, values: dict[str, float]) -> np.ndarray:
    """(2,) mean vertex displacement (px) of art mesh ``mesh_id`` from rest to the pose ``values``."""
    from rig.evaluate import compile_plan, evaluate

    plan = compile_plan(rig)
    d = rig.default_values()

    def verts(v):
        return next(it.vertices_px for it in evaluate(rig, d | v, plan).items if it.art_mesh_id == mesh_id)

    return (verts(values) - verts({})).mean(axis=0)

"""Artefact check of a generated rig: tears and ghost outlines in rendered poses (issue 14).

What an artist's rig never shows when the head or body turns (shared ``rigging.md`` 1 "paint the
hidden areas", 11 "every pose: no holes"):

- **Tears**: pixels opaque at rest and inside the character but transparent in the pose (a hole, a
  seam or a gap between strands that shows the background). "Inside" is the posed silhouette with
  its holes filled and closed by a small disc (``TEAR_CLOSE_FW``), so the outline legitimately
  moving away is not a tear but a slit opening inside the figure is; and the art that should cover
  the pixel must have come from inside the rest figure by both pre-images (the shift of the nearest
  opaque posed pixel, and that of the mesh that drew the pixel at rest: :func:`pose_tears`), so a
  hole or a strand moving on over the background is none. Reported as a fraction of the
  character (the pixels opaque at rest); the bar is ``TEAR_BAR`` (0.05 %).
- **Ghost outlines**: edges present in the pose render on the rest outline of a feature that moved,
  where the feature is no longer, drawn by a layer that did not move with the feature (its texture
  holds a copy of the feature's line: a face outline left on the back hair, a brow rim on the skin).

The metric itself is numpy on renders; rendering is injected (``render``: EvaluatedRig -> (H, W, 4)
uint8 straight-alpha RGBA at canvas size, e.g. ``app.render.offscreen.render_to_array``), so this
module needs no GL. Coordinates are canvas px, origin top-left, +y down.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from rig.evaluate import compile_plan, evaluate
from rig.evaluate.types import EvaluatedRig
from rig.model import Rig

STANDARD_POSES: tuple[tuple[str, dict[str, float]], ...] = (
    ("AngleX +30", {"ParamAngleX": 30.0}),
    ("AngleX -30", {"ParamAngleX": -30.0}),
    ("AngleY +30", {"ParamAngleY": 30.0}),
    ("AngleY -30", {"ParamAngleY": -30.0}),
    ("AngleZ +30", {"ParamAngleZ": 30.0}),
    ("AngleZ -30", {"ParamAngleZ": -30.0}),
    ("BodyAngleX +10", {"ParamBodyAngleX": 10.0}),
    ("BodyAngleX -10", {"ParamBodyAngleX": -10.0}),
    ("X30 Y30 Z30 Body10", {"ParamAngleX": 30.0, "ParamAngleY": 30.0, "ParamAngleZ": 30.0,
                            "ParamBodyAngleX": 10.0}),
)
"""The standard head and body poses of issue 14, label -> parameter values (others at default)."""

TEAR_BAR = 0.0005
"""Largest acceptable tear fraction of the character (0.05 %)."""
REST_OPAQUE = 200
"""Rest alpha (0..255) from which a pixel counts as character."""
POSE_TRANSPARENT = 128
"""Posed alpha below which a character pixel counts as torn."""
TEAR_CLOSE_FW = 0.02
"""Radius of the closing disc that decides "inside the posed figure", in face widths."""
EDGE_STEP = 30.0
"""Luminance step (0..255, over white) from which a pixel lies on an edge."""
MOVED_FW = 0.01
"""A mesh moved when its median vertex shift is at least this many face widths (and >= 2 px)."""

Render = Callable[[EvaluatedRig], np.ndarray]


@dataclass(frozen=True, slots=True)
class PoseArtefacts:
    """The artefacts of one pose.

    ``tear_px`` / ``character_px`` is ``tear_fraction``; ``ghost_px`` edge pixels lie on the rest
    outlines of moved meshes (``outline_px`` in all) and form ``ghost_outlines`` connected pieces of
    at least ``0.03 FW``; ``ghost_meshes`` names the moved meshes whose outline was left behind.
    """

    pose: str
    character_px: int
    tear_px: int
    ghost_px: int = 0
    outline_px: int = 0
    ghost_outlines: int = 0
    ghost_meshes: tuple[str, ...] = ()

    @property
    def tear_fraction(self) -> float:
        return self.tear_px / max(1, self.character_px)

    @property
    def ghost_fraction(self) -> float:
        return self.ghost_px / max(1, self.outline_px)


def tear_mask(
    rest_alpha: np.ndarray, pose_alpha: np.ndarray, close_px: float, shift_px: np.ndarray | None = None,
    owner_shift_px: np.ndarray | None = None,
) -> np.ndarray:
    """(H, W) bool: pixels opaque at rest, transparent in the pose and inside the posed figure.

    Parameters
    ----------
    rest_alpha, pose_alpha : (H, W) uint8
    close_px : float
        Radius (px) of the closing disc that fills slits and seams of the posed silhouette; holes of
        any size count.
    shift_px : (H, W, 2) float32, optional
        Rest-to-pose displacement (x, y px) of the art at every posed opaque pixel. When given, a
        transparent pixel is a tear only if the art that moved next to it came from inside the rest
        figure (its pre-image, the pixel minus the nearest opaque pixel's shift, is opaque at rest):
        a gap that opened. A hole of the figure (between a curl and the head, between strands) that
        moves along with its surroundings is then no tear.
    owner_shift_px : (H, W, 2) float32, optional
        The displacement, at every pixel, of the mesh that drew it at rest (:func:`shift_field` over
        the rest alphas, :func:`measure_rig`): a second pre-image, the pixel minus its own rest
        owner's shift, where that mesh's art at the pixel came from. With both fields a tear needs
        both pre-images opaque at rest. A stroke that moved on over a pocket of the background
        (tadne_r1c4's strands between twin-tail and shoulder) came from the pocket by its owner's
        shift, though the nearest opaque pixel is the body's, which did not move; the head's outline
        moving into that pocket came from outside the figure by the shift of the nearest opaque
        pixel (the moved head), though its owner's shift reaches into the twin-tail.
    """
    import cv2
    from scipy import ndimage

    posed = pose_alpha >= POSE_TRANSPARENT
    inside = ndimage.binary_fill_holes(posed)
    r = max(1, int(round(close_px)))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    pad = r + 2
    padded = np.pad(posed.astype(np.uint8), pad)
    closed = cv2.morphologyEx(padded, cv2.MORPH_CLOSE, kernel)[pad:-pad, pad:-pad] > 0
    rest_opaque = rest_alpha >= REST_OPAQUE
    tears = rest_opaque & ~posed & (inside | closed)
    if (shift_px is None and owner_shift_px is None) or not tears.any():
        return tears
    ys, xs = np.nonzero(tears)
    shifts = []
    if shift_px is not None:
        _, (iy, ix) = ndimage.distance_transform_edt(~posed, return_indices=True)
        shifts.append(shift_px[iy[ys, xs], ix[ys, xs]])
    if owner_shift_px is not None:
        shifts.append(owner_shift_px[ys, xs])
    h, w = rest_alpha.shape
    core = cv2.erode(rest_opaque.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    for d in shifts:  # with both: a gap by both pre-images
        qx = np.clip(np.round(xs - d[:, 0]).astype(int), 0, w - 1)
        qy = np.clip(np.round(ys - d[:, 1]).astype(int), 0, h - 1)
        tears[ys[~core[qy, qx]], xs[~core[qy, qx]]] = False
    return tears


def shift_field(items, rest_items: dict, alone: dict[str, np.ndarray], shape: tuple[int, int]) -> np.ndarray:
    """(H, W, 2) float32: rest-to-pose displacement of the topmost opaque mesh at every pixel.

    ``items`` are posed DrawItems in draw order, ``rest_items`` the rest DrawItem by mesh id and
    ``alone`` each posed mesh's alpha rendered alone (H, W) uint8. Each pixel takes the shift of
    its mesh's shift interpolated linearly between the posed vertices (nearest vertex outside
    their hull); 0 where no mesh is opaque. With the meshes' rest alphas as ``alone`` (and
    ``items`` in the rest draw order) it is each pixel's rest owner's shift at that pixel.
    """
    from scipy.interpolate import LinearNDInterpolator
    from scipy.spatial import cKDTree

    field = np.zeros(shape + (2,), np.float32)
    for it in items:
        rest = rest_items.get(it.art_mesh_id)
        a = alone.get(it.art_mesh_id)
        if rest is None or a is None or len(it.vertices_px) == 0:
            continue
        ys, xs = np.nonzero(a >= POSE_TRANSPARENT)
        if len(ys) == 0:
            continue
        pts = np.stack([xs + 0.5, ys + 0.5], axis=1)
        shift = (it.vertices_px - rest.vertices_px).astype(np.float64)
        try:
            val = LinearNDInterpolator(it.vertices_px.astype(np.float64), shift)(pts)
        except Exception:  # noqa: BLE001 - degenerate (collinear) meshes: nearest vertex everywhere
            val = np.full((len(pts), 2), np.nan)
        miss = np.isnan(val[:, 0])
        if miss.any():
            _, idx = cKDTree(it.vertices_px).query(pts[miss])
            val[miss] = shift[idx]
        field[ys, xs] = val
    return field


def edge_mask(rgba: np.ndarray) -> np.ndarray:
    """(H, W) bool: pixels whose luminance (composited over white) steps by at least ``EDGE_STEP``."""
    import cv2

    a = rgba[..., 3:4].astype(np.float32) / 255.0
    rgb = rgba[..., :3].astype(np.float32) * a + 255.0 * (1.0 - a)
    lum = rgb @ np.array([0.299, 0.587, 0.114], np.float32)
    gx = cv2.Sobel(lum, cv2.CV_32F, 1, 0, ksize=3) / 4.0
    gy = cv2.Sobel(lum, cv2.CV_32F, 0, 1, ksize=3) / 4.0
    return np.hypot(gx, gy) >= EDGE_STEP


def _band(mask: np.ndarray, px: int = 1) -> np.ndarray:
    """Pixels within ``px`` of the boundary of ``mask`` (inside or outside)."""
    import cv2

    k = np.ones((2 * px + 1, 2 * px + 1), np.uint8)
    m = mask.astype(np.uint8)
    return (cv2.dilate(m, k) > 0) & ~(cv2.erode(m, k) > 0)


def _grow(mask: np.ndarray, px: int) -> np.ndarray:
    import cv2

    return cv2.dilate(mask.astype(np.uint8), np.ones((2 * px + 1, 2 * px + 1), np.uint8)) > 0


def ghost_mask(
    rest_rgba: np.ndarray,
    pose_rgba: np.ndarray,
    rest_alone: dict[str, np.ndarray],
    pose_alone: dict[str, np.ndarray],
    shift_px: dict[str, np.ndarray],
    order: Sequence[str],
    min_shift_px: float,
) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """Ghost outline pixels of one pose.

    Parameters
    ----------
    rest_rgba, pose_rgba : (H, W, 4) uint8
        The whole rig rendered at rest and in the pose.
    rest_alone, pose_alone : dict of mesh id -> (H, W) uint8
        Alpha of each visible mesh rendered alone, at rest and in the pose.
    shift_px : dict of mesh id -> (2,) float
        Median vertex displacement of each mesh from rest to the pose, px.
    order : sequence of mesh ids
        Posed draw order, back to front (ids in ``pose_alone``).
    min_shift_px : float
        Meshes that moved less are not checked.

    Returns
    -------
    ghosts : (H, W) bool
    outlines : (H, W) bool
        The rest outlines (visible edges) of the moved meshes that were checked.
    per_mesh : dict of mesh id -> ghost px
    """
    e_rest, e_pose = edge_mask(rest_rgba), edge_mask(pose_rgba)
    shape = e_pose.shape
    owner = np.full(shape, -1, np.int32)
    rims = np.zeros(shape, bool)
    for i, mid in enumerate(order):
        a = pose_alone[mid]
        owner[a >= 128] = i
        rims |= _band(a >= 64, 1)
    ghosts = np.zeros(shape, bool)
    outlines = np.zeros(shape, bool)
    per_mesh: dict[str, int] = {}
    for mid in order:
        d = shift_px.get(mid)
        if d is None or mid not in rest_alone or float(np.hypot(*d)) < min_shift_px:
            continue
        outline = _band(rest_alone[mid] >= 128, 1) & e_rest
        outlines |= outline
        cand = outline & e_pose & ~rims & ~_grow(pose_alone[mid] >= 32, 2)
        if not cand.any():
            continue
        ys, xs = np.nonzero(cand)
        own = owner[ys, xs]
        keep = own >= 0
        lag = np.zeros(len(ys), bool)
        for j in np.unique(own[keep]):
            g = shift_px.get(order[j], np.zeros(2))
            lag[own == j] = float(np.hypot(*(np.asarray(g) - d))) > 0.5 * float(np.hypot(*d))
        hit = keep & lag
        ghosts[ys[hit], xs[hit]] = True
        per_mesh[mid] = int(hit.sum())
    return ghosts, outlines, per_mesh


def alone_alpha(ev: EvaluatedRig, item, render: Render) -> np.ndarray:
    """(H, W) uint8: the alpha of one DrawItem of ``ev`` rendered alone (with its clip masks)."""
    one = dataclasses.replace(ev, items=(item,), masks={k: v for k, v in ev.masks.items() if k in item.mask_ids})
    return render(one)[..., 3]


def face_width(ev: EvaluatedRig) -> float:
    """FW (px): the x extent of ``ArtMeshFace`` in ``ev``; 0.3 of the shorter canvas side without one."""
    face = next((it for it in ev.items if it.art_mesh_id == "ArtMeshFace"), None)
    if face is None:
        h, w = ev.canvas_size_px[1], ev.canvas_size_px[0]
        return 0.3 * min(h, w)
    return float(np.ptp(face.vertices_px[:, 0]))


def pose_tears(rest: np.ndarray, img: np.ndarray, items, rest_items: dict, rest_alone: dict[str, np.ndarray],
               pose_alone: dict[str, np.ndarray], fw: float) -> np.ndarray:
    """(H, W) bool tear mask of one pose: :func:`tear_mask` with both pre-images, the nearest opaque
    pixel's shift and each pixel's rest owner's shift (:func:`shift_field`).

    ``rest``, ``img``: (H, W, 4) uint8 renders at rest and in the pose; ``items`` the posed visible
    DrawItems in draw order, ``rest_items`` the rest DrawItem by mesh id; ``rest_alone`` /
    ``pose_alone`` each mesh's alpha rendered alone at rest / in the pose; ``fw`` face width, px.
    """
    order = list(rest_items)
    owners = sorted((it for it in items if it.art_mesh_id in rest_alone), key=lambda it: order.index(it.art_mesh_id))
    owner = shift_field(owners, rest_items, rest_alone, img.shape[:2])  # rest alphas: each pixel's rest owner
    near = shift_field(items, rest_items, pose_alone, img.shape[:2])
    return tear_mask(rest[..., 3], img[..., 3], TEAR_CLOSE_FW * fw, near, owner)


def measure_rig(
    rig: Rig,
    render: Render,
    poses: Sequence[tuple[str, dict[str, float]]] = STANDARD_POSES,
    ghosts: bool = True,
) -> list[PoseArtefacts]:
    """Tears (and ghost outlines when ``ghosts``) of ``rig`` at every pose, no physics.

    ``render`` draws an EvaluatedRig at canvas size (straight-alpha RGBA uint8). Ghosts need one
    render per visible mesh and pose; tears one per visible mesh at rest (each pixel's owner) and
    one per visible mesh and pose.
    """
    plan = compile_plan(rig)
    defaults = rig.default_values()
    ev_rest = evaluate(rig, defaults, plan, gizmos=False)
    rest = render(ev_rest)
    fw = face_width(ev_rest)
    character = int((rest[..., 3] >= REST_OPAQUE).sum())
    rest_items = {it.art_mesh_id: it for it in ev_rest.items}
    rest_alone = {k: alone_alpha(ev_rest, it, render) for k, it in rest_items.items() if it.opacity > 0.01}
    out = []
    for label, values in poses:
        ev = evaluate(rig, defaults | values, plan, gizmos=False)
        img = render(ev)
        items = [it for it in ev.items if it.opacity > 0.01]
        pose_alone = {it.art_mesh_id: alone_alpha(ev, it, render) for it in items}
        tears = int(pose_tears(rest, img, items, rest_items, rest_alone, pose_alone, fw).sum())
        if not ghosts:
            out.append(PoseArtefacts(label, character, tears))
            continue
        shift = {
            it.art_mesh_id: np.median(it.vertices_px - rest_items[it.art_mesh_id].vertices_px, axis=0)
            for it in items if it.art_mesh_id in rest_items
        }
        g, outlines, per_mesh = ghost_mask(rest, img, rest_alone, pose_alone, shift,
                                           [it.art_mesh_id for it in items], max(2.0, MOVED_FW * fw))
        pieces = _pieces(g, max(4, int(0.03 * fw)))
        named = tuple(sorted(k.removeprefix("ArtMesh") for k, v in per_mesh.items() if v >= max(4, 0.03 * fw)))
        out.append(PoseArtefacts(label, character, tears, int(g.sum()), int(outlines.sum()), pieces, named))
    return out


def _pieces(mask: np.ndarray, min_px: int) -> int:
    """Number of 8-connected components of ``mask`` with at least ``min_px`` pixels."""
    import cv2

    if not mask.any():
        return 0
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    return int((stats[1:, cv2.CC_STAT_AREA] >= min_px).sum())

"""Stage 5, the mouth: lips split off the mouth part, the opening, and the synthesised interior.

What an artist's mouth has (shared ``rigging.md`` 1 and 7): an upper lip line, a lower lip, an interior,
teeth and a tongue clipped by the interior. Here:

- **LipUpper / LipLower**: the visible mouth pixels above / below where the lips meet. A closed anime
  mouth is one line, all of it LipUpper. An open anime mouth (the input is already open) is split by
  column: the top stroke is LipUpper, the bottom band LipLower, what lies between is the opening.
  Photos use the MediaPipe inner lip line (``inference.landmarks.real.LIPS_INNER``).
- **MouthInterior**: a synthesised dark opening painted as it looks at MouthOpenY 1 (``label`` None),
  collapsed by the rig onto the meeting line at 0. It is the clip mask of the teeth and the tongue.
- **MouthTeeth** (moves with the upper lip) and **MouthTongue** (with the lower lip): for a closed
  input, painted at the fully open shape (teeth on photos only: anime mouths are drawn without);
  for an open input, its visible opening above / below where the lips will meet (``label`` MOUTH).

The opening at MouthOpenY 1 is a lens between the lines ``y_meet - (1 - LOWER_SHARE) g`` and
``y_meet + LOWER_SHARE g``, with ``g(u) = H (1 - u^2)^0.6`` over the interior width (u in [-1, 1]);
``H`` is ``OPEN_HEIGHT_PER_WIDTH`` x the mouth width clipped to ``OPEN_HEIGHT_FW`` (rigging.md 7). The rig
(``inference.rigging.recipes_mouth``) reads the same shape back from the interior's alpha.

Masks are (H, W) bool, canvas frame; images (h, w, 4) uint8 RGBA straight alpha; lengths px or FW.
"""

from __future__ import annotations

import numpy as np

from inference.layers.completion import mask_box, polygon_mask
from inference.types import CutLayer, FaceLandmarks, PartLabel

LOWER_SHARE = 0.7
"""Share of the opening taken by the lower lip's drop (rigging.md 7: the lower lip moves more)."""
OPEN_HEIGHT_PER_WIDTH = 0.6
OPEN_HEIGHT_FW = (0.07, 0.14)
"""Open height at MouthOpenY 1: 0.6 x the mouth width, clipped to this range of face widths."""
INTERIOR_WIDTH = 0.9
"""Interior width / mouth width."""
LENS_POWER = 0.6
MAX_REST_OPEN = 0.6
"""An open input's opening is at most this much of the MouthOpenY 1 opening (room to open further)."""
CHIN_MARGIN_FW = 0.06
"""The lower lip never comes closer to the chin than this (the chin stays still, rigging.md 7)."""
MIN_OPEN_FW = 0.015
"""A column of an anime mouth is open where its opening (minus both strokes) is at least this high."""
INTERIOR_RGB = (92, 22, 34)
INTERIOR_DEEP_RGB = (58, 12, 22)
TONGUE_RGB = (190, 84, 96)
TEETH_RGB = (240, 236, 230)
SUPERSAMPLE = 4
PAD_PX = 4
"""Transparent margin of a cut image (as ``inference.layers.cut.PAD_PX``)."""


def open_height_px(width_px: float, fw: float) -> float:
    """Opening height at MouthOpenY 1 for a mouth ``width_px`` wide (px)."""
    lo, hi = OPEN_HEIGHT_FW
    return float(np.clip(OPEN_HEIGHT_PER_WIDTH * width_px, lo * fw, hi * fw))


def split_mouth(mouth: np.ndarray, face: FaceLandmarks) -> dict[str, np.ndarray]:
    """Split the visible mouth pixels into ``LipUpper``, ``LipLower`` and, for an open input, the
    visible opening above / below where the lips will meet (``MouthTeeth`` / ``MouthTongue``).

    Parameters
    ----------
    mouth : (H, W) bool ndarray
        The mouth part's visible pixels.
    face : FaceLandmarks
        Canvas px; ``mesh`` is used for photos.

    Returns
    -------
    dict of (H, W) bool ndarray
        Disjoint masks whose union is ``mouth``; the opening pieces are empty for a closed mouth.
        The key ``Mouth`` holds an empty mask (the pixels now belong to the pieces).
    """
    empty = np.zeros_like(mouth)
    out = {"LipUpper": empty, "LipLower": empty, "MouthTeeth": empty, "MouthTongue": empty, "Mouth": empty}
    if not mouth.any():
        return dict(out)
    if face.kind == "real" and face.mesh is not None:
        upper, opening = _split_real(mouth, face)
    else:
        upper, opening = _split_anime(mouth, face)
    opening &= mouth
    has, top, bottom = _column_extent(opening)
    meet = np.where(has, top + (1.0 - LOWER_SHARE) * (bottom - top + 1), -1.0)[None, :]
    rows = np.arange(mouth.shape[0])[:, None]
    out.update(LipUpper=upper & mouth, LipLower=mouth & ~upper & ~opening,
               MouthTeeth=opening & (rows < meet), MouthTongue=opening & (rows >= meet))
    return out


def _column_extent(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(has, top, bottom) per column of ``mask`` (top/bottom rows, -1 where empty)."""
    has = mask.any(axis=0)
    top = np.where(has, np.argmax(mask, axis=0), -1)
    bottom = np.where(has, mask.shape[0] - 1 - np.argmax(mask[::-1], axis=0), -1)
    return has, top, bottom


def _split_anime(mouth: np.ndarray, face: FaceLandmarks) -> tuple[np.ndarray, np.ndarray]:
    """(upper, opening): per column, the top stroke and the pixels between the strokes."""
    from inference.masks import components_touching

    x0, y0, x1, y1 = mask_box(mouth)
    sub = mouth[y0:y1, x0:x1]
    has, top, bottom = _column_extent(sub)
    cols = np.flatnonzero(has)
    run = np.where(has, bottom - top + 1, 0)
    k = max(1, int(0.15 * cols.size))
    stroke = float(np.clip(np.median(np.concatenate([run[cols[:k]], run[cols[-k:]]])), 1.0, 0.25 * run.max() + 1))
    t = int(np.ceil(stroke))
    open_cols = has & (run - 2 * t >= max(2.0, MIN_OPEN_FW * face.face_width_px))
    upper = np.zeros_like(mouth)
    opening = np.zeros_like(mouth)
    if open_cols.sum() < max(3, 0.2 * cols.size):
        return mouth.copy(), opening
    rows = np.arange(sub.shape[0])[:, None]
    sub_upper = sub & ((rows < top[None, :] + t) | ~open_cols[None, :])
    sub_open = sub & open_cols[None, :] & (rows >= top[None, :] + t) & (rows <= bottom[None, :] - t)
    opening[y0:y1, x0:x1] = sub_open
    # one opening: the part connected to the centre column band
    cx = int(np.median(cols)) + x0
    seed = np.zeros_like(mouth)
    seed[:, max(0, cx - max(1, cols.size // 6)) : cx + max(1, cols.size // 6) + 1] = True
    opening = components_touching(opening, opening & seed)
    upper[y0:y1, x0:x1] = sub_upper
    upper |= mouth & ~opening & (np.arange(mouth.shape[0])[:, None] < _mid_rows(mouth, opening))
    return upper & ~opening, opening


def _mid_rows(mouth: np.ndarray, opening: np.ndarray) -> np.ndarray:
    """(1, W) row per column above which a leftover stroke pixel counts as upper lip: the opening's
    middle where it is open, else below everything."""
    has, top, bottom = _column_extent(opening)
    return np.where(has, (top + bottom) / 2.0, mouth.shape[0] + 1)[None, :]


def _split_real(mouth: np.ndarray, face: FaceLandmarks) -> tuple[np.ndarray, np.ndarray]:
    """(upper, opening) from the inner lip line of the face mesh."""
    from inference.landmarks import real

    p = face.mesh
    inner = p[real.LIPS_INNER]  # 78, lower inner ..., 308, upper inner ... (back to 78)
    lower_line = inner[:11]
    upper_line = np.concatenate([inner[10:], inner[:1]])
    xs = np.arange(mouth.shape[1], dtype=np.float64)
    lo = lower_line[np.argsort(lower_line[:, 0])]
    up = upper_line[np.argsort(upper_line[:, 0])]
    y_lo, y_up = np.interp(xs, lo[:, 0], lo[:, 1]), np.interp(xs, up[:, 0], up[:, 1])
    mid = (y_lo + y_up) / 2.0
    rows = np.arange(mouth.shape[0])[:, None]
    gap = float(np.max(y_lo - y_up))
    opening = np.zeros_like(mouth)
    if gap >= max(2.0, MIN_OPEN_FW * face.face_width_px):
        opening = polygon_mask(mouth.shape, inner) & mouth
    upper = mouth & ~opening & (rows < mid[None, :])
    return upper, opening


def meeting_line(mouth: np.ndarray, face: FaceLandmarks) -> tuple[np.ndarray, np.ndarray]:
    """(xs, ys) canvas px: where the lips of a closed mouth meet, one sample per column of the mouth.

    The middle of each column of the mouth pixels (photos: of the inner lip line), smoothed; the
    landmark corners and centre where the mouth mask is empty.
    """
    (lx, ly), (rx, ry) = face.mouth_corners
    cx, cy = face.mouth_center
    if face.kind == "real" and face.mesh is not None:
        from inference.landmarks import real

        inner = face.mesh[real.LIPS_INNER]
        pts = inner[np.argsort(inner[:, 0])]
        xs = np.arange(int(np.floor(pts[0, 0])), int(np.ceil(pts[-1, 0])) + 1, dtype=np.float64)
        lo = inner[:11][np.argsort(inner[:11, 0])]
        up = np.concatenate([inner[10:], inner[:1]])
        up = up[np.argsort(up[:, 0])]
        return xs, (np.interp(xs, lo[:, 0], lo[:, 1]) + np.interp(xs, up[:, 0], up[:, 1])) / 2.0
    has, top, bottom = _column_extent(mouth)
    cols = np.flatnonzero(has)
    if cols.size < 3:
        xs = np.arange(int(min(lx, rx)), int(max(lx, rx)) + 1, dtype=np.float64)
        return xs, np.interp(xs, [lx, cx, rx], [ly, cy, ry])
    xs = np.arange(cols[0], cols[-1] + 1, dtype=np.float64)
    mid = (top + bottom) / 2.0
    ys = np.interp(xs, cols, mid[cols])
    k = max(1, int(0.04 * xs.size))
    ys = np.convolve(np.pad(ys, k, mode="edge"), np.ones(2 * k + 1) / (2 * k + 1), mode="valid")
    return xs, ys


def paint_interior(mouth: np.ndarray, face: FaceLandmarks, canvas_size: tuple[int, int], photo: bool):
    """The synthesised MouthInterior, MouthTongue and MouthTeeth of a closed mouth, at MouthOpenY 1.

    Returns ``{name: (image (h, w, 4) uint8, origin_px (x, y))}``; MouthTeeth only when ``photo``.
    """
    xs, ys = meeting_line(mouth, face)
    fw = face.face_width_px
    width = max(float(xs[-1] - xs[0]), 0.08 * fw)
    cx = float(face.mouth_center[0]) if xs.size < 3 else 0.5 * float(xs[0] + xs[-1])
    half = 0.5 * INTERIOR_WIDTH * width
    big_h = open_height_px(width, fw)
    u = np.clip((xs - cx) / half, -1.0, 1.0)
    g = big_h * np.clip(1.0 - u * u, 0.0, 1.0) ** LENS_POWER
    top, bottom = ys - (1.0 - LOWER_SHARE) * g, ys + LOWER_SHARE * g
    inside = np.abs(xs - cx) < half
    xs, top, bottom, g = xs[inside], top[inside], bottom[inside], g[inside]
    out = {}
    lens = np.concatenate([np.stack([xs, top], 1), np.stack([xs, bottom], 1)[::-1]])
    y_c = float(np.interp(cx, xs, ys[inside])) if xs.size else float(face.mouth_center[1])
    out["MouthInterior"] = _paint(lens, canvas_size, _interior_colour(cx, y_c, half, big_h))
    g_c = float(g.max()) if g.size else big_h
    tongue_c = (cx, y_c + LOWER_SHARE * g_c - 0.12 * g_c)
    t = np.linspace(0, 2 * np.pi, 64, endpoint=False)
    tongue = np.stack([tongue_c[0] + 0.62 * half * np.cos(t), tongue_c[1] + 0.38 * g_c * np.sin(t)], 1)
    out["MouthTongue"] = _paint(tongue, canvas_size, _tongue_colour(tongue_c, 0.62 * half, 0.38 * g_c))
    if photo:
        band = 0.24 * g_c
        sel = np.abs(xs - cx) < 0.8 * half
        tx, tt = xs[sel], top[sel]
        teeth = np.concatenate([np.stack([tx, tt - 2.0], 1), np.stack([tx, tt + band * np.clip(g[sel] / g_c, 0.4, 1)], 1)[::-1]])
        out["MouthTeeth"] = _paint(teeth, canvas_size, lambda xx, yy: np.broadcast_to(np.float32(TEETH_RGB), xx.shape + (3,)))
    return {k: v for k, v in out.items() if v[0].size}


def _interior_colour(cx: float, cy: float, half: float, h: float):
    def colour(xx: np.ndarray, yy: np.ndarray) -> np.ndarray:
        r = np.clip(np.hypot((xx - cx) / max(half, 1.0), (yy - cy) / max(h, 1.0)) * 1.6, 0.0, 1.0)[..., None]
        return np.float32(INTERIOR_DEEP_RGB) * (1.0 - r) + np.float32(INTERIOR_RGB) * r

    return colour


def _tongue_colour(c: tuple[float, float], ax: float, ay: float):
    def colour(xx: np.ndarray, yy: np.ndarray) -> np.ndarray:
        d = np.clip(np.hypot((xx - c[0]) / max(ax, 1.0), (yy - c[1]) / max(ay, 1.0)), 0.0, 1.0)[..., None]
        return np.float32(TONGUE_RGB) * (1.0 - 0.25 * d)

    return colour


def _paint(polygon: np.ndarray, canvas_size: tuple[int, int], colour) -> tuple[np.ndarray, tuple[float, float]]:
    """Fill ``polygon`` (K, 2) canvas px, anti-aliased (drawn at ``SUPERSAMPLE``x), coloured by
    ``colour(xx, yy) -> (..., 3)`` float RGB; cropped to the canvas."""
    import cv2

    w_c, h_c = canvas_size
    if len(polygon) < 3:
        return np.zeros((0, 0, 4), np.uint8), (0.0, 0.0)
    x0 = max(0, int(np.floor(polygon[:, 0].min())) - 1)
    y0 = max(0, int(np.floor(polygon[:, 1].min())) - 1)
    x1 = min(w_c, int(np.ceil(polygon[:, 0].max())) + 2)
    y1 = min(h_c, int(np.ceil(polygon[:, 1].max())) + 2)
    if x1 <= x0 or y1 <= y0:
        return np.zeros((0, 0, 4), np.uint8), (0.0, 0.0)
    s = SUPERSAMPLE
    m = np.zeros(((y1 - y0) * s, (x1 - x0) * s), np.uint8)
    cv2.fillPoly(m, [np.round((polygon - (x0, y0)) * s).astype(np.int32)], 1)
    a = m.reshape(y1 - y0, s, x1 - x0, s).mean(axis=(1, 3))
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32) + 0.5
    image = np.zeros((y1 - y0, x1 - x0, 4), np.uint8)
    image[..., :3] = np.clip(np.round(colour(xx, yy)), 0, 255).astype(np.uint8)
    image[..., 3] = np.clip(np.round(a * 255.0), 0, 255).astype(np.uint8)
    return image, (float(x0), float(y0))


def mouth_layer(name: str, scene) -> CutLayer | None:
    """MouthInterior, MouthTongue or MouthTeeth of a cut :class:`inference.layers.cut.Scene` (with ``face``).

    The interior is always painted at MouthOpenY 1 (``label`` None). An open input's teeth and tongue
    pieces are its visible opening (input colours, ``label`` MOUTH); a closed one's are painted.
    """
    upper, lower = scene.vis("MouthTeeth"), scene.vis("MouthTongue")
    opening = upper | lower
    mouth = scene.vis("LipUpper") | scene.vis("LipLower") | opening
    if opening.any() and name != "MouthInterior":
        return _visible_piece(name, upper if name == "MouthTeeth" else lower, scene)
    size = (scene.shape[1], scene.shape[0])
    photo = scene.face.kind == "real"
    if opening.any():
        painted = {"MouthInterior": _open_interior(opening, scene, size, photo)}
    else:
        painted = paint_interior(mouth, scene.face, size, photo=photo)
    if name not in painted or not painted[name][0].size:
        return None
    image, origin = painted[name]
    return CutLayer(name, None, image, origin, np.zeros(image.shape[:2], bool))


def rest_open(opening_h_px: float, width_px: float, fw: float, room_px: float) -> float:
    """MouthOpenY of an input whose opening is ``opening_h_px`` high (at most ``MAX_REST_OPEN``),
    raised where the lower lip has only ``room_px`` left above the chin to drop into."""
    d = min(MAX_REST_OPEN, opening_h_px / max(open_height_px(width_px, fw), 1e-6))
    d_room = 1.0 / (1.0 + max(room_px, 0.0) / max(LOWER_SHARE * opening_h_px, 1e-6))
    return float(min(0.95, max(d, d_room)))


def lip_room_px(lower_lip: np.ndarray, chin_y: float, fw: float) -> float:
    """How far (px) the lowest mouth pixel may drop and stay ``CHIN_MARGIN_FW`` above the chin."""
    rows = np.flatnonzero(lower_lip.any(axis=1))
    return float(chin_y - CHIN_MARGIN_FW * fw - (rows[-1] + 1)) if rows.size else fw


def _open_interior(opening: np.ndarray, scene, size, photo: bool):
    """The interior of an open input at MouthOpenY 1: the opening's columns stretched by 1 / rest_open
    about where the lips meet, in the input's darkest interior colour (photos: the default)."""
    has, top, bottom = _column_extent(opening)
    cols = np.flatnonzero(has)
    h = (bottom - top + 1)[cols].astype(np.float64)
    fw = scene.face.face_width_px
    room = lip_room_px(scene.vis("LipLower") | scene.vis("LipUpper") | opening, scene.face.chin[1], fw)
    d = rest_open(float(h.max()), float(cols[-1] - cols[0] + 1) / INTERIOR_WIDTH, fw, room)
    xs = cols.astype(np.float64)
    meet = top[cols] + (1.0 - LOWER_SHARE) * h
    g = h / d
    lens = np.concatenate([np.stack([xs + 0.5, meet - (1.0 - LOWER_SHARE) * g], 1),
                           np.stack([xs + 0.5, meet + LOWER_SHARE * g], 1)[::-1]])
    px = scene.rgb[opening].astype(np.float32)
    lum = px @ np.float32([0.299, 0.587, 0.114])
    dark = px[lum <= np.percentile(lum, 30)].mean(axis=0) * 0.8 if not photo else np.float32(INTERIOR_RGB)
    return _paint(lens, size, lambda xx, yy: np.broadcast_to(np.asarray(dark, np.float32), xx.shape + (3,)))


def _visible_piece(name: str, mask: np.ndarray, scene) -> CutLayer | None:
    from inference.layers.completion import bleed

    box = mask_box(mask, pad=PAD_PX)
    if box is None:
        return None
    x0, y0, x1, y1 = box
    crop = mask[y0:y1, x0:x1]
    image = np.zeros((y1 - y0, x1 - x0, 4), np.uint8)
    image[..., :3] = scene.rgb[y0:y1, x0:x1]
    image[..., 3] = np.where(crop, scene.alpha[y0:y1, x0:x1], 0)
    bleed(image)
    return CutLayer(name, PartLabel.MOUTH, image, (float(x0), float(y0)), crop.copy())

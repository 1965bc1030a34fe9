"""Geometry and painting of the mouth opening (``inference.layers.mouth``; shared ``rigging.md`` 7).

The opening at MouthOpenY 1 is a lens between ``y_meet - (1 - LOWER_SHARE) g`` and ``y_meet + LOWER_SHARE g``
per column: for a closed mouth ``g(u) = H (1 - u^2)^LENS_POWER`` over ``INTERIOR_WIDTH`` of the mouth
(``H`` from :func:`open_height_px`, kept clear of the chin); for an open input, its own opening
stretched by 1 / :func:`rest_open` about where the lips will meet. The rig
(``inference.rigging.recipes_mouth``) reads the same numbers back.

Images are (h, w, 4) uint8 RGBA straight alpha, drawn at ``SUPERSAMPLE`` x; positions canvas px.
"""

from __future__ import annotations

import numpy as np

from inference.types import FaceLandmarks

LOWER_SHARE = 0.7
"""Share of the opening taken by the lower lip's drop (rigging.md 7: the lower lip moves more)."""
OPEN_HEIGHT_PER_WIDTH = 0.6
OPEN_HEIGHT_FW = (0.07, 0.14)
"""Open height at MouthOpenY 1: 0.6 x the mouth width, clipped to this range of face widths."""
MIN_HEIGHT_FW = 0.06
"""Smallest open height where the chin leaves little room (rigging.md 7: 0.029 FW at least)."""
INTERIOR_WIDTH = 0.9
"""Interior width / mouth width."""
LENS_POWER = 0.6
MAX_REST_OPEN = 0.4
MAX_OPEN_FW = 0.2
"""An open input opens to at most this high (FW) at MouthOpenY 1, unless its own opening is higher."""
"""An open input's opening is at most this much of the MouthOpenY 1 opening (room to open further)."""
NOSE_MARGIN_FW = 0.01
"""The upper lip never rises closer to the nose tip than this."""
CHIN_MARGIN_FW = 0.035
"""The lower lip never comes closer to the chin than this (the chin stays still, rigging.md 7)."""
MIN_OPEN_FW = 0.015
"""A column of an anime mouth is open where its opening (minus both strokes) is at least this high."""
INTERIOR_RGB = (92, 22, 34)
INTERIOR_DEEP_RGB = (58, 12, 22)
TONGUE_RGB = (190, 84, 96)
TEETH_RGB = (240, 236, 230)
SUPERSAMPLE = 4

def open_height_px(width_px: float, fw: float) -> float:
    """Opening height at MouthOpenY 1 for a mouth ``width_px`` wide (px)."""
    lo, hi = OPEN_HEIGHT_FW
    return float(np.clip(OPEN_HEIGHT_PER_WIDTH * width_px, lo * fw, hi * fw))


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
    has, top, bottom = column_extent(mouth)
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


def paint_interior(
    mouth: np.ndarray, face: FaceLandmarks, canvas_size: tuple[int, int], photo: bool, chin_y: float | None = None
):
    """The synthesised MouthInterior, MouthTongue and MouthTeeth of a closed mouth, at MouthOpenY 1
    (its lower edge kept ``CHIN_MARGIN_FW`` above ``chin_y``, default the chin landmark).

    Returns ``{name: (image (h, w, 4) uint8, origin_px (x, y))}``; MouthTeeth only when ``photo``.
    """
    xs, ys = meeting_line(mouth, face)
    fw = face.face_width_px
    width = max(float(xs[-1] - xs[0]), 0.08 * fw)
    cx = float(face.mouth_center[0]) if xs.size < 3 else 0.5 * float(xs[0] + xs[-1])
    half = 0.5 * INTERIOR_WIDTH * width
    room = lip_room_px(mouth, float(face.chin[1] if chin_y is None else chin_y), fw)  # clear of the chin
    up = room_up_px(mouth, float(face.nose[1]), fw)
    big_h = min(open_height_px(width, fw), max(min(room / LOWER_SHARE, up / (1.0 - LOWER_SHARE)), MIN_HEIGHT_FW * fw))
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


def rest_open(opening_h_px: float, width_px: float, fw: float, room_px: float, room_up_px: float = np.inf) -> float:
    """MouthOpenY of an input whose opening is ``opening_h_px`` high (at most ``MAX_REST_OPEN``),
    raised where the lower lip has only ``room_px`` left above the chin to drop into, or the upper
    lip ``room_up_px`` below the nose tip to rise into."""
    d = min(MAX_REST_OPEN, opening_h_px / max(open_height_px(width_px, fw), 1e-6))
    d = max(d, opening_h_px / (MAX_OPEN_FW * fw))
    d_room = 1.0 / (1.0 + max(room_px, 0.0) / max(LOWER_SHARE * opening_h_px, 1e-6))
    d_up = 1.0 / (1.0 + max(room_up_px, 0.0) / max((1.0 - LOWER_SHARE) * opening_h_px, 1e-6))
    return float(np.float32(min(0.95, max(d, d_room, d_up))))  # float32: as the .moc3 stores the default


def room_up_px(mouth: np.ndarray, nose_y: float, fw: float, origin_y: float = 0.0) -> float:
    """How far (px) the top of ``mouth`` (rows from ``origin_y``) may rise and stay below the nose tip
    (one face width when the nose landmark lies below the mouth's top: it is wrong)."""
    rows = np.flatnonzero(mouth.any(axis=1))
    if not rows.size or origin_y + rows[0] < nose_y:  # no mouth, or a nose landmark below its top
        return float(fw)
    return float(origin_y + rows[0] - nose_y - NOSE_MARGIN_FW * fw)


def chin_y_px(face_mask: np.ndarray, origin_px: tuple[float, float], face: FaceLandmarks) -> float:
    """The chin outline's y (canvas px): the lowest face-skin pixel of ``face_mask`` (placed at
    ``origin_px``) within 0.05 FW of the chin landmark's x, or the landmark if lower."""
    cx, cy = face.chin
    half = 0.05 * face.face_width_px
    c0 = max(0, int(cx - half - origin_px[0]))
    c1 = max(c0, int(cx + half - origin_px[0]) + 1)
    rows = np.flatnonzero(face_mask[:, c0:c1].any(axis=1))
    return float(max(cy, origin_px[1] + rows[-1] + 1)) if rows.size else float(cy)


def lip_room_px(lower_lip: np.ndarray, chin_y: float, fw: float) -> float:
    """How far (px) the lowest mouth pixel may drop and stay ``CHIN_MARGIN_FW`` above the chin."""
    rows = np.flatnonzero(lower_lip.any(axis=1))
    return float(chin_y - CHIN_MARGIN_FW * fw - (rows[-1] + 1)) if rows.size else fw


def open_interior(opening: np.ndarray, scene, size, photo: bool, chin_y: float):
    """The interior of an open input at MouthOpenY 1: the opening's columns stretched by 1 / rest_open
    about where the lips meet, in the input's darkest interior colour (photos: the default)."""
    has, top, bottom = column_extent(opening)
    cols = np.flatnonzero(has)
    h = (bottom - top + 1)[cols].astype(np.float64)
    fw = scene.face.face_width_px
    mouth = scene.vis("LipLower") | scene.vis("LipUpper") | opening
    room, up = lip_room_px(mouth, chin_y, fw), room_up_px(mouth, float(scene.face.nose[1]), fw)
    d = rest_open(float(h.max()), float(cols[-1] - cols[0] + 1) / INTERIOR_WIDTH, fw, room, up)
    xs = cols.astype(np.float64)
    meet = top[cols] + (1.0 - LOWER_SHARE) * h
    g = h / d
    lens = np.concatenate([np.stack([xs + 0.5, meet - (1.0 - LOWER_SHARE) * g], 1),
                           np.stack([xs + 0.5, meet + LOWER_SHARE * g], 1)[::-1]])
    px = scene.rgb[opening].astype(np.float32)
    lum = px @ np.float32([0.299, 0.587, 0.114])
    own = px[lum <= np.percentile(lum, 30)].mean(axis=0) * 0.45  # the input's darkest, darker
    dark = np.float32(INTERIOR_RGB) if photo else 0.5 * own + 0.5 * np.float32(INTERIOR_RGB)
    return _paint(lens, size, lambda xx, yy: np.broadcast_to(np.asarray(dark, np.float32), xx.shape + (3,)))


def column_extent(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(has, top, bottom) per column of ``mask`` (top/bottom rows, -1 where empty)."""
    has = mask.any(axis=0)
    top = np.where(has, np.argmax(mask, axis=0), -1)
    bottom = np.where(has, mask.shape[0] - 1 - np.argmax(mask[::-1], axis=0), -1)
    return has, top, bottom

"""Geometry and painting of the mouth opening (``inference.layers.mouth``; shared ``rigging.md`` 7).

The opening at MouthOpenY 1 is a lens between ``y_meet - (1 - LOWER_SHARE) g`` and ``y_meet + LOWER_SHARE g``
per column: for a closed mouth ``g(u) = H (1 - u^2)^LENS_POWER`` over ``INTERIOR_WIDTH`` of the mouth
(``H`` from :func:`open_height_px`, kept clear of the chin); for an open input, the larger of its own
opening stretched by 1 / :func:`rest_open` about where the lips will meet and that lens across the
whole mouth (kept, at the rest opening, inside the mouth's pixels). The interior is dark, deepest under
the upper lip, with a rim ``RIM_FW`` wide in the mouth's line colour (the lower lip line of a line
mouth); the tongue rests on the rim, photos get upper teeth. The rig (``inference.rigging.recipes_mouth``)
reads the same numbers back.

Images are (h, w, 4) uint8 RGBA straight alpha, drawn at ``SUPERSAMPLE`` x; positions canvas px.
"""

from __future__ import annotations

import numpy as np

from inference.types import FaceLandmarks

LOWER_SHARE = 0.7
"""Share of the opening taken by the lower lip's drop (rigging.md 7: the lower lip moves more)."""
OPEN_HEIGHT_PER_WIDTH = 0.6
OPEN_HEIGHT_FW = (0.11, 0.15)
"""Open height at MouthOpenY 1: 0.6 x the mouth width, clipped to this range of face widths (rigging.md 7:
an artist's open mouth is 0.121 [0.08 - 0.15] FW high)."""
MIN_HEIGHT_FW = 0.06
"""Smallest open height where the chin leaves little room (rigging.md 7: 0.029 FW at least)."""
INTERIOR_WIDTH = 0.9
"""Interior width / mouth width."""
LENS_POWER = 0.5
"""The opening's height profile ``(1 - u^2)^LENS_POWER`` across its width (0.5: an ellipse)."""
MAX_REST_OPEN = 0.3
"""An open input's opening is at most this much of the MouthOpenY 1 opening (room to open further)."""
MAX_OPEN_FW = 0.2
"""An open input opens to at most this high (FW) at MouthOpenY 1 (rigging.md 7: 0.15 for most rigs,
the mascot 0.23) ..."""
MIN_GROWTH = 1.0 / 0.6
"""... unless its own opening is already that high: then it opens this much further."""
NOSE_MARGIN_FW = 0.01
"""The upper lip never rises closer to the nose tip than this."""
CHIN_MARGIN_FW = 0.035
"""The lower lip never comes closer to the chin than this (the chin stays still, rigging.md 7)."""
MIN_OPEN_FW = 0.015
"""A column of an anime mouth is open where its opening (minus both strokes) is at least this high."""
RIM_FW = 0.012
"""Width of the interior's rim, drawn in the mouth's line colour (the lower lip line of a line mouth)."""
INTERIOR_RGB = (92, 22, 34)
INTERIOR_DEEP_RGB = (50, 10, 20)
TONGUE_RGB = (196, 86, 98)
PHOTO_TONGUE_RGB = (150, 62, 72)
"""A photo's tongue: darker, lower in the mouth (in shadow behind the teeth)."""
TEETH_RGB = (246, 244, 240)
PHOTO_TEETH_RGB = (226, 218, 204)
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
    mid = (top + bottom + 1) / 2.0
    ys = np.interp(xs, cols, mid[cols])
    return xs, _smooth(ys, max(1, int(0.04 * xs.size)))


def _smooth(ys: np.ndarray, k: int) -> np.ndarray:
    return np.convolve(np.pad(ys, k, mode="edge"), np.ones(2 * k + 1) / (2 * k + 1), mode="valid")


def _lens(xs: np.ndarray, cx: float, half: float, height: float) -> np.ndarray:
    """g(x) (K,): ``height (1 - u^2)^LENS_POWER`` for ``u = (x - cx) / half``, 0 outside."""
    u = np.clip((xs - cx) / max(half, 1.0), -1.0, 1.0)
    return height * np.clip(1.0 - u * u, 0.0, 1.0) ** LENS_POWER


def line_rgb(mouth: np.ndarray, rgb: np.ndarray, photo: bool) -> np.ndarray:
    """(3,) float32: the colour of the mouth's line (its darkest fifth; photos: the lips, darkened)."""
    px = rgb[mouth].astype(np.float32)
    if px.shape[0] < 3:
        return np.float32(INTERIOR_DEEP_RGB)
    lum = px @ np.float32([0.299, 0.587, 0.114])
    dark = px[lum <= np.percentile(lum, 20)].mean(axis=0)
    return (px.mean(axis=0) * 0.55 if photo else dark).astype(np.float32)


def paint_interior(
    mouth: np.ndarray, face: FaceLandmarks, canvas_size: tuple[int, int], photo: bool, chin_y: float | None = None,
    rim_rgb=None,
):
    """The synthesised MouthInterior, MouthTongue and MouthTeeth of a closed mouth, at MouthOpenY 1
    (its lower edge kept ``CHIN_MARGIN_FW`` above ``chin_y``, default the chin landmark).

    The interior is dark (deepest under the upper lip) with a rim ``RIM_FW`` wide in ``rim_rgb`` (3,)
    (the mouth's line colour; default the deep interior colour); the tongue lies on the rim at the
    bottom, the teeth (photos) hang under the upper edge. Returns ``{name: (image (h, w, 4) uint8,
    origin_px (x, y))}``; MouthTeeth only when ``photo``.
    """
    xs, ys = meeting_line(mouth, face)
    fw = face.face_width_px
    width = max(float(xs[-1] - xs[0]), 0.08 * fw)
    cx = float(face.mouth_center[0]) if xs.size < 3 else 0.5 * float(xs[0] + xs[-1])
    half = 0.5 * INTERIOR_WIDTH * width
    room = lip_room_px(mouth, float(face.chin[1] if chin_y is None else chin_y), fw)  # clear of the chin
    up = room_up_px(mouth, float(face.nose[1]), fw)
    big_h = min(open_height_px(width, fw), max(min(room / LOWER_SHARE, up / (1.0 - LOWER_SHARE)), MIN_HEIGHT_FW * fw))
    inside = np.abs(xs - cx) < half
    xs, ys = xs[inside], ys[inside]
    return _paint_opening(xs, ys, _lens(xs, cx, half, big_h), canvas_size, fw, photo, rim_rgb, photo)


def _paint_opening(xs, meet, g, canvas_size, fw: float, photo: bool, rim_rgb, teeth: bool, fill_rgb=None):
    """MouthInterior (lens ``meet - (1 - LOWER_SHARE) g`` .. ``meet + LOWER_SHARE g``), MouthTongue and,
    with ``teeth``, MouthTeeth, all at MouthOpenY 1."""
    if xs.size < 2 or float(g.max()) <= 0.0:
        return {}
    top, bottom = meet - (1.0 - LOWER_SHARE) * g, meet + LOWER_SHARE * g
    x_e = np.concatenate([[xs[0]], xs + 0.5, [xs[-1] + 1.0]])
    t_e = np.concatenate([[meet[0]], top, [meet[-1]]])
    b_e = np.concatenate([[meet[0]], bottom, [meet[-1]]])
    lens = np.concatenate([np.stack([x_e, t_e], 1), np.stack([x_e, b_e], 1)[::-1]])
    g_c = float(g.max())
    i_c = int(np.argmax(g))
    cx, y_c = float(xs[i_c]) + 0.5, float(meet[i_c])
    half = 0.5 * float(xs[-1] - xs[0] + 1)
    rim = max(0.8, RIM_FW * fw)
    rim_c = np.float32(INTERIOR_DEEP_RGB if rim_rgb is None else rim_rgb)
    out = {"MouthInterior": _paint(lens, canvas_size, _interior_colour(y_c, g_c, rim, rim_c, fill_rgb))}
    # the tongue: the lower part of an ellipse, resting on the rim at the bottom
    t_half = 0.62 * half
    sel = np.abs(xs + 0.5 - cx) < t_half
    if sel.sum() >= 2:
        tx = xs[sel] + 0.5
        t_h = (0.3 if photo else 0.42) * g_c
        t_top = y_c + LOWER_SHARE * g_c - t_h
        crown = t_top + 0.18 * g_c * (1.0 - np.sqrt(np.clip(1.0 - ((tx - cx) / t_half) ** 2, 0.0, 1.0)))
        base = np.maximum(bottom[sel] - 0.6 * rim, crown + 0.5)
        tongue = np.concatenate([np.stack([tx, crown], 1), np.stack([tx, base], 1)[::-1]])
        out["MouthTongue"] = _paint(tongue, canvas_size, _tongue_colour(cx, t_top, t_half, t_h, photo))
    if teeth:
        band = 0.22 * g_c
        sel = np.abs(xs + 0.5 - cx) < 0.8 * half
        tx, tt = xs[sel] + 0.5, top[sel]
        depth = band * np.clip(g[sel] / g_c, 0.4, 1.0)
        poly = np.concatenate([np.stack([tx, tt - 1.0], 1), np.stack([tx, tt + depth], 1)[::-1]])
        base_rgb = np.float32(PHOTO_TEETH_RGB if photo else TEETH_RGB)
        y0 = float(tt.min())

        def teeth_colour(xx, yy, _d):
            s = np.clip((yy - y0) / max(band, 1.0), 0.0, 1.0)[..., None]
            return base_rgb * (1.0 - 0.12 * s)

        out["MouthTeeth"] = _paint(poly, canvas_size, teeth_colour)
    return {k: v for k, v in out.items() if v[0].size}


def _interior_colour(cy: float, h: float, rim: float, rim_rgb: np.ndarray, fill_rgb=None):
    """Deep under the upper lip, lighter toward the bottom; the rim (``rim`` px from the edge) in ``rim_rgb``."""
    light = np.float32(INTERIOR_RGB if fill_rgb is None else fill_rgb)
    deep = np.float32(INTERIOR_DEEP_RGB) if fill_rgb is None else 0.6 * light

    def colour(xx: np.ndarray, yy: np.ndarray, dist: np.ndarray) -> np.ndarray:
        s = np.clip((yy - (cy - 0.3 * h)) / max(h, 1.0), 0.0, 1.0)[..., None]
        body = deep * (1.0 - s) + light * s
        r = np.clip(dist / rim - 0.5, 0.0, 1.0)[..., None]
        return rim_rgb * (1.0 - r) + body * r

    return colour


def _tongue_colour(cx: float, ty: float, ax: float, ay: float, photo: bool = False):
    base = np.float32(PHOTO_TONGUE_RGB if photo else TONGUE_RGB)

    def colour(xx: np.ndarray, yy: np.ndarray, _dist: np.ndarray) -> np.ndarray:
        d = np.clip(np.hypot((xx - cx) / max(ax, 1.0), (yy - ty) / max(ay, 1.0) - 0.3), 0.0, 1.0)[..., None]
        return base * (1.0 - 0.22 * d)

    return colour


def _paint(polygon: np.ndarray, canvas_size: tuple[int, int], colour) -> tuple[np.ndarray, tuple[float, float]]:
    """Fill ``polygon`` (K, 2) canvas px, anti-aliased (drawn at ``SUPERSAMPLE``x), coloured by
    ``colour(xx, yy, dist) -> (..., 3)`` float RGB (``dist``: px from the polygon's edge, inside);
    cropped to the canvas."""
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
    dist = cv2.distanceTransform(m, cv2.DIST_L2, 3).reshape(y1 - y0, s, x1 - x0, s).mean(axis=(1, 3)) / s
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32) + 0.5
    image = np.zeros((y1 - y0, x1 - x0, 4), np.uint8)
    image[..., :3] = np.clip(np.round(colour(xx, yy, dist)), 0, 255).astype(np.uint8)
    image[..., 3] = np.clip(np.round(a * 255.0), 0, 255).astype(np.uint8)
    return image, (float(x0), float(y0))


def rest_open(opening_h_px: float, width_px: float, fw: float, room_px: float, room_up_px: float = np.inf) -> float:
    """MouthOpenY of an input whose opening is ``opening_h_px`` high: its share of the MouthOpenY 1
    opening (at most ``MAX_REST_OPEN``, and at least what keeps that opening under ``MAX_OPEN_FW``
    or opens it by ``MIN_GROWTH``),
    raised where the upper lip has only ``room_up_px`` below the nose tip to rise into, or the lower
    lip only ``room_px`` above the chin to drop into (else the rig stops the lower lip, the interior
    and the tongue together above the chin, ``inference.rigging.recipes_mouth``, and the tongue sinks
    out of sight: a round dark blob)."""
    d = min(MAX_REST_OPEN, opening_h_px / max(open_height_px(width_px, fw), 1e-6))
    d_room = 1.0 / (1.0 + max(room_px, 0.0) / max(LOWER_SHARE * opening_h_px, 1e-6))
    d = min(max(d, opening_h_px / (MAX_OPEN_FW * fw), d_room), 1.0 / MIN_GROWTH)
    d_up = 1.0 / (1.0 + max(room_up_px, 0.0) / max((1.0 - LOWER_SHARE) * opening_h_px, 1e-6))
    return float(np.float32(min(0.9, max(d, d_up))))  # float32: as the .moc3 stores the default


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
    """The interior pieces of an open input at MouthOpenY 1 (``{name: (image, origin)}``, as
    :func:`paint_interior`; no MouthTeeth: the input's own are its MouthTeeth, and on photos the upper
    teeth are painted on the interior itself, under the upper lip, so opening past the input's own
    opening shows them, not a dark void under the lip).

    Per column, the larger of the input's own opening stretched by 1 / rest_open about where the lips
    meet and the lens of a closed mouth as wide as the whole mouth, the latter kept (at the rest
    MouthOpenY) inside the mouth pixels so that the rest pose still shows the input. Coloured with the
    input's darkest interior colour (photos: the default); the rim in the mouth's line colour.
    """
    has, top, bottom = column_extent(opening)
    cols = np.flatnonzero(has)
    h = (bottom - top + 1)[cols].astype(np.float64)
    fw = scene.face.face_width_px
    mouth = scene.vis("LipLower") | scene.vis("LipUpper") | opening
    room, up = lip_room_px(mouth, chin_y, fw), room_up_px(mouth, float(scene.face.nose[1]), fw)
    d = rest_open(float(h.max()), float(cols[-1] - cols[0] + 1) / INTERIOR_WIDTH, fw, room, up)
    m_has, m_top, m_bot = column_extent(mouth)
    xs = np.arange(int(min(cols[0], np.flatnonzero(m_has)[0])), int(max(cols[-1], np.flatnonzero(m_has)[-1])) + 1)
    meet_own = top[cols] + (1.0 - LOWER_SHARE) * h
    meet = np.interp(xs, cols, meet_own)
    g_own = np.zeros(xs.size)
    g_own[cols - xs[0]] = h / d
    width = float(xs[-1] - xs[0] + 1)
    cx = xs[0] + 0.5 * width
    reach = min(room / LOWER_SHARE, up / (1.0 - LOWER_SHARE)) / max(1.0 - d, 0.05)  # clear of chin and nose
    big_h = min(open_height_px(width, fw), max(reach, MIN_HEIGHT_FW * fw))
    g_std = _lens(xs + 0.5, cx, 0.5 * INTERIOR_WIDTH * width, big_h)
    mt, mb = m_top[xs].astype(np.float64), m_bot[xs].astype(np.float64) + 1.0
    cap = np.where(m_has[xs], np.minimum((meet - mt) / (1.0 - LOWER_SHARE), (mb - meet) / LOWER_SHARE) / d, 0.0)
    g = np.maximum(g_own, np.minimum(g_std, np.maximum(cap, 0.0)))
    px = scene.rgb[opening].astype(np.float32)
    lum = px @ np.float32([0.299, 0.587, 0.114])
    own = px[lum <= np.percentile(lum, 30)].mean(axis=0) * 0.45  # the input's darkest, darker
    fill = np.float32(INTERIOR_RGB) if photo else 0.5 * own + 0.5 * np.float32(INTERIOR_RGB)
    keep = g > 0.25
    out = _paint_opening(xs[keep].astype(np.float64), meet[keep], g[keep], size, fw, photo,
                         line_rgb(mouth, scene.rgb, photo), photo, fill)
    if "MouthTeeth" in out and "MouthInterior" in out:  # a photo's upper teeth, revealed as it opens
        _paint_onto(out["MouthInterior"], out.pop("MouthTeeth"))
    return out


def _paint_onto(base: tuple[np.ndarray, tuple[float, float]], top: tuple[np.ndarray, tuple[float, float]]) -> None:
    """Composite ``top`` (image, origin) over ``base`` (in place) inside ``base``'s alpha, which is kept."""
    (b, (bx, by)), (t, (tx, ty)) = base, top
    x0, y0 = int(tx - bx), int(ty - by)
    bx0, by0 = max(0, x0), max(0, y0)
    bx1, by1 = min(b.shape[1], x0 + t.shape[1]), min(b.shape[0], y0 + t.shape[0])
    if bx1 <= bx0 or by1 <= by0:
        return
    src = t[by0 - y0 : by1 - y0, bx0 - x0 : bx1 - x0].astype(np.float32)
    dst = b[by0:by1, bx0:bx1]
    a = src[..., 3:4] / 255.0
    dst[..., :3] = np.clip(np.round(src[..., :3] * a + dst[..., :3] * (1.0 - a)), 0, 255).astype(np.uint8)


def column_extent(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(has, top, bottom) per column of ``mask`` (top/bottom rows, -1 where empty)."""
    has = mask.any(axis=0)
    top = np.where(has, np.argmax(mask, axis=0), -1)
    bottom = np.where(has, mask.shape[0] - 1 - np.argmax(mask[::-1], axis=0), -1)
    return has, top, bottom

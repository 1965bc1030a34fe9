"""Facial feature masks for the part segmenter: eyes (white, iris, lash), brows, mouth, nose, neck.

Anime faces use the pixels around the landmarks (the non-skin blobs of the eye and mouth boxes, dark
strokes on the brow lines); real faces use the MediaPipe mesh polygons (models.md 1.4). All masks are
(H, W) bool in the working frame; lengths in face widths (FW).
"""

from __future__ import annotations

import numpy as np

from inference.landmarks import real
from inference.landmarks.anime_features import eye_mask
from inference.masks import components_touching, fill_holes, fill_polygon, morph
from inference.segmentation.lash_top import LID_RIM_PX, above_mid_lid, lid_shading, outside_lash
from inference.types import EyeLandmarks, FaceLandmarks


def _ellipse(shape, c, rx, ry) -> np.ndarray:
    yy, xx = np.ogrid[0 : shape[0], 0 : shape[1]]
    return ((xx - c[0]) / max(rx, 0.5)) ** 2 + ((yy - c[1]) / max(ry, 0.5)) ** 2 <= 1.0


def _polyline_band(shape, pts: np.ndarray, thickness: float) -> np.ndarray:
    import cv2

    m = np.zeros(shape, np.uint8)
    p = np.round(np.asarray(pts, np.float64) * 16).astype(np.int32)
    cv2.polylines(m, [p], False, 1, thickness=max(1, round(thickness)), lineType=cv2.LINE_8, shift=4)
    return m.astype(bool)


IRIS_RIM = 1.6
"""Iris-coloured eye pixels joined to the iris within this many iris radii of its centre are iris."""
IRIS_RIM_DE = 18.0
"""... iris-coloured: within this ΔE (CIELAB) of the median colour of the iris label's lighter half."""
def eye_parts(
    lab: np.ndarray, fg: np.ndarray, skin: np.ndarray, face: FaceLandmarks, eye: EyeLandmarks, skin_l: float,
    cover: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(white, iris, lash) masks of one eye; the lash holds the upper lash and the lower lash / lid line.

    ``cover`` (H, W) bool: pixels already labelled as hair lying over the face; the strands of it
    that reach out of the eye window stay hair (they must not blink with the eye). Anime: eye pixels
    of the iris's colour joined to it within ``IRIS_RIM`` iris radii are iris, not white (an iris
    off the landmark's centre). The work is done on a crop of the eye box grown by its larger side.
    """
    h, w = fg.shape
    x, y, bw, bh = eye.box
    g = max(bw, bh, 4.0)
    x0, y0 = max(0, int(x - g)), max(0, int(y - g))
    x1, y1 = min(w, int(x + bw + g) + 1), min(h, int(y + bh + g) + 1)
    out = tuple(np.zeros((h, w), bool) for _ in range(3))
    if x1 - x0 < 2 or y1 - y0 < 2:
        return out
    crop = (slice(y0, y1), slice(x0, x1))
    e = EyeLandmarks(
        (eye.center[0] - x0, eye.center[1] - y0), (x - x0, y - y0, bw, bh),
        (eye.iris_center[0] - x0, eye.iris_center[1] - y0), eye.iris_radius,
        eye.upper_lid - np.array([x0, y0], np.float32), eye.lower_lid - np.array([x0, y0], np.float32))
    parts = _eye_parts(lab[crop], fg[crop], skin[crop], face, e, skin_l, None if cover is None else cover[crop])
    for o, p in zip(out, parts, strict=True):
        o[crop] = p
    return out


def _eye_parts(lab, fg, skin, face: FaceLandmarks, eye: EyeLandmarks, skin_l: float, cover):
    shape = fg.shape
    x, y, bw, bh = eye.box
    if face.kind == "real":
        ring = np.concatenate([eye.upper_lid, eye.lower_lid[::-1]], 0)
        blob = fill_polygon(shape, ring) & fg
        iris = blob & _ellipse(shape, eye.iris_center, eye.iris_radius, eye.iris_radius)
        lash = _polyline_band(shape, eye.upper_lid, max(1.5, 0.18 * bh)) & morph(blob, "dilate", 1) & fg
        white_l = float(np.percentile(lab[..., 0][blob], 80)) if blob.any() else skin_l
        lash &= lab[..., 0] < min(skin_l, white_l) - 12.0  # the lid's dark edge and lashes, not the sclera
    else:
        blob = eye_mask(lab, fg, skin, eye.box)
        if blob.sum() < 8:
            blob = _ellipse(shape, eye.center, bw / 2, bh / 2) & fg
        blob |= _sclera(lab, fg, blob, eye.box, skin_l)
        blob = fill_holes(blob)
        if cover is not None:
            blob &= ~_strands(cover, eye.box)
        L = lab[..., 0]
        white_l = float(np.percentile(L[blob], 95)) if blob.any() else 100.0
        # the lid skin, strands and a strand's outline over the lash are not the eye
        over = outside_lash(lab, blob, _polyline_band(shape, eye.upper_lid, max(2.0, 0.35 * bh)), skin, skin_l,
                            white_l, eye.iris_center, bh)
        blob &= ~(over & above_mid_lid(shape, eye))  # the lower lash stays the eye's
        r = eye.iris_radius
        zone = _ellipse(shape, eye.iris_center, 1.1 * r, 1.35 * r) & blob
        iris = fill_holes(zone & (L < min(white_l - 12.0, 88.0))) & zone
        iris = morph(iris, "open", 1) if iris.sum() > 30 else iris
        # the lash is a thin dark band along the upper lid; dark strokes further above are bangs
        band = _polyline_band(shape, eye.upper_lid, max(2.0, 0.35 * bh)) & blob
        lash = band & (L < skin_l - 25.0)
        lash |= blob & (L < skin_l - 25.0) & _above(shape, eye.upper_lid, 0.12 * bh) & ~_above(shape, eye.upper_lid, -0.2 * bh)
        # the lash line: colour runs down from the lid (the iris's dark top stays iris); other
        # dark strokes of the band outside the iris are lash too (never eye white)
        lash = _lash_runs(lab, lash, blob, bh) | (lash & ~iris)
        # the lower lash / lid line: dark pixels along the lower lid outside the iris
        low = _polyline_band(shape, eye.lower_lid, max(2.0, 0.22 * bh)) & blob & ~iris
        low &= (L < skin_l - 25.0) & ~_above(shape, eye.upper_lid, 0.45 * bh)
        if lash.sum() >= 4 and low.any():  # drawn in the line colour, not the iris rim's
            low &= np.linalg.norm(lab - np.median(lab[lash], axis=0), axis=-1) < 22.0
        lash |= low
    iris &= ~lash
    if face.kind != "real" and iris.sum() >= 8:  # the iris's rim outside the zone (an off-centre landmark)
        px = lab[iris]
        ref = np.median(px[px[:, 0] >= np.median(px[:, 0])], axis=0)  # its light part (the rim is the light side)
        rim = blob & ~iris & ~lash & _ellipse(shape, eye.iris_center, IRIS_RIM * eye.iris_radius, IRIS_RIM * eye.iris_radius)
        rim &= np.linalg.norm(lab - ref, axis=-1) < IRIS_RIM_DE
        iris |= components_touching(rim, morph(iris, "dilate", 1))
    white = blob & ~iris & ~lash
    if face.kind != "real":  # on the blob's rim, outside the iris's disc (a warm iris's light half is the eye's)
        rim = blob & ~morph(blob, "erode", LID_RIM_PX) & ~_ellipse(shape, eye.iris_center, eye.iris_radius, eye.iris_radius)
        shade = lid_shading(lab, white & rim, skin)  # drawn with the lid: it goes with the lash, not the white
        white &= ~shade
        lash = lash | shade
    return white, iris, lash


def _sclera(lab: np.ndarray, fg: np.ndarray, blob: np.ndarray, box, skin_l: float) -> np.ndarray:
    """Eye-white pixels the skin rule took for skin (pale skin): bright, nearly grey, inside the eye
    window and touching the eye's blob."""
    h, w = fg.shape
    x, y, bw, bh = box
    yy, xx = np.ogrid[0:h, 0:w]
    win = ((xx - (x + bw / 2)) / (0.62 * bw)) ** 2 + ((yy - (y + 0.52 * bh)) / (0.6 * bh)) ** 2 <= 1.0
    chroma = np.hypot(lab[..., 1], lab[..., 2])
    bright = win & fg & (lab[..., 0] > max(skin_l + 2.0, 80.0)) & (chroma < 9.0)
    if not blob.any() or not bright.any():
        return np.zeros_like(blob)
    return components_touching(bright, morph(blob, "dilate", 1))


def _lash_runs(lab: np.ndarray, dark: np.ndarray, blob: np.ndarray, bh: float) -> np.ndarray:
    """The upper lash: per column, the run of line-coloured ``dark`` pixels from the top of ``blob`` down.

    The top of an anime iris is often drawn dark under the lid and passes for lash by lightness
    alone; the run stops at the first pixel whose colour leaves the lash line's (ΔE 16 from the
    median of the top pixels), so the iris stays iris. A run is at most 0.45 of the eye height.
    """
    cols = np.flatnonzero(blob.any(axis=0))
    if cols.size == 0 or not dark.any():
        return dark
    top = blob[:, cols].argmax(axis=0)
    near = np.clip(top[None, :] + np.arange(3)[:, None], 0, dark.shape[0] - 1)
    first = dark[near, cols[None, :]]
    if first.sum() < 3:
        return dark
    ref = np.median(lab[near[first], np.broadcast_to(cols[None, :], near.shape)[first]], axis=0)
    ok = dark & (np.linalg.norm(lab - ref, axis=-1) < 16.0)
    out = np.zeros_like(dark)
    y0 = int(top.min())
    y1 = min(dark.shape[0], int(top.max() + max(2.0, 0.45 * bh)) + 1)
    rows = np.arange(y0, y1)[:, None]
    sub = ok[y0:y1][:, cols] & (rows >= top[None, :]) & (rows < top[None, :] + max(2.0, 0.45 * bh))
    # a run starts within the first 3 px (the blob's top pixel may be anti-aliased skin) and
    # continues over a single miss
    start = (rows >= top[None, :]) & (rows < top[None, :] + 3)
    run = np.zeros_like(sub)
    alive = np.zeros(len(cols), bool)
    dead = np.zeros(len(cols), bool)
    missed = np.zeros(len(cols), bool)
    for i in range(sub.shape[0]):
        alive |= start[i] & sub[i] & ~dead
        run[i] = alive & sub[i]
        miss = alive & ~sub[i] & ~start[i]
        stop = miss & missed
        dead |= stop
        alive &= ~stop
        missed = miss
    out[y0:y1, cols] = run
    return out


def _strands(cover: np.ndarray, box) -> np.ndarray:
    """The components of ``cover`` that reach outside the eye window ``box`` grown by a quarter."""
    x, y, bw, bh = box
    h, w = cover.shape
    win = np.zeros((h, w), bool)
    win[max(0, int(y - 0.25 * bh)) : int(y + 1.25 * bh) + 1, max(0, int(x - 0.25 * bw)) : int(x + 1.25 * bw) + 1] = True
    return components_touching(cover, cover & ~win)


def _above(shape, lid: np.ndarray, margin: float) -> np.ndarray:
    """Pixels above the polyline ``lid`` shifted down by ``margin`` (within its x range)."""
    yy, xx = np.mgrid[0 : shape[0], 0 : shape[1]]
    ly = np.interp(xx, lid[:, 0], lid[:, 1], left=-1e9, right=-1e9)
    return yy <= ly + margin


BROW_DARK = 22.0
"""Anime brow candidates are this much darker (L*) than the skin."""


def brow_mask(
    lab: np.ndarray, fg: np.ndarray, skin: np.ndarray, face: FaceLandmarks, line: np.ndarray, skin_l: float
) -> np.ndarray:
    """One brow: the mesh polygon (real) or dark strokes near the brow line that sit on skin (anime)."""
    shape = fg.shape
    fw = face.face_width_px
    if face.kind == "real":
        idx = _brow_polygon(face, line)
        return fill_polygon(shape, idx) & fg if idx is not None else np.zeros(shape, bool)
    band = _polyline_band(shape, line, 0.09 * fw) & fg
    cand = band & ~skin & (lab[..., 0] < skin_l - BROW_DARK)
    if not cand.any():
        return cand
    import cv2

    n, comp = cv2.connectedComponents(cand.astype(np.uint8), connectivity=8)
    out = np.zeros(shape, bool)
    for i in range(1, n):
        c = comp == i
        ring = morph(c, "dilate", 2) & ~c
        if ring.any() and skin[ring].mean() > 0.3:
            out |= c
    return out


def _brow_polygon(face: FaceLandmarks, line: np.ndarray) -> np.ndarray | None:
    p = face.mesh
    if p is None:
        return None
    best = None
    for upper, lower in (real.BROW_A, real.BROW_B):
        poly = np.concatenate([p[upper], p[lower][::-1]], 0)
        d = abs(float(poly[:, 0].mean()) - float(line[:, 0].mean()))
        if best is None or d < best[0]:
            best = (d, poly)
    return best[1]


STRAND_BAND = 0.2
"""Half-width of a closed anime mouth's line band, in mouth box heights (strands off it stay hair)."""


def mouth_mask(lab: np.ndarray, fg: np.ndarray, skin: np.ndarray, face: FaceLandmarks) -> np.ndarray:
    """Lips polygon (real) or the non-skin blob of the mouth box plus the corner-to-corner line (anime)."""
    shape = fg.shape
    if face.kind == "real" and face.mesh is not None:
        return fill_polygon(shape, face.mesh[real.LIPS_OUTER]) & fg
    x, y, bw, bh = face.mouth_box
    win = np.zeros(shape, bool)
    gx, gy = 0.15 * bw + 1, 0.25 * bh + 1
    win[max(0, int(y - gy)) : int(y + bh + gy) + 1, max(0, int(x - gx)) : int(x + bw + gx) + 1] = True
    core = _ellipse(shape, face.mouth_center, bw / 3, bh / 3 + 1)
    blob = components_touching(win & fg & ~skin & ~_skin_shading(lab, skin, win), core)
    (x0, y0), (x1, y1) = face.mouth_corners
    pts = np.array([[x0, y0], [face.mouth_center[0], face.mouth_center[1]], [x1, y1]], np.float64)
    if blob.sum() < 0.25 * bw:  # no blob: the line was read as skin shading; draw it where its ink is
        pts = _ink_line(lab[..., 0], win & fg, pts)
    return fill_holes(morph(blob | (_polyline_band(shape, pts, 2) & fg), "close", 1))


def _ink_line(L: np.ndarray, win: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """The corner-to-corner line ``pts`` (3, 2) x, y px shifted up or down (within ``win``'s rows) onto
    the darkest run, when that run is ``MOUTH_INK_L`` darker along the line than where it was drawn (a
    faint lip line under a landmark line a few px too high: tadne_r1c2, 5 px)."""
    xs = np.arange(int(np.ceil(pts[0, 0])), int(pts[-1, 0]) + 1)
    rows = np.flatnonzero(win.any(axis=1))
    if len(xs) < 5 or not rows.size or xs[0] < 0 or xs[-1] >= L.shape[1]:
        return pts
    ys = np.interp(xs, pts[:, 0], pts[:, 1])
    def mean_l(dy):
        yy = np.clip(np.round(ys + dy).astype(int), 0, L.shape[0] - 1)
        return float(np.mean(L[yy, xs]))
    shifts = np.arange(rows[0] - ys.min(), rows[-1] - ys.max() + 1).round()
    if not shifts.size:
        return pts
    darkest = min(shifts, key=mean_l)
    return pts + [0.0, darkest] if mean_l(0) - mean_l(darkest) > MOUTH_INK_L else pts


MOUTH_INK_L = 8.0
"""L* by which the lip line's darkest pixel is darker than its column (``_ink_line``)."""


def mouth_strands(mouth: np.ndarray, cover: np.ndarray, face: FaceLandmarks) -> np.ndarray:
    """(H, W) bool: pixels of an anime ``mouth`` mask that continue the hair strands of ``cover`` over its
    ends, which stay hair (they must not move with the lips, as strands over the eyes do not blink).

    A strand piece is a connected piece of the mouth outside the corner-to-corner line band (half-width
    ``STRAND_BAND`` of the mouth box height, at least 2 px) that touches the hair and lies off the mouth's
    middle half; the line itself stays mouth even where hair crosses it. Photos (lips polygon): none.
    """
    import cv2

    if face.kind == "real" or not mouth.any() or not cover.any():
        return np.zeros_like(mouth)
    x, _y, bw, bh = face.mouth_box
    (x0, y0), (x1, y1) = face.mouth_corners
    line = _polyline_band(mouth.shape, np.array([[x0, y0], face.mouth_center, [x1, y1]], np.float64),
                          2 * max(2.0, STRAND_BAND * bh))
    off = mouth & ~line
    n, comp, _stats, cents = cv2.connectedComponentsWithStats(off.astype(np.uint8), connectivity=8)
    touch = np.unique(comp[morph(cover, "dilate", 1) & off])
    out = np.zeros_like(mouth)
    for i in touch[touch > 0]:
        if abs(cents[i][0] - (x + bw / 2)) > 0.25 * bw:
            out |= comp == i
    return out


def _skin_shading(lab: np.ndarray, skin: np.ndarray, win: np.ndarray) -> np.ndarray:
    """Pixels of ``win`` that are shaded skin, not mouth: the hue of the skin near the mouth (within
    20 degrees), at most 22 L darker and at most 25 more chroma (cheek shading, the nose's shadow;
    a lip line is darker, a tongue or lips redder)."""
    out = np.zeros_like(win)
    rows, cols = np.flatnonzero(win.any(axis=1)), np.flatnonzero(win.any(axis=0))
    if not rows.size:
        return out
    h, w = win.shape
    crop = (slice(max(0, rows[0] - 4), min(h, rows[-1] + 5)), slice(max(0, cols[0] - 4), min(w, cols[-1] + 5)))
    lab, skin, win = lab[crop], skin[crop], win[crop]
    near = skin & morph(win, "dilate", 3)
    if near.sum() < 16:
        return out
    chroma = np.hypot(lab[..., 1], lab[..., 2])
    hue = np.degrees(np.arctan2(lab[..., 2], lab[..., 1]))
    s_l, s_c, s_h = (float(np.median(v[near])) for v in (lab[..., 0], chroma, hue))
    d_h = np.abs((hue - s_h + 180.0) % 360.0 - 180.0)
    out[crop] = win & (lab[..., 0] > s_l - 22.0) & (chroma < s_c + 25.0) & (d_h < 20.0)
    return out


def nose_mask(lab: np.ndarray, fg: np.ndarray, skin: np.ndarray, face: FaceLandmarks) -> np.ndarray:
    """The nose where it is distinct: mesh alae and tip (real); non-skin marks near the nose point (anime)."""
    shape = fg.shape
    fw = face.face_width_px
    if face.kind == "real" and face.mesh is not None:
        import cv2

        pts = face.mesh[real.NOSE_OUTLINE].astype(np.float32)
        hull = cv2.convexHull(pts)[:, 0]
        return fill_polygon(shape, hull) & fg
    near = _ellipse(shape, face.nose, 0.05 * fw, 0.05 * fw) & fg & ~skin
    return morph(near, "dilate", 1) & fg if near.sum() >= 3 else np.zeros(shape, bool)


SHADE_DL = 45.0
"""How much darker (L*) than the lit skin a skin shadow may be."""


def shaded_skin(lab: np.ndarray, skin_l: float) -> np.ndarray:
    """(H, W) bool: pixels that may be skin in shadow: warm (a* > 5, b* > 0) and up to ``SHADE_DL``
    darker than the skin's L* ``skin_l``; ``lab`` (H, W, 3) float CIE L*a*b* (L 0..100). Anime shading
    turns skin redder as it darkens (waifu_02's neck: L* 54-71, a* 22-32 under lit skin L* 91, a* 4),
    so the lit skin's colour distance misses it; cool collars and hair (b* < 0) and dark lines are left."""
    light, a, b = lab[..., 0], lab[..., 1], lab[..., 2]
    return (a > 5.0) & (b > 0.0) & (light >= skin_l - SHADE_DL) & (light <= skin_l + 5.0)


def _neck_column(shape: tuple[int, int], face: FaceLandmarks) -> np.ndarray:
    """(H, W) bool: where a neck may lie: ±0.32 FW about the chin's x, 0.35 FW above to 0.6 FW below it."""
    h, w = shape
    fw = face.face_width_px
    cx, cy = face.chin
    col = np.zeros((h, w), bool)
    y0, y1 = max(0, int(cy - 0.35 * fw)), min(h, int(cy + 0.6 * fw))
    col[y0:y1, max(0, int(cx - 0.32 * fw)) : min(w, int(cx + 0.32 * fw) + 1)] = True
    return col


SHADOW_MAX_FW2 = 0.05
"""A hair piece on the neck larger than this (FW²) is hair, not the chin's shadow."""


def neck_shadow(back_hair: np.ndarray, neck: np.ndarray, face: FaceLandmarks, face_poly: np.ndarray) -> np.ndarray:
    """(H, W) bool: pieces of ``back_hair`` that are the chin's shadow on the neck (lambda_00: an
    orange-brown triangle under the chin, hair by colour): each lies wholly inside the neck's column,
    touches the neck or the face outline, is under ``SHADOW_MAX_FW2`` and reaches no hair outside the column."""
    import cv2

    col = _neck_column(neck.shape, face)
    n, comp, stats, _ = cv2.connectedComponentsWithStats(back_hair.astype(np.uint8), connectivity=8)
    if n <= 1:
        return np.zeros(neck.shape, bool)
    big = np.flatnonzero(stats[:, cv2.CC_STAT_AREA] > SHADOW_MAX_FW2 * face.face_width_px**2)
    out_of_col = np.union1d(np.unique(comp[back_hair & ~col]), big)
    touch = np.unique(comp[morph(neck | face_poly, "dilate", 1.0) & back_hair])
    keep = np.setdiff1d(touch[touch > 0], out_of_col)
    return np.isin(comp, keep) if keep.size else np.zeros(neck.shape, bool)


def neck_mask(skin_like: np.ndarray, face: FaceLandmarks, face_poly: np.ndarray) -> np.ndarray:
    """Skin under the jaw: within ±0.32 FW of the chin's x, down to 0.6 FW below the chin, connected
    to the bottom of the face outline; stops where the skin widens into shoulders or chest."""
    col = _neck_column(skin_like.shape, face)
    fw = face.face_width_px
    seed = morph(face_poly, "dilate", max(2.0, 0.03 * fw)) & ~face_poly
    cand = morph(skin_like & col & ~face_poly, "open", 1)
    return components_touching(cand, seed)

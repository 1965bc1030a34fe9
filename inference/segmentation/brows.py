"""Anime brows against the fringe for the part segmenter (issue 14): strand tips stay hair.

The brow rule of :func:`inference.segmentation.part_features.brow_mask` takes the dark strokes near the
brow landmarks that sit on skin. Where the fringe hangs to the brows, the tips of its strands (darker
at their ends, on the skin of the forehead) and the outlines between them pass that rule too; cut as
the brow they moved with the brow's keyforms and left holes in the front hair (pale dashes at brow
height on ParamAngleX ±30: crypko_00, waifu_00, waifu_03, tadne_r3c0). Many drawn brows are not
under the fringe but drawn over it, as a thin dark line across the strands and the skin between them
(waifu_01, waifu_00, crypko_00, tadne_r0c3, tadne_r1c3, tadne_r4c3).

:func:`settle_brow` keeps, of the pixels the front hair already held, those on a **brow line** (a thin
dark line, darker than the pixels just above and below it, running along the brow: longer than
``LINE_LEN_FW``, within ``LINE_ANGLE`` of horizontal, with hair or skin on both sides rather than
bounding the fringe) where it lies on the skin, and the **pieces topped by skin** (a thick brow on the
skin that the fringe's colour rule took); pieces whose top continues into the fringe's hair are strand
tips and stay hair. Where a brow line crosses a strand (hair above and below) it stays with the front
hair too: the front hair is drawn above the brows and is not completed under them, so a brow piece
cut out of a strand leaves a hole in it when the brow moves (tadne_r5c0: white dashes along both
brows on AngleX ±30). What the front hair did not hold is brow as before. Working frame, (H, W) bool
masks, lengths in face widths (FW).
"""

from __future__ import annotations

import numpy as np

from inference.masks import morph
from inference.types import FaceLandmarks

RIDGE_FW = 0.04
"""A line pixel is darker than a pixel within this distance above it and one below it (FW, >= 2 px)."""
RIDGE_DL = 6.0
"""... by this much L*."""
LINE_LEN_FW = 0.12
"""A brow line spans at least this many face widths horizontally."""
LINE_ANGLE = 30.0
"""... and its main axis lies within this many degrees of horizontal (strand outlines are steeper)."""
LINE_UP_FW = 0.12
"""Brow lines are looked for from this far above the brow landmarks (the detector finds the strand
tips under a brow drawn over the fringe, crypko_00: its line lies ~0.1 FW higher) ..."""
LINE_DOWN_FW = 0.045
"""... to this far below them (the lower edge of the brow rule's band)."""
LINE_ENDS_FW = 0.08
"""... and past the ends of the landmark line by this much (drawn brows run on past the detector's)."""
LINE_GAP_FW = 0.03
"""Pieces of a brow line this far apart (FW, >= 1 px) along a row are one line (a strand's outline
crossing it breaks it)."""
CROSSING = 0.3
"""A brow line has the fringe's hair (or the skin) on both sides over at least this fraction of its
columns; the fringe's own lower outline has hair above and skin below everywhere."""
THICKER = 2.0
"""Columns of a brow line more than this many times its median thickness (+ 1 px) are a strand's tip
it touches."""
STEEP_ANGLE = 45.0
"""A piece of the brow rule on the face whose main axis is steeper than this (degrees from horizontal),
joined by dark pixels to the fringe, is a strand's outline hanging from it."""
CROP_FW = 0.25
"""The work is done within this far beside the brow landmarks and twice this far above them (FW)."""
SPECK_FW = 0.04
"""A brow piece the front hair held, smaller than this squared (FW²) and not on a brow line, stays hair."""


def _ridge(values: np.ndarray, r: int) -> np.ndarray:
    """(H, W) float32: by how much each pixel is darker than the lightest pixel within ``r`` rows above
    it and the lightest within ``r`` rows below (the smaller of the two; negative where not darker)."""
    up = np.full(values.shape, -np.inf, np.float32)
    down = up.copy()
    for k in range(1, r + 1):
        up[k:] = np.maximum(up[k:], values[:-k])
        down[:-k] = np.maximum(down[:-k], values[k:])
    return np.minimum(up, down) - values


def _band(shape: tuple[int, int], line: np.ndarray, up: float, down: float, ends: float) -> np.ndarray:
    """(H, W) bool: the pixels from ``up`` px above the polyline ``line`` to ``down`` px below it, the
    polyline first continued ``ends`` px past each end along its end segments."""
    import cv2

    line = np.asarray(line, np.float64)
    if len(line) >= 2:
        a, b = line[1] - line[0], line[-1] - line[-2]
        a, b = a / max(np.hypot(*a), 1e-6), b / max(np.hypot(*b), 1e-6)
        line = np.concatenate([[line[0] - ends * a], line, [line[-1] + ends * b]])
    m = np.zeros(shape, np.uint8)
    for dy in np.arange(-up, down + 0.5, 1.0):
        p = np.round((line + [0.0, dy]) * 16).astype(np.int32)
        cv2.polylines(m, [p], False, 1, thickness=1, lineType=cv2.LINE_8, shift=4)
    return m.astype(bool)


def _axis(ys: np.ndarray, xs: np.ndarray) -> tuple[float, float]:
    """(angle of the main axis from horizontal in degrees, 0..90; variance ratio major / minor) of the
    pixels (ys, xs)."""
    c = np.cov(np.stack([xs, ys]).astype(np.float64)) if len(xs) > 2 else np.eye(2)
    w, v = np.linalg.eigh(c)
    major = v[:, 1]
    return float(np.degrees(np.arctan2(abs(major[1]), abs(major[0])))), float(w[1] / max(w[0], 1e-6))


def _elongated(ys: np.ndarray, xs: np.ndarray, min_len: float) -> bool:
    """Whether the pixels (ys, xs) span ``min_len`` px in x with their main axis near horizontal."""
    if xs.max() - xs.min() + 1 < min_len:
        return False
    angle, ratio = _axis(ys, xs)
    return angle <= LINE_ANGLE and ratio > 4.0


def _side(kind: np.ndarray, region: np.ndarray, ys: np.ndarray, xs: np.ndarray, k: int, sign: int) -> np.ndarray:
    """(columns,) int8: for each column of the piece (ys, xs), the ``kind`` (0 neither, 1 hair, 2 skin)
    of the first hair or skin pixel past its top (``sign`` -1) or bottom (+1) edge, outside ``region``
    and within ``k`` px (0 where none: anti-aliased outlines and other parts are looked past)."""
    cols = np.unique(xs)
    out = np.zeros(len(cols), np.int8)
    h = kind.shape[0]
    for i, x in enumerate(cols):
        y = ys[xs == x].min() if sign < 0 else ys[xs == x].max()
        for step in range(1, k + 1):
            yy = y + sign * step
            if not 0 <= yy < h:
                break
            if not region[yy, x] and kind[yy, x]:
                out[i] = kind[yy, x]
                break
    return out


def _kinds(hair: np.ndarray, skin: np.ndarray) -> np.ndarray:
    return np.where(skin, 2, np.where(hair, 1, 0)).astype(np.int8)


def brow_lines(lab: np.ndarray, cand: np.ndarray, front: np.ndarray, skin: np.ndarray, face: FaceLandmarks,
               line: np.ndarray) -> np.ndarray:
    """(H, W) bool: the pieces on the ``skin`` (the face's label) of the thin dark lines along the brow
    landmarks ``line`` (K, 2), among the ``cand`` pixels (dark, not skin-coloured, in the foreground),
    that cross the ``front`` hair's strands or the skin; the pieces lying on a strand (hair above and
    below) are left out."""
    import cv2

    fw = face.face_width_px
    r = max(2, int(round(RIDGE_FW * fw)))
    light = lab[..., 0].astype(np.float32)
    across = _ridge(light, r)
    dark = cand & _band(cand.shape, line, LINE_UP_FW * fw, LINE_DOWN_FW * fw, LINE_ENDS_FW * fw) & (across > RIDGE_DL)
    steep = _ridge(light.T, r).T >= across  # darker against its left and right: a steep line (strand outline)
    gap = max(1, int(round(LINE_GAP_FW * fw)))  # rejoined across the strand outlines it crosses
    joined = cv2.morphologyEx((dark & ~steep).astype(np.uint8), cv2.MORPH_CLOSE, np.ones((1, 2 * gap + 1), np.uint8))
    n, comp = cv2.connectedComponents(joined, connectivity=8)
    comp[~dark] = 0
    out = np.zeros(cand.shape, bool)
    kind = _kinds(front, skin)
    for i in range(1, n):
        ys, xs = np.nonzero(comp == i)
        if not _elongated(ys, xs, LINE_LEN_FW * fw):
            continue
        c = comp == i
        above, below = _side(kind, c, ys, xs, 2 * r, -1), _side(kind, c, ys, xs, 2 * r, 1)
        across = (above == below) & (above > 0)
        if across.mean() < CROSSING:  # not hair or skin on both sides: an edge (the fringe's lower outline)
            continue
        cols, runs = np.unique(xs, return_counts=True)
        # where it lies on a strand it stays hair, and where it runs down a strand's tip it is the tip
        drop = cols[((above == 1) & (below == 1)) | (runs > THICKER * float(np.median(runs[across])) + 1)]
        keep = ~np.isin(xs, drop)
        out[ys[keep], xs[keep]] = True
    return out


def settle_brow(brow: np.ndarray, cand: np.ndarray, front: np.ndarray, skin: np.ndarray, lab: np.ndarray,
                face: FaceLandmarks, line: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(brow, strand), (H, W) bool each: the brow ``brow`` (the brow rule's mask) with the strand tips
    it took from the ``front`` hair given back and the brow lines' pieces on the skin added, and the
    strand outlines it took from the face (steep pieces touching the front hair: ``strand``, to
    label front hair).

    Parameters
    ----------
    brow : (H, W) bool
        :func:`inference.segmentation.part_features.brow_mask` for one brow.
    cand : (H, W) bool
        Dark pixels that are not skin, in the foreground (the brow rule's candidates, without its band).
    front, skin : (H, W) bool
        The front hair (``FRONT_HAIR`` label) before the features are painted, and the face's skin (the
        ``FACE`` label or the skin colour).
    lab : (H, W, 3) float32 CIELAB.
    face : FaceLandmarks
        Working frame; anime faces only (photos return ``brow`` unchanged).
    line : (K, 2) float
        The brow's landmark polyline, px.
    """
    if face.kind == "real" or not (brow | cand).any():
        return brow, np.zeros_like(brow)
    fw = face.face_width_px
    h, w = brow.shape
    pts = np.asarray(line, np.float64)  # worked on a crop around the brow (a few percent of the frame)
    x0, x1 = int(max(0, pts[:, 0].min() - CROP_FW * fw)), int(min(w, pts[:, 0].max() + CROP_FW * fw + 1))
    y0, y1 = int(max(0, pts[:, 1].min() - 2 * CROP_FW * fw)), int(min(h, pts[:, 1].max() + CROP_FW * fw + 1))
    win = (slice(y0, y1), slice(x0, x1))
    part, strand = _settle(brow[win], cand[win], front[win], skin[win], lab[win], face, pts - (x0, y0))
    out, hair = brow.copy(), np.zeros_like(brow)
    out[win], hair[win] = part, strand
    return out, hair


def _settle(brow, cand, front, skin, lab, face: FaceLandmarks, line) -> tuple[np.ndarray, np.ndarray]:
    """:func:`settle_brow` on a crop (``line`` in the crop's px; of ``face`` only its width is used)."""
    import cv2

    fw = face.face_width_px
    lines = brow_lines(lab, cand, front, skin, face, line)
    out = brow & ~front
    rest = brow & front & ~lines
    kind = _kinds(front & ~brow & ~lines, skin)
    k = 2 * max(2, int(round(RIDGE_FW * fw)))
    n, comp = cv2.connectedComponents(rest.astype(np.uint8), connectivity=4)
    for i in range(1, n):
        c = comp == i
        ys, xs = np.nonzero(c)
        top = _side(kind, c | lines, ys, xs, k, -1)
        if (top == 2).sum() > (top == 1).sum():  # a brow on the skin touching a strand, not a strand's tip
            out |= c
    n, comp, stats, _ = cv2.connectedComponentsWithStats(out.astype(np.uint8), connectivity=8)
    for i in range(1, n):
        c = comp == i
        if stats[i, cv2.CC_STAT_AREA] < (SPECK_FW * fw) ** 2 and front[c].mean() > 0.5:
            out &= ~c
    strand = np.zeros_like(out)
    _, dark = cv2.connectedComponents(cand.astype(np.uint8), connectivity=8)
    hanging = np.unique(dark[morph(front & ~brow, "dilate", 1) & cand])  # dark lines joined to the fringe
    n, comp = cv2.connectedComponents((out & ~front & ~lines).astype(np.uint8), connectivity=8)
    for i in range(1, n):
        c = comp == i
        ys, xs = np.nonzero(c)
        if len(ys) < 3 or not np.isin(dark[c], hanging[hanging > 0]).any():
            continue
        angle, ratio = _axis(ys, xs)
        if angle >= STEEP_ANGLE and ratio > 4.0:  # a strand's outline hanging from the fringe
            strand |= c
    return (out | lines) & ~strand, strand

"""Pixel refinement of animeface's boxes: skin colour, eye opening, iris, lids, brows, mouth.

Everything works in the working frame on (H, W, 3) float32 Lab images (``inference.masks.to_lab``)
and (H, W) bool masks. The rules follow models.md 1.4 (eyes and mouth from the animeface boxes,
brows = dark strokes just above the eye boxes); lengths are in face widths (FW) as in rigging.md 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from inference.landmarks.geometry import Box, arc, sample_polyline
from inference.masks import components_touching, morph
from inference.types import EyeLandmarks


@dataclass(slots=True)
class SkinModel:
    """Median Lab colour of the cheeks and the ΔE under which a pixel counts as skin."""

    lab: np.ndarray
    tol: float

    def mask(self, lab: np.ndarray) -> np.ndarray:
        return np.linalg.norm(lab - self.lab, axis=-1) < self.tol


def skin_model(lab: np.ndarray, fg: np.ndarray, patches: list[Box], fallback_lab: np.ndarray) -> SkinModel:
    """Skin colour from cheek ``patches`` (x, y, w, h) inside ``fg``; ``fallback_lab`` if they are empty.

    The tolerance is 3 × the median deviation of the samples, clipped to ΔE [9, 22].
    """
    h, w = fg.shape
    samples = []
    for x, y, bw, bh in patches:
        x0, y0 = max(0, int(x)), max(0, int(y))
        x1, y1 = min(w, int(x + bw) + 1), min(h, int(y + bh) + 1)
        if x1 > x0 and y1 > y0:
            sub, m = lab[y0:y1, x0:x1], fg[y0:y1, x0:x1]
            samples.append(sub[m])
    pix = np.concatenate(samples, 0) if samples else np.zeros((0, 3), np.float32)
    if len(pix) < 10:
        return SkinModel(np.asarray(fallback_lab, np.float32), 14.0)
    med = np.median(pix, 0)
    # the brightest half of the cheek is the base skin (blush and shading are darker / redder)
    bright = pix[pix[:, 0] >= np.median(pix[:, 0])]
    med = np.median(bright, 0)
    dev = float(np.median(np.linalg.norm(pix - med, axis=-1)))
    return SkinModel(med.astype(np.float32), float(np.clip(3.0 * dev, 9.0, 22.0)))


def _crop(box: Box, shape: tuple[int, int], grow: float) -> tuple[int, int, int, int]:
    x, y, bw, bh = box
    h, w = shape
    gx, gy = bw * grow, bh * grow
    return (
        max(0, int(x - gx)),
        max(0, int(y - gy)),
        min(w, int(x + bw + gx) + 1),
        min(h, int(y + bh + gy) + 1),
    )


def eye_mask(lab: np.ndarray, fg: np.ndarray, skin: np.ndarray, box: Box) -> np.ndarray:
    """(H, W) bool: the non-skin blob of the eye (lashes, white, iris) around the animeface eye box."""
    h, w = fg.shape
    x, y, bw, bh = box
    x0, x1 = max(0, int(x - 0.15 * bw)), min(w, int(x + 1.15 * bw) + 1)
    y0, y1 = max(0, int(y - 0.05 * bh)), min(h, int(y + 1.1 * bh) + 1)
    m = np.zeros((h, w), bool)
    m[y0:y1, x0:x1] = fg[y0:y1, x0:x1] & ~skin[y0:y1, x0:x1]
    # anime eyes are roughly elliptical in their box: the corners of the window are hair or skin
    yy, xx = np.ogrid[0:h, 0:w]
    m &= ((xx - (x + bw / 2)) / (0.62 * bw)) ** 2 + ((yy - (y + 0.52 * bh)) / (0.6 * bh)) ** 2 <= 1.0
    core = np.zeros((h, w), bool)
    core[int(y + 0.3 * bh) : int(y + 0.7 * bh) + 1, int(x + 0.3 * bw) : int(x + 0.7 * bw) + 1] = True
    m = morph(m, "close", 1)
    blob = components_touching(m, core)
    return blob if blob.sum() >= 0.15 * bw * bh else np.zeros((h, w), bool)


def eye_landmarks(lab: np.ndarray, blob: np.ndarray, box: Box) -> EyeLandmarks:
    """Centre, box, lids and iris of one eye from its blob (falls back to the animeface box)."""
    x, y, bw, bh = box
    ys, xs = np.nonzero(blob)
    if len(xs) < 8:
        cx, cy = x + bw / 2, y + bh / 2
        up = arc((cx, y + 0.25 * bh), bw, 0.15 * bh)
        lo = arc((cx, y + 0.85 * bh), bw * 0.8, -0.1 * bh)
        return EyeLandmarks((cx, cy), box, (cx, cy + 0.1 * bh), 0.3 * bh, up, lo)
    bx0, bx1, by0, by1 = xs.min(), xs.max(), ys.min(), ys.max()
    cols = np.arange(bx0, bx1 + 1)
    top = np.array([ys[xs == c].min() if (xs == c).any() else np.nan for c in cols])
    bot = np.array([ys[xs == c].max() if (xs == c).any() else np.nan for c in cols])
    ok = ~np.isnan(top)
    up = sample_polyline(np.stack([cols[ok], top[ok]], 1))
    lo = sample_polyline(np.stack([cols[ok], bot[ok]], 1))
    ebox = (float(bx0), float(by0), float(bx1 - bx0 + 1), float(by1 - by0 + 1))
    center = (float(bx0 + bx1) / 2, float(by0 + by1) / 2)
    ic, ir = _iris(lab, blob, ebox, top, cols)
    return EyeLandmarks(center, ebox, ic, ir, up, lo)


def _iris(lab: np.ndarray, blob: np.ndarray, ebox: Box, top: np.ndarray, cols: np.ndarray):
    """Iris centre and radius: the non-white part of the blob below the lash band."""
    x, y, bw, bh = ebox
    L = lab[..., 0]
    inside = L[blob]
    white_l = float(np.percentile(inside, 95))
    cand = blob & (L < min(white_l - 12.0, 88.0))
    lash = max(1.0, 0.22 * bh)
    h, w = blob.shape
    for c, t in zip(cols, top, strict=True):
        if not np.isnan(t):
            cand[int(t) : min(h, int(t + lash)), c] = False
    ys, xs = np.nonzero(cand)
    if len(xs) < 6:
        return (x + bw / 2, y + 0.55 * bh), float(0.35 * min(bw, bh))
    # the column profile peaks on the iris; take the mass within one radius of the best column
    prof = np.bincount(xs - xs.min())
    k = max(1, int(0.35 * bh))
    sm = np.convolve(prof, np.ones(2 * k + 1), "same")
    px = xs.min() + int(np.argmax(sm))
    sel = np.abs(xs - px) <= max(k, int(0.3 * bw))
    ix, iy = float(xs[sel].mean()), float(ys[sel].mean())
    r = float(np.clip(0.5 * (xs[sel].max() - xs[sel].min() + 1), 0.2 * bh, 0.6 * bh))
    return (ix, iy), r


def brow_line(
    lab: np.ndarray, fg: np.ndarray, skin: np.ndarray, eye: EyeLandmarks, fw: float, dark_l: float
) -> tuple[np.ndarray, bool]:
    """Brow centre line (7, 2) above ``eye`` and whether it was seen (else a model arc).

    Candidates are dark (L < ``dark_l``) non-skin pixels in a band from 0.32 FW above the eye centre
    down to the eye's top; per column the lowest candidate run with skin between it and the eye.
    """
    x, y, bw, bh = eye.box
    h, w = fg.shape
    y0, y1 = max(0, int(eye.center[1] - 0.34 * fw)), max(0, int(y) - 1)
    x0, x1 = max(0, int(x - 0.1 * bw)), min(w, int(x + 1.1 * bw))
    default = arc((eye.center[0], eye.center[1] - 0.19 * fw), 1.1 * bw, 0.04 * fw)
    if y1 - y0 < 3 or x1 - x0 < 3:
        return default, False
    dark = fg[y0:y1, x0:x1] & ~skin[y0:y1, x0:x1] & (lab[y0:y1, x0:x1, 0] < dark_l)
    sk = skin[y0:y1, x0:x1]
    pts = []
    for j in range(x1 - x0):
        col_d, col_s = dark[:, j], sk[:, j]
        ys = np.nonzero(col_d)[0]
        if len(ys) == 0:
            continue
        below = ys.max()
        if not col_s[below:].any():
            continue  # no skin between this stroke and the eye: hair or lashes, not a brow
        run = ys[ys >= below - max(2, int(0.06 * fw))]
        pts.append((x0 + j, y0 + float(run.mean())))
    if len(pts) < 0.35 * bw:
        return default, False
    p = np.array(pts)
    deg = 2 if len(p) > 8 else 1
    coef = np.polyfit(p[:, 0], p[:, 1], deg)
    xs = np.linspace(p[:, 0].min(), p[:, 0].max(), 7)
    return np.stack([xs, np.polyval(coef, xs)], 1).astype(np.float32), True


def mouth_shape(lab: np.ndarray, fg: np.ndarray, skin: np.ndarray, box: Box):
    """Mouth (centre, corners screen-left first, box) from the non-skin blob in the animeface box."""
    h, w = fg.shape
    x, y, bw, bh = box
    x0, y0, x1, y1 = _crop(box, (h, w), 0.25)
    m = np.zeros((h, w), bool)
    m[y0:y1, x0:x1] = fg[y0:y1, x0:x1] & ~skin[y0:y1, x0:x1]
    core = np.zeros((h, w), bool)
    core[int(y + 0.2 * bh) : int(y + 0.8 * bh) + 1, int(x + 0.25 * bw) : int(x + 0.75 * bw) + 1] = True
    blob = components_touching(morph(m, "close", 1), core)
    ys, xs = np.nonzero(blob)
    if len(xs) < 4 or xs.max() - xs.min() < 0.2 * bw:
        cy = y + bh / 2
        return (x + bw / 2, cy), ((x, cy), (x + bw, cy)), box
    lx, rx = xs.min(), xs.max()
    left = (float(lx), float(ys[xs == lx].mean()))
    right = (float(rx), float(ys[xs == rx].mean()))
    mbox = (float(lx), float(ys.min()), float(rx - lx + 1), float(ys.max() - ys.min() + 1))
    center = (mbox[0] + mbox[2] / 2, mbox[1] + mbox[3] / 2)
    return center, (left, right), mbox

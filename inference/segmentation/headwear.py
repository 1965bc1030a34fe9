"""Hats, headbands and earrings for the part segmenter (issue 14: accessories become their own parts).

Working frame, (H, W) bool masks, lengths in face widths (FW); drawings only (the caller skips
photographs, whose shading and ears pass the colour tests). The hair colours of reference are those
of the hair beside and below the face, from the brows down, where a hat never reaches
(:func:`hair_reference`); the hair ring the colour classes sample above the face may be the hat itself.

- **Hat** (or headband, cap, hood brim): hair- or clothes-labelled pixels above the eyes, off every
  reference hair colour (ΔE > ``HAT_DE`` with a hue/chroma difference > ``HAT_AB``, or ΔE >
  ``HAT_DE_DARK`` for a black or white hat on coloured hair), not a lighter or darker shade of a
  hair colour (hue within ``SHADE_HUE_DEG``: the crown's sheen), solid (an opening of 0.02 FW), in
  components at least ``HAT_MIN_WIDTH_FW`` wide that **cross the head top** (they hold pixels on the
  columns within 0.1 FW of the head's midline) and sit on the head (centre within ``HAT_REACH_FW`` of the
  face centre, bottom no higher than 0.6 FW above the face box). The mask grows ``GROW_FW`` into the hat's
  outline and paler parts (pixels half as far from the hair colours).
- **Earrings**: small solid blobs beside the jaw, below the ears, outside the face outline, off the
  skin and the hair colours and distinct from their surroundings (ΔE > ``EARRING_DE`` to the local
  median colour): area (``EARRING_AREA_FW``)² and at least ``EARRING_MIN_PX``, at most ``EARRING_SIZE_FW`` across, filling at least
  ``EARRING_FILL`` of their box, down to ``EARRING_BELOW_CHIN_FW`` under the chin, neither on nor
  ringed by clothes.
"""

from __future__ import annotations

import numpy as np

from inference.masks import morph, nearest_distance
from inference.types import FaceLandmarks

HAT_DE = 20.0
HAT_AB = 8.0
HAT_DE_DARK = 60.0
HAT_MIN_WIDTH_FW = 0.6
HAT_MIN_AREA_FW2 = 0.03
HAT_REACH_FW = (1.0, 1.4)
"""Semi-axes (x, y) in FW of the ellipse about the face centre that a hat's centre lies in."""
GROW_FW = 0.3
SHADE_HUE_DEG = 30.0
SHADE_GREY = 5.0
"""Chroma (a*b*) under which a colour is grey and has no hue to compare."""
REFERENCE_BELOW_CHIN_FW = 0.6
"""The hair of reference runs from the brows to this far below the chin (its shading and highlights)."""
EARRING_DE = 30.0
EARRING_HAIR_DE = 25.0
EARRING_AREA_FW = (0.05, 0.12)
EARRING_MIN_PX = 16
"""Smallest earring (px, working frame): a speck of background between strands is not one."""
EARRING_SIZE_FW = 0.18
EARRING_FILL = 0.5
EARRING_BELOW_CHIN_FW = 0.2
"""How far below the chin an earring's pixels may hang."""
EARRING_CLOTHES_MAX = 0.3


def _kmeans(pix: np.ndarray, k: int = 3, least: float = 0.1) -> np.ndarray:
    """(k', 3) float32 Lab centroids of (N, 3) samples (deterministic; clusters under ``least`` dropped)."""
    import cv2

    if len(pix) < 20:
        return np.zeros((0, 3), np.float32)
    if len(pix) > 20000:
        pix = pix[:: len(pix) // 20000 + 1]
    k = max(1, min(k, len(pix) // 20))
    cv2.setRNGSeed(0)
    crit = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 0.5)
    _, lab, cen = cv2.kmeans(np.ascontiguousarray(pix, np.float32), k, None, crit, 2, cv2.KMEANS_PP_CENTERS)
    counts = np.bincount(lab.ravel(), minlength=k)
    keep = counts >= least * len(pix)
    keep[np.argmax(counts)] = True
    return cen[keep].astype(np.float32)


def hair_reference(lab: np.ndarray, hair: np.ndarray, skin: np.ndarray, f: FaceLandmarks) -> np.ndarray:
    """(k, 3) Lab colours of the hair from the brows to ``REFERENCE_BELOW_CHIN_FW`` under the chin
    (fringe tips, side hair and its shading); empty when there is none there."""
    brow_y = min(float(f.brow_l[:, 1].min()), float(f.brow_r[:, 1].min())) if len(f.brow_l) and len(f.brow_r) \
        else 0.5 * (f.eye_l.center[1] + f.eye_r.center[1]) - 0.2 * f.face_width_px
    band = np.zeros(hair.shape, bool)
    band[int(max(0, brow_y - 0.05 * f.face_width_px)) : int(max(0, f.chin[1] + REFERENCE_BELOW_CHIN_FW * f.face_width_px))] = True
    return _kmeans(lab[band & hair & ~skin], 5, 0.05)


def _highlight(lab: np.ndarray, hair_ref: np.ndarray) -> np.ndarray:
    """(H, W) bool: pixels that are a lighter or darker shade of a hair colour (hue within
    ``SHADE_HUE_DEG`` of it, or both nearly grey): the crown's sheen and shadows, not a hat."""
    hue = np.degrees(np.arctan2(lab[..., 2], lab[..., 1]))
    chroma = np.hypot(lab[..., 1], lab[..., 2])
    out = np.zeros(lab.shape[:2], bool)
    for c in hair_ref:
        c_hue, c_chroma = np.degrees(np.arctan2(c[2], c[1])), float(np.hypot(c[1], c[2]))
        dh = np.abs((hue - c_hue + 180.0) % 360.0 - 180.0)
        out |= ((dh < SHADE_HUE_DEG) & (chroma > SHADE_GREY)) | ((chroma <= SHADE_GREY) & (c_chroma <= SHADE_GREY))
    return out


def hat_mask(lab: np.ndarray, region: np.ndarray, skin: np.ndarray, hair_ref: np.ndarray, f: FaceLandmarks) -> np.ndarray:
    """The hat or headband, or an all-False mask.

    Parameters
    ----------
    lab : (H, W, 3) float32 CIE Lab, working frame
    region : (H, W) bool, pixels a hat may take (hair and clothes labels in the foreground)
    skin : (H, W) bool, skin-like pixels
    hair_ref : (k, 3) float32 Lab hair colours (:func:`hair_reference`); no hat without them
    f : FaceLandmarks, working-frame px
    """
    import cv2

    out = np.zeros(region.shape, bool)
    fw = f.face_width_px
    if len(hair_ref) == 0 or fw < 16:
        return out
    x, y, bw, bh = f.face_box
    cx, cy = x + bw / 2, y + bh / 2
    eye_y = 0.5 * (f.eye_l.center[1] + f.eye_r.center[1])
    cut, top = int(max(0, eye_y - 0.1 * fw)), int(max(0, eye_y))  # a hat lies above; it grows to the eyes
    d, d_ab = nearest_distance(lab[:top], hair_ref), nearest_distance(lab[:top], hair_ref, slice(1, 3))
    cand = np.zeros(region.shape, bool)
    cand[:cut] = (region[:cut] & ~skin[:cut] & (((d[:cut] > HAT_DE) & (d_ab[:cut] > HAT_AB)) | (d[:cut] > HAT_DE_DARK))
                  & ~_highlight(lab[:cut], hair_ref))
    cand = morph(cand, "open", max(1.0, 0.02 * fw))
    n, comp, stats, cents = cv2.connectedComponentsWithStats(cand.astype(np.uint8), connectivity=8)
    mid = np.zeros(region.shape[1], bool)
    mid[int(max(0, cx - 0.1 * fw)) : int(cx + 0.1 * fw) + 1] = True
    for i in range(1, n):
        sx, sy, sw, sh, area = stats[i]
        if sw < HAT_MIN_WIDTH_FW * fw or area < HAT_MIN_AREA_FW2 * fw * fw or sy + sh < y - 0.6 * fw:
            continue
        rx, ry = (cents[i] - (cx, cy)) / (np.asarray(HAT_REACH_FW) * fw)
        if rx * rx + ry * ry > 1.0:
            continue
        if (comp[sy : sy + sh, :][:, mid] == i).any():
            out |= comp == i
    if not out.any():
        return out
    loose = np.zeros(region.shape, bool)
    loose[:top] = region[:top] & ~skin[:top] & (d > 0.5 * HAT_DE)
    for _ in range(max(2, round(GROW_FW * fw))):
        nxt = morph(out, "dilate", 1) & loose
        if not (nxt & ~out).any():
            break
        out |= nxt
    return out


def earring_mask(
    lab: np.ndarray, fg: np.ndarray, face_poly: np.ndarray, skin: np.ndarray, hair_ref: np.ndarray, f: FaceLandmarks,
    clothes: np.ndarray | None = None,
) -> np.ndarray:
    """Earrings beside the jaw, or an all-False mask (arguments as :func:`hat_mask`; ``face_poly``
    the filled face outline, ``fg`` the foreground; ``clothes`` the body labels: a blob on them or
    ringed by them for more than ``EARRING_CLOTHES_MAX`` is a collar's button or fold)."""
    import cv2

    out = np.zeros(fg.shape, bool)
    fw = f.face_width_px
    if fw < 24:
        return out
    x, y, bw, bh = f.face_box
    cx = x + bw / 2
    h, w = fg.shape
    zone = np.zeros((h, w), bool)
    y0, y1 = int(max(0, f.mouth_center[1] - 0.15 * fw)), int(min(h, f.chin[1] + EARRING_BELOW_CHIN_FW * fw))
    xx = np.abs(np.arange(w) - cx)
    zone[y0:y1, (xx > 0.3 * fw) & (xx < 0.85 * fw)] = True
    zone &= fg & ~morph(face_poly, "dilate", max(1.0, 0.01 * fw)) & ~skin
    if not zone.any():
        return out
    k = max(3, int(0.12 * fw) | 1)
    # the medians and distances on the zone's box grown by the filter radius (the same values there)
    ys, xs = np.nonzero(zone.any(1))[0], np.nonzero(zone.any(0))[0]
    by0, by1 = max(0, int(ys[0]) - k // 2), min(h, int(ys[-1]) + 1 + k // 2)
    bx0, bx1 = max(0, int(xs[0]) - k // 2), min(w, int(xs[-1]) + 1 + k // 2)
    sub = lab[by0:by1, bx0:bx1]
    med = np.stack([cv2.medianBlur(np.clip(sub[..., c] + 128.0 * (c > 0), 0, 255).astype(np.uint8), k)
                    for c in range(3)], -1).astype(np.float32)
    med[..., 1:] -= 128.0
    keep = np.zeros((h, w), bool)
    keep[by0:by1, bx0:bx1] = (np.linalg.norm(sub - med, axis=-1) > EARRING_DE) \
        & (nearest_distance(sub, hair_ref) > EARRING_HAIR_DE)
    cand = morph(zone & keep, "open", max(1.0, 0.01 * fw))
    n, comp, stats, _ = cv2.connectedComponentsWithStats(cand.astype(np.uint8), connectivity=8)
    lo, hi = max(EARRING_MIN_PX, (EARRING_AREA_FW[0] * fw) ** 2), (EARRING_AREA_FW[1] * fw) ** 2
    for i in range(1, n):
        sx, sy, sw, sh, area = stats[i]
        if not (lo <= area <= hi and max(sw, sh) <= EARRING_SIZE_FW * fw and area >= EARRING_FILL * sw * sh):
            continue
        blob = comp == i
        if clothes is not None:
            ring = morph(blob, "dilate", max(2.0, 0.03 * fw)) & ~blob & fg
            if clothes[blob].mean() > EARRING_CLOTHES_MAX or (ring.any() and clothes[ring].mean() > EARRING_CLOTHES_MAX):
                continue
        out |= blob
    return morph(out, "dilate", 1) & fg & ~face_poly if out.any() else out

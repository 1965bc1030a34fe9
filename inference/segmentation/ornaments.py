"""Hair ornaments for the part segmenter: solid blobs of a colour the hair does not have, sitting in it.

Working frame, (H, W) bool masks, lengths in face widths (FW). An ornament (clip, ribbon, bow, pin,
a band across the crown) is a connected component of hair-labelled pixels above the mouth that

- is far from every hair colour (ΔE > ``ORNAMENT_DE`` to the nearest hair centroid, and a hue/chroma
  distance, on a*b* alone, > ``ORNAMENT_AB``: highlights and shadows of the hair differ in lightness
  only) and is not skin;
- is solid (it survives an opening of 0.015 FW: strand line art does not) and between
  ``MIN_AREA_FW2`` and ``MAX_AREA_FW2`` in area;
- grows by up to ``GROW_FW`` into neighbouring pixels half as far from the hair colours (its paler
  parts and anti-aliased rim);
- sits in the character, on the head: most of the ring around it is foreground and its centre is
  within ``HEAD_REACH_FW`` of the face centre (bits of busy background that the matte let in touch
  the outside or lie far off). Photographs are not searched (ears and shading pass the colour test).
"""

from __future__ import annotations

import numpy as np

from inference.masks import morph, nearest_distance

ORNAMENT_DE = 30.0
ORNAMENT_AB = 20.0
MIN_AREA_FW2 = 0.05**2
MAX_AREA_FW2 = 0.15
HEAD_REACH_FW = (1.0, 1.1)
"""Semi-axes (x, y) in FW of the ellipse about the face centre that ornament centres lie in."""
RING_FG_MIN = 0.85
GROW_FW = 0.05
"""How far (FW) an ornament grows into neighbouring pixels that are off the hair colours too."""


def ornament_mask(
    lab: np.ndarray, hair: np.ndarray, fg: np.ndarray, hair_lab: np.ndarray, skin: np.ndarray,
    fw: float, below_y: float, centre: tuple[float, float],
) -> np.ndarray:
    """Ornaments in the hair, or an all-False mask.

    Parameters
    ----------
    lab : (H, W, 3) float32 CIE Lab, working frame
    hair : (H, W) bool, the hair labels (front and back)
    fg : (H, W) bool, the foreground
    hair_lab : (k, 3) float32, the hair colour centroids (k may be 0: no ornaments then)
    skin : (H, W) bool, skin-like pixels (skin, its shading and blush)
    fw : float, face width (px)
    below_y : float, rows at or below this (the mouth) are not searched
    centre : (x, y), the face centre; ornaments lie within ``HEAD_REACH_FW`` of it

    Returns
    -------
    (H, W) bool
    """
    import cv2

    out = np.zeros(hair.shape, bool)
    if len(hair_lab) == 0 or fw < 16:
        return out
    d, d_ab = nearest_distance(lab, hair_lab), nearest_distance(lab, hair_lab, slice(1, 3))
    cand = hair & ~skin & (d > ORNAMENT_DE) & (d_ab > ORNAMENT_AB)
    cand[int(max(0, below_y)) :] = False
    cand = morph(cand, "open", max(1.0, 0.015 * fw))
    n, comp, stats, cents = cv2.connectedComponentsWithStats(cand.astype(np.uint8), connectivity=8)
    lo, hi = MIN_AREA_FW2 * fw * fw, MAX_AREA_FW2 * fw * fw
    for i in range(1, n):
        if not lo <= stats[i, cv2.CC_STAT_AREA] <= hi:
            continue
        rx, ry = (cents[i] - np.asarray(centre)) / (np.asarray(HEAD_REACH_FW) * fw)
        if rx * rx + ry * ry > 1.0:  # background let in by the matte, far from the head
            continue
        x, y, w, h = stats[i, :4]
        pad = 3
        sub = comp[max(0, y - pad) : y + h + pad, max(0, x - pad) : x + w + pad] == i
        ring = morph(sub, "dilate", 2) & ~sub
        sub_fg = fg[max(0, y - pad) : y + h + pad, max(0, x - pad) : x + w + pad]
        if ring.any() and sub_fg[ring].mean() >= RING_FG_MIN:
            out |= comp == i
    loose = hair & (d > 0.5 * ORNAMENT_DE)  # white highlights are skin-like but still the ornament
    for _ in range(max(2, round(GROW_FW * fw))):  # the ornament's paler parts and its rim
        nxt = morph(out, "dilate", 1) & loose
        if not (nxt & ~out).any():
            break
        out |= nxt
    return out


def on_back_hair(ornaments: np.ndarray, labels: np.ndarray, fw: float) -> np.ndarray:
    """(H, W) bool: the ornament pixels of the ornaments that lie mostly on back-hair labels (they
    then ride the back hair; the others ride the front hair). Pieces closer than 0.06 FW are one
    ornament, so a clip is never torn in two. ``labels`` are the part labels before the ornaments
    are painted."""
    import cv2

    from inference.types import PartLabel

    groups = morph(ornaments, "dilate", max(1.0, 0.03 * fw))
    n, comp = cv2.connectedComponents(groups.astype(np.uint8), connectivity=8)
    out = np.zeros(ornaments.shape, bool)
    for i in range(1, n):
        m = (comp == i) & ornaments
        if (labels[m] == PartLabel.BACK_HAIR).mean() > 0.5:
            out |= m
    return out

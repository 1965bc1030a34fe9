"""Small mask and colour helpers shared by the foreground, landmark and part stages.

All masks are (H, W) bool in the working frame (pixels, origin top-left, +y down); colours are CIE
L*a*b* float32 as OpenCV computes them for float RGB in [0, 1] (L in [0, 100]).
"""

from __future__ import annotations

import numpy as np


def to_lab(rgb: np.ndarray) -> np.ndarray:
    """(..., 3) uint8 RGB → same-shaped float32 CIE Lab (cv2, D65)."""
    import cv2

    a = np.ascontiguousarray(rgb[..., :3], dtype=np.float32).reshape(-1, 1, 3) / 255.0
    return cv2.cvtColor(a, cv2.COLOR_RGB2Lab).reshape(rgb.shape[:-1] + (3,))


def nearest_distance(lab: np.ndarray, centres: np.ndarray, channels: slice = slice(0, 3)) -> np.ndarray:
    """(H, W) Euclidean distance of each pixel of the (H, W, C) ``lab`` to the nearest of the (k, C)
    ``centres``, over ``channels``; +inf (float32) when there are no centres.

    Equals ``np.linalg.norm(lab[..., None, ch] - centres[:, ch], axis=-1).min(-1)`` to the bit (same
    dtype, same summation order; the square root is taken once, of the smallest squared distance,
    which is exact as the rounded square root is monotonic) without its (H, W, k, C) temporaries."""
    if len(centres) == 0:
        return np.full(lab.shape[:-1], np.inf, np.float32)
    planes = [np.ascontiguousarray(lab[..., c]) for c in range(lab.shape[-1])[channels]]
    best = None
    for centre in np.asarray(centres)[:, channels]:
        sq = None
        for plane, v in zip(planes, centre, strict=True):
            t = plane - v
            t *= t
            sq = t if sq is None else np.add(sq, t, out=sq)
        best = sq if best is None else np.minimum(best, sq, out=best)
    return np.sqrt(best, out=best)


def remove_small(mask: np.ndarray, min_area: int) -> np.ndarray:
    """``mask`` without its connected components (8-connectivity) smaller than ``min_area`` px."""
    import cv2

    n, lab, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if n <= 1:
        return mask.astype(bool)
    keep = stats[:, cv2.CC_STAT_AREA] >= min_area
    keep[0] = False
    return keep[lab]


def fill_holes(mask: np.ndarray, max_area: int | None = None) -> np.ndarray:
    """``mask`` with its holes (background components not touching the border) filled; with
    ``max_area``, only holes smaller than that."""
    import cv2

    inv = (~mask.astype(bool)).astype(np.uint8)
    n, lab, stats, _ = cv2.connectedComponentsWithStats(inv, connectivity=4)
    h, w = mask.shape
    x, y, bw, bh, area = (stats[:, i] for i in range(5))
    touches = (x == 0) | (y == 0) | (x + bw >= w) | (y + bh >= h)
    hole = ~touches
    if max_area is not None:
        hole &= area < max_area
    hole[0] = False
    return mask.astype(bool) | hole[lab]


def largest_component(mask: np.ndarray) -> np.ndarray:
    """The largest 8-connected component of ``mask`` (empty stays empty)."""
    import cv2

    n, lab, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if n <= 1:
        return np.zeros(mask.shape, bool)
    return lab == 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))


def components_touching(mask: np.ndarray, seed: np.ndarray) -> np.ndarray:
    """Union of the 8-connected components of ``mask`` that share a pixel with ``seed``."""
    import cv2

    n, lab, _, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    hit = np.unique(lab[seed & mask])
    hit = hit[hit > 0]
    return np.isin(lab, hit)


def disk(radius: float) -> np.ndarray:
    """Elliptic structuring element of diameter ~2 * radius + 1 (uint8, for cv2 morphology)."""
    import cv2

    r = max(1, round(radius))
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))


def morph(mask: np.ndarray, op: str, radius: float) -> np.ndarray:
    """Binary ``op`` in {"open", "close", "dilate", "erode"} with a disk of ``radius`` px."""
    import cv2

    ops = {
        "open": cv2.MORPH_OPEN,
        "close": cv2.MORPH_CLOSE,
        "dilate": cv2.MORPH_DILATE,
        "erode": cv2.MORPH_ERODE,
    }
    return cv2.morphologyEx(mask.astype(np.uint8), ops[op], disk(radius)).astype(bool)


def fill_polygon(shape: tuple[int, int], poly: np.ndarray) -> np.ndarray:
    """(H, W) bool mask of the filled polygon ``poly`` (K, 2) float px (pixel centres at integers)."""
    import cv2

    m = np.zeros(shape, np.uint8)
    pts = np.round(np.asarray(poly, np.float64) * 16).astype(np.int32)
    cv2.fillPoly(m, [pts], 1, lineType=cv2.LINE_8, shift=4)
    return m.astype(bool)


def nearest_fill(labels: np.ndarray, unknown: np.ndarray) -> np.ndarray:
    """Copy of ``labels`` where each ``unknown`` pixel takes the value of its nearest known pixel
    (Euclidean; ties broken by scipy's scan order, deterministic)."""
    from scipy import ndimage

    if not unknown.any() or unknown.all():
        return labels.copy()
    _, (iy, ix) = ndimage.distance_transform_edt(unknown, return_distances=True, return_indices=True)
    return labels[iy, ix]


def upsample_labels(labels: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Nearest-neighbour resize of a label map to ``size`` = (W, H)."""
    import cv2

    if labels.shape[::-1] == tuple(size):
        return labels.copy()
    return cv2.resize(labels, size, interpolation=cv2.INTER_NEAREST)


def resize_mask(alpha: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Bilinear resize of a float mask to ``size`` = (W, H)."""
    import cv2

    if alpha.shape[::-1] == tuple(size):
        return alpha.astype(np.float32, copy=True)
    return cv2.resize(alpha.astype(np.float32), size, interpolation=cv2.INTER_LINEAR)


def iou(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over union of two bool masks (1.0 when both are empty)."""
    u = np.logical_or(a, b).sum()
    return 1.0 if u == 0 else float(np.logical_and(a, b).sum() / u)


def snap_to_strands(inside: np.ndarray, region: np.ndarray, rgb: np.ndarray, band_px: float) -> np.ndarray:
    """``inside`` with its edge within ``region`` moved onto the image's edges (a watershed).

    Parameters
    ----------
    inside : (H, W) bool
        The mask whose edge is geometric (an ellipse, a row), e.g. the front hair.
    region : (H, W) bool
        Where the edge may move (e.g. the hair outside the face); pixels outside keep their value.
    rgb : (H, W, 3) uint8
        The image whose colour steps the watershed follows (``cv2.watershed``, Meyer's flooding).
    band_px : float
        Half-width of the band around the edge, px: pixels of ``region`` nearer the edge than this are
        relabelled by flooding from both sides, so the edge settles on the strongest colour steps
        (the dark lines between hair strands) instead of crossing the strands.

    Returns
    -------
    (H, W) bool
    """
    import cv2

    r = int(round(band_px))
    if r < 1 or not (inside & region).any() or not (region & ~inside).any():
        return inside
    a = (inside & region).astype(np.uint8)
    b = (region & ~inside).astype(np.uint8)
    band = region & (cv2.dilate(a, disk(r)) > 0) & (cv2.dilate(b, disk(r)) > 0)
    ys, xs = np.nonzero(band)
    if len(ys) == 0:
        return inside
    h, w = inside.shape
    y0, y1, x0, x1 = max(0, ys.min() - 2), min(h, ys.max() + 3), max(0, xs.min() - 2), min(w, xs.max() + 3)
    crop = band[y0:y1, x0:x1]
    markers = np.full(crop.shape, 3, np.int32)  # outside the region: a wall
    markers[(inside & region)[y0:y1, x0:x1] & ~crop] = 1
    markers[(region & ~inside)[y0:y1, x0:x1] & ~crop] = 2
    markers[crop] = 0
    # watershed takes the outermost pixels as its border: pad by one so the crop's own edge is flooded too
    padded = np.pad(markers, 1, constant_values=3)
    cv2.watershed(np.pad(np.ascontiguousarray(rgb[y0:y1, x0:x1, :3], dtype=np.uint8), ((1, 1), (1, 1), (0, 0)), mode="edge"), padded)
    got = padded[1:-1, 1:-1][crop]
    out = inside.copy()
    # the dividing line (-1) and pixels the wall flooded keep their geometric side
    out[y0:y1, x0:x1][crop] = np.where(got == 1, True, np.where(got == 2, False, inside[y0:y1, x0:x1][crop]))
    return out

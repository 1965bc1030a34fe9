"""Completion of hidden regions of a layer (design.md "Generation", stage 5; models.md 1.5).

A layer's *completed* pixels are the ones another part hides in the input: skin under the bangs,
hair behind the face, eye white under the iris. They are painted so that moving a part uncovers
plausible art instead of a hole. Geometry helpers (hulls, zones) and the fill: OpenCV TELEA (the
embedded default of models.md 1.5) on a downscaled crop, blended toward the part's median colour with
the distance from the visible art, hiding TELEA's streaks in large holes (``Fill.local``: toward the
mean colour of the visible art around each pixel, the body under the jaw continues the collar).

All masks are (H, W) bool in the canvas frame; colours are uint8 RGB.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Box = tuple[int, int, int, int]
"""(x0, y0, x1, y1) canvas px, end exclusive."""


@dataclass(slots=True)
class Fill:
    """How to paint one completed region.

    Attributes
    ----------
    max_side_px : int
        The crop is downscaled so that its longer side is at most this before inpainting.
    flat_dist_px : float
        Distance from the visible art over which the fill fades from the inpainted colour to the
        part's median colour (0 = pure inpainting).
    shade : float
        Luminance factor far from the visible art, in the colour's hue (1 = none; < 1: hair behind the head is in shadow).
    erode_px : int
        The visible art is eroded by this before it is used as the source, so outlines and
        anti-aliased edges of the neighbours do not bleed into the fill.
    method : str
        ``"telea"`` (smooth continuation, for skin and eye whites) or ``"patch"`` (exemplar
        completion, ``inference.layers.patchfill``: hair strands and cloth continue as texture near
        the visible art; the blend toward the median is quadratic in the distance then; TELEA where too little texture).
    """

    max_side_px: int = 128
    flat_dist_px: float = 0.0
    shade: float = 1.0
    erode_px: int = 2
    method: str = "telea"
    fade: bool = True
    """False: a patch fill keeps its texture everywhere, only ``shade`` applies (back hair; issue 14)."""
    local: bool = False
    """Far from the visible art, fade to the mean colour of the visible art *around* the pixel (Gaussian, sigma
    ``flat_dist_px``), not the part's median: a part of many colours continues the colours beside the hole."""


def mask_box(mask: np.ndarray, pad: int = 0) -> Box | None:
    """Bounding box of ``mask``'s True pixels grown by ``pad`` and clipped to the canvas, or None."""
    ys = np.flatnonzero(mask.any(axis=1))
    if ys.size == 0:
        return None
    xs = np.flatnonzero(mask.any(axis=0))
    h, w = mask.shape
    return (
        max(0, int(xs[0]) - pad),
        max(0, int(ys[0]) - pad),
        min(w, int(xs[-1]) + 1 + pad),
        min(h, int(ys[-1]) + 1 + pad),
    )


def hull_mask(mask: np.ndarray, extra_points: np.ndarray | None = None) -> np.ndarray:
    """(H, W) bool: the filled convex hull of ``mask``'s pixels (plus optional (P, 2) x, y points)."""
    import cv2

    pts = cv2.findNonZero(mask.astype(np.uint8))
    out = np.zeros(mask.shape, np.uint8)
    if pts is None and extra_points is None:
        return out.astype(bool)
    pts = np.zeros((0, 1, 2), np.int32) if pts is None else pts.astype(np.int32).reshape(-1, 1, 2)
    if extra_points is not None and len(extra_points):
        extra = np.round(np.asarray(extra_points, np.float64)).astype(np.int32).reshape(-1, 1, 2)
        pts = np.concatenate([pts, extra])
    if len(pts) < 3:
        out[pts[:, 0, 1].clip(0, mask.shape[0] - 1), pts[:, 0, 0].clip(0, mask.shape[1] - 1)] = 1
        return out.astype(bool)
    cv2.fillConvexPoly(out, cv2.convexHull(pts), 1)
    return out.astype(bool)


def polygon_mask(shape: tuple[int, int], polygon_px: np.ndarray) -> np.ndarray:
    """(H, W) bool: the filled polygon ``polygon_px`` (K, 2) float canvas px."""
    import cv2

    out = np.zeros(shape, np.uint8)
    if polygon_px is not None and len(polygon_px) >= 3:
        cv2.fillPoly(out, [np.round(np.asarray(polygon_px)).astype(np.int32)], 1)
    return out.astype(bool)


def ellipse_mask(
    shape: tuple[int, int], center: tuple[float, float], axes: tuple[float, float]
) -> np.ndarray:
    """(H, W) bool: the filled axis-aligned ellipse of semi-axes ``axes`` (px) about ``center``."""
    h, w = shape
    ax, ay = max(axes[0], 0.5), max(axes[1], 0.5)
    x0, x1 = max(0, int(center[0] - ax) - 1), min(w, int(center[0] + ax) + 2)
    y0, y1 = max(0, int(center[1] - ay) - 1), min(h, int(center[1] + ay) + 2)
    out = np.zeros(shape, bool)
    if x0 >= x1 or y0 >= y1:
        return out
    yy, xx = np.mgrid[y0:y1, x0:x1]
    out[y0:y1, x0:x1] = ((xx + 0.5 - center[0]) / ax) ** 2 + ((yy + 0.5 - center[1]) / ay) ** 2 <= 1.0
    return out


def dilate(mask: np.ndarray, radius_px: float) -> np.ndarray:
    """Dilate a bool mask with a disc of ``radius_px`` (no-op below 0.5 px)."""
    import cv2

    r = int(round(radius_px))
    if r < 1:
        return mask.copy()
    box = mask_box(mask, pad=r + 1)
    out = np.zeros_like(mask)
    if box is None:
        return out
    x0, y0, x1, y1 = box
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    out[y0:y1, x0:x1] = cv2.dilate(mask[y0:y1, x0:x1].astype(np.uint8), kernel) > 0
    return out


def neck_zone(neck: np.ndarray, chin_y: float, face_h: float) -> np.ndarray:
    """The neck continued up under the jaw: hull of the neck and its top width raised to the jaw
    (``chin_y`` - 0.25 ``face_h``, canvas px), so the chin can move without opening a gap. Above the
    neck's top the zone keeps to the top's columns: the neck's sides go straight up under the jaw
    instead of fanning out to its base's width, which a turning jaw would uncover over the hair."""
    box = mask_box(neck)
    if box is None:
        return neck
    y_top = box[1]
    band = neck[y_top : y_top + max(3, int(0.05 * face_h))]
    xs = np.flatnonzero(band.any(axis=0))
    y_jaw = min(y_top, chin_y - 0.25 * face_h)
    extra = np.array([[xs[0], y_jaw], [xs[-1], y_jaw]], np.float64)
    zone = hull_mask(neck, extra)
    zone[:y_top, : xs[0]] = False
    zone[:y_top, xs[-1] + 1 :] = False
    return zone


def neck_top(neck: np.ndarray, depth_px: float) -> np.ndarray:
    """(H, W) bool: the neck's pixels within ``depth_px`` below its top row (the skin under the jaw,
    in the chin's shadow), or the whole neck when that is under 16 px: what the neck under the jaw
    continues, rather than the paler throat, collar or chest further down."""
    box = mask_box(neck)
    if box is None:
        return neck
    top = neck.copy()
    top[box[1] + max(1, int(round(depth_px))) :] = False
    return top if top.sum() >= 16 else neck


def nearer(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(H, W) bool: pixels at least as near (Euclidean) to a True pixel of ``a`` as to one of ``b``."""
    import cv2

    if not a.any():
        return np.zeros(a.shape, bool)
    if not b.any():
        return np.ones(a.shape, bool)
    da = cv2.distanceTransform((~a).astype(np.uint8), cv2.DIST_L2, 3)
    db = cv2.distanceTransform((~b).astype(np.uint8), cv2.DIST_L2, 3)
    return da <= db


def reach_up(mask: np.ndarray, reach_px: float, below_y: int) -> np.ndarray:
    """(H, W) bool: ``mask`` continued straight up by ``reach_px`` from its rows above ``below_y``."""
    import cv2

    r = int(round(reach_px))
    if r < 1:
        return mask.copy()
    top = mask.copy()
    top[max(0, below_y):] = False
    kernel = np.zeros((2 * r + 1, 1), np.uint8)
    kernel[r:] = 1  # the anchor row and the r rows below it: a pixel turns on above set pixels
    return cv2.dilate(top.astype(np.uint8), kernel) > 0


def inner_band(mask: np.ndarray, width_px: float) -> np.ndarray:
    """(H, W) bool: pixels of ``mask`` within ``width_px`` (Euclidean) of its outside."""
    import cv2

    if width_px <= 0 or not mask.any():
        return np.zeros(mask.shape, bool)
    inside = np.pad(mask.astype(np.uint8), 1)  # the canvas border counts as outside
    return mask & (cv2.distanceTransform(inside, cv2.DIST_L2, 3)[1:-1, 1:-1] <= width_px)


def outer_rim(opaque: np.ndarray, width_px: float) -> np.ndarray:
    """(H, W) bool: opaque pixels within ``width_px`` (Euclidean) of a transparent one (the canvas
    border does not count: a figure cut by it has no rim there)."""
    import cv2

    if width_px <= 0:
        return np.zeros(opaque.shape, bool)
    inside = np.pad(opaque.astype(np.uint8), 1, constant_values=1)
    return opaque & (cv2.distanceTransform(inside, cv2.DIST_L2, 3)[1:-1, 1:-1] <= width_px)


def erode(mask: np.ndarray, radius_px: int) -> np.ndarray:
    """Erode a bool mask with a square of half-size ``radius_px``."""
    import cv2

    if radius_px < 1:
        return mask.copy()
    k = 2 * radius_px + 1
    return cv2.erode(mask.astype(np.uint8), np.ones((k, k), np.uint8)) > 0


def median_color(rgb: np.ndarray, mask: np.ndarray, default: tuple[int, int, int]) -> np.ndarray:
    """(3,) float32 median RGB of ``rgb`` (H, W, 3) uint8 under ``mask``, or ``default`` when empty."""
    if not mask.any():
        return np.array(default, np.float32)
    px = rgb[mask]
    if len(px) > 20000:
        px = px[:: len(px) // 20000 + 1]
    return np.median(px, axis=0).astype(np.float32)


def fill_region(
    rgb: np.ndarray,
    source: np.ndarray,
    target: np.ndarray,
    fill: Fill,
    default_color: tuple[int, int, int],
) -> np.ndarray:
    """Colours for the ``target`` pixels, continued from the ``source`` pixels.

    Parameters
    ----------
    rgb : (H, W, 3) uint8 ndarray
        The input image, canvas frame.
    source : (H, W) bool ndarray
        The part's visible art (what the fill continues).
    target : (H, W) bool ndarray
        Pixels to paint.
    fill : Fill
        Inpainting settings.
    default_color : (r, g, b)
        Colour used when the part has no visible pixel.

    Returns
    -------
    (T, 3) uint8 ndarray
        RGB of the target pixels in ``np.nonzero(target)`` order.

    Notes
    -----
    TELEA (``cv2.inpaint``) on a crop around the target downscaled to ``fill.max_side_px``, non-source
    pixels unknown (the neighbours' colours never leak in); then a blend toward the source's median over
    ``fill.flat_dist_px`` and a ``fill.shade`` darkening in its hue (:func:`shade_factor`) far from it.
    """
    import cv2

    box = mask_box(target)
    if box is None:
        return np.zeros((0, 3), np.uint8)
    src = erode(source, fill.erode_px)
    if src.sum() < 16:
        src = source
    median = median_color(rgb, src, default_color)
    x0, y0, x1, y1 = box
    m = int(0.3 * max(x1 - x0, y1 - y0)) + 8
    h, w = target.shape
    x0, y0, x1, y1 = max(0, x0 - m), max(0, y0 - m), min(w, x1 + m), min(h, y1 + m)
    crop_src = src[y0:y1, x0:x1]
    crop_tgt = target[y0:y1, x0:x1]
    if not crop_src.any():
        out = np.broadcast_to(median * shade_factor(median, fill.shade), (int(crop_tgt.sum()), 3))
        return np.clip(np.round(out), 0, 255).astype(np.uint8)
    from inference.layers.inpaint_learned import active

    learned = active()  # the learned completion backend (inference.backends), when the run chose it
    if learned is not None:
        return np.clip(np.round(learned.paint(rgb[y0:y1, x0:x1], crop_src)[crop_tgt]), 0, 255).astype(np.uint8)
    painted, textured = _inpaint_crop(rgb[y0:y1, x0:x1], crop_src, fill.max_side_px, fill.method == "patch")
    dist = cv2.distanceTransform((~crop_src).astype(np.uint8), cv2.DIST_L2, 3)[crop_tgt]
    colors = painted[crop_tgt]
    if fill.flat_dist_px > 0:
        t = np.clip(dist / fill.flat_dist_px, 0.0, 1.0)[:, None]
        # a textured fill keeps its texture near the visible art and fades to the median further in
        tt = (t * t if fill.fade else np.zeros_like(t)) if textured else t
        far = local_color(rgb[y0:y1, x0:x1], crop_src, fill.flat_dist_px)[crop_tgt] if fill.local else median[None, :]
        colors = colors * (1.0 - tt) + far * tt
        if fill.shade != 1.0:
            colors = colors * (1.0 - t * (1.0 - shade_factor(median, fill.shade)[None, :]))
    return np.clip(np.round(colors), 0, 255).astype(np.uint8)


def shade_factor(color: np.ndarray, shade: float) -> np.ndarray:
    """(3,) float32 multipliers darkening ``color`` (3,) RGB 0..255 to ~``shade`` of its luminance in its own
    hue (``(c / 255) ** g``, multiplied by itself as an artist shades): a uniform ``shade`` turned pale hair
    grey (tadne_r4c3's mint hair behind the face, blocks on every turn); dark hair darkens alike."""
    c = np.clip(np.asarray(color, np.float64) / 255.0, 0.02, 0.995)
    g = np.log(shade) / np.log(float(np.clip(c @ np.array([0.299, 0.587, 0.114]), 0.02, 0.995)))
    return np.clip(c ** g, 0.0, 1.0).astype(np.float32)


def local_color(rgb: np.ndarray, src: np.ndarray, smooth_px: float, max_side_px: int = 128) -> np.ndarray:
    """(h, w, 3) float32: every pixel's Gaussian-weighted mean colour of the ``src`` pixels around it
    (sigma ``smooth_px``, doubled up to three times where fewer than 2 % of the weight is source).
    ``rgb`` (h, w, 3) uint8 and ``src`` (h, w) bool (at least one True) share the crop frame; the
    means are taken with the crop downscaled to ``max_side_px`` (they are smooth) and scaled back."""
    import cv2

    h, w = src.shape
    scale = min(1.0, max_side_px / max(h, w))
    size = (max(2, int(round(w * scale))), max(2, int(round(h * scale))))
    weight = cv2.resize(src.astype(np.float32), size, interpolation=cv2.INTER_AREA)
    prem = cv2.resize(rgb.astype(np.float32) * src[..., None], size, interpolation=cv2.INTER_AREA)
    out = np.zeros(prem.shape, np.float32)
    todo = np.ones(weight.shape, bool)
    sigma = max(1.0, smooth_px * scale)
    for i in range(4):
        ws = cv2.GaussianBlur(weight, (0, 0), sigma)
        cs = cv2.GaussianBlur(prem, (0, 0), sigma)
        hit = todo & (ws > (0.02 if i < 3 else 1e-6))
        out[hit] = cs[hit] / ws[hit, None]
        todo &= ~hit
        if not todo.any():
            break
        sigma *= 2.0
    out[todo] = rgb[src].mean(axis=0)
    return out if scale >= 1.0 else cv2.resize(out, (w, h), interpolation=cv2.INTER_LINEAR)


def _inpaint_crop(rgb: np.ndarray, src: np.ndarray, max_side_px: int, patch: bool = False) -> tuple[np.ndarray, bool]:
    """The crop with every non-source pixel inpainted: ((h, w, 3) float32, whether it is textured).

    TELEA (radius 3) at the working scale; with ``patch``, exemplar completion started from it and
    carried to full resolution (``inference.layers.patchfill``), unless too few source patches exist.
    """
    import cv2

    from inference.layers.patchfill import patch_fill, upsample_copy

    h, w = src.shape
    scale = min(1.0, max_side_px / max(h, w))
    sw, sh = max(2, int(round(w * scale))), max(2, int(round(h * scale)))
    srcf = src.astype(np.float32)
    if scale < 1.0:
        weight = cv2.resize(srcf, (sw, sh), interpolation=cv2.INTER_AREA)
        prem = cv2.resize(rgb.astype(np.float32) * srcf[..., None], (sw, sh), interpolation=cv2.INTER_AREA)
        known = weight > 0.5
        small = np.where(known[..., None], prem / np.maximum(weight, 1e-6)[..., None], 0.0)
    else:
        known = src
        small = rgb.astype(np.float32) * srcf[..., None]
    if not known.any():
        known = weight > 0 if scale < 1.0 else src
        small = np.where(known[..., None], prem / np.maximum(weight, 1e-6)[..., None], 0.0)
    small8 = np.clip(np.round(small), 0, 255).astype(np.uint8)
    painted = cv2.inpaint(small8, (~known).astype(np.uint8) * 255, 3, cv2.INPAINT_TELEA)
    done = patch_fill(small.astype(np.float32), known, painted.astype(np.float32)) if patch else None
    if done is not None:
        filled, nnf = done
        if scale >= 1.0:
            return filled, True
        coarse = cv2.resize(filled, (w, h), interpolation=cv2.INTER_LINEAR)
        return upsample_copy(rgb.astype(np.float32), src, nnf, coarse), True
    if scale < 1.0:
        painted = cv2.resize(painted, (w, h), interpolation=cv2.INTER_LINEAR)
    return painted.astype(np.float32), False


def bleed(image: np.ndarray) -> None:
    """Give transparent pixels the colour of nearby opaque ones (in place), for clean bilinear edges.

    ``image`` is (h, w, 4) uint8 RGBA, straight alpha; only the RGB of alpha-0 pixels changes
    (box-filtered premultiplied colour at growing radii, the median colour for what is left).
    """
    import cv2

    a = image[..., 3].astype(np.float32) / 255.0
    empty = a <= 0
    if not empty.any() or not (~empty).any():
        return
    prem = image[..., :3].astype(np.float32) * a[..., None]
    for k in (5, 15, 45):
        wa = cv2.blur(a, (k, k))
        wc = cv2.blur(prem, (k, k))
        hit = empty & (wa > 1e-4)
        image[hit, :3] = np.clip(wc[hit] / wa[hit, None], 0, 255).astype(np.uint8)
        empty &= ~hit
        if not empty.any():
            return
    image[empty, :3] = np.median(image[a > 0, :3], axis=0).astype(np.uint8)

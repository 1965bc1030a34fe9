"""Exemplar (patch) completion: hidden hair and cloth continue the visible texture, not a smooth blob.

A compact PatchMatch (Barnes et al. 2009, "PatchMatch: a randomized correspondence algorithm") with
the expectation-maximisation completion of Wexler et al. 2007 ("Space-time completion of video"):
every unknown pixel gets a nearest-neighbour field (NNF) entry pointing at a fully known source
patch; the field is improved by propagation from neighbours and a random search at shrinking radii,
and the unknown pixels are re-estimated by letting every overlapping patch vote. It runs on the
downscaled crop that ``completion.fill_region`` works on (about 100 px a side); the field is then
carried to full resolution so the copied texture keeps the input's detail (:func:`upsample_copy`).

No package in the project's lists does exemplar inpainting as a maintained library (OpenCV's
``xphoto`` shift-map needs opencv-contrib), hence this module; cv2 TELEA stays the initial guess and
the fallback when there are too few source patches. All arrays are numpy; images are float32 RGB
0..255, masks (h, w) bool, positions (y, x) rows and columns of the crop.
"""

from __future__ import annotations

import numpy as np

PATCH = 5
"""Patch side (px, odd) at the working scale."""
ITERATIONS = 2
"""PatchMatch passes (propagation + random search) per EM step."""
EM_STEPS = 3
MIN_SOURCES = 24
"""Below this many fully known patches there is nothing to copy from: the caller falls back."""


def patch_fill(
    image: np.ndarray, known: np.ndarray, init: np.ndarray, seed: int = 0
) -> tuple[np.ndarray, np.ndarray] | None:
    """Fill the unknown pixels of ``image`` with patches copied from its known pixels.

    Parameters
    ----------
    image : (h, w, 3) float32
        Colours; only ``known`` pixels are read.
    known : (h, w) bool
        Source pixels.
    init : (h, w, 3) float32
        Initial guess for the unknown pixels (e.g. TELEA).
    seed : int
        Seeds the random search (deterministic output).

    Returns
    -------
    (filled, nnf) or None
        ``filled`` (h, w, 3) float32 (known pixels unchanged) and ``nnf`` (h, w, 2) int32, the
        (y, x) centre of the source patch matched to each pixel (itself where known). None when
        fewer than ``MIN_SOURCES`` fully known patches exist.
    """
    import cv2

    h, w = known.shape
    r = PATCH // 2
    valid = cv2.erode(known.astype(np.uint8), np.ones((PATCH, PATCH), np.uint8), borderValue=0) > 0
    if int(valid.sum()) < MIN_SOURCES or known.all():
        return None
    rng = np.random.default_rng(seed)
    ys, xs = np.nonzero(~known)
    cur = np.where(known[..., None], image, init).astype(np.float32)
    pad_src = np.pad(image.astype(np.float32), ((r, r), (r, r), (0, 0)), mode="edge")
    oy, ox = np.mgrid[-r : r + 1, -r : r + 1]
    oy, ox = oy.ravel(), ox.ravel()
    # start from the art mirrored across the nearest edge of the visible part: neighbouring unknown
    # pixels map to neighbouring sources (a coherent field), so strands continue as strands
    from scipy import ndimage

    _, (ny, nx) = ndimage.distance_transform_edt(~valid, return_indices=True)
    near = np.stack([ny[ys, xs], nx[ys, xs]], axis=1).astype(np.int32)
    mirror = 2 * near - np.stack([ys, xs], axis=1)
    my, mx = mirror[:, 0].clip(0, h - 1), mirror[:, 1].clip(0, w - 1)
    ok = (mirror[:, 0] == my) & (mirror[:, 1] == mx) & valid[my, mx]
    nnf = np.where(ok[:, None], mirror, near).astype(np.int32)
    for _ in range(EM_STEPS):
        pad_cur = np.pad(cur, ((r, r), (r, r), (0, 0)), mode="edge")
        target = pad_cur[ys[:, None] + r + oy, xs[:, None] + r + ox]  # (U, P, 3)
        cost = _cost(target, pad_src, nnf, oy, ox, r)
        index = np.full((h, w), -1, np.int64)
        index[ys, xs] = np.arange(len(ys))
        for it in range(ITERATIONS):
            step = 1 if it % 2 == 0 else -1
            for dy, dx in ((0, step), (step, 0)):
                py, px = ys - dy, xs - dx
                inside = (py >= 0) & (py < h) & (px >= 0) & (px < w)
                nb = np.where(inside, index[py.clip(0, h - 1), px.clip(0, w - 1)], -1)
                has = nb >= 0
                cand = nnf.copy()
                cand[has] = nnf[nb[has]] + (dy, dx)
                nnf, cost = _try(cand, has, nnf, cost, target, pad_src, valid, oy, ox, r)
            radius = max(h, w)
            while radius >= 1:
                cand = nnf + rng.integers(-radius, radius + 1, size=nnf.shape).astype(np.int32)
                nnf, cost = _try(cand, np.ones(len(ys), bool), nnf, cost, target, pad_src, valid, oy, ox, r)
                radius //= 2
        cur = _vote(cur, ys, xs, nnf, index, pad_src, oy, ox, r)
    full = np.repeat(np.arange(h)[:, None], w, 1), np.repeat(np.arange(w)[None, :], h, 0)
    field = np.stack(full, axis=-1).astype(np.int32)
    field[ys, xs] = nnf
    return cur, field


def _cost(target, pad_src, nnf, oy, ox, r) -> np.ndarray:
    src = pad_src[nnf[:, 0:1] + r + oy, nnf[:, 1:2] + r + ox]
    return ((target - src) ** 2).sum(axis=(1, 2))


def _try(cand, mask, nnf, cost, target, pad_src, valid, oy, ox, r):
    """Keep each candidate source centre that is valid and matches better (vectorised)."""
    h, w = valid.shape
    cy, cx = cand[:, 0], cand[:, 1]
    ok = mask & (cy >= 0) & (cy < h) & (cx >= 0) & (cx < w)
    ok[ok] = valid[cy[ok], cx[ok]]
    if not ok.any():
        return nnf, cost
    c = _cost(target[ok], pad_src, cand[ok], oy, ox, r)
    better = c < cost[ok]
    sel = np.flatnonzero(ok)[better]
    nnf[sel] = cand[sel]  # in place: candidates were built from copies
    cost[sel] = c[better]
    return nnf, cost


def _vote(cur, ys, xs, nnf, index, pad_src, oy, ox, r) -> np.ndarray:
    """Each unknown pixel = mean of what the matched patches of its unknown neighbours say about it."""
    h, w = index.shape
    acc = np.zeros((len(ys), 3), np.float64)
    n = np.zeros(len(ys), np.float64)
    for dy, dx in zip(oy, ox, strict=True):
        py, px = ys - dy, xs - dx  # the patch centred there covers this pixel at offset (dy, dx)
        inside = (py >= 0) & (py < h) & (px >= 0) & (px < w)
        nb = np.where(inside, index[py.clip(0, h - 1), px.clip(0, w - 1)], -1)
        has = nb >= 0
        src = nnf[nb[has]] + (dy, dx)
        acc[has] += pad_src[src[:, 0] + r, src[:, 1] + r]
        n[has] += 1
    out = cur.copy()
    got = n > 0
    out[ys[got], xs[got]] = (acc[got] / n[got, None]).astype(np.float32)
    return out


def upsample_copy(
    rgb: np.ndarray, src: np.ndarray, nnf: np.ndarray, fallback: np.ndarray
) -> np.ndarray:
    """Carry a coarse nearest-neighbour field to full resolution by copying full-resolution pixels.

    Parameters
    ----------
    rgb : (H, W, 3) float32
        Full-resolution crop colours.
    src : (H, W) bool
        Full-resolution source pixels.
    nnf : (h, w, 2) int32
        Coarse field from :func:`patch_fill` ((y, x) of the matched coarse pixel).
    fallback : (H, W, 3) float32
        Used where the copied pixel is not a source pixel (the coarse result upscaled).

    Returns
    -------
    (H, W, 3) float32
        Each pixel copies the full-resolution pixel the bilinearly interpolated field points at
        (continuous where the field is); where the field jumps, ``fallback``.
    """
    import cv2

    H, W = src.shape
    h, w = nnf.shape[:2]
    sy_, sx_ = H / h, W / w
    yy, xx = np.mgrid[0:H, 0:W]
    # the field interpolated between coarse pixel centres: a translation, a reflection or any smooth
    # map of the coarse field stays one continuous map at full resolution
    fine = cv2.resize(nnf.astype(np.float32), (W, H), interpolation=cv2.INTER_LINEAR)
    sy = (fine[..., 0] + 0.5) * sy_ - 0.5
    sx = (fine[..., 1] + 0.5) * sx_ - 0.5
    # where the coarse field jumps (two unrelated sources meet) interpolating would land in between
    # and copying per cell shows the cells as blocks: there the coarse result (upscaled) is used
    jump = np.zeros((h, w), bool)
    for axis in (0, 1):
        d = np.abs(np.diff(nnf.astype(np.int64), axis=axis)).max(axis=-1) > 2
        if axis == 0:
            jump[:-1] |= d
            jump[1:] |= d
        else:
            jump[:, :-1] |= d
            jump[:, 1:] |= d
    cy = np.minimum((yy / sy_).astype(np.int64), h - 1)
    cx = np.minimum((xx / sx_).astype(np.int64), w - 1)
    cell = jump[cy, cx]
    iy = np.clip(np.round(sy).astype(np.int64), 0, H - 1)
    ix = np.clip(np.round(sx).astype(np.int64), 0, W - 1)
    ok = src[iy, ix] & ~cell
    return np.where(ok[..., None], rgb[iy, ix], fallback).astype(np.float32)


def mirror_copy(
    rgb: np.ndarray, source: np.ndarray, target: np.ndarray, reach_px: float, skip_px: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Full-resolution colours for ``target`` mirrored from ``source`` across the nearest source edge.

    Each target pixel ``p`` takes the source pixel ``2q - p``, ``q`` the nearest source pixel (the
    art reflected across the edge of the visible part, so strands meeting the edge continue as strands,
    sharp and without the cells of a coarse field); where the reflection leaves the source it takes
    ``q`` itself. The map is one continuous reflection along each stretch of the edge.

    Parameters
    ----------
    rgb : (H, W, 3) uint8
    source, target : (H, W) bool
    reach_px : float
        Target pixels farther than this from the source get weight 0.
    skip_px : float
        Target pixels nearer the source than ``2 skip_px`` (the edge band where a moving neighbour's
        outline lay: a line mirrored there would read as that outline left behind) take the source
        ``2 skip_px`` deep along the same normal, so the art further in runs on across the band
        (weight 0 where that point is not source). Before, the band faded to the caller's fill,
        which set a dark stripe between lighter hair on both sides (lambda_00's jaw on AngleX -30).

    Returns
    -------
    (colors, weight)
        ``colors`` (T, 3) float32 and ``weight`` (T,) float32 in [0, 1] (1 up to half ``reach_px``
        from the source, falling linearly to 0 at ``reach_px``), in
        ``np.nonzero(target)`` order.
    """
    from scipy import ndimage

    ys, xs = np.nonzero(target)
    colors = np.zeros((len(ys), 3), np.float32)
    weight = np.zeros(len(ys), np.float32)
    if not source.any() or len(ys) == 0:
        return colors, weight
    h, w = source.shape
    m = int(np.ceil(reach_px)) + 2  # a source farther than the reach (or its mirror) is never used
    y0, y1 = max(0, int(ys.min()) - 2 * m), min(h, int(ys.max()) + 1 + 2 * m)
    x0, x1 = max(0, int(xs.min()) - 2 * m), min(w, int(xs.max()) + 1 + 2 * m)
    src = source[y0:y1, x0:x1]
    if not src.any():
        return colors, weight
    dist, (ny, nx) = ndimage.distance_transform_edt(~src, return_indices=True)
    ly, lx = ys - y0, xs - x0
    qy, qx = ny[ly, lx], nx[ly, lx]
    ch, cw = src.shape
    my, mx = 2 * qy - ly, 2 * qx - lx
    inside = (my >= 0) & (my < ch) & (mx >= 0) & (mx < cw)
    ok = inside & src[my.clip(0, ch - 1), mx.clip(0, cw - 1)]
    sy, sx = np.where(ok, my, qy) + y0, np.where(ok, mx, qx) + x0
    d = dist[ly, lx]
    weight = np.clip(2.0 - 2.0 * d / max(reach_px, 1e-6), 0.0, 1.0)
    if skip_px > 0:
        # the edge band takes the hair 2 skip_px deep along the same normal (strands run on across it)
        band = d < 2.0 * skip_px
        depth = 2.0 * skip_px / np.maximum(d[band], 1e-6)
        by = np.round(qy[band] + (qy[band] - ly[band]) * depth).astype(np.int64)
        bx = np.round(qx[band] + (qx[band] - lx[band]) * depth).astype(np.int64)
        ok_b = (by >= 0) & (by < ch) & (bx >= 0) & (bx < cw) & (d[band] > 0)
        ok_b &= src[by.clip(0, ch - 1), bx.clip(0, cw - 1)]
        sy[band] = np.where(ok_b, by + y0, sy[band])
        sx[band] = np.where(ok_b, bx + x0, sx[band])
        weight[band] = np.where(ok_b, weight[band], 0.0)
    weight = weight.astype(np.float32)
    return rgb[sy, sx].astype(np.float32), weight

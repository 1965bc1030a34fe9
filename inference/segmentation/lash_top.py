"""Where a drawn eye's upper lash begins, for the part segmenter (issue 10).

The non-skin blob around an anime eye (``inference.landmarks.anime_features.eye_mask``) can reach
past the upper lash into the lid: lid skin in the hair's shadow, the translucent strands drawn over
it, and the outline of a strand that runs beside the lash with a strip of lid skin between
(tadne_r1c0's left eye, 5-14 px). Left in the eye they became eye white, iris or lash: the lash runs
started above the lash and missed it (its upper right became iris), and the closed eye painted that
lid and the strands with skin or carried the strand's outline down with the lash.
:func:`outside_lash` finds those pixels so that the eye leaves them to the face and the hair.
Warm lid shading on the rim of the eye's blob is the lid's too (:func:`lid_shading`, waifu_06).
Working frame, (H, W) bool masks, L* (CIELAB) lightness.
"""

from __future__ import annotations

import numpy as np

from inference.types import EyeLandmarks

REACH = 0.3
"""Non-skin pixels of an eye's blob at most this far (eye heights) outside its upper lash are not the eye."""
WHITE_DL = 10.0
"""... unless as light as its white (L* within this of the blob's 95th percentile)."""
CORE = 0.25
"""The lash's core: darker than this fraction of the way from its darkest fifth (L*) to the skin
(lighter than the strands' blurred lines, darker than a lash's anti-aliased edge)."""
GAP_PX = 2.0
"""A thin dark line separated from the lash by at least this much lid skin is not the lash."""
LINE_PX = 0.05
"""... thin: at most this many eye heights (at least 3 px) across."""
MIN_EYE_PX = 24.0
"""Eyes smaller than this (box height, px) are left as they are: no room for lid skin over the lash,
the blob's top is the lash's pale rim (crypko_05's 13-px eyes: their lash lost its top rows)."""
MIN_PX = 2.0
"""Less than this (px) outside the lash along a ray is its anti-aliased rim, left to the eye."""
LASH_DL = 25.0
"""Pixels this far darker (L*) than the skin are lash-dark (the eye segmenter's lash threshold)."""
LID_PX = 3.0
"""... and only when at least this much of it (px along the ray) is lid skin: lighter than lash-dark and
unlike the white (none on tadne_r5c4, whose white is darker than its skin: a soft lash rim stays)."""
LASH_DE = 20.0
"""Lash-dark pixels within this ΔE of the lash-dark band's median colour are lash-like."""
LASHLIKE = 0.5
"""What a ray would take is left to the eye when more than this share of it is lash-like: the pale
part of a lash over a darker iris (tadne_r1c3), not strands of another colour over the lid."""
BELOW = 0.35
"""Rays are cast up to this far below the horizontal (sine of the angle): the lash's ends run down the corners."""


def outside_lash(lab: np.ndarray, blob: np.ndarray, band: np.ndarray, skin: np.ndarray, skin_l: float,
                 white_l: float, center: tuple[float, float], bh: float) -> np.ndarray:
    """(H, W) bool: the pixels of an eye's ``blob`` outside its upper lash, to leave to the face.

    Parameters
    ----------
    lab : (H, W, 3) float32
        CIELAB of the image.
    blob : (H, W) bool
        The eye's non-skin blob.
    band : (H, W) bool
        The band along the landmark upper lid (its dark pixels set the lash's darkness).
    skin : (H, W) bool
        The skin-colour mask (its median is the skin's colour).
    skin_l, white_l : float
        L* of the skin and of the eye's white.
    center : (x, y)
        The iris centre, px; rays are cast from it over the upper half of the eye.
    bh : float
        The eye box's height, px.

    Along each ray, from the blob's edge inward: the lash is the first run of its core (``CORE``)
    starting within ``REACH`` eye heights of the edge, skipping a thin run (``LINE_PX``) that lid skin
    (outside the blob, or nearer the skin's colour than the white's and not as light as the white:
    ``WHITE_DL``) at least ``GAP_PX`` wide separates from the next one (a strand's outline beside the lash; a lash over a
    shaded white is kept). The pixels outside the lash unlike the white are taken, a skipped line too,
    where they are at least ``MIN_PX`` along the ray, at most ``LASHLIKE`` of them lash-like
    (``LASH_DE``) and at least ``LID_PX`` of them lid skin; nothing on eyes under ``MIN_EYE_PX``.
    """
    out = np.zeros_like(blob)
    if bh < MIN_EYE_PX:
        return out
    L = lab[..., 0]
    lash = band & blob & (L < skin_l - LASH_DL)
    if lash.sum() < 4:
        return out
    lash_l = float(np.percentile(L[lash], 20))
    core = blob & (L < lash_l + CORE * (skin_l - lash_l))
    take = blob & (L < white_l - WHITE_DL)
    ref_skin = np.median(lab[skin], axis=0) if skin.any() else np.array([skin_l, 10.0, 15.0], np.float32)
    d_skin = np.linalg.norm(lab - ref_skin, axis=-1)
    d_white = np.linalg.norm(lab - np.array([white_l, 0.0, 0.0], np.float32), axis=-1)
    lid = (take & ~core & (d_skin < d_white)) | ~blob  # lid skin: shaded, or skin the blob left out
    lash_ref = np.median(lab[lash], axis=0)
    lashlike = blob & (L < skin_l - LASH_DL) & (np.linalg.norm(lab - lash_ref, axis=-1) < LASH_DE)
    # lid skin proper: lighter than lash-dark, unlike the white, or skin the blob left out
    flat = (take & (L >= skin_l - LASH_DL)) | ~blob
    h, w = blob.shape
    ys, xs = np.nonzero(blob)
    cx, cy = center
    r_max = float(np.hypot(xs - cx, ys - cy).max()) + 1.0
    step = 0.5
    radii = np.arange(0.0, r_max, step)
    ang = np.linspace(-np.pi, 0.0, max(90, int(np.ceil(np.pi * r_max / step))))
    low = np.arcsin(BELOW)
    ang = np.concatenate([np.linspace(low, 0.0, max(4, int(np.ceil(low * r_max / step))), endpoint=False), ang,
                          np.linspace(-np.pi, -np.pi - low, max(4, int(np.ceil(low * r_max / step))))])
    px = np.rint(cx + np.cos(ang)[:, None] * radii[None, :]).astype(np.int64)
    py = np.rint(cy + np.sin(ang)[:, None] * radii[None, :]).astype(np.int64)
    inside = (px >= 0) & (px < w) & (py >= 0) & (py < h)
    px, py = np.clip(px, 0, w - 1), np.clip(py, 0, h - 1)
    on, dark, skinlike = blob[py, px] & inside, core[py, px] & inside, lid[py, px] & inside
    lashy, lidlike = lashlike[py, px] & inside, flat[py, px] & inside
    lim = (REACH * bh / step, GAP_PX / step, max(3.0, LINE_PX * bh) / step)
    for i in range(len(ang)):
        idx = np.flatnonzero(on[i])
        if idx.size == 0:
            continue
        n = idx[-1] + 1
        stop = _lash_start(dark[i, :n][::-1], skinlike[i, :n][::-1], *lim)
        if stop * step >= MIN_PX:  # an anti-aliased rim (a small eye's top row) stays the eye's
            k = n - 1 - np.arange(stop)  # the samples from the edge inward, outside the lash
            # lid skin there, not the pale part of a lash (tadne_r1c3) nor its soft rim (tadne_r5c4)
            if lashy[i, k].mean() <= LASHLIKE and lidlike[i, k].sum() * step >= LID_PX:
                out[py[i, k], px[i, k]] = True
    return out & take


def _lash_start(dark: np.ndarray, lid: np.ndarray, reach: float, gap: float, line: float) -> int:
    """Samples (from the blob's edge inward) outside the lash along one ray; 0: nothing to take."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], dark.astype(np.int8), [0]])))
    starts, ends = edges[::2], edges[1::2]
    if starts.size == 0 or starts[0] > reach:
        return 0
    i = 0
    while i + 1 < starts.size and starts[i + 1] <= 2 * reach and ends[i] - starts[i] <= line:
        if starts[i + 1] - ends[i] < gap or not lid[ends[i] : starts[i + 1]].all():
            break
        i += 1  # a thin line beside the lash with lid skin between: not the lash
    return int(starts[i])


LID_HUE_DEG = 25.0
"""Anime: an eye pixel left for the white on the rim of the eye's blob (``LID_RIM_PX``), outside the iris's
disc, whose hue is within this of the skin's, ``LID_CHROMA_MORE`` more saturated and no lighter than the
skin around the eye, is the lid's shading, not eye white (waifu_06's right eye: its "white" was lid shading,
(247, 192, 171) and the like; eye whites are lighter than the skin, near grey, or shaded cool). Only on
skin of chroma ``LID_SKIN_CHROMA`` or more: paler skin has no hue to compare (tadne_r2c3, chroma 8.7: its
pale pink strands over the eye's corner left the white and broke the closed line, 1.00 -> 0.56; crypko_05,
10.1: warm strand pixels over its left eye, left 0.06 -> 0.12; waifu_06's skin 13.2-13.7)."""
LID_CHROMA_MORE = 5.0
LID_SKIN_CHROMA = 12.0
LID_RIM_PX = 2


def above_mid_lid(shape, eye: EyeLandmarks) -> np.ndarray:
    """(H, W) bool: above the line halfway between the landmark lids (held level beyond the corners)."""
    up, lo = (lid[np.argsort(lid[:, 0])] for lid in (eye.upper_lid, eye.lower_lid))
    xx = np.arange(shape[1], dtype=np.float32)
    mid = 0.5 * (np.interp(xx, up[:, 0], up[:, 1]) + np.interp(xx, lo[:, 0], lo[:, 1]))
    return np.arange(shape[0])[:, None] < mid[None, :]


def lid_shading(lab: np.ndarray, cand: np.ndarray, skin: np.ndarray) -> np.ndarray:
    """The pixels of ``cand`` coloured like shaded skin (``LID_HUE_DEG``), against the median colour of the
    ``skin`` pixels of the crop; none without 16 skin pixels or on near-grey skin."""
    out = np.zeros_like(cand)
    if skin.sum() < 16 or not cand.any():
        return out
    ref = np.median(lab[skin], axis=0)
    ref_c = float(np.hypot(ref[1], ref[2]))
    if ref_c < LID_SKIN_CHROMA:
        return out
    px = lab[cand]
    chroma = np.hypot(px[:, 1], px[:, 2])
    turn = np.degrees(np.abs(np.angle((px[:, 1] + 1j * px[:, 2]) / (ref[1] + 1j * ref[2]))))
    out[cand] = (turn < LID_HUE_DEG) & (chroma >= ref_c + LID_CHROMA_MORE) & (px[:, 0] <= ref[0])
    return out

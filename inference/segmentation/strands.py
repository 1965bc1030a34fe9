"""Fringe strands over the face for the part segmenter (issues 14 and 10).

The front hair found from the face outline's edge misses the strands that hang into the face from
above without touching its outline: a strand between the eyes cut off from the fringe by its own
line art, a thin strand drawn as one line over the forehead. Left as face skin they stay behind when
the fringe turns with its parallax (broken strands, pale dashes between the fringe strands) and the
lid skin is painted from them. :func:`fringe_strands` gives them back to the front hair, and
:func:`eye_strands` the pieces of a strand that cross an eye's box. The other way round,
:func:`eye_interior_hair` takes back from the face's hair what lies inside an eye's lid contour and
is not a strand over it (a hair-coloured iris or lash joined to the fringe across the lash line).
Working frame, (H, W) bool masks, lengths in face widths (FW) or eye heights.
"""

from __future__ import annotations

import numpy as np

from inference.masks import components_touching, morph
from inference.types import EyeLandmarks, FaceLandmarks

LINE_JUMP_FW = 0.012
"""A strand is joined to the fringe across line art this thin (face widths, at least 2 px)."""
EYE_MARGIN = 0.1
"""Nothing is taken inside an eye box grown by this fraction of its size: an iris or a lash can be
hair-coloured (the eye segmenter keeps the strands that reach into the box out of the eye)."""
PASSES = 4
STRAND_LINE_DARK = 30.0
"""Line art (L* this far below the skin's) joined to the fringe is a strand too (a thin strand drawn
as one line over the skin, the outline of a strand)."""
LINE_EYE_MARGIN = 0.5
"""Line art is not taken within this fraction of an eye box's size around it (lashes, lid creases)."""


def eye_boxes(shape: tuple[int, int], face: FaceLandmarks, margin: float) -> np.ndarray:
    """(H, W) bool: the two eye boxes, each grown by ``margin`` times its width and height."""
    h, w = shape
    yy, xx = np.ogrid[0:h, 0:w]
    out = np.zeros((h, w), bool)
    for eye in (face.eye_l, face.eye_r):
        x, y, bw, bh = eye.box
        mx, my = margin * bw, margin * bh
        out |= (xx >= x - mx) & (xx <= x + bw + mx) & (yy >= y - my) & (yy <= y + bh + my)
    return out


def fringe_strands(front: np.ndarray, hair_like: np.ndarray, face: FaceLandmarks) -> np.ndarray:
    """(H, W) bool: hair-coloured pixels joined to ``front`` (across thin line art), to add to it.

    Parameters
    ----------
    front : (H, W) bool
        The front hair found so far.
    hair_like : (H, W) bool
        Pixels clearly hair rather than skin (``ColourClasses.hair_over_skin``), in the foreground.
    face : FaceLandmarks
        Working frame; anime faces only (photos return an empty mask).

    Only pixels above the lower edge of the eyes are taken (blush below them may be hair-coloured),
    none inside the eye boxes grown by ``EYE_MARGIN``.
    """
    out = np.zeros_like(front)
    if face.kind == "real" or not front.any():
        return out
    h, w = front.shape
    yy = np.arange(h)[:, None]
    bottom = max(e.box[1] + e.box[3] for e in (face.eye_l, face.eye_r))
    zone = hair_like & ~front & (yy < bottom)
    zone &= ~eye_boxes((h, w), face, EYE_MARGIN)
    jump = max(2.0, LINE_JUMP_FW * face.face_width_px)
    for _ in range(PASSES):
        grown = components_touching(zone & ~out, morph(front | out, "dilate", jump))
        if not grown.any():
            break
        out |= grown
    return out


STRAND_WIDTH = 0.12
"""Hair joined to the fringe outside an eye through a neck at least twice this (eye heights) wide is a
strand (a lash line, the thin link of a dark iris to the fringe, is thinner)."""
LASH = 0.3
"""The lash line over the upper lid is at most this thick (eye heights); it is hair-coloured too."""
LASH_LINE_PX = 3.0
"""An opening radius (px) under which the opening does not cut a drawn lash line (2-4 px thick): then the
lash-dark pixels beside the lid contour link no strand (:func:`eye_interior_hair`)."""
STRAND_FILL = 0.8
"""A column of an eye is crossed by a thin strand when this fraction of it (between the lids) is hair."""
STRAND_REACH = 0.6
"""... and the hair continues this far (eye heights) above the lash and below the lower lid."""


def eye_interior_hair(hair: np.ndarray, face: FaceLandmarks, dark: np.ndarray | None = None) -> np.ndarray:
    """(H, W) bool: the pixels of ``hair`` inside the eyes' lid contours that are not a strand over them.

    A hair-coloured iris, lash or shaded eye corner joined to the fringe (or to shading read as
    hair) across the lash line would otherwise become front hair and stay open when the eye
    closes (crypko_06, crypko_02). Strands stay hair: the hair that survives an opening of
    ``STRAND_WIDTH`` eye heights joined to the hair outside the eye (a wide strand or fringe tip
    over the eye, tadne_r1c4), and the columns a thin strand crosses from lid to lid
    (``STRAND_FILL``, ``STRAND_REACH``). ``dark`` (H, W) bool, optional: pixels as dark as a lash
    (``LASH_DARK`` under the skin and the hair); where the opening is too thin to cut a lash line (small eyes,
    radius under ``LASH_LINE_PX``) they join nothing to the hair outside in the lid line's band (``LASH`` eye
    heights outside the lid contour): crypko_06's 4-px lash line, drawn into shading read as hair, joined its
    left iris to the side hair (all of it front hair, the eye's white and iris labels 11 and 47 px; on big
    eyes the dark streaks of a strand over the eye would cut it off, tadne_r5c4). Working frame; anime faces only (photos: an empty mask).
    """
    from inference.masks import fill_polygon

    h, w = hair.shape
    out = np.zeros_like(hair)
    if face.kind == "real":  # photographs: no face hair below the brows
        return out
    for eye in (face.eye_l, face.eye_r):
        x, y, bw, bh = eye.box
        inside = fill_polygon((h, w), np.concatenate([eye.upper_lid, eye.lower_lid[::-1]], 0))
        if not (inside & hair).any():
            continue
        g = int(max(bw, bh))  # the work is done on the eye box grown by its larger side
        y0, y1, x0, x1 = max(0, int(y) - g), min(h, int(y + bh) + g + 1), max(0, int(x) - g), min(w, int(x + bw) + g + 1)
        ins, hr = inside[y0:y1, x0:x1], hair[y0:y1, x0:x1]
        r = max(1.0, STRAND_WIDTH * bh)
        lash = max(2.0, LASH * bh)
        linked = hr
        if dark is not None and r < LASH_LINE_PX:  # the lid line's dark band links no strand (docstring)
            band = morph(ins, "dilate", lash) & ~ins
            linked = hr & ~(band & dark[y0:y1, x0:x1])
        opened = morph(linked, "open", r)
        beyond = ~morph(ins, "dilate", lash)  # outside the eye and its lash line
        wide = morph(components_touching(opened, opened & beyond), "dilate", r + 1) & hr
        out[y0:y1, x0:x1] |= ins & hr & ~wide & ~_crossed(hr, ins, bh)
    return out


def _crossed(hair: np.ndarray, inside: np.ndarray, bh: float) -> np.ndarray:
    """(H, W) bool: the columns of ``inside`` a strand crosses (hair from lid to lid, and above the
    lash and below the lower lid), grown by one column."""
    h, w = hair.shape
    cols = np.flatnonzero(inside.any(axis=0))
    keep = np.zeros(w, bool)
    reach = max(2, int(round(STRAND_REACH * bh)))
    lash = max(2, int(round(LASH * bh)))
    for c in cols:
        rows = np.flatnonzero(inside[:, c])
        t, b = rows[0], rows[-1]
        col = hair[:, c]
        above = col[max(0, t - lash - reach) : max(0, t - lash)].any()
        keep[c] = col[t : b + 1].mean() >= STRAND_FILL and above and col[b + 1 : b + 1 + reach].any()
    keep = np.convolve(keep, np.ones(3), "same") > 0
    return np.broadcast_to(keep[None, :], (h, w))


STRAND_DE = 25.0
"""An eye-box pixel is strand where its colour is within this ΔE of the strand pixels around it
and nearer to them than to the skin and to white."""
STRAND_NEAR = 0.12
"""... around it: within this fraction of the eye height (so only where the strand enters the box:
across the lash line, at the eye's corners; following it further took lashes and whites)."""
LASH_DARK = 25.0
"""Pixels this far darker (L*) than the skin are lash or lid line, never strand (the eye segmenter's
lash threshold)."""


def eye_strands(lab: np.ndarray, front: np.ndarray, skin: np.ndarray, eye: EyeLandmarks) -> np.ndarray:
    """(H, W) bool: pixels of one eye's box that continue a fringe strand lying over the eye.

    Parameters
    ----------
    lab : (H, W, 3) float32
        CIELAB of the working-frame image.
    front : (H, W) bool
        The hair found so far, front and back (the eye boxes excluded): a side lock labelled back
        hair that hangs in front of the eye's outer corner is a strand too.
    skin : (H, W) bool
        The skin-colour mask (skin is never strand).
    eye : EyeLandmarks
        Working frame, px.

    A strand hanging over the eye is front hair that leaves the eye window (the box grown by a
    quarter); where it crosses the eye its pixels were left to the eye segmenter, which takes them
    for eye white, iris or face, and the closed lid covers them. They are the non-skin pixels of
    the window joined to that hair (seeded only by hair outside the box: hair inside it may be a
    hair-coloured iris) whose colour is within ``STRAND_DE`` of the hair within ``STRAND_NEAR`` eye
    heights (where the strand enters the box) and nearer to it than to the skin, to the eye's own white (its brightest tenth) and to
    the lash colour (dark pixels along the upper lid). Never taken: the iris disc (1.1 x 1.35 iris
    radii; a dark iris can be hair-coloured) and anything below the lower lid or the box (the rim
    of the eye, the cheek). Measured on tadne_r1c0: 19 px of hair over its right eye no longer
    change when it closes; tadne_r3c3's dark iris and waifu_01's eyes keep their parts.
    """
    import cv2

    h, w = front.shape
    x, y, bw, bh = eye.box
    g = max(bw, bh, 4.0)
    x0, y0 = max(0, int(x - g)), max(0, int(y - g))
    x1, y1 = min(w, int(x + bw + g) + 1), min(h, int(y + bh + g) + 1)
    out = np.zeros((h, w), bool)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return out
    c = (slice(y0, y1), slice(x0, x1))
    lab, front, skin = lab[c], front[c], skin[c]
    yy, xx = np.ogrid[y0:y1, x0:x1]
    box = (xx >= x) & (xx <= x + bw) & (yy >= y) & (yy <= y + bh)
    win = (xx >= x - 0.25 * bw) & (xx <= x + 1.25 * bw) & (yy >= y - 0.25 * bh) & (yy <= y + 1.25 * bh)
    strand = components_touching(front, front & ~win)
    if not (strand & win).any():  # no hair reaching into the eye window
        return out
    strand &= ~box  # hair already inside the box may be a hair-coloured iris: no seed, no colour
    (cx, cy), r = eye.iris_center, eye.iris_radius
    iris = ((xx - cx) / (1.1 * r)) ** 2 + ((yy - cy) / (1.35 * r)) ** 2 <= 1.0
    ref_skin = np.median(lab[skin], axis=0) if skin.any() else np.array([90.0, 10.0, 15.0], np.float32)
    d_skin = np.linalg.norm(lab - ref_skin, axis=-1)
    inner = box & ~front & ~skin
    ref_white = np.array([97.0, 0.0, 0.0], np.float32)
    if inner.sum() >= 16:  # the eye's own white: its brightest tenth (a shaded white may be tinted)
        L = lab[..., 0][inner]
        ref_white = np.median(lab[inner][L >= np.percentile(L, 90)], axis=0)
    d_other = np.minimum(d_skin, np.linalg.norm(lab - ref_white, axis=-1))
    dark = (lab[..., 0] < ref_skin[0] - LASH_DARK) & ~front
    band = np.zeros(front.shape, np.uint8)
    lid = np.round((eye.upper_lid - np.array([x0, y0], np.float32)) * 16).astype(np.int32)
    cv2.polylines(band, [lid], False, 1, thickness=max(2, round(0.3 * bh)), shift=4)
    lash = dark & band.astype(bool)
    d_base, ink = d_other, None
    if lash.sum() >= 4:  # lashes and lid lines (the lash's colour) stay the eye's
        d_other = np.minimum(d_other, np.linalg.norm(lab - np.median(lab[lash], axis=0), axis=-1))
        ink = np.median(lab[lash][lab[lash][:, 0] <= np.median(lab[lash][:, 0])], axis=0)
    else:
        d_other = np.where(dark, 0.0, d_other)
    low = np.interp(np.arange(x0, x1), eye.lower_lid[:, 0], eye.lower_lid[:, 1])[None, :]
    below = (yy > low + 1.0) & (xx >= eye.lower_lid[:, 0].min()) & (xx <= eye.lower_lid[:, 0].max())
    below |= yy > y + bh  # under the eye the hair-coloured pixels are the eye's rim or the cheek's
    free = win & ~skin & ~iris & ~front & ~below
    k = max(3, int(round(2 * STRAND_NEAR * bh)) | 1)
    wgt = cv2.blur(strand.astype(np.float32), (k, k))
    mean = cv2.blur(lab * strand[..., None], (k, k)) / np.maximum(wgt, 1e-6)[..., None]
    d_strand = np.linalg.norm(lab - mean, axis=-1)
    cand = free & (wgt > 0.02) & (d_strand < STRAND_DE) & (d_strand < d_other)
    took = components_touching(cand, morph(strand, "dilate", 1))
    if ink is not None:  # without a lash ink to tell them from, dark pixels stay the eye's
        took |= _strand_tips(lab, strand | took, free & ~took, ref_skin, d_base, ink, bh)
    out[c] = took
    return out


TIP_HUE_DEG = 15.0
"""A strand's tip darkened over the lash keeps the hair's hue (CIELAB hue angle within this)..."""
TIP_CHROMA = 0.6
"""... and at least this fraction of its chroma."""
TIP_REACH = 0.5
"""It hangs at most this far (eye heights) below the strand's pixels the colour rule took."""


def _strand_tips(lab, strand, free, ref_skin, d_other, ink, bh: float) -> np.ndarray:
    """(h, w) bool: the tips of ``strand`` hanging straight down over the lash (each pixel under a
    strand pixel, or one column beside it) inside ``free``: where a strand crosses the lash its
    translucent tip is darkened towards the lash's ink, ``STRAND_DE`` away from the strand around it
    and nearer the lash's median colour (waifu_03, tadne_r5c0: 34 ΔE), so the colour rule left it to
    the lash and the closed lid painted it with skin. A tip keeps the hair's hue and chroma
    (``TIP_HUE_DEG``, ``TIP_CHROMA``; none when the hair is grey or skin-hued) and is nearer the hair's
    colour than the lash's ink (the darker half of the lash pixels along the lid), the skin and the
    eye white (``d_other``, ΔE); a lash drawn across under the strand is darker than that, and its
    pixels beside the strand hang from no strand. ``lab`` (h, w, 3) float32 CIELAB crop, ``ink`` (3,)
    CIELAB, ``bh`` the eye height (px)."""
    out = np.zeros_like(strand)
    if strand.sum() < 8:
        return out
    hair = np.median(lab[strand], axis=0)
    chroma = lambda v: np.hypot(v[..., 1], v[..., 2])  # noqa: E731
    hue = lambda v: np.degrees(np.arctan2(v[..., 2], v[..., 1]))  # noqa: E731
    dh = lambda a, b: np.abs((a - b + 180.0) % 360.0 - 180.0)  # noqa: E731
    if chroma(hair) < 15.0 or dh(hue(hair), hue(ref_skin)) < 2 * TIP_HUE_DEG and chroma(hair) < 2 * chroma(ref_skin):
        return out
    d_hair = np.linalg.norm(lab - hair, axis=-1)
    tinted = free & (dh(hue(lab), hue(hair)) < TIP_HUE_DEG) & (chroma(lab) >= TIP_CHROMA * chroma(hair))
    tinted &= (d_hair < np.linalg.norm(lab - ink, axis=-1)) & (d_hair < d_other)
    cur = strand.copy()
    for _ in range(max(2, int(round(TIP_REACH * bh)))):
        below = np.zeros_like(cur)
        below[1:] = cur[:-1]
        below[:, 1:] |= below[:, :-1].copy()
        below[:, :-1] |= below[:, 1:].copy()
        grown = tinted & below & ~cur
        if not grown.any():
            break
        cur |= grown
        out |= grown
    return out

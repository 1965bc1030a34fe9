"""Stage 5, the mouth: lips split off the mouth part, the opening, and the synthesised interior.

What an artist's mouth has (shared ``rigging.md`` 1 and 7): an upper lip line, a lower lip, an interior,
teeth and a tongue clipped by the interior. Here:

- **LipUpper / LipLower**: the visible mouth pixels above / below where the lips meet. A closed anime
  mouth is one line, all of it LipUpper (dark ends of the line the part map left on the skin join
  it). An open anime mouth (the input is already open, at least ``MIN_OPEN_ANIME_FW`` between its
  strokes) is split by column: the top stroke is LipUpper, the bottom stroke LipLower, what lies
  between is the opening; beyond the opening (an outline's vertical ends) the corners are split
  where the lips will meet, so they close from both sides. A stroke is as thick as the line is
  elsewhere (a darker interior under it is not stroke). Pieces of the mouth part nearer the nose
  than the mouth go back to the face. Photos use the MediaPipe inner lip line
  (``inference.landmarks.real.LIPS_INNER``).
- **MouthInterior**: a synthesised dark opening painted as it looks at MouthOpenY 1 (``label`` None),
  collapsed by the rig onto the meeting line at 0. It is the clip mask of the teeth and the tongue.
- **MouthTeeth** (moves with the upper lip) and **MouthTongue** (with the lower lip): for a closed
  input, painted at the fully open shape (teeth on photos only: anime mouths are drawn without);
  for an open input, its visible opening above / below where the lips will meet (``label`` MOUTH),
  split only in the columns that show teeth: an opening drawn without them is all MouthTongue, so
  opening further shows the interior under the upper lip as one region, not a stripe between halves.

The shape of the opening and its painting: ``inference.layers.mouth_paint``. The rig
(``inference.rigging.recipes_mouth``) reads the same shape back from the interior's alpha.

Masks are (H, W) bool, canvas frame; images (h, w, 4) uint8 RGBA straight alpha; lengths px or FW.
"""

from __future__ import annotations

import numpy as np

from inference.layers.completion import mask_box, polygon_mask
from inference.layers.mouth_paint import (
    LOWER_SHARE,
    MIN_OPEN_FW,
    chin_y_px,
    column_extent,
    line_rgb,
    open_interior,
    paint_interior,
)
from inference.types import CutLayer, FaceLandmarks, PartLabel

SKIN_CHROMA = 30.0
"""Skin chroma (RGB max - min) from which painted mouth art keeps its full colour."""
MIN_OPEN_ANIME_FW = 0.025
"""An anime mouth is open where, between its strokes, it is at least this high (and 2 px) and not all
stroke-dark (a thick line is not)."""
SKIN_DISTANCE = 40.0
BARE_SKIN_DISTANCE = 20.0
"""RGB distance from the skin's colour under which a closed anime mouth's pixel is skin (the Face's)."""
"""RGB distance from the skin's colour from which a pixel between an anime mouth's strokes is open."""
STROKE_SPREAD = 1.5
"""A column's stroke is at most this many times the median stroke thickness (plus 1 px)."""
TEETH_LUMA = 0.85
TEETH_CHROMA = 50.0
MIN_TEETH_SHARE = 0.05
"""Teeth in an open input's opening: luma at least ``TEETH_LUMA`` x the skin's, chroma (RGB max - min)
under ``TEETH_CHROMA``, covering at least ``MIN_TEETH_SHARE`` of the opening."""
PAD_PX = 4
"""Transparent margin of a cut image (as ``inference.layers.cut.PAD_PX``)."""


def split_mouth(
    mouth: np.ndarray, face: FaceLandmarks, rgb: np.ndarray | None = None, skin: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """Split the visible mouth pixels into ``LipUpper``, ``LipLower`` and, for an open input, the
    visible opening above / below where the lips will meet (``MouthTeeth`` / ``MouthTongue``).

    Parameters
    ----------
    mouth : (H, W) bool ndarray
        The mouth part's visible pixels.
    face : FaceLandmarks
        Canvas px; ``mesh`` is used for photos.
    rgb : (H, W, 3) uint8 ndarray, optional
        The input colours: an anime mouth's dark strokes are found by their luma (else 1 px).
    skin : (H, W) bool ndarray, optional
        The face skin's visible pixels (with ``rgb``): dark strokes on it that touch the mouth (the
        ends of a lip line the part map missed) join the mouth, and ``Face`` is returned without them.

    Returns
    -------
    dict of (H, W) bool ndarray
        Disjoint masks whose union is ``mouth`` (less, on an anime mouth, pieces nearer the nose
        than the mouth and, closed, the bare skin the part map took, handed to ``Face``); the opening
        pieces are empty for a closed mouth.
        The key ``Mouth`` holds an empty mask (the pixels now belong to the pieces).
    """
    empty = np.zeros_like(mouth)
    out = {"LipUpper": empty, "LipLower": empty, "MouthTeeth": empty, "MouthTongue": empty, "Mouth": empty}
    if not mouth.any():
        return dict(out)
    if skin is not None and rgb is not None and face.kind != "real":
        from inference.layers.mouth_skin import line_run, mouth_bays

        stray = _stray_pieces(mouth, face)
        mouth = mouth & ~stray
        if not mouth.any():
            return dict(out)
        fw = face.face_width_px
        mouth = mouth | line_run(mouth, skin, rgb, fw)  # a faint line the part map found only in part
        strokes = _strokes_on_skin(mouth, skin, rgb, fw) | mouth_bays(mouth, skin, rgb, fw) | (mouth & skin)
        mouth = mouth | strokes
        out["Face"] = (skin & ~strokes) | stray
    if face.kind == "real" and face.mesh is not None:
        upper, opening = _split_real(mouth, face)
    else:
        skin_rgb = None
        if skin is not None and rgb is not None and skin.any():
            box = mask_box(mouth, pad=int(0.08 * face.face_width_px) + 2)
            near = np.zeros_like(skin)
            near[box[1] : box[3], box[0] : box[2]] = True
            near &= skin
            skin_rgb = np.median(rgb[near], axis=0).astype(np.float32) if near.sum() >= 16 else None
        upper, opening = _split_anime(mouth, face, rgb, skin_rgb)
        if not opening.any() and skin_rgb is not None and "Face" in out:
            bare = _bare_skin(mouth, rgb, skin_rgb)  # a closed line: skin the part map took goes back
            mouth, upper = mouth & ~bare, upper & ~bare
            out["Face"] = out["Face"] | bare
    opening &= mouth
    rows = np.arange(mouth.shape[0])[:, None]
    drawn = rgb is not None and face.kind != "real"  # a photo's opening shows its upper teeth: split it all
    meet = _split_line(opening, _teeth_columns(opening, rgb, skin) if drawn else None)
    out.update(LipUpper=upper & mouth, LipLower=mouth & ~upper & ~opening,
               MouthTeeth=opening & (rows < meet), MouthTongue=opening & (rows >= meet))
    return out


def _stray_pieces(mouth: np.ndarray, face: FaceLandmarks) -> np.ndarray:
    """Pieces of the mouth part that are not the mouth: 8-connected components other than the largest
    whose centre lies nearer the nose tip than the mouth centre (a nostril or the nose's shading the
    part map labelled mouth; kept, it stretches the opening up to the nose)."""
    import cv2

    x0, y0, x1, y1 = mask_box(mouth)
    n, lab, stats, centroids = cv2.connectedComponentsWithStats(mouth[y0:y1, x0:x1].astype(np.uint8), connectivity=8)
    out = np.zeros_like(mouth)
    if n <= 2:
        return out
    main = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    nose = np.asarray(face.nose, np.float64) - (x0, y0)
    centre = np.asarray(face.mouth_center, np.float64) - (x0, y0)
    far = [i for i in range(1, n) if i != main
           and np.linalg.norm(centroids[i] - nose) < np.linalg.norm(centroids[i] - centre)]
    if far:
        out[y0:y1, x0:x1] = np.isin(lab, far)
    return out


def _bare_skin(mouth: np.ndarray, rgb: np.ndarray, skin_rgb: np.ndarray) -> np.ndarray:
    """Pixels of a closed anime mouth within ``BARE_SKIN_DISTANCE`` of the skin's colour, unless that
    would leave under a fifth of the mouth (a line drawn in a colour near the skin's)."""
    x0, y0, x1, y1 = mask_box(mouth)
    near = np.zeros_like(mouth)
    near[y0:y1, x0:x1] = mouth[y0:y1, x0:x1] & (
        np.linalg.norm(rgb[y0:y1, x0:x1].astype(np.float32) - skin_rgb, axis=2) < BARE_SKIN_DISTANCE)
    return near if (mouth & ~near).sum() >= max(6, 0.2 * mouth.sum()) else np.zeros_like(mouth)


def _strokes_on_skin(mouth: np.ndarray, skin: np.ndarray, rgb: np.ndarray, fw: float) -> np.ndarray:
    """Dark skin pixels (luma 40 below the skin's median near the mouth) connected to the mouth,
    within 0.06 FW of it to the sides and 0.02 FW above and below (the ends of its line, not the
    shading of the chin)."""
    from inference.layers.completion import dilate
    from inference.masks import components_touching

    x0, y0, x1, y1 = mask_box(mouth, pad=int(0.06 * fw) + 2)
    _, r0, _, r1 = mask_box(mouth, pad=int(0.02 * fw) + 1)
    win = np.zeros_like(mouth)
    win[r0:r1, x0:x1] = True
    near = skin & win
    if near.sum() < 16:
        return np.zeros_like(mouth)
    lum = rgb[y0:y1, x0:x1].astype(np.float32) @ np.float32([0.299, 0.587, 0.114])
    full = np.zeros(mouth.shape, np.float32)
    full[y0:y1, x0:x1] = lum
    dark = near & (full < np.median(full[near]) - 40.0)
    return components_touching(dark, dark & dilate(mouth, 1.5))


def _split_line(opening: np.ndarray, teeth_cols: np.ndarray | None = None) -> np.ndarray:
    """(1, W) row per column where an open input's teeth and tongue pieces part: where the lips will
    meet, smoothed along x (a clean edge when they move apart), in the columns ``teeth_cols`` (W,)
    bool (default all) that show teeth; above the opening elsewhere (all of it is MouthTongue).

    Only teeth are worth moving with the upper lip: an opening drawn in one colour (a pink or red
    interior, a tongue) split in two and pulled apart shows a dark stripe between its halves, whereas
    kept whole on the lower lip it lets the interior show under the upper lip as one region.
    """
    has, top, bottom = column_extent(opening)
    cols = np.flatnonzero(has)
    meet = np.full(opening.shape[1], -1.0)
    if cols.size:
        line = (top + (1.0 - LOWER_SHARE) * (bottom - top + 1))[cols].astype(np.float64)
        k = max(1, int(0.08 * cols.size))
        line = np.convolve(np.pad(line, k, mode="edge"), np.ones(2 * k + 1) / (2 * k + 1), mode="valid")
        meet[cols] = line
    if teeth_cols is not None:
        meet = np.where(teeth_cols, meet, -1.0)
    return meet[None, :]


def _teeth_columns(opening: np.ndarray, rgb: np.ndarray, skin: np.ndarray | None) -> np.ndarray:
    """(W,) bool: the span of columns of the opening whose upper part (above where the lips will meet)
    holds teeth, pixels at least ``TEETH_LUMA`` of the skin's luma and under ``TEETH_CHROMA`` chroma; none unless
    teeth cover ``MIN_TEETH_SHARE`` of the opening (and 6 px)."""
    none = np.zeros(opening.shape[1], bool)
    if not opening.any():
        return none
    x0, y0, x1, y1 = mask_box(opening, pad=8)  # all on the crop
    sub = opening[y0:y1, x0:x1]
    near = (skin[y0:y1, x0:x1] if skin is not None else ~sub) & ~sub
    px = rgb[y0:y1, x0:x1].astype(np.float32)
    lum = px @ np.float32([0.299, 0.587, 0.114])
    skin_l = float(np.median(lum[near] if near.sum() >= 16 else lum[sub]))
    chroma = px.max(axis=2) - px.min(axis=2)
    rows = np.arange(sub.shape[0])[:, None]
    upper = sub & (rows < _split_line(sub))
    teeth = upper & (lum >= TEETH_LUMA * skin_l) & (chroma < TEETH_CHROMA)
    if teeth.sum() < max(6, MIN_TEETH_SHARE * sub.sum()):
        return none
    cols = x0 + np.flatnonzero(teeth.any(axis=0))
    out = none.copy()
    out[cols[0] : cols[-1] + 1] = True  # one span: gaps between drawn teeth split alike (no columns of stripes)
    return out


def _split_anime(
    mouth: np.ndarray, face: FaceLandmarks, rgb: np.ndarray | None, skin_rgb: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(upper, opening): per column, the top stroke and the pixels between the top and bottom strokes.

    A stroke is the run of dark pixels (luma below the middle of the mouth's 10th percentile and
    median) from the column's top (bottom) end, at least 1 px and at most 0.45 of the column.
    """
    from inference.masks import components_touching

    x0, y0, x1, y1 = mask_box(mouth)
    sub = mouth[y0:y1, x0:x1]
    has, top, bottom = column_extent(sub)
    cols = np.flatnonzero(has)
    run = np.where(has, bottom - top + 1, 0)
    t_top, t_bot, light = _strokes(sub, has, top, bottom, None if rgb is None else rgb[y0:y1, x0:x1], skin_rgb)
    open_cols = has & light & (run - t_top - t_bot >= max(2.0, MIN_OPEN_ANIME_FW * face.face_width_px))
    upper = np.zeros_like(mouth)
    opening = np.zeros_like(mouth)
    if open_cols.sum() < max(3, 0.3 * cols.size):
        return mouth.copy(), opening
    rows = np.arange(sub.shape[0])[:, None]
    sub_upper = sub & (rows < top[None, :] + t_top[None, :]) & open_cols[None, :]
    sub_open = sub & open_cols[None, :] & (rows >= (top + t_top)[None, :]) & (rows <= (bottom - t_bot)[None, :])
    opening[y0:y1, x0:x1] = sub_open
    # one opening: the part connected to the centre column band
    cx = int(np.median(cols)) + x0
    seed = np.zeros_like(mouth)
    seed[:, max(0, cx - max(1, cols.size // 6)) : cx + max(1, cols.size // 6) + 1] = True
    opening = components_touching(opening, opening & seed)
    upper[y0:y1, x0:x1] = sub_upper
    upper |= mouth & ~opening & (np.arange(mouth.shape[0])[:, None] < _mid_rows(mouth, opening))
    return upper & ~opening, opening


def _strokes(sub, has, top, bottom, rgb, skin_rgb=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(top, bottom) stroke thickness per column (int px, 0 where the column is empty; at most
    ``STROKE_SPREAD`` x the median over the columns plus 1 px), and whether
    the column holds a light pixel between them: not stroke-dark (a thick line is) and, given the
    skin's ``skin_rgb`` (3,), at least ``SKIN_DISTANCE`` from it (skin the part map left in a line is
    not an opening)."""
    run = np.where(has, bottom - top + 1, 0)
    t_top, t_bot = np.where(has, 1, 0), np.where(has, 1, 0)
    if rgb is None:
        return t_top, t_bot, has.copy()
    lum = rgb.astype(np.float32) @ np.float32([0.299, 0.587, 0.114])
    vals = lum[sub]
    dark = sub & (lum < 0.5 * (np.percentile(vals, 10) + np.median(vals)))
    for c in np.flatnonzero(has):
        col = dark[top[c] : bottom[c] + 1, c]
        cap = max(1, int(0.45 * run[c]))
        t_top[c] = min(cap, max(1, int(np.argmin(col)) if not col.all() else col.size))
        rev = col[::-1]
        t_bot[c] = min(cap, max(1, int(np.argmin(rev)) if not rev.all() else rev.size))
    cols = np.flatnonzero(has)
    if cols.size >= 3:  # a line is about as thick everywhere: a column whose dark run goes much deeper
        for t in (t_top, t_bot):  # reaches into shaded interior (a darker roof), which is not stroke
            np.minimum(t, int(np.ceil(STROKE_SPREAD * np.median(t[cols]))) + 1, out=t, where=has)
        k = max(1, int(0.04 * cols.size))  # the inner edges follow the line, not its pixel noise
        inner_top = _running_median(top[cols] + t_top[cols], k)
        inner_bot = _running_median(bottom[cols] - t_bot[cols], k)
        t_top[cols] = np.clip(inner_top - top[cols], 1, np.maximum(1, (0.45 * run[cols]).astype(int)))
        t_bot[cols] = np.clip(bottom[cols] - inner_bot, 1, np.maximum(1, (0.45 * run[cols]).astype(int)))
    inner = ~dark
    if skin_rgb is not None:
        inner &= np.linalg.norm(rgb.astype(np.float32) - skin_rgb, axis=2) >= SKIN_DISTANCE
    light = np.zeros_like(has)
    for c in np.flatnonzero(has):
        light[c] = inner[top[c] + t_top[c] : bottom[c] - t_bot[c] + 1, c].any()
    return t_top, t_bot, light


def _running_median(v: np.ndarray, k: int) -> np.ndarray:
    """(N,) int: the median of ``v`` (N,) over a window of 2 k + 1, edges held."""
    padded = np.pad(v, k, mode="edge")
    win = np.lib.stride_tricks.sliding_window_view(padded, 2 * k + 1)
    return np.median(win, axis=1).astype(int)


def _mid_rows(mouth: np.ndarray, opening: np.ndarray) -> np.ndarray:
    """(1, W) row per column above which a leftover stroke pixel counts as upper lip: the opening's
    middle where it is open; beyond it (the mouth's corners, an outline's vertical ends) where the
    lips will meet, held from the opening's ends, so the corners close from both sides."""
    has, top, bottom = column_extent(opening)
    cols = np.flatnonzero(has)
    if not cols.size:
        return np.full((1, mouth.shape[1]), mouth.shape[0] + 1.0)
    meet = np.interp(np.arange(mouth.shape[1]), cols, (top + (1.0 - LOWER_SHARE) * (bottom - top + 1))[cols])
    return np.where(has, (top + bottom) / 2.0, meet)[None, :]


def _split_real(mouth: np.ndarray, face: FaceLandmarks) -> tuple[np.ndarray, np.ndarray]:
    """(upper, opening) from the inner lip line of the face mesh."""
    from inference.landmarks import real

    p = face.mesh
    inner = p[real.LIPS_INNER]  # 78, lower inner ..., 308, upper inner ... (back to 78)
    lower_line = inner[:11]
    upper_line = np.concatenate([inner[10:], inner[:1]])
    xs = np.arange(mouth.shape[1], dtype=np.float64)
    lo = lower_line[np.argsort(lower_line[:, 0])]
    up = upper_line[np.argsort(upper_line[:, 0])]
    y_lo, y_up = np.interp(xs, lo[:, 0], lo[:, 1]), np.interp(xs, up[:, 0], up[:, 1])
    mid = (y_lo + y_up) / 2.0
    rows = np.arange(mouth.shape[0])[:, None]
    gap = float(np.max(y_lo - y_up))
    opening = np.zeros_like(mouth)
    if gap >= max(2.0, MIN_OPEN_FW * face.face_width_px):
        opening = polygon_mask(mouth.shape, inner) & mouth
    upper = mouth & ~opening & (rows < mid[None, :])
    return upper, opening


def mouth_layer(name: str, scene) -> CutLayer | None:
    """MouthInterior, MouthTongue or MouthTeeth of a cut :class:`inference.layers.cut.Scene` (with ``face``).

    The interior is always painted at MouthOpenY 1 (``label`` None). An open input's teeth and tongue
    pieces are its visible opening (input colours, ``label`` MOUTH); a closed one's are painted.
    """
    upper, lower = scene.vis("MouthTeeth"), scene.vis("MouthTongue")
    opening = upper | lower
    mouth = scene.vis("LipUpper") | scene.vis("LipLower") | opening
    if opening.any() and name != "MouthInterior":
        return _visible_piece(name, upper if name == "MouthTeeth" else lower, scene)
    size = (scene.shape[1], scene.shape[0])
    photo = scene.face.kind == "real"
    chin = chin_y_px(scene.vis("Face"), (0.0, 0.0), scene.face)
    if opening.any():
        painted = open_interior(opening, scene, size, photo, chin)
    else:
        painted = paint_interior(mouth, scene.face, size, photo=photo, chin_y=chin,
                                 rim_rgb=line_rgb(mouth, scene.rgb, photo))
    if name not in painted or not painted[name][0].size:
        return None
    image, origin = painted[name]
    _match_saturation(image, scene.rgb, scene.vis("Face"))
    return CutLayer(name, None, image, origin, np.zeros(image.shape[:2], bool))


def _match_saturation(image: np.ndarray, rgb: np.ndarray, skin: np.ndarray) -> None:
    """Desaturate painted art (in place) toward the skin's saturation: grey in a black-and-white photo.

    The skin's mean chroma (max - min of RGB) over ``SKIN_CHROMA`` is the share of colour kept."""
    if not skin.any():
        return
    px = rgb[skin][:: max(1, int(skin.sum()) // 20000)].astype(np.float32)
    keep = float(np.clip((px.max(axis=1) - px.min(axis=1)).mean() / SKIN_CHROMA, 0.0, 1.0))
    if keep >= 1.0:
        return
    c = image[..., :3].astype(np.float32)
    lum = (c @ np.float32([0.299, 0.587, 0.114]))[..., None]
    image[..., :3] = np.clip(np.round(lum + keep * (c - lum)), 0, 255).astype(np.uint8)


def _visible_piece(name: str, mask: np.ndarray, scene) -> CutLayer | None:
    from inference.layers.completion import bleed

    box = mask_box(mask, pad=PAD_PX)
    if box is None:
        return None
    x0, y0, x1, y1 = box
    crop = mask[y0:y1, x0:x1]
    image = np.zeros((y1 - y0, x1 - x0, 4), np.uint8)
    image[..., :3] = scene.rgb[y0:y1, x0:x1]
    image[..., 3] = np.where(crop, scene.alpha[y0:y1, x0:x1], 0)
    bleed(image)
    return CutLayer(name, PartLabel.MOUTH, image, (float(x0), float(y0)), crop.copy())

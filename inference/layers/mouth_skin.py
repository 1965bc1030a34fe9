"""The face skin completed under the mouth (issue 10; shared ``rigging.md`` 1, "paint the hidden areas").

When the lips move (MouthForm -1 pulls the corners in, MouthOpenY pulls the lips apart) they uncover
the Face layer's completion under the mouth. The generic face completion (``inference.layers.completion``)
fades to the face's median colour a few pixels from the visible skin, which left a flat patch of a
different tone with hard edges at the corners (crypko_06, s1, s2, s12). :func:`complete_under_mouth`
repaints it from the ring of skin around the mouth: a membrane (harmonic) fill of the shading
(``inference.layers.eyelid.membrane``), plus, on photos, grain matched to the ring's, so the skin
continues with its shading, colour and texture. :func:`give_rim_to_lips` first hands the lips' dark
or lip-coloured rim (anti-aliasing and the shadow at the corners, which the part map calls face) to the
nearest mouth piece, so it moves with the lips instead of staying on the skin as a dotted outline;
:func:`mouth_bays` finds, before the split, the light tongue or interior of a drawn mouth the part map
called face, and :func:`line_run` the rest of a faint line mouth it found only in part
(``inference.layers.mouth.split_mouth`` adds both to the mouth).

Canvas px (+y down); masks are (H, W) bool; colours uint8 RGB.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from inference.layers.eyelid import membrane

if TYPE_CHECKING:
    from inference.layers.cut import Scene

MOUTH_LAYERS = ("LipUpper", "LipLower", "MouthTongue", "MouthTeeth", "Mouth")
"""The cut layers the mouth part is split into (``inference.layers.mouth.split_mouth``)."""
EDGE_PX = 1
"""Visible skin this close to the mouth carries the lips' anti-aliased edge: not a membrane source."""
RIM_FW = 0.012
"""How far (face widths, at least 2 px) beside the mouth a face pixel can be the lips' rim."""
RIM_DARK = 25.0
"""Luma (0..255) by which a rim pixel is darker than the skin around the mouth."""
RIM_MIX = 0.3
RIM_MIN_CONTRAST = 20.0
"""A rim pixel's colour is at least ``RIM_MIX`` of the way from the skin's to the lips' (projected in
RGB), when those differ by ``RIM_MIN_CONTRAST`` or more."""
GRAIN_SIGMA_PX = 0.7
"""Blur of the synthetic grain (px), about the correlation length of a photo's skin noise."""


def mouth_mask(scene: Scene) -> np.ndarray:
    """(H, W) bool: the visible pixels of every mouth piece."""
    out = np.zeros(scene.shape, bool)
    for name in MOUTH_LAYERS:
        out |= scene.vis(name)
    return out


def complete_under_mouth(scene: Scene, target: np.ndarray, colors: np.ndarray) -> np.ndarray:
    """The Face layer's completed ``colors`` (T, 3) uint8 (``np.nonzero(target)`` order) with the
    pixels under the mouth repainted from the skin around it.

    The zone is the completed pixels within a few px of the mouth pieces; the known values are the
    visible face skin around them, ``EDGE_PX`` away from the lips. On photos (``scene.face.kind ==
    "real"``) grain with the ring's high-frequency spread is added (deterministic). Returns
    ``colors`` unchanged when there is no mouth or too little skin around it.
    """
    from inference.layers.completion import dilate, mask_box

    mouth = mouth_mask(scene)
    box = mask_box(mouth)
    if box is None:
        return colors
    mh = max(2, box[3] - box[1])
    zone = dilate(mouth, EDGE_PX + 2) & target
    if zone.sum() < 4:
        return colors
    known = scene.vis("Face") & ~dilate(mouth, EDGE_PX)
    if scene.face is not None and scene.face.kind != "real" and (scene.vis("MouthTeeth") | scene.vis("MouthTongue")).any():
        known &= ~outline_band(mouth, known, scene.rgb, scene.fw)  # an open drawn mouth's outline is not skin
    solve = zone | (dilate(mouth, EDGE_PX) & ~mouth & scene.vis("Face"))  # the lips' edge is solved, not kept
    pad = max(4, mh // 2)
    filled = membrane(scene.rgb, known, solve, pad=pad)
    if filled is None:
        return colors
    filled = filled[zone[solve]]
    if scene.face is not None and scene.face.kind == "real":
        filled = filled + _grain(scene.rgb, known, zone, pad)
    order = np.full(scene.shape, -1, np.int64)  # pixel -> its row in ``colors``
    order[target] = np.arange(len(colors))
    out = colors.copy()
    out[order[zone]] = np.clip(np.round(filled), 0, 255).astype(np.uint8)
    return out


def _grain(rgb: np.ndarray, known: np.ndarray, zone: np.ndarray, pad: int) -> np.ndarray:
    """(Z, 3) float32 zero-mean noise for the ``zone`` pixels with the per-channel spread of the
    ``known`` skin's high frequencies (input minus a 1.5 px Gaussian blur) in the crop about the zone."""
    import cv2

    from inference.layers.completion import erode, mask_box

    x0, y0, x1, y1 = mask_box(zone, pad=pad)
    crop = rgb[y0:y1, x0:x1].astype(np.float32)
    kn = erode(known[y0:y1, x0:x1], 2)
    if kn.sum() < 16:
        return np.zeros((int(zone.sum()), 3), np.float32)
    high = crop - cv2.GaussianBlur(crop, (0, 0), 1.5)
    spread = np.std(high[kn], axis=0)  # (3,)
    rng = np.random.default_rng(int(zone.sum()))  # deterministic: the same input gives the same layer
    noise = cv2.GaussianBlur(rng.standard_normal(crop.shape[:2]).astype(np.float32), (0, 0), GRAIN_SIGMA_PX)
    ref = noise - cv2.GaussianBlur(noise, (0, 0), 1.5)  # the same high-pass as the measurement
    noise *= 1.0 / max(float(np.std(ref)), 1e-6)
    return noise[zone[y0:y1, x0:x1]][:, None] * spread[None, :]


def give_rim_to_lips(visible: dict[str, np.ndarray], rgb: np.ndarray, fw: float) -> None:
    """Hand the lips' rim from ``visible["Face"]`` to the nearest mouth piece (in place).

    A rim pixel is a visible face pixel within ``RIM_FW`` of the mouth that is either ``RIM_DARK``
    darker than the skin just beyond (luma) or on the way from that skin's median colour to the
    mouth's by at least ``RIM_MIX``. ``rgb`` (H, W, 3) uint8; ``fw`` the face width, px. The work is
    done on a crop about the mouth.
    """
    from inference.layers.completion import mask_box

    pieces = [n for n in MOUTH_LAYERS if n in visible and visible[n].any()]
    if not pieces or "Face" not in visible:
        return
    mouth = np.zeros(rgb.shape[:2], bool)
    for name in pieces:
        mouth |= visible[name]
    r = max(2.0, RIM_FW * fw)
    x0, y0, x1, y1 = mask_box(mouth, pad=int(3 * r) + 2)
    crop = (slice(y0, y1), slice(x0, x1))
    take = _rim(visible["Face"][crop], mouth[crop], rgb[crop], r)
    if not take.any():
        return
    label = np.zeros(take.shape, np.int32)
    for i, name in enumerate(pieces, 1):
        label[visible[name][crop]] = i
    owner = _nearest_label(label)
    visible["Face"][crop] &= ~take
    for i, name in enumerate(pieces, 1):
        visible[name][crop] |= take & (owner == i)


def _rim(face: np.ndarray, mouth: np.ndarray, rgb: np.ndarray, r: float) -> np.ndarray:
    """(h, w) bool: the face pixels within ``r`` px of ``mouth`` that are dark or lip-coloured."""
    from inference.layers.completion import dilate, median_color

    near = face & dilate(mouth, r) & ~mouth
    skin = face & dilate(mouth, 3 * r) & ~dilate(mouth, 1.5 * r)
    take = np.zeros_like(near)
    if not near.any() or skin.sum() < 16:
        return take
    weights = np.array([0.299, 0.587, 0.114], np.float32)
    skin_c, lip_c = median_color(rgb, skin, (0, 0, 0)), median_color(rgb, mouth, (0, 0, 0))
    c = rgb[near].astype(np.float32)
    dark = c @ weights < float(skin_c @ weights) - RIM_DARK
    axis = lip_c - skin_c
    mix = (c - skin_c) @ axis / max(float(axis @ axis), 1.0)  # 0 = the skin's colour, 1 = the lips'
    lipish = (mix > RIM_MIX) & (float(np.linalg.norm(axis)) > RIM_MIN_CONTRAST)
    take[near] = dark | lipish
    return take


def _nearest_label(label: np.ndarray) -> np.ndarray:
    """(h, w) int32: for every pixel, the label (> 0) of the nearest labelled pixel of ``label``."""
    import cv2

    _, nearest = cv2.distanceTransformWithLabels((label == 0).astype(np.uint8), cv2.DIST_L2, 3,
                                                 labelType=cv2.DIST_LABEL_PIXEL)
    ys, xs = np.nonzero(label)
    lut = np.zeros(int(nearest.max()) + 1, np.int32)
    lut[nearest[ys, xs]] = label[ys, xs]
    return lut[nearest]


BAY_FW = 0.035
"""Radius (face widths) of the closing that finds the bays of a drawn mouth the part map called face."""
BAY_SKIN_DISTANCE = 40.0
"""RGB distance from the skin's median colour from which a face pixel in such a bay is the mouth's."""


def mouth_bays(mouth: np.ndarray, skin: np.ndarray, rgb: np.ndarray, face_width_px: float) -> np.ndarray:
    """(H, W) bool: face pixels (``skin``) inside the morphological closing of a drawn ``mouth`` by
    ``BAY_FW`` and at least ``BAY_SKIN_DISTANCE`` from the colour of the skin around it: a light tongue
    or interior the part map took for skin (tadne_r3c3: its tongue tip, cut as lip and left as a pink
    block on the closed line, with a hole in the tongue)."""
    import cv2

    r = max(2, int(round(BAY_FW * face_width_px)))
    out = np.zeros_like(mouth)
    crop = _mouth_crop(mouth, skin, 2 * r + 2)
    if crop is None:
        return out
    (x0, y0, x1, y1), m, s = crop
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    closed = cv2.morphologyEx(m.astype(np.uint8), cv2.MORPH_CLOSE, kernel) > 0
    bay = closed & s & ~m
    if not bay.any():
        return out
    px = rgb[y0:y1, x0:x1]
    ring = px[s & ~closed]
    skin_rgb = np.median(ring[:: max(1, ring.shape[0] // 4000)], axis=0).astype(np.float32)
    bay[bay] = np.linalg.norm(px[bay].astype(np.float32) - skin_rgb, axis=1) >= BAY_SKIN_DISTANCE
    out[y0:y1, x0:x1] = bay
    return out


LINE_REACH_FW = 0.15
"""How far (face widths) past a drawn mouth's ends :func:`line_run` follows its line."""
LINE_DARK = 12.0
"""Luma (0..255) by which a faint mouth line is darker than the skin around it."""
FRAGMENT_FW = 0.11
"""A drawn mouth part narrower than this (face widths) is a fragment of its line (waifu_06 0.097; the
narrowest whole one of the shared images, tadne_r2c3, is 0.122): only then is its line followed."""


def line_run(mouth: np.ndarray, skin: np.ndarray, rgb: np.ndarray, face_width_px: float) -> np.ndarray:
    """(H, W) bool: face pixels that continue a drawn mouth's line past its ends, when the mouth is a
    fragment under ``FRAGMENT_FW`` wide (the part map found waifu_06's faint line only at its left
    tip, 7 of its 18 px; a wider one is whole, or drawn with more than a line, as tadne_r1c3's grin
    whose teeth the part map calls skin). Column by column from each end, up to
    ``LINE_REACH_FW``: the darkest face pixel within 1 px of the line's row in the column before, kept
    while it is ``LINE_DARK`` darker than the skin's median around the mouth (a one-column gap is
    crossed), with its neighbours above and below where as dark."""
    reach = int(LINE_REACH_FW * face_width_px) + 1
    out = np.zeros_like(mouth)
    crop = _mouth_crop(mouth, skin, reach + 2)
    if crop is None:
        return out
    (x0, y0, x1, y1), m, s = crop
    lum = rgb[y0:y1, x0:x1].astype(np.float32) @ np.float32([0.299, 0.587, 0.114])
    dark = s & (lum < float(np.median(lum[s])) - LINE_DARK)
    cols = np.flatnonzero(m.any(axis=0))
    if cols[-1] - cols[0] + 1 >= FRAGMENT_FW * face_width_px:
        return out
    got = np.zeros_like(m)
    for end, step in ((cols[0], -1), (cols[-1], 1)):
        rows = np.flatnonzero(m[:, end])
        row, missed, c = int(rows.mean()), 0, end + step
        while 0 <= c < m.shape[1] and abs(c - end) <= reach and missed < 2:
            lo, hi = max(0, row - 1), min(m.shape[0], row + 2)
            cand = np.flatnonzero(dark[lo:hi, c])
            if cand.size:
                row = lo + int(cand[np.argmin(lum[lo + cand, c])])
                r0, r1 = max(0, row - 1), min(m.shape[0], row + 2)
                got[r0:r1, c] = dark[r0:r1, c]
                missed = 0
            else:
                missed += 1
            c += step
    out[y0:y1, x0:x1] = got & ~m
    return out


def _mouth_crop(mouth: np.ndarray, skin: np.ndarray, pad: int):
    """``(box, mouth crop, skin crop)`` around ``mouth`` padded by ``pad`` px (box = x0, y0, x1, y1), or
    None without a mouth or with fewer than 16 skin pixels in the box."""
    from inference.layers.completion import mask_box

    box = mask_box(mouth, pad=pad)
    if box is None:
        return None
    x0, y0, x1, y1 = box
    m, s = mouth[y0:y1, x0:x1], skin[y0:y1, x0:x1]
    return None if s.sum() < 16 else (box, m, s)


OUTLINE_FW = 0.045
"""How far (face widths) outside an open drawn mouth its outline band reaches (tadne_r3c3: a grey line
and a white band around the opening, 5 px at 0.04 FW, which the part map called face and neck)."""
OUTLINE_SKIN_DISTANCE = 40.0
"""RGB distance from the skin's median colour beyond the band from which a pixel in it is the outline's."""


def outline_band(mouth: np.ndarray, skin: np.ndarray, rgb: np.ndarray, face_width_px: float) -> np.ndarray:
    """(H, W) bool: ``skin`` pixels within ``OUTLINE_FW`` of an open drawn ``mouth`` that belong to its
    outline: at least ``OUTLINE_SKIN_DISTANCE`` from the median colour of the skin just beyond the
    band and connected to the mouth (with the anti-aliasing between them). Taken as the skin around
    the mouth, the skin completed under it had the outline's colours (tadne_r3c3: a grey fill)."""
    from inference.layers.completion import dilate
    from inference.masks import components_touching

    r = max(2.0, OUTLINE_FW * face_width_px)
    out = np.zeros_like(mouth)
    crop = _mouth_crop(mouth, skin, int(2.5 * r) + 2)
    if crop is None:
        return out
    (x0, y0, x1, y1), m, s = crop
    band = s & dilate(m, r) & ~m
    beyond = s & dilate(m, 2.5 * r) & ~dilate(m, 1.5 * r)
    if beyond.sum() < 16:
        return out
    px = rgb[y0:y1, x0:x1].astype(np.float32)
    off = band & (np.linalg.norm(px - np.median(px[beyond], axis=0), axis=2) >= OUTLINE_SKIN_DISTANCE)
    edge = band & dilate(m, 1.5)
    line = components_touching(off | edge, edge) & off  # the outline, reached from the mouth
    out[y0:y1, x0:x1] = line | (edge & dilate(line, 1.5))  # with the anti-aliasing between them
    return out

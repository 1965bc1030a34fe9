"""Measurements of a generated rig's blink on renders (issue 10, shared ``rigging.md`` 6).

``measure_blink(rig, face, render)`` renders the rest pose and EyeOpen 0 for both eyes and returns,
per eye, what the blink tests assert on:

- ``white_iris_left``: eye-white- or iris-coloured pixels inside the eye box at EyeOpen 0, as a
  fraction of the white and iris pixels visible at rest (0 = all gone);
- ``line_span``: the x extent of the longest connected dark (lash-coloured) curve inside the eye box
  at EyeOpen 0, in eye widths; ``line_stray``: other dark pixels in the box, as a fraction of the
  curve's pixels (scattered lash fragments; hair or accessory pixels and face skin the blink left
  as they were, such as the shading in a photo's eye corners, are not the eye's and do not count);
- ``outside_changed``: pixels outside the eye boxes (grown by a margin) that differ from rest;
- ``cover_changed``: hair, glasses or accessory pixels over the eye (rest owner map) that differ from rest;
- ``hair_painted``: hair-coloured pixels around the eye, up towards the brow, that the closed eye
  paints with skin whatever their labels (:func:`hair_painted`: a strand labelled eye white or lash,
  its tip darkened where it crosses the lash).

The eye box is the box of the eye's white, iris and lash pixels at rest (the owner map of
``rig.source``), or the landmark box when the eye has none. Colours are compared in RGB 0..255.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

HAIR_KINDS = ("FrontHair", "BackHair", "Accessory", "Glasses", "HairAccessory", "HairAccessoryBack")
TOL = 6  # 8-bit tolerance for "unchanged"
HUE_DEG, SAT_FRAC, VAL_FRAC = 12.0, 0.6, 0.35  # a strand tip darkened over the lash (_hair_tinted)
HAIR_R = 60.0  # RGB distance from the fringe's median beyond which a labelled pixel is not hair-coloured


@dataclass
class EyeBlink:
    side: str
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 of the eye (no margin)
    white_iris_left: float
    line_span: float
    line_stray: float
    cover_changed: int
    cover_px: int
    parts_px: int = 0  # the eye's white, iris and lash pixels in the rig; 0 for an eye hidden under hair
    box_changed: int = 0  # pixels of the eye box (no margin) that the blink changes
    hair_painted: int = 0
    lid_contrast: float = 0.0  # RGB distance of the closed lid skin's median to the skin ring's around it


def _kinds_mask(rig, names) -> np.ndarray:
    src = rig.source
    vals = [i + 1 for i, k in enumerate(src.layer_kinds) if k in names]
    return np.isin(src.labels, np.array(vals, np.int32)) if vals else np.zeros(src.labels.shape, bool)


def eye_layer_names(side: str) -> dict[str, tuple[str, ...]]:
    return {
        "white": (f"EyeWhite{side}",),
        "iris": (f"Iris{side}",),
        "lash": (f"Lash{side}", f"LashUpper{side}", f"LashLower{side}"),
    }


def eye_box(rig, face, side: str) -> tuple[int, int, int, int]:
    names = eye_layer_names(side)
    m = _kinds_mask(rig, names["white"] + names["iris"] + names["lash"])
    ys, xs = np.nonzero(m)
    if len(xs) >= 8:
        return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1
    x, y, w, h = (face.eye_l if side == "L" else face.eye_r).box
    return int(x), int(y), int(np.ceil(x + w)), int(np.ceil(y + h))


def grow(box, margin: float, shape) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = box
    h, w = shape
    m = int(np.ceil(margin))
    return max(0, x0 - m), max(0, y0 - m), min(w, x1 + m), min(h, y1 + m)


def _median(rgb, mask, default):
    return np.median(rgb[mask], axis=0).astype(np.float32) if mask.sum() >= 4 else np.array(default, np.float32)


def _lum(c):
    c = np.asarray(c, np.float32)
    return c[..., 0] * 0.299 + c[..., 1] * 0.587 + c[..., 2] * 0.114


def margin_px(box, fw: float) -> float:
    return 0.2 * (box[3] - box[1]) + 0.02 * fw + 2


def measure_eye(rig, face, side: str, rest: np.ndarray, closed: np.ndarray) -> EyeBlink:
    import cv2

    src_rgb = rig.source.rgba[..., :3].astype(np.float32)
    names = eye_layer_names(side)
    white_m = _kinds_mask(rig, names["white"])
    iris_m = _kinds_mask(rig, names["iris"])
    lash_m = _kinds_mask(rig, names["lash"])
    cover_m = _kinds_mask(rig, HAIR_KINDS)
    face_m = _kinds_mask(rig, ("Face",))
    box = eye_box(rig, face, side)
    x0, y0, x1, y1 = box
    ew = max(1, x1 - x0)
    gx0, gy0, gx1, gy1 = grow(box, margin_px(box, face.face_width_px), rest.shape[:2])
    ring = np.zeros(white_m.shape, bool)
    rx0, ry0, rx1, ry1 = grow(box, 0.5 * (y1 - y0) + 4, rest.shape[:2])
    ring[ry0:ry1, rx0:rx1] = True
    ring[y0:y1, x0:x1] = False
    skin_c = _median(src_rgb, face_m & ring, (240, 215, 200))
    # the white's own colour: its brightest third (the label may have taken some skin at its rim)
    white_px = src_rgb[white_m]
    if len(white_px) >= 12:
        lum = _lum(white_px)
        white_c = np.median(white_px[lum >= np.percentile(lum, 67)], axis=0).astype(np.float32)
    else:
        white_c = np.array((250, 250, 250), np.float32)
    iris_c = _median(src_rgb, iris_m, (60, 90, 160))
    lash_c = _median(src_rgb, lash_m, (40, 30, 30))

    box_m = np.zeros(white_m.shape, bool)
    box_m[y0:y1, x0:x1] = True
    grown_m = np.zeros(white_m.shape, bool)
    grown_m[gy0:gy1, gx0:gx1] = True
    # interior hair pixels: the 2-px rim is shared with the bilinear edges of the parts around it
    cover_core = cv2.erode(cover_m.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    bridge = cover_core & box_m  # hair / glasses over the eye: the line may pass under it

    def colour_hits(img, c, others, mask):
        d = np.linalg.norm(img[..., :3].astype(np.float32) - c, axis=-1)
        sep = min(float(np.linalg.norm(c - o)) for o in others)
        r = min(40.0, 0.5 * sep)
        return (d < r) & mask & (img[..., 3] > 128)

    probe = box_m & ~bridge
    changed = np.abs(closed.astype(np.int16) - rest.astype(np.int16)).max(axis=-1) > TOL
    # other parts' pixels left as they were (glasses glare, skin highlights) are not the eye's
    # and the lash's own unmoved drawing (its highlights) is not white left either
    probe_closed = probe & (white_m | iris_m | changed)
    hits_rest = colour_hits(rest, white_c, (skin_c, lash_c), probe & white_m).sum() + colour_hits(
        rest, iris_c, (skin_c, lash_c), probe & iris_m).sum()
    hits_closed = colour_hits(closed, white_c, (skin_c, lash_c), probe_closed).sum() + colour_hits(
        closed, iris_c, (skin_c, lash_c), probe_closed).sum()
    area = int(((white_m | iris_m) & probe).sum())  # the white and iris visible at rest
    left = float(hits_closed) / float(max(area, hits_rest, 16))

    # the lid line: lash-dark pixels, connected through hair/glasses over the eye
    ls, ll = float(_lum(skin_c)), float(_lum(lash_c))
    thr = ll + 0.5 * (ls - ll)
    dark = (_lum(closed[..., :3]) < thr) & (closed[..., 3] > 128) & probe if ls - ll > 15 else np.zeros_like(probe)
    dark &= ~(cover_m & ~changed)  # the fringe's own dark edges, unmoved, are not lash fragments
    dark &= ~(face_m & ~changed)  # nor is the skin's own shading left as it was (a photo's eye corners)
    span, stray = 0.0, 0.0
    if dark.any():
        n, comp = cv2.connectedComponents((dark | bridge | (cover_m & box_m)).astype(np.uint8), connectivity=8)
        best, best_span = 0, -1
        for i in range(1, n):
            xs = np.nonzero((comp == i) & dark)[1]
            if xs.size and xs.max() - xs.min() > best_span:
                best, best_span = i, xs.max() - xs.min() + 1
        line = (comp == best) & dark
        span = best_span / ew
        stray = float((dark & ~line).sum()) / max(1, int(line.sum()))
    cover_over = cover_core & grown_m
    return EyeBlink(side, box, left, span, stray, int((changed & cover_over).sum()), int(cover_over.sum()),
                    int((white_m | iris_m | lash_m).sum()), int((changed & box_m).sum()),
                    hair_painted(rig, face, side, rest, closed),
                    lid_contrast(rest, closed, face_m, box_m, grown_m, changed, thr, cover_m))


def lid_contrast(rest, closed, face_m, box_m, grown_m, changed, dark_thr, cover_m) -> float:
    """RGB distance (0..255) between the median of the closed lid's skin (pixels of the eye box that
    the blink changed, lighter than the lid line's ``dark_thr`` luminance) and the median of the face
    skin in the ring just outside the box (the grown box minus the box, unchanged): a lid filled with
    a paler or darker skin than around the eye reads as a pasted patch. 0 when either has under 16 px."""
    patch = box_m & changed & (_lum(closed[..., :3]) >= dark_thr) & (closed[..., 3] > 128) & ~cover_m
    ring = grown_m & ~box_m & face_m & ~changed
    if patch.sum() < 16 or ring.sum() < 16:
        return 0.0
    a = np.median(closed[..., :3][patch].astype(np.float32), axis=0)
    b = np.median(rest[..., :3][ring].astype(np.float32), axis=0)
    return float(np.linalg.norm(a - b))


def outside_changed(rig, face, rest, closed, boxes) -> int:
    keep = np.ones(rest.shape[:2], bool)
    for b in boxes:
        gx0, gy0, gx1, gy1 = grow(b, margin_px(b, face.face_width_px), rest.shape[:2])
        keep[gy0:gy1, gx0:gx1] = False
    changed = np.abs(closed.astype(np.int16) - rest.astype(np.int16)).max(axis=-1) > TOL
    return int((changed & keep).sum())


def measure_blink(rig, face, render) -> tuple[list[EyeBlink], int]:
    """``render(values) -> (H, W, 4) uint8``; returns per-eye measures and the outside change count."""
    rest = render({})
    closed = render({"ParamEyeLOpen": 0.0, "ParamEyeROpen": 0.0})
    eyes = [measure_eye(rig, face, s, rest, closed) for s in ("L", "R")]
    return eyes, outside_changed(rig, face, rest, closed, [e.box for e in eyes])


def hair_painted(rig, face, side: str, rest: np.ndarray, closed: np.ndarray, debug: bool = False):
    """Pixels around one eye (its box grown by a margin and up by one eye height, towards the brow)
    that show the fringe's colour at rest and the skin's at EyeOpen 0: hair repainted by lid skin,
    whatever the part labels say (a strand labelled iris or lash is covered when the eye closes).

    The hair colour is the median of the front hair (rest owner map) in that region; a pixel is
    hair-coloured when within half its separation from the skin, eye white, iris and lash colours
    (label medians; at most 40, RGB 0..255) and joined to the labelled hair through such pixels (a
    bluish shaded eye white is not a strand), or when it hangs straight down from such pixels with
    the hair's hue, a little darker (:func:`_hair_tinted`), and nearer the hair colour than to the
    white's (its label less the pixels within ``HAIR_R`` of the hair), the iris's and the lash's
    ink: a strand's tip where it crosses the lash, labelled lash or iris. (waifu_03's white label is
    43 % strand, median (208, 148, 88): the radius rule alone hid its painted strand tips, 0 px.)
    Skin-coloured at EyeOpen 0 likewise. Returns the count (int), or the (H, W) bool mask when
    ``debug``.
    """
    src_rgb = rig.source.rgba[..., :3].astype(np.float32)
    names = eye_layer_names(side)
    x0, y0, x1, y1 = box = eye_box(rig, face, side)
    gx0, _, gx1, gy1 = grow(box, margin_px(box, face.face_width_px), rest.shape[:2])
    gy0 = max(0, y0 - (y1 - y0))
    reg = np.zeros(rest.shape[:2], bool)
    reg[gy0:gy1, gx0:gx1] = True
    front = _kinds_mask(rig, ("FrontHair",)) & reg
    if front.sum() < 16:
        return np.zeros_like(reg) if debug else 0
    hair_c = np.median(src_rgb[front], axis=0)
    not_hair = np.linalg.norm(src_rgb - hair_c, axis=-1) > HAIR_R
    ring = reg & ~_kinds_mask(rig, names["white"] + names["iris"] + names["lash"])
    skin_c = _median(src_rgb, _kinds_mask(rig, ("Face",)) & ring, (240, 215, 200))
    others = [skin_c] + [_median(src_rgb, _kinds_mask(rig, names[k]), d) for k, d in (
        ("white", (250, 250, 250)), ("iris", (60, 90, 160)), ("lash", (40, 30, 30)))]

    def near(img, c, rest_of):
        d = np.linalg.norm(img[..., :3].astype(np.float32) - c, axis=-1)
        r = min(40.0, 0.5 * min(float(np.linalg.norm(c - o)) for o in rest_of))
        return d < r

    import cv2

    hair = _kinds_mask(rig, HAIR_KINDS) & reg
    # the fringe's hue, darker where a strand crosses the lash's ink (antialiased over it at 256 px)
    lash = _kinds_mask(rig, names["lash"]) & not_hair
    ink = others[3]
    if lash.sum() >= 8:  # the lash's ink: the darker half of its label (its pale rim is not the lash's colour)
        lum = _lum(src_rgb[lash])
        ink = np.median(src_rgb[lash][lum <= np.median(lum)], axis=0)
    tinted = _hair_tinted(rest, hair_c, skin_c)
    d_hair = np.linalg.norm(rest[..., :3].astype(np.float32) - hair_c, axis=-1)
    white = _median(src_rgb, _kinds_mask(rig, names["white"]) & not_hair, others[1])
    for o in (white, others[2], ink):  # a red-brown iris or lash of the hair's hue stays the eye's
        tinted &= d_hair < np.linalg.norm(rest[..., :3].astype(np.float32) - o, axis=-1)
    was_hair = near(rest, hair_c, others) & reg
    # a strand: hair-coloured pixels joined to the labelled hair (not a bluish shaded eye white)
    n, comp = cv2.connectedComponents((was_hair | hair).astype(np.uint8), connectivity=8)
    was_hair &= np.isin(comp, np.unique(comp[hair]))
    # its tip, darkened over the lash, hangs straight down from it (a lash rim of the hair's hue
    # runs across, under the forehead's skin: crypko_05)
    cur = was_hair | hair
    for _ in range(y1 - y0):
        below = np.zeros_like(cur)
        below[1:] = cur[:-1]
        below[:, 1:] |= below[:, :-1].copy()
        below[:, :-1] |= below[:, 1:].copy()
        grown = tinted & reg & below & ~cur
        if not grown.any():
            break
        cur |= grown
        was_hair |= grown
    now_skin = near(closed, skin_c, [hair_c] + others[1:])
    changed = np.abs(closed.astype(np.int16) - rest.astype(np.int16)).max(axis=-1) > TOL
    m = was_hair & now_skin & changed
    return m if debug else int(m.sum())


def _hair_tinted(img, hair_c, skin_c) -> np.ndarray:
    """(H, W) bool: pixels of the hair's hue (within ``HUE_DEG``), at least ``SAT_FRAC`` of its
    saturation and ``VAL_FRAC`` of its value (HSV of RGB 0..255), and farther from the skin colour
    than from the hair's: a strand's dark tip over the lash; none when the hair is grey or skin-hued."""
    import cv2

    hsv = cv2.cvtColor(img[..., :3].astype(np.uint8), cv2.COLOR_RGB2HSV_FULL).astype(np.float32)
    hc = cv2.cvtColor(np.array([[hair_c]], np.uint8), cv2.COLOR_RGB2HSV_FULL)[0, 0].astype(np.float32)
    sc = cv2.cvtColor(np.array([[skin_c]], np.uint8), cv2.COLOR_RGB2HSV_FULL)[0, 0].astype(np.float32)
    hue = lambda a, b: np.abs((a - b + 128) % 256 - 128) * 360 / 256  # noqa: E731
    if hc[1] < 80 or hue(hc[0], sc[0]) < 2 * HUE_DEG and hc[1] < 2 * sc[1]:
        return np.zeros(img.shape[:2], bool)
    return ((hue(hsv[..., 0], hc[0]) < HUE_DEG) & (hsv[..., 1] >= SAT_FRAC * hc[1])
            & (hsv[..., 2] >= VAL_FRAC * hc[2]) & (np.abs(hsv[..., 1] - sc[1]) > np.abs(hsv[..., 1] - hc[1])))

"""The lid skin of the eyes and the membrane fill it and the face under the eyes are painted with
(shared ``rigging.md`` 1, "lid-skin pieces that cover the eye as it closes"; 6).

- :func:`complete_under_eyes`: the face skin under each eye repainted from the skin around it by a
  membrane fill, so the surrounding shading continues smoothly and a closed eye shows no patch,
  halo or rectangle of a different skin tone.
- :func:`synthesise_eye_part`: ``LidLineL/R`` (``inference.layers.synthesis.lid_line``) or ``EyelidL/R``.
- :func:`eyelid_skin`: ``EyelidL/R``, the band of face skin just above the opening (and just below it
  on photos), cleaned of lash and hair edges, which the blink stretches over the eye. On drawn faces
  it starts at the upper lash (the skin and strands drawn above the eye stay as drawn) and is
  coloured from the skin around the eye (the membrane fill over the eye, squeezed from the
  band's top to the closed line), so the closed lid keeps the local shading. On photos it
  reaches over the dark lid margin to the lid skin and repaints that margin, so the upper-eyelid
  skin comes down instead of a dark band.
- :func:`membrane`: the harmonic (Laplace) interpolation of known pixels into a zone.

Canvas px (+y down); masks are (H, W) bool.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from inference.layers.eyes import EyeShape, eye_line_path, eye_shape

if TYPE_CHECKING:
    from inference.layers.cut import Scene

MEMBRANE_MAX_PX = 2500
"""Unknowns above which the membrane fill is solved on a coarser grid (it is smooth anyway)."""


def synthesise_eye_part(name: str, scene: Scene, lash_default) -> tuple[np.ndarray, tuple[float, float]] | None:
    """(image, origin) of the synthesised ``LidLineL/R`` (the closed-eye line in the upper lash's
    median colour, ``lash_default`` RGB when it has none) or ``EyelidL/R`` (:func:`eyelid_skin`)."""
    from inference.layers.synthesis import lid_line

    side = name[-1]
    if name.startswith("Eyelid"):
        return eyelid_skin(scene, side, scene.face.kind == "real")
    upper = scene.vis("LashUpper" + side)
    if not (scene.vis("EyeWhite" + side) | scene.vis("Iris" + side)).any():
        return None  # drawn closed (or hidden): the lash already is the line, no second one
    color = lash_ink(scene.rgb, upper if upper.any() else scene.vis("LashLower" + side), lash_default)
    path, lash_px = eye_line_path(scene, side)
    out = lid_line(path, lash_px, color, (scene.shape[1], scene.shape[0]))
    if out is None:
        return None
    from inference.layers.names import LAYER_NAMES

    # like the lid skin, never over hair or body drawn behind the face (a strand's pixels at the
    # outer corner that the eye gave back to the hair)
    img, (ox, oy) = out
    x0, y0 = int(round(ox)), int(round(oy))
    h, w = img.shape[:2]
    behind = (scene.rank[y0 : y0 + h, x0 : x0 + w] < LAYER_NAMES.index("Face")) & (
        scene.alpha[y0 : y0 + h, x0 : x0 + w] > 0)
    if behind.shape == img.shape[:2] and behind.any():
        img = img.copy()
        img[behind] = 0
    return img, (ox, oy)


def lash_ink(rgb: np.ndarray, lash: np.ndarray, default) -> np.ndarray:
    """(3,) float32 RGB of a lash's ink: the median of its darker half (by luminance) under ``lash``
    (H, W) bool of ``rgb`` (H, W, 3) uint8, ``default`` when empty. The lash label also holds its
    anti-aliased rim and pale strokes beside it, which lighten a plain median (tadne_r5c3 R: a
    pale brown line that reads as a gap beside the squeezed lash)."""
    if not lash.any():
        return np.array(default, np.float32)
    px = rgb[lash].astype(np.float32)
    lum = px @ np.array([0.299, 0.587, 0.114], np.float32)
    return np.median(px[np.argsort(lum, kind="stable")[: max(1, len(px) // 2)]], axis=0).astype(np.float32)


def complete_under_eyes(scene: Scene, target: np.ndarray, colors: np.ndarray) -> np.ndarray:
    """The Face layer's completed ``colors`` (T, 3) uint8 (``np.nonzero(target)`` order) with the
    pixels under each eye repainted by a membrane fill from the skin around the eye.

    The eye zone is the eye's parts grown by a third of the eye height; known values are the visible
    face pixels around it, minus dark or saturated outliers (lid creases, lash anti-aliasing) that
    would streak into the fill.
    """
    from inference.layers.completion import dilate, mask_box

    order = np.full(scene.shape, -1, np.int64)  # pixel -> its row in ``colors``
    order[target] = np.arange(len(colors))
    out = colors.astype(np.float32)
    face_vis = scene.vis("Face")
    changed = False
    for side in ("L", "R"):
        parts = scene.vis("EyeWhite" + side) | scene.vis("Iris" + side) | scene.vis("LashUpper" + side)
        parts |= scene.vis("LashLower" + side)
        box = mask_box(parts)
        if box is None:
            continue
        eh = max(2, box[3] - box[1])
        zone = dilate(parts, max(2.0, eh / 3.0)) & target
        if zone.sum() < 4:
            continue
        filled = membrane(scene.rgb, face_vis, zone, pad=max(4, eh // 2))
        if filled is not None:
            out[order[zone]] = filled
            changed = True
    if not changed:
        return colors
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


def membrane(rgb: np.ndarray, known: np.ndarray, zone: np.ndarray, pad: int, spread: float = 2.5) -> np.ndarray | None:
    """(Z, 3) float32 colours of the ``zone`` pixels: the harmonic interpolation of the ``known``
    pixels around them (4-neighbour Laplace, Neumann where neither known nor zone), solved on a
    coarser grid when the zone has more than ``MEMBRANE_MAX_PX`` pixels. Known pixels farther from
    their median than ``spread`` times a robust spread (creases, lash remnants) are dropped."""
    import cv2

    from inference.layers.completion import erode, mask_box

    x0, y0, x1, y1 = mask_box(zone, pad=pad)
    kn = erode(known[y0:y1, x0:x1], 1)
    z = zone[y0:y1, x0:x1]
    crop = rgb[y0:y1, x0:x1].astype(np.float32)
    if kn.sum() < 8:
        return None
    # drop outliers of the skin around the eye (creases, lash remnants): far from the local median
    med = np.median(crop[kn], axis=0)
    dev = np.linalg.norm(crop - med, axis=-1)
    kn &= dev < spread * (float(np.percentile(dev[kn], 60)) + 6.0)
    unknown = (z | known[y0:y1, x0:x1]) & ~kn
    if kn.sum() < 8:
        return None
    f = int(np.ceil(np.sqrt(unknown.sum() / MEMBRANE_MAX_PX)))
    if f <= 1:
        full = _solve(crop, kn, unknown)
        return None if full is None else full[z]
    h0, w0 = z.shape
    size = (max(2, w0 // f), max(2, h0 // f))
    wk = cv2.resize(kn.astype(np.float32), size, interpolation=cv2.INTER_AREA)
    ck = cv2.resize(crop * kn[..., None], size, interpolation=cv2.INTER_AREA)
    small_kn = wk > 0.6
    small_rgb = np.where(small_kn[..., None], ck / np.maximum(wk, 1e-6)[..., None], 0.0).astype(np.float32)
    small_u = (cv2.resize(unknown.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST) > 0) | (
        (wk > 0) & ~small_kn)
    sol = _solve(small_rgb, small_kn, small_u)
    if sol is None:
        return None
    return cv2.resize(sol, (w0, h0), interpolation=cv2.INTER_LINEAR)[z]


def _solve(crop: np.ndarray, kn: np.ndarray, unknown: np.ndarray) -> np.ndarray | None:
    """(h, w, 3) float32: ``crop`` with the ``unknown`` pixels replaced by the harmonic interpolation
    of the ``kn`` pixels (4-neighbour Laplace; a weak pull to the known median keeps islands regular)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.linalg import spsolve

    unknown = unknown & ~kn
    if kn.sum() < 4:
        return None
    med = np.median(crop[kn], axis=0)
    h, w = unknown.shape
    idx = -np.ones((h, w), np.int64)
    uy, ux = np.nonzero(unknown)
    n = len(uy)
    idx[uy, ux] = np.arange(n)
    rows, cols, vals = [np.arange(n)], [np.arange(n)], []
    diag = np.zeros(n, np.float64)
    rhs = np.zeros((n, 3), np.float64)
    for dy, dx in ((0, 1), (0, -1), (1, 0), (-1, 0)):
        ny, nx = uy + dy, ux + dx
        inside = (ny >= 0) & (ny < h) & (nx >= 0) & (nx < w)
        nyc, nxc = np.clip(ny, 0, h - 1), np.clip(nx, 0, w - 1)
        is_u = inside & unknown[nyc, nxc]
        is_k = inside & kn[nyc, nxc]
        diag += is_u | is_k
        rows.append(np.flatnonzero(is_u))
        cols.append(idx[nyc[is_u], nxc[is_u]])
        rhs[is_k] += crop[nyc[is_k], nxc[is_k]]
    vals = [None] * len(rows)
    vals[0] = diag + 1e-4  # a weak pull to the median keeps zone pieces cut off from the skin regular
    rhs += 1e-4 * med
    for i in range(1, len(rows)):
        vals[i] = -np.ones(len(rows[i]))
    a = coo_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n)).tocsc()
    sol = spsolve(a, rhs) if n else np.zeros((0, 3))
    full = crop.astype(np.float32).copy()
    full[uy, ux] = np.asarray(sol, np.float32).reshape(n, 3)
    return full


UPPER_LID_H = 0.18
"""Height of the upper-lid skin band above the opening, in opening heights."""
UPPER_LID_H_REAL = 0.5
"""The same on photos: over the dark lid margin above the lash up to the lid skin, so the stretched
band is lid skin, not the margin alone (which closed the eye to a dark band)."""
REAL_DARK_MIX = 0.5
"""On photos, skin darker than this fraction of the way from the skin around the eye to the lash is
lid margin or lash shadow: repainted from the lid skin, never stretched over the eye."""
LID_RING = 0.5
"""Width of the ring of skin around a drawn eye that colours its lid, in opening heights."""
LID_SPREAD = 6.0
"""Outlier cut of the lid's ring (:func:`membrane` ``spread``): loose, so the hair-shadowed skin
around a drawn eye counts; only lash-dark remnants are dropped."""
LID_FEATHER = 0.35
"""Alpha ramp at the top of a drawn eye's lid band, in band heights (photos: 2 px)."""
LOWER_LID_H = 0.35
"""Height of the lower-lid skin band below the opening (photos only), in opening heights."""




def lid_bands_px(shape: EyeShape, real: bool = False) -> tuple[float, float]:
    """(upper, lower) lid-skin band heights of an eye, px; the upper band reaches over the lash to
    the skin above it (on photos, ``real``, over the lid margin too)."""
    up = (UPPER_LID_H_REAL if real else UPPER_LID_H) * shape.height
    return max(2.0, up) + shape.lash_px, max(2.0, LOWER_LID_H * shape.height)


def eyelid_skin(scene: Scene, side: str, real: bool) -> tuple[np.ndarray, tuple[float, float]] | None:
    """The lid skin of eye ``side``: the band of face skin just above the opening (and, on photos,
    the band just below it), which the blink stretches over the eye (rigging.md 1, "lid-skin pieces
    that cover the eye as it closes").

    Returns ((h, w, 4) uint8 RGBA straight alpha, origin (x, y) canvas px) or None. The band's
    pixels are the input's where the face skin is visible and clean, and a membrane fill from it
    elsewhere (under the lash, brows or hair; dark creases; anti-aliased edges). The rig hides it
    while the eye is open.
    """
    from inference.layers.completion import bleed, mask_box

    masks = {n: scene.vis(n + side) for n in ("EyeWhite", "Iris", "LashUpper", "LashLower")}
    opening = masks["EyeWhite"] | masks["Iris"]
    if not opening.any():
        return None
    eye = scene.face.eye_l if side == "L" else scene.face.eye_r
    shape = eye_shape(opening, masks["LashUpper"], masks["LashLower"], eye)
    up_h, lo_h = lid_bands_px(shape, real)
    h, w = scene.shape
    xs = np.arange(max(0, int(shape.x0)), min(w, int(np.ceil(shape.x1))))
    if xs.size < 2:
        return None
    yy = np.arange(h)[:, None]
    top = shape.top_y(xs + 0.5)[None, :]
    band = np.zeros((h, w), bool)
    start = top - up_h if real else _lash_start(masks["LashUpper"] | opening, xs, top, up_h)
    band[:, xs] = (yy >= start) & (yy < top + 1.0)
    if real:
        bot = shape.bottom_y(xs + 0.5)[None, :]
        band[:, xs] |= (yy >= bot - 1.0) & (yy < bot + lo_h)
    from inference.layers.names import LAYER_NAMES

    # only over the face and what lies on it: never over hair or body drawn behind the face
    band &= ~opening & (scene.alpha > 0) & (scene.rank >= LAYER_NAMES.index("Face"))
    box = mask_box(band, pad=2)
    if box is None:
        return None
    from inference.layers.completion import erode

    face_vis = scene.vis("Face")
    colors = scene.rgb.astype(np.float32)
    # skin next to hair, lash or brow carries their anti-aliased edges, and lid creases are dark:
    # both would be dragged over the eye, so they are repainted from the clean skin around them
    # (photos keep their lid texture; only the edge pixels and the lash-dark lid margin are repainted)
    clean = erode(face_vis, 1 if real else 2)
    if real:  # the upper lid of a photo: its dark margin repainted from the lid skin (rigging.md 1)
        margin = _lid_margin(scene.rgb, face_vis, masks["LashUpper"] | masks["LashLower"], mask_box(band),
                            max(2, int(round(shape.height))))
        clean &= ~margin
    else:  # drawn: the whole band takes the skin around the eye, shading included (issue 10)
        _drawn_lid_colors(scene, colors, band, clean, masks, shape, top - up_h, xs)
    hidden = band & ~clean if real else np.zeros_like(band)
    if hidden.any():
        filled = membrane(scene.rgb, clean, hidden, pad=max(4, int(up_h)))
        if filled is not None:
            colors[hidden] = filled
            if real:
                _lid_texture(scene.rgb, colors, hidden, clean, xs, top - up_h)
    x0, y0, x1, y1 = box
    image = np.zeros((y1 - y0, x1 - x0, 4), np.uint8)
    image[..., :3] = np.clip(np.round(colors[y0:y1, x0:x1]), 0, 255).astype(np.uint8)
    # feathered ends and top edge, so the stretched skin shows no rectangle
    fx = np.clip(np.minimum(xs - shape.x0, shape.x1 - xs) / max(2.0, 0.15 * shape.width), 0.0, 1.0)
    feather = np.ones((h, w), np.float32)
    ramp = 2.0 if real else max(2.0, LID_FEATHER * up_h)
    feather[:, xs] = np.minimum(fx[None, :], np.clip((yy - (top - up_h)) / ramp, 0.0, 1.0))
    image[..., 3] = np.where(band[y0:y1, x0:x1], np.round(255 * feather[y0:y1, x0:x1]), 0).astype(np.uint8)
    bleed(image)
    return image, (float(x0), float(y0))


def _lash_start(eye: np.ndarray, xs: np.ndarray, top: np.ndarray, up_h: float) -> np.ndarray:
    """(1, len(xs)) y where a drawn eye's lid band starts: 1 px (the anti-aliased rim) above the top
    of the upper lash and the opening (``eye``) in each column, or above the fitted opening ``top``
    (1, len(xs)) where that is higher, and never more than ``up_h`` above it. The band covers what
    the lash uncovers as it comes down; the skin and the strands drawn over it above the eye stay as
    drawn (tadne_r1c0: 3-4 rows of the fringe's translucent strands over the lid, and the lid skin
    between the lash and a strand's outline at its outer corner, were painted with the lid's skin)."""
    sub = eye[:, xs]
    first = np.where(sub.any(axis=0), sub.argmax(axis=0), np.inf)[None, :]
    return np.maximum(top - up_h, np.minimum(first, top) - 1.0)


def _drawn_lid_colors(scene: Scene, colors: np.ndarray, band: np.ndarray, clean: np.ndarray, masks: dict,
                      shape: EyeShape, band_top: np.ndarray, xs: np.ndarray) -> None:
    """Paint a drawn face's lid ``band`` (in ``colors`` (H, W, 3) float32, in place) with the skin the
    closed lid covers: the membrane fill of the clean face skin in a ring around the eye (hair, lashes
    and brows are not face skin), solved over the whole eye, each column from the band's top
    (``band_top`` (1, len(xs)) y) down to the closed-eye line (``EyeShape.meet_y``) squeezed into the
    band, which the blink stretches back over that span. The closed lid so takes the local gradient
    of the skin around the eye (darker under the fringe's shadow) instead of the clean bright skin
    just above the lash, which read as a pale patch pasted over a shaded eye."""
    from inference.layers.completion import dilate

    parts = masks["EyeWhite"] | masks["Iris"] | masks["LashUpper"] | masks["LashLower"]
    eh = max(2.0, shape.height)
    zone = band | dilate(parts, max(2.0, eh / 3.0))
    filled = membrane(scene.rgb, clean & ~zone, zone, pad=max(4, int(round(LID_RING * eh))), spread=LID_SPREAD)
    if filled is None:
        return
    full = colors.copy()
    full[zone] = filled
    h = band.shape[0]
    ys, cols = np.nonzero(band[:, xs])
    if not ys.size:
        return
    t0 = band_top[0, cols]
    t1 = shape.top_y(xs[cols] + 0.5) + 1.0
    meet = np.maximum(shape.meet_y(xs[cols] + 0.5), t1)
    src = t0 + (ys + 0.5 - t0) * (meet - t0) / np.maximum(t1 - t0, 1.0)
    sy = np.clip(np.round(src - 0.5).astype(np.int64), 0, h - 1)
    colors[ys, xs[cols]] = full[sy, xs[cols]]


def _lid_margin(rgb: np.ndarray, skin: np.ndarray, lash: np.ndarray, box, eh: int) -> np.ndarray:
    """(H, W) bool: the lash-dark pixels near the eye ``box`` on a photo (its lid margin and lash
    shadow): darker than ``REAL_DARK_MIX`` of the way from the median visible skin around the eye to
    the median ``lash`` pixel (the blink test's lash-dark threshold). Shading lighter than that
    stays, so the fill keeps the socket's shading."""
    x0, y0, x1, y1 = box
    h, w = skin.shape
    gy0, gy1, gx0, gx1 = max(0, y0 - eh), min(h, y1 + eh), max(0, x0 - eh), min(w, x1 + eh)
    lum = rgb[gy0:gy1, gx0:gx1].astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    out = np.zeros_like(skin)
    near, dark = skin[gy0:gy1, gx0:gx1], lash[gy0:gy1, gx0:gx1]
    if near.sum() < 8 or dark.sum() < 4:
        return out
    ref, lash_lum = float(np.median(lum[near])), float(np.median(lum[dark]))
    out[gy0:gy1, gx0:gx1] = lum < ref - REAL_DARK_MIX * (ref - lash_lum)
    return out


def _lid_texture(rgb: np.ndarray, colors: np.ndarray, hidden: np.ndarray, clean: np.ndarray, xs: np.ndarray,
                 band_top: np.ndarray) -> None:
    """Give a photo's repainted lid pixels (``hidden``, in ``colors`` (H, W, 3) float32, in place) the
    fine texture of the clean lid skin just above the band (``band_top``: (1, len(xs)) y of the band's
    top per column), repeated down into it, so the closed lid is skin, not a flat fill: the detail
    (the input minus its 5-px box blur) of the source pixel is added where the source is clean skin."""
    import cv2

    ys, cols = np.nonzero(hidden[:, xs])
    if not ys.size:
        return
    tops = np.floor(band_top[0, cols]).astype(np.int64)
    depth = ys - tops
    src = tops - 1 - np.abs(depth) % max(2, int(np.max(depth)) // 2 + 1)
    ok = src >= 0
    xcol = xs[cols]
    ok[ok] &= clean[src[ok], xcol[ok]]
    if not ok.any():
        return
    lo, hi = max(0, int(src[ok].min()) - 3), int(src[ok].max()) + 4
    crop = rgb[lo:hi].astype(np.float32)
    detail = crop - cv2.blur(crop, (5, 5))
    colors[ys[ok], xcol[ok]] += detail[src[ok] - lo, xcol[ok]]

"""Stage 4, parts: a :class:`PartMap` label map from landmarks, colour and geometry (models.md 1.4).

Rules (working frame, lengths in face widths FW):

- colour classes (:mod:`inference.segmentation.part_colours`): skin (cheek samples), hair (samples in a band above
  the face outline and on the forehead), body (samples well below the chin);
- **hair** = hair-class pixels, plus non-skin pixels above the chin outside the face that are not
  clothes rising from below (in drawings, the clothes grown up to their drawn edges by a watershed:
  raised shoulders; in photographs, nor anything not hair-coloured rising from below the
  chin up to the mouth line, nor the neck under the jaw); only hair connected to the hair
  above the chin counts (long hair may hang down); **FRONT_HAIR** = the hair inside the face outline
  that reaches in from its edge (bangs, locks over the cheeks) and the hair above the eye line over
  the face's width (the crown, which moves with the bangs), the sides of that zone moved onto the
  nearest strand edges outside the face (a side lock is not cut straight down through its strands),
  plus the hair-coloured pixels and line art above the eyes' lower edge (outside the eyes) joined to it
  across thin lines (:mod:`inference.segmentation.strands`: strands that do not touch the outline);
  inside the eyes' lid contours only the strands hanging into an eye stay hair (a hair-coloured iris or
  lash joined to the fringe across the lash line is the eye's,
  :func:`inference.segmentation.strands.eye_interior_hair`); the rest is **BACK_HAIR**;
- **FACE** = the face outline minus front hair, plus skin connected to it above the chin (ears; in
  photographs also an ear's shaded bowl inside its skin rim);
- **NECK** = skin under the jaw (:func:`inference.segmentation.part_features.neck_mask`; in photographs lit
  and shaded skin, up to the jaw outline); **BODY** = the rest;
- features painted last: brows, eye whites, irises, lashes, nose, mouth (:mod:`inference.segmentation.part_features`;
  of the front hair the brows take only a brow line's pieces on the skin and thick brows topped by skin,
  not the strand tips at the brows, :mod:`inference.segmentation.brows`;
  a drawn eye stops at its upper lash: the shaded lid, the strands and a strand's outline over it stay
  face or hair, :mod:`inference.segmentation.lash_top`;
  where a fringe strand or a side lock (labelled back hair) enters an eye box its pixels are front hair,
  ``strands.eye_strands``),
  then **GLASSES**, the frame lines over the face skin (:mod:`inference.segmentation.glasses`), and
  **HAIR_ACCESSORY** / **HAIR_ACCESSORY_BACK**, ornaments in the front / back hair
  (:mod:`inference.segmentation.ornaments`; drawings only), after **HAT** (hats and headbands across the
  head top) and **EARRING** (small blobs beside the jaw) (:mod:`inference.segmentation.headwear`; drawings only);
- cleanup: components smaller than (0.05 FW)² (body parts) or (0.012 FW)² (features) are relabelled by
  their nearest neighbours (holes filled, speckles removed); pixels with alpha > 0 all get a label.
"""

from __future__ import annotations

import numpy as np

from inference.landmarks.geometry import scale_landmarks
from inference.load import working_copy
from inference.masks import (
    components_touching,
    fill_holes,
    fill_polygon,
    morph,
    nearest_fill,
    remove_small,
    resize_mask,
    snap_to_strands,
    to_lab,
    upsample_labels,
)
from inference.segmentation import part_features as pf
from inference.segmentation.brows import settle_brow
from inference.segmentation.foreground import border_coloured
from inference.segmentation.glasses import glasses_mask
from inference.segmentation.headwear import earring_mask, hair_reference, hat_mask
from inference.segmentation.ornaments import on_back_hair, ornament_mask
from inference.segmentation.part_colours import BODY, HAIR, SKIN, classify
from inference.segmentation.strands import (
    LASH_DARK,
    LINE_EYE_MARGIN,
    STRAND_LINE_DARK,
    eye_boxes,
    eye_interior_hair,
    eye_strands,
    fringe_strands,
)
from inference.types import CancelToken, FaceLandmarks, Foreground, LoadedImage, PartLabel, PartMap

P = PartLabel
STRAND_SNAP_FW = 0.06
NECK_MIN_FW2 = 0.02
"""A neck of skin-coloured pixels smaller than this (FW²) is looked for again among shaded skin."""
"""Half-width (face widths) of the band around the crown's geometric edge in which the front/back hair cut
moves onto the strand edges (:func:`inference.masks.snap_to_strands`)."""
EYE_PARTS = (P.EYE_WHITE_L, P.IRIS_L, P.LASH_L, P.EYE_WHITE_R, P.IRIS_R, P.LASH_R)
CLOTH_AWAY_FW = 0.5
"""Distance (face widths) beyond the face outline from which a pale piece at the canvas edge may be cloth
(:func:`_cloth_at_edge`); nearer, it is an ear, the neck or the jaw's shadow."""
BIG_PARTS = (P.BACK_HAIR, P.BODY, P.NECK, P.FACE, P.FRONT_HAIR)


def segment_parts(
    img: LoadedImage, fg: Foreground, face: FaceLandmarks, cancel: CancelToken | None = None
) -> PartMap:
    """Label every foreground pixel of ``img`` with a :class:`PartLabel`.

    Parameters
    ----------
    img : LoadedImage
    fg : Foreground
        ``alpha`` (H, W) at canvas size; pixels with alpha > 0 get a non-background label.
    face : FaceLandmarks
        Canvas px (stage 3).
    cancel : CancelToken, optional

    Returns
    -------
    PartMap
        ``labels`` (H, W) uint8 at canvas size; ``method`` is ``"heuristic-anime"`` or
        ``"heuristic-mesh"`` (real faces).
    """
    small, s = working_copy(img.rgba)
    h, w = small.shape[:2]
    alpha = resize_mask(fg.alpha, (w, h))
    f = scale_landmarks(face, s)
    rgb = np.ascontiguousarray(small[..., :3])
    plain = border_coloured(rgb) if fg.method == "flood_fill" else None  # the background's colour, pockets too
    labels = _label(rgb, alpha > 0.5, alpha > 0.0, f, cancel, plain)
    if cancel:
        cancel.check()
    out = upsample_labels(labels, img.size_px)
    canvas_fg = fg.alpha > 0.0
    out[~canvas_fg] = P.BACKGROUND
    missing = canvas_fg & (out == P.BACKGROUND)
    if missing.any() and (out != P.BACKGROUND).any():
        filled = nearest_fill(out, out == P.BACKGROUND)
        out[missing] = filled[missing]
    elif missing.any():
        out[missing] = P.BODY
    method = "heuristic-mesh" if face.kind == "real" else "heuristic-anime"
    return PartMap(labels=out, method=method)


def _label(
    rgb: np.ndarray, core: np.ndarray, anyfg: np.ndarray, f: FaceLandmarks, cancel: CancelToken | None,
    plain: np.ndarray | None = None,
) -> np.ndarray:
    """Working-frame label map (H, W) uint8; ``plain``: pixels of a flood-filled background's colour."""
    h, w = core.shape
    lab = to_lab(rgb)
    fw = f.face_width_px
    face_poly = fill_polygon((h, w), f.face_contour)
    cc = classify(lab, core, f, face_poly)
    if cancel:
        cancel.check()
    yy = np.arange(h)[:, None]
    xx = np.arange(w)[None, :]
    eye_y = 0.5 * (f.eye_l.center[1] + f.eye_r.center[1])
    labels = np.zeros((h, w), np.uint8)
    labels[anyfg] = P.BODY

    neck = f.mouth_center[1] if f.kind == "real" else None  # photographs: the neck rises to the mouth line
    hair = _hair(cc.cls, anyfg, face_poly, yy, f.chin, neck, eye_y, fw, rgb, plain)
    cx = 0.5 * (f.eye_l.center[0] + f.eye_r.center[0])
    crown = (yy < eye_y) & (((xx - cx) / (0.62 * fw)) ** 2 + ((yy - eye_y) / (1.3 * fw)) ** 2 < 1.0)
    face_hair = hair & face_poly & cc.hair_over_skin()
    if f.kind == "real":  # photographs: only bangs over the forehead; shaded cheeks stay face
        brow_y = min(float(f.brow_l[:, 1].min()), float(f.brow_r[:, 1].min()))
        face_hair &= yy < brow_y
    # as dark as a lash, under the skin and under the hair (a dark-brown fringe is no lash: tadne_r1c4)
    hair_l = float(np.median(lab[..., 0][hair])) if hair.any() else cc.skin_l
    dark = lab[..., 0] < min(cc.skin_l, hair_l) - LASH_DARK  # joins no strand to an eye (eye_interior_hair)
    face_hair &= ~eye_interior_hair(face_hair, f, dark)  # a hair-coloured iris or lash is eye, a strand over it hair
    edge = ~morph(face_poly, "erode", max(1.0, 0.02 * fw))
    in_face = components_touching(face_hair, edge & face_hair)
    front = (hair & crown & ~face_poly) | in_face
    front = components_touching(front, front & ~face_poly) | in_face
    # the crown's sides (the ellipse) settle on strand edges; its bottom row at the eye line stays put (moving
    # it re-shapes the lock's tip and the warp fitted to it: tadne_r4c3 then tears 0.057 % on AngleZ +30)
    snap = STRAND_SNAP_FW * fw
    front = snap_to_strands(front, hair & ~face_poly & (yy < eye_y - snap), rgb, snap)
    hair_like = cc.hair_over_skin() & anyfg
    lines = (lab[..., 0] < cc.skin_l - STRAND_LINE_DARK) & ~cc.skin_mask  # thin strands drawn as one line
    lines &= ~eye_boxes(lines.shape, f, LINE_EYE_MARGIN)  # not the lashes and creases around the eyes
    strands = fringe_strands(front, (hair_like | lines) & anyfg & face_poly, f)  # strands cut off by lines
    front |= strands
    labels[hair & ~front] = P.BACK_HAIR
    face_skin = face_poly & anyfg & ~front
    labels[face_skin] = P.FACE
    ear_zone = (yy > eye_y - 0.15 * fw) & (yy < f.mouth_center[1]) & (np.abs(xx - cx) < 0.75 * fw)
    ears = components_touching(cc.skin_mask & ear_zone & ~face_poly, morph(face_skin, "dilate", 2))
    if f.kind == "real":
        ears |= _ear_bowls(ears, face_skin, front, ear_zone & anyfg & ~face_poly, fw)
    labels[ears & anyfg] = P.FACE
    labels[front & anyfg] = P.FRONT_HAIR
    skin_like = (cc.d_skin < 2.5 * cc.skin.tol) & core & (cc.cls != HAIR)
    if f.kind == "real":  # a neck half in shadow is all neck (s7: its shaded half was body, no neck under the jaw there)
        neck = pf.neck_mask((skin_like | pf.shaded_skin(lab, cc.skin_l)) & core & ~hair, f, face_poly)
    else:
        neck = pf.neck_mask(skin_like & ~hair, f, face_poly)
    if f.kind != "real":  # drawn shading (photographs: warm skin, walls and hair alike)
        if neck.sum() < NECK_MIN_FW2 * fw * fw:  # a neck all in the chin's shadow (waifu_02): warm, darker skin
            neck = pf.neck_mask((skin_like | pf.shaded_skin(lab, cc.skin_l)) & core & ~hair, f, face_poly)
        neck |= pf.neck_shadow((labels == P.BACK_HAIR) & anyfg, neck, f, face_poly)
    labels[neck] = P.NECK
    if cancel:
        cancel.check()
    _paint_features(labels, lab, core, anyfg, cc.skin_mask, f, cc.skin_l, strands)
    behind = (labels == P.BACK_HAIR) & anyfg
    eyes = np.isin(labels, EYE_PARTS) & anyfg  # the frame's rims drawn along the lids are frame (issue 10)
    lash = np.isin(labels, (P.LASH_L, P.LASH_R))
    labels[glasses_mask(lab, np.isin(labels, (P.FACE, P.NOSE)) & anyfg, f, behind, eyes, lash)] = P.GLASSES
    if f.kind != "real":  # photographs: ears and shading pass the ornament colour test
        skin_like = cc.d_skin < 2.5 * cc.skin.tol
        hair_ref = hair_reference(lab, np.isin(labels, (P.FRONT_HAIR, P.BACK_HAIR)), skin_like, f)
        hat_region = np.isin(labels, (P.FRONT_HAIR, P.BACK_HAIR, P.BODY)) & anyfg
        labels[hat_mask(lab, hat_region, cc.skin_mask, hair_ref, f)] = P.HAT  # pale hats pass the loose skin test
        ear = earring_mask(lab, anyfg, face_poly, skin_like, hair_ref, f, labels == P.BODY)
        labels[ear & np.isin(labels, BIG_PARTS)] = P.EARRING
        x, y, bw, bh = f.face_box
        hair_labels = np.isin(labels, (P.FRONT_HAIR, P.BACK_HAIR, P.BODY))  # tips of a clip may read as clothes
        orn = ornament_mask(lab, hair_labels, anyfg, cc.hair, skin_like, fw, f.mouth_center[1], (x + bw / 2, y + bh / 2))
        labels[orn] = np.where(on_back_hair(orn, labels, fw), P.HAIR_ACCESSORY_BACK, P.HAIR_ACCESSORY)[orn]
    return _clean(labels, anyfg, fw)


def _hair(cls, anyfg, face_poly, yy, chin: tuple[float, float], neck: float | None, eye_y: float,
          fw: float, rgb: np.ndarray | None = None, plain: np.ndarray | None = None) -> np.ndarray:
    """Hair mask: hair-class pixels and every head pixel outside the face (ears are taken back by the
    caller), connected to hair above the chin. Clothes-coloured pixels count as body when they rise
    from below the chin, up to the eye line. With ``neck`` (a photograph's mouth line, px), what is
    not hair-coloured and rises from below the chin, up to that line, is not hair either, nor is the
    neck column under the jaw: the neck's skin and a necklace beside the jaw (s1), a shaded neck (s9)
    left as back hair turned with the head. (Skin-like hair-coloured pixels rising from below stay
    hair: on s12 they are the jaw's shadow, and the back hair completed beneath them closes its seam.)"""
    chin_x, chin_y = chin
    above = yy < chin_y
    hair = (cls == HAIR) & anyfg
    body = (cls == BODY) & anyfg
    rising = components_touching(body & ~face_poly, body & (yy > chin_y + 0.3 * fw)) & (yy > eye_y)
    if neck is not None:
        other = (cls != HAIR) & anyfg & ~face_poly
        up = components_touching(other, other & (yy > chin_y + 0.3 * fw)) & (yy > neck)
        rising |= up
    elif rgb is not None:
        rising |= _cloth_at_edge(cls, anyfg, face_poly, yy, chin_y, eye_y, fw)
        rising |= _shoulders(rgb, cls, anyfg, face_poly, rising, yy, chin_y, eye_y, fw, plain)
        hair &= ~(rising & above)
    hair |= above & anyfg & ~face_poly & ~rising
    hair = morph(hair, "open", 1)
    hair = components_touching(hair, hair & above & ~face_poly)
    # no hair in the middle of the chest (dark suits look like dark hair)
    chest = (yy > chin_y + 0.25 * fw) & (np.abs(np.arange(cls.shape[1])[None, :] - chin_x) < 0.5 * fw)
    if neck is not None:  # nor, in a photograph, on the neck under the jaw
        chest |= _under_jaw(face_poly, yy, chin_y, fw)
    return hair & ~chest


def _cloth_at_edge(cls, anyfg, face_poly, yy, chin_y: float, eye_y: float, fw: float) -> np.ndarray:
    """(H, W) bool: skin-class (pale, white) pieces outside the face between the eye line and the chin that
    reach the canvas's left or right edge over CLOTH_AWAY_FW from the face outline (so not an ear, the neck
    or the jaw's shadow) and join clothes below the chin through pixels not hair-coloured; each with all of
    its piece, up to where it comes out from under the hair. A white cloth ribbon at the picture's edge
    (the sample tadne_r1c0's, x 400-512, y 280-339 of 512) is the body's: as back hair it turned with the
    head, and the back hair's completion under the body below it (a flat grey band, x 440-512, y 337-390)
    came into view on AngleZ -30. Hair of a colour the hair samples missed stays hair (tadne_r3c3's teal
    twin-tail at the left edge is body-class, not skin-class)."""
    band = (cls == SKIN) & anyfg & ~face_poly & (yy > eye_y) & (yy < chin_y)
    side = np.zeros_like(band)
    side[:, [0, -1]] = True
    if not (band & side).any():
        return np.zeros_like(band)
    import cv2

    far = band & (cv2.distanceTransform((~face_poly).astype(np.uint8), cv2.DIST_L2, 3) > CLOTH_AWAY_FW * fw)
    pieces = components_touching(band, components_touching(far, far & side))
    if not pieces.any():
        return pieces
    other = (cls != HAIR) & anyfg & ~face_poly
    return pieces & components_touching(other & ((yy >= chin_y) | pieces), other & (yy > chin_y + 0.3 * fw))


def _shoulders(rgb, cls, anyfg, face_poly, rising, yy, chin_y: float, eye_y: float, fw: float,
               plain: np.ndarray | None = None) -> np.ndarray:
    """(H, W) bool: a drawing's clothes above the eye line, grown from the clothes rising from below
    (``rising``) up to the drawn edges that part them from the head: a watershed on the colours seeded
    with the face and the hair-coloured pixels above the eye line (head) and with ``rising`` (clothes).
    Shoulders raised by a tilt or a shrug, pale grey or skin-coloured by the colour classes, were back
    hair that turned with the head, a smear over the shoulder with no body beneath (tadne_r2c3's cape
    top, above the chin line; only its hair-coloured streaks there are taken from the hair). Pixels of a
    flood-filled background's colour (``plain``) stay out, like the background: the pockets between
    twin-tails and shoulders (tadne_r1c4) are left to ``foreground.drop_background_pockets``."""
    import cv2

    head = face_poly | ((cls == HAIR) & anyfg & (yy < eye_y))
    body = rising
    markers = np.zeros(cls.shape, np.int32)
    markers[~anyfg if plain is None else ~anyfg | plain] = 3  # not into the background's pockets (tadne_r1c4)
    markers[head] = 1
    markers[body & ~head] = 2
    cv2.watershed(np.ascontiguousarray(rgb), markers)
    return (markers == 2) & anyfg & ~face_poly & (yy > eye_y) & ~head


def _ear_bowls(ears: np.ndarray, face_skin: np.ndarray, front: np.ndarray, zone: np.ndarray, fw: float) -> np.ndarray:
    """(H, W) bool: a photograph's ear bowls, the pixels of ``zone`` walled in by an ear's skin rim
    (``ears``), the face skin and the front hair (gaps under 0.04 FW closed), in pieces under 0.12 FW² that touch the rim. A shaded
    ear reads as hair by colour (s7: only its pale rim was skin); left to the back hair, it turned with
    the hair while its rim went with the face, and the slit between them tore (0.19 % at AngleZ -30)."""
    wall = ears | face_skin | front
    closed = morph(wall, "close", max(1.0, 0.02 * fw))  # the rim's tip and the hair a few px apart
    bowl = fill_holes(closed, int(0.12 * fw * fw)) & ~wall & zone
    return components_touching(bowl, morph(ears, "dilate", 1))


def _under_jaw(face_poly: np.ndarray, yy: np.ndarray, chin_y: float, fw: float) -> np.ndarray:
    """(H, W) bool: the neck column of a photograph below the jaw outline, from 0.2 FW above the chin
    down to 0.3 FW below it, as wide as the middle 70 % of the face outline 0.2 FW above the chin (the
    neck is a little narrower than the jaw). Beside the chin the jaw lies above the chin line: s7's
    shaded neck sides there were back hair that turned with the head, a seam under the jaw."""
    out = np.zeros(face_poly.shape, bool)
    row = int(round(chin_y - 0.2 * fw))
    if not 0 <= row < face_poly.shape[0]:
        return out
    xs = np.flatnonzero(face_poly[row])
    if len(xs) < 2:
        return out
    inset = 0.15 * (xs[-1] - xs[0])
    x0, x1 = int(round(xs[0] + inset)), int(round(xs[-1] - inset)) + 1
    out[:, x0:x1] = True
    return out & (yy >= row) & (yy < chin_y + 0.3 * fw) & ~face_poly


def _paint_features(labels, lab, core, anyfg, skin, f: FaceLandmarks, skin_l: float, strands) -> None:
    """Brows, eyes (white, iris, lash), nose and mouth, in that order, in place. The eyes see the hair
    without the ``strands`` of :func:`fringe_strands` (they would join a hair-coloured lash or iris
    top to the fringe, and the eye segmenter keeps the fringe's strands out of the eye). Brows:
    :func:`inference.segmentation.brows.settle_brow` (strand tips at the brows stay front hair)."""
    front, face_skin = labels == P.FRONT_HAIR, (labels == P.FACE) | skin
    dark = core & anyfg & ~skin & (lab[..., 0] < skin_l - pf.BROW_DARK)
    for line, lab_id in ((f.brow_l, P.BROW_L), (f.brow_r, P.BROW_R)):
        brow = pf.brow_mask(lab, core, skin, f, line, skin_l) & anyfg
        brow, strand = settle_brow(brow, dark, front, face_skin, lab, f, line)  # strand tips stay hair
        labels[brow] = lab_id
        labels[strand] = P.FRONT_HAIR
    over = np.zeros_like(strands)
    # a side lock labelled back hair crossing the eye's outer corner is a strand too (tadne_r1c0's left
    # eye: its pixels were eye white and lower lash, and the closed lid painted skin over them)
    hair_now = (labels == P.FRONT_HAIR) | (labels == P.BACK_HAIR)
    for eye in (f.eye_l, f.eye_r):  # a strand hanging over the eye continues into the eye box
        over |= eye_strands(lab, hair_now, skin, eye) & anyfg
    labels[over & eye_boxes(over.shape, f, 0.0)] = P.FRONT_HAIR  # around the box only what the eye takes
    cover = ((labels == P.FRONT_HAIR) | (labels == P.BACK_HAIR)) & ~strands  # strands over the eyes stay hair
    for eye, ids in (
        (f.eye_l, (P.EYE_WHITE_L, P.IRIS_L, P.LASH_L)),
        (f.eye_r, (P.EYE_WHITE_R, P.IRIS_R, P.LASH_R)),
    ):
        white, iris, lash = pf.eye_parts(lab, core, skin, f, eye, skin_l, cover)
        for m, lab_id in zip((white, iris, lash), ids, strict=True):
            labels[m & anyfg] = np.where(over, P.FRONT_HAIR, lab_id)[m & anyfg]
    labels[pf.nose_mask(lab, core, skin, f) & anyfg] = P.NOSE
    mouth = pf.mouth_mask(lab, core, skin, f) & anyfg
    strands = pf.mouth_strands(mouth, cover, f)  # hair strands over the mouth's ends stay hair
    labels[mouth & ~strands] = P.MOUTH
    labels[strands] = P.FRONT_HAIR


def _clean(labels: np.ndarray, anyfg: np.ndarray, fw: float) -> np.ndarray:
    """Relabel small components by their nearest neighbours; background stays background."""
    unknown = ~anyfg.copy()
    for value in np.unique(labels[anyfg]):
        m = labels == value
        big = value in BIG_PARTS
        min_area = (0.05 * fw) ** 2 if big else max(3.0, (0.012 * fw) ** 2)
        m_big = remove_small(m, int(min_area))
        unknown |= m & ~m_big
    if unknown.all():
        return labels
    out = nearest_fill(labels, unknown)
    out[~anyfg] = P.BACKGROUND
    return out

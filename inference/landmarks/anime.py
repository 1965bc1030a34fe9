"""Anime faces: ``animeface`` (nvxs) detection, refined into a full :class:`FaceLandmarks`.

animeface (models.md 1.3) returns a face box, two eye boxes, a mouth box, nose and chin points and
skin/hair colours. Its ``left_eye`` is measured on the test data to lie on the image's right
(models.md 1.3); the code does not rely on either reading and assigns the eye with the larger x to
the character's left (``eye_l``, screen right). It silently finds nothing with Pillow >= 12 (the
project pins ``pillow<12``) and is slow on big images, so it runs on copies of at most 1024 px.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from inference.landmarks import anime_features as feat
from inference.landmarks.geometry import anime_face_contour, box_of, roll_from_eyes
from inference.masks import to_lab
from inference.types import CancelToken, FaceLandmarks

log = logging.getLogger(__name__)

MIN_LIKELIHOOD = 0.5


@dataclass(slots=True)
class RawAnimeFace:
    """animeface's answer in working px. Eye boxes are (x, y, w, h), ``eye_sl`` on the screen left."""

    likelihood: float
    face: tuple[float, float, float, float]
    eye_sl: tuple[float, float, float, float]
    eye_sr: tuple[float, float, float, float]
    mouth: tuple[float, float, float, float]
    nose: tuple[float, float]
    chin: tuple[float, float]
    skin_rgb: tuple[int, int, int]
    hair_rgb: tuple[int, int, int]
    faces_found: int = 1  # faces above MIN_LIKELIHOOD in the image; this one is number ``index`` by size
    index: int = 0


def run_animeface(rgb: np.ndarray, max_side: int, face_index: int = 0) -> RawAnimeFace | None:
    """Face number ``face_index`` (0 = the largest box) that animeface finds on ``rgb`` (H, W, 3) uint8
    downscaled to ``max_side``, in ``rgb``'s px; None without a face. ``faces_found`` says how many
    there are; a ``face_index`` past the last gives the smallest (``index`` says which was taken)."""
    import animeface
    from PIL import Image

    h, w = rgb.shape[:2]
    k = min(1.0, max_side / max(h, w))
    im = Image.fromarray(rgb)
    if k < 1.0:
        im = im.resize((max(1, round(w * k)), max(1, round(h * k))), Image.Resampling.LANCZOS)
        k = im.size[0] / w
    faces = [f for f in animeface.detect(im) if f.likelihood >= MIN_LIKELIHOOD]
    if not faces:
        return None
    faces.sort(key=lambda f: (-f.face.pos.width * f.face.pos.height, f.face.pos.x))
    f = faces[min(face_index, len(faces) - 1)]

    def box(p):
        return (p.x / k, p.y / k, p.width / k, p.height / k)

    a, b = box(f.left_eye.pos), box(f.right_eye.pos)
    sl, sr = (a, b) if a[0] < b[0] else (b, a)
    return RawAnimeFace(
        likelihood=float(f.likelihood),
        face=box(f.face.pos),
        eye_sl=sl,
        eye_sr=sr,
        mouth=box(f.mouth.pos),
        nose=(f.nose.pos.x / k, f.nose.pos.y / k),
        chin=(f.chin.pos.x / k, f.chin.pos.y / k),
        skin_rgb=(int(f.skin.color.r), int(f.skin.color.g), int(f.skin.color.b)),
        hair_rgb=(int(f.hair.color.r), int(f.hair.color.g), int(f.hair.color.b)),
        faces_found=len(faces),
        index=min(face_index, len(faces) - 1),
    )


def anime_landmarks(
    rgb: np.ndarray, fg: np.ndarray, raw: RawAnimeFace, cancel: CancelToken | None = None
) -> FaceLandmarks:
    """Full landmarks (working px) from animeface's boxes and the pixels (rgb (H, W, 3) uint8,
    fg (H, W) bool)."""
    lab = to_lab(rgb)
    c_sl = _centre(raw.eye_sl)
    c_sr = _centre(raw.eye_sr)
    iod = float(np.hypot(c_sr[0] - c_sl[0], c_sr[1] - c_sl[1]))
    fw = 0.5 * (raw.face[2] + 2.0 * iod)
    eye_y = 0.5 * (c_sl[1] + c_sr[1])
    mouth_top = raw.mouth[1]
    patches = [
        (c[0] - 0.12 * fw, eye_y + 0.12 * fw, 0.24 * fw, max(2.0, mouth_top - eye_y - 0.14 * fw))
        for c in (c_sl, c_sr)
    ]
    skin_fallback = to_lab(np.array([[raw.skin_rgb]], np.uint8))[0, 0]
    skin = feat.skin_model(lab, fg, patches, skin_fallback)
    skin_mask = skin.mask(lab) & fg
    if cancel:
        cancel.check()
    eyes = []
    for box in (raw.eye_sl, raw.eye_sr):
        blob = feat.eye_mask(lab, fg, skin_mask, box)
        eyes.append(feat.eye_landmarks(lab, blob, box))
    eye_r, eye_l = eyes  # screen left = character's right
    cx = 0.5 * (eye_l.center[0] + eye_r.center[0])
    eye_y = 0.5 * (eye_l.center[1] + eye_r.center[1])
    fw = _refine_width(skin_mask, cx, eye_y + 0.15 * fw, fw)
    dark_l = float(skin.lab[0]) - 22.0
    brow_r, _ = feat.brow_line(lab, fg, skin_mask, eye_r, fw, dark_l)
    brow_l, _ = feat.brow_line(lab, fg, skin_mask, eye_l, fw, dark_l)
    mouth_c, corners, mbox = feat.mouth_shape(lab, fg, skin_mask, raw.mouth)
    chin_y = float(np.clip(raw.chin[1], eye_y + 0.45 * fw, eye_y + 0.85 * fw))
    chin = (float(raw.chin[0]), chin_y)
    cy = eye_y + 0.03 * fw
    top_y = cy - 0.62 * fw
    contour = anime_face_contour(cx, eye_y, fw, top_y, chin)
    return FaceLandmarks(
        kind="anime",
        face_box=box_of(contour),
        face_contour=contour,
        chin=chin,
        eye_l=eye_l,
        eye_r=eye_r,
        brow_l=brow_l,
        brow_r=brow_r,
        nose=(float(raw.nose[0]), float(raw.nose[1])),
        mouth_center=mouth_c,
        mouth_corners=corners,
        mouth_box=mbox,
        roll_deg=roll_from_eyes(eye_l.center, eye_r.center),
        confidence=raw.likelihood,
        method="animeface",
    )


def _centre(b) -> tuple[float, float]:
    return b[0] + b[2] / 2, b[1] + b[3] / 2


def _refine_width(skin: np.ndarray, cx: float, y: float, fw: float) -> float:
    """Face width from the skin run through (cx, y), kept within [0.85, 1.2] × the estimate ``fw``."""
    h, w = skin.shape
    r = int(round(y))
    if not 0 <= r < h:
        return fw
    band = skin[max(0, r - 2) : min(h, r + 3)].any(0)
    c = int(round(cx))
    if not 0 <= c < w or not band[c]:
        return fw
    gap = max(2, int(0.04 * fw))
    left = right = c
    while left > 0 and band[max(0, left - gap) : left].any():
        left -= 1
    while right < w - 1 and band[right + 1 : right + 1 + gap].any():
        right += 1
    # the cheek row is ~0.9 of the temple width on the sample rigs' outlines
    measured = (right - left + 1) / 0.93
    return float(np.clip(measured, 0.85 * fw, 1.2 * fw))

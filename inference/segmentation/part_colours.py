"""Colour classes for the part segmenter: skin, hair and body (clothes) samples → per-pixel class.

A nearest-centroid classifier in CIE Lab; for photographs lightness is weighted by
:data:`L_WEIGHT_REAL` (shading changes lightness far more than hue, so shaded skin stays skin): skin is one centroid (the cheeks), hair and body up
to three centroids each (k-means of samples taken where the face geometry says hair and clothes are:
a ring above the face, and the foreground well below the chin). Working frame, bool masks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from inference.landmarks.anime_features import SkinModel, skin_model
from inference.masks import fill_polygon, nearest_distance
from inference.types import FaceLandmarks

SKIN, HAIR, BODY = 0, 1, 2
L_WEIGHT_REAL = 0.6
"""Lightness weight for photographs (shaded skin); anime colours are flat and use 1.0."""


@dataclass(slots=True)
class ColourClasses:
    """Per-pixel class (H, W) uint8 in {SKIN, HAIR, BODY} over the foreground, and the models."""

    cls: np.ndarray
    skin: SkinModel
    hair: np.ndarray  # (k, 3) Lab centroids, k >= 0
    body: np.ndarray  # (k, 3)
    skin_mask: np.ndarray  # (H, W) bool: close to the skin colour (ΔE < tol)
    d_skin: np.ndarray  # (H, W) float32 ΔE to the skin colour
    d_hair: np.ndarray  # (H, W) float32 ΔE to the nearest hair centroid (inf without hair samples)
    skin_l: float  # the skin's (unweighted) L*

    def hair_over_skin(self, margin: float = 25.0) -> np.ndarray:
        """Pixels clearly hair rather than (shaded) skin: outside the skin tolerance, nearer a hair
        centroid than the skin colour and within ``margin`` of it."""
        return (self.d_skin > self.skin.tol) & (self.d_hair < self.d_skin) & (self.d_hair < margin)


def _kmeans(pix: np.ndarray, k: int) -> np.ndarray:
    """Deterministic k-means (OpenCV, fixed seed, k-means++ init) of (N, 3) float32 → (k', 3)."""
    import cv2

    if len(pix) == 0:
        return np.zeros((0, 3), np.float32)
    k = max(1, min(k, len(pix) // 20))
    if len(pix) > 20000:
        pix = pix[:: len(pix) // 20000 + 1]
    cv2.setRNGSeed(0)
    crit = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 0.5)
    _, lab, cen = cv2.kmeans(np.ascontiguousarray(pix, np.float32), k, None, crit, 2, cv2.KMEANS_PP_CENTERS)
    # drop tiny clusters (outliers such as lines), keep at least one
    counts = np.bincount(lab.ravel(), minlength=k)
    keep = counts >= max(1, 0.08 * len(pix))
    keep[np.argmax(counts)] = True
    return cen[keep].astype(np.float32)


def classify(lab: np.ndarray, fg: np.ndarray, face: FaceLandmarks, face_poly: np.ndarray) -> ColourClasses:
    """Skin / hair / body class of every foreground pixel (working frame).

    Parameters
    ----------
    lab : (H, W, 3) float32 Lab (unweighted; for real faces distances use L * L_WEIGHT_REAL)
    fg : (H, W) bool, the character
    face : FaceLandmarks in the working frame
    face_poly : (H, W) bool, the filled face contour
    """
    h, w = fg.shape
    l_weight = L_WEIGHT_REAL if face.kind == "real" else 1.0
    lab = lab * np.array([l_weight, 1.0, 1.0], np.float32)
    fw = face.face_width_px
    eye_y = 0.5 * (face.eye_l.center[1] + face.eye_r.center[1])
    mouth_top = face.mouth_box[1]
    patches = [
        (e.center[0] - 0.12 * fw, eye_y + 0.12 * fw, 0.24 * fw, max(2.0, mouth_top - eye_y - 0.14 * fw))
        for e in (face.eye_l, face.eye_r)
    ]
    fallback = np.median(lab[face_poly & fg], 0) if (face_poly & fg).any() else np.array([80.0, 10, 15])
    skin = skin_model(lab, fg, patches, fallback)
    skin_mask = skin.mask(lab) & fg
    d_skin = nearest_distance(lab, np.asarray(skin.lab)[None])
    near_skin = d_skin < 1.5 * skin.tol
    ring, forehead = _hair_sample_region(face, face_poly, (h, w))
    hair_seed = fg & ((ring & ~skin_mask) | (forehead & ~near_skin))
    hair = _kmeans(lab[hair_seed], 3)
    d_h = nearest_distance(lab, hair)
    body_seed = np.zeros((h, w), bool)
    body_seed[int(min(h, face.chin[1] + 0.45 * fw)) :] = True
    body_seed &= fg & ~near_skin & (d_h > 12.0)
    body = _kmeans(lab[body_seed], 3)
    d_b = nearest_distance(lab, body)
    d_s = np.where(d_skin < 1.3 * skin.tol, d_skin * (12.0 / skin.tol), np.inf)
    cls = np.argmin(np.stack([d_s, d_h, d_b], 0), 0).astype(np.uint8)
    none = ~np.isfinite(np.minimum(np.minimum(d_s, d_h), d_b))
    cls[none] = BODY
    skin_l = float(skin.lab[0]) / l_weight
    return ColourClasses(
        cls, skin, hair, body, skin_mask, d_skin.astype(np.float32), d_h.astype(np.float32), skin_l
    )


def _hair_sample_region(face: FaceLandmarks, face_poly: np.ndarray, shape: tuple[int, int]):
    """Where hair almost surely is: (ring, forehead) masks — a band just outside the upper face outline
    (to 1.35× its size about the face centre, above the eyes), and the forehead above the brows
    (bangs, or skin: the caller drops skin-coloured pixels there)."""
    c = face.face_contour.astype(np.float64)
    x, y, bw, bh = face.face_box
    centre = np.array([x + bw / 2, y + bh / 2])
    outer = fill_polygon(shape, centre + (c - centre) * 1.35)
    eye_y = 0.5 * (face.eye_l.center[1] + face.eye_r.center[1])
    band = outer & ~face_poly
    yy = np.arange(shape[0])[:, None]
    band &= yy < eye_y
    brow_y = min(float(face.brow_l[:, 1].min()), float(face.brow_r[:, 1].min()))
    forehead = face_poly & (yy < brow_y - 0.06 * bw)
    return band, forehead

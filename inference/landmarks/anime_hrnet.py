"""Pre/post-processing of hysts/anime-face-detector's HRNetV2 landmark model (28 points; models.md §2.3).

The model itself is not registered yet (:mod:`inference.models.candidates`: PyTorch weights only, an
ONNX export and its hash are needed); this module holds the parts that do not depend on the weights,
written from the documented formulas:

- **crop** (``hysts/anime-face-detector : anime_face_detector/detector.py``, ``box_scale_factor=1.1``;
  mmpose top-down affine): a square of side ``max(w, h) * 1.1`` about the box centre, resized to
  256², RGB, ImageNet mean (0.485, 0.456, 0.406) and std (0.229, 0.224, 0.225), NCHW float32.
- **decode** (mmpose ``keypoints_from_heatmaps`` with ``post_process="unbiased"``, DARK: Zhang et al.
  2020, "Distribution-Aware Coordinate Representation for Human Pose Estimation", eq. 3–7): Gaussian
  modulation of each heatmap, then one Newton step on the log-heatmap at the argmax,
  ``x = m - H⁻¹ ∇``, with central differences. For a Gaussian heatmap it recovers the sub-pixel peak.
- **flip test**: the heatmaps of the mirrored crop are mirrored back, channels swapped by
  :data:`FLIP_PAIRS`, shifted one pixel right (mmpose ``shift_heatmap=True``) and averaged.
- **back to the canvas** (mmpose ``transform_preds``): ``x = cx - side / 2 + hx * side / 64``.
"""

from __future__ import annotations

import numpy as np

INPUT_PX = 256
HEATMAP_PX = 64
BOX_SCALE = 1.1
MEAN = np.array([0.485, 0.456, 0.406], np.float32)
STD = np.array([0.229, 0.224, 0.225], np.float32)
FLIP_PAIRS = ((0, 4), (1, 3), (5, 10), (6, 9), (7, 8), (11, 19), (12, 18), (13, 17), (14, 22), (15, 21),
              (16, 20), (24, 26))


def crop_square(face_box: tuple[float, float, float, float], scale: float = BOX_SCALE) -> tuple[float, float, float]:
    """(cx, cy, side) canvas px of the model's square crop for a face box (x, y, w, h)."""
    x, y, w, h = face_box
    return x + w / 2, y + h / 2, max(w, h) * scale


def preprocess(rgb: np.ndarray, face_box: tuple[float, float, float, float]) -> tuple[np.ndarray, tuple[float, float, float]]:
    """(1, 3, 256, 256) float32 normalised crop of ``rgb`` (H, W, 3) uint8, and its (cx, cy, side).

    Outside the image the crop is black (0 before normalisation), as mmpose's ``warpAffine``.
    """
    import cv2

    cx, cy, side = crop_square(face_box)
    s = INPUT_PX / side
    m = np.array([[s, 0, INPUT_PX / 2 - cx * s], [0, s, INPUT_PX / 2 - cy * s]], np.float64)
    crop = cv2.warpAffine(np.ascontiguousarray(rgb[..., :3]), m, (INPUT_PX, INPUT_PX), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    x = (crop.astype(np.float32) / 255.0 - MEAN) / STD
    return np.ascontiguousarray(x.transpose(2, 0, 1)[None]), (cx, cy, side)


def flip_back(heatmaps: np.ndarray, shift: bool = True) -> np.ndarray:
    """Heatmaps (K, h, w) of a mirrored crop mapped to the unmirrored frame (channels swapped by pairs)."""
    out = heatmaps[:, :, ::-1].copy()
    for a, b in FLIP_PAIRS:
        out[[a, b]] = out[[b, a]]
    if shift:
        out[:, :, 1:] = out[:, :, :-1].copy()
    return out


def dark_decode(heatmaps: np.ndarray, kernel: int = 11) -> tuple[np.ndarray, np.ndarray]:
    """Sub-pixel peaks of (K, h, w) heatmaps: ((K, 2) x, y in heatmap px, (K,) peak values).

    ``kernel`` is the Gaussian modulation size (mmpose: 11 for 64² heatmaps; 0 skips it).
    """
    import cv2

    k, h, w = heatmaps.shape
    hm = heatmaps.astype(np.float64)
    maxvals = hm.reshape(k, -1).max(axis=1)
    idx = hm.reshape(k, -1).argmax(axis=1)
    coords = np.stack([idx % w, idx // w], axis=1).astype(np.float64)
    if kernel:
        border = (kernel - 1) // 2
        for i in range(k):
            origin = hm[i].max()
            padded = cv2.copyMakeBorder(hm[i], border, border, border, border, cv2.BORDER_CONSTANT, value=0)
            blurred = cv2.GaussianBlur(padded, (kernel, kernel), 0)[border:-border, border:-border]
            hm[i] = blurred * (origin / max(blurred.max(), 1e-12))
    logh = np.log(np.maximum(hm, 1e-10))
    for i in range(k):
        x, y = int(coords[i, 0]), int(coords[i, 1])
        if not (1 <= x < w - 1 and 1 <= y < h - 1):
            continue
        L = logh[i]
        dx = 0.5 * (L[y, x + 1] - L[y, x - 1])
        dy = 0.5 * (L[y + 1, x] - L[y - 1, x])
        dxx = L[y, x + 1] - 2 * L[y, x] + L[y, x - 1]
        dyy = L[y + 1, x] - 2 * L[y, x] + L[y - 1, x]
        dxy = 0.25 * (L[y + 1, x + 1] - L[y + 1, x - 1] - L[y - 1, x + 1] + L[y - 1, x - 1])
        hess = np.array([[dxx, dxy], [dxy, dyy]])
        if abs(np.linalg.det(hess)) > 1e-12:
            coords[i] -= np.linalg.solve(hess, np.array([dx, dy]))
    return coords.astype(np.float32), maxvals.astype(np.float32)


def to_canvas(coords_hm: np.ndarray, crop: tuple[float, float, float]) -> np.ndarray:
    """(K, 2) heatmap px -> canvas px for the crop (cx, cy, side) (mmpose ``transform_preds``)."""
    cx, cy, side = crop
    out = np.asarray(coords_hm, np.float64) * (side / HEATMAP_PX)
    out[:, 0] += cx - side / 2
    out[:, 1] += cy - side / 2
    return out.astype(np.float32)

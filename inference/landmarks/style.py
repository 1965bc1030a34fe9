"""Drawn or photographed: how sharp a face's strongest edges are.

MediaPipe's face mesh fits many anime faces (the shared anime images ``crypko_02``, ``tadne_r1c2``,
``waifu_04`` ... pass its gate), so a mesh alone does not say the face is real. A drawing's line art
and colour boundaries are steps one or two pixels wide; a photograph's (or an academic painting's)
edges are soft ramps. :func:`edge_sharpness` measures that on the face at a fixed scale, and
:data:`DRAWN_SHARPNESS` is the value from which a face MediaPipe accepted is looked at again as a
drawing (:func:`inference.landmarks.find_face`).

Measured on the shared images (face box grown by 0.3 face widths, 128 px face width): the nine
portraits 0.265 (s3) to 0.334 (s7), the dog s30 0.281; the anime images 0.316 (waifu_05) to 0.451
(tadne_r1c4), tadne_r1c2 (the one anime image whose face animeface finds only below 512 px) 0.389.
"""

from __future__ import annotations

import numpy as np

DRAWN_SHARPNESS = 0.35
SCALE_FW_PX = 128
GROW_FW = 0.3
TOP_EDGES = 95.0  # percentile of the gradient magnitude from which a pixel is one of the strongest edges


def edge_sharpness(rgb: np.ndarray, box: tuple[float, float, float, float]) -> float:
    """Median, over the strongest 5 % of edge pixels, of the gradient magnitude divided by the local
    range (max - min grey level in the 5x5 window): about 0.5 for a one-pixel step, less for a ramp.

    Parameters
    ----------
    rgb : (H, W, 3) uint8
    box : (x, y, w, h) float
        The face box in ``rgb``'s px; the measure is taken on the box grown by ``GROW_FW`` face widths
        (``w``), resized to a face width of ``SCALE_FW_PX`` px (area averaging).

    Returns
    -------
    float
        0.0 for an empty or flat crop.
    """
    import cv2

    x, y, bw, bh = box
    h, w = rgb.shape[:2]
    g = GROW_FW * bw
    x0, y0 = max(0, int(x - g)), max(0, int(y - g))
    x1, y1 = min(w, int(x + bw + g)), min(h, int(y + bh + g))
    if bw < 4 or x1 - x0 < 8 or y1 - y0 < 8:
        return 0.0
    k = SCALE_FW_PX / bw
    size = (max(8, round((x1 - x0) * k)), max(8, round((y1 - y0) * k)))
    crop = np.ascontiguousarray(rgb[y0:y1, x0:x1, :3])
    grey = cv2.resize(crop, size, interpolation=cv2.INTER_AREA).astype(np.float32).mean(2)
    gx = cv2.Sobel(grey, cv2.CV_32F, 1, 0) / 8.0
    gy = cv2.Sobel(grey, cv2.CV_32F, 0, 1) / 8.0
    mag = np.hypot(gx, gy)
    if not mag.any():
        return 0.0
    window = np.ones((5, 5), np.uint8)
    local = cv2.dilate(grey, window) - cv2.erode(grey, window)
    top = mag > np.percentile(mag, TOP_EDGES)
    if not top.any():
        return 0.0
    return float(np.median(mag[top] / np.maximum(local[top], 1.0)))


def mesh_box(points: np.ndarray) -> tuple[float, float, float, float]:
    """(x, y, w, h) of a face mesh's points (N, 2)."""
    x0, y0 = points.min(0)
    x1, y1 = points.max(0)
    return float(x0), float(y0), float(x1 - x0), float(y1 - y0)

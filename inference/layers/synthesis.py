"""Art the input lacks, painted from scratch (design.md "Generation", stage 5).

- **MouthInterior**: the open mouth (dark red interior, a band of upper teeth and a tongue), sized
  from the mouth box so that the rig can reveal it as the lips part (rigging.md 7: the visible open
  height is about 0.6 x the mouth width).
- **LidLine**: the drawn closed-eye line in the lash colour, along where the lids meet, about
  two thirds down the eye and curved like the lower lash (rigging.md 6, "Blink"). The rig keeps it
  at opacity 0 and fades it in as the eye closes.

Shapes are drawn at 4x and downsampled, so their edges are anti-aliased. Images are (h, w, 4)
uint8 RGBA, straight alpha; positions are canvas px.
"""

from __future__ import annotations

import numpy as np

SUPERSAMPLE = 4
MOUTH_INTERIOR_RGB = (96, 28, 40)
TONGUE_RGB = (196, 92, 102)
TEETH_RGB = (246, 244, 242)
OPEN_HEIGHT_PER_WIDTH = 0.6
"""Visible open height / mouth width (rigging.md 7, median 0.121 FW / 0.21 FW)."""


def _downsample(canvas: np.ndarray) -> np.ndarray:
    """(H*S, W*S, 4) float32 premultiplied -> (H, W, 4) uint8 straight alpha (box filter)."""
    s = SUPERSAMPLE
    h, w = canvas.shape[0] // s, canvas.shape[1] // s
    avg = canvas[: h * s, : w * s].reshape(h, s, w, s, 4).mean(axis=(1, 3))
    alpha = avg[..., 3:4]
    rgb = np.where(alpha > 1e-6, avg[..., :3] / np.maximum(alpha, 1e-6), 0.0)
    out = np.concatenate([rgb, alpha * 255.0], axis=-1)
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


def mouth_interior(
    mouth_center: tuple[float, float], mouth_width_px: float, canvas_size: tuple[int, int]
) -> tuple[np.ndarray, tuple[float, float]]:
    """Paint an open-mouth interior.

    Parameters
    ----------
    mouth_center : (x, y)
        Canvas px; the closed mouth line passes through it.
    mouth_width_px : float
        Closed mouth width (corner to corner), px.
    canvas_size : (W, H)
        The image is clipped to the canvas.

    Returns
    -------
    image : (h, w, 4) uint8 ndarray
        RGBA straight alpha: a rounded "D" shape, flat-ish on top, teeth along the top edge, a tongue
        at the bottom.
    origin_px : (x, y)
        Canvas position of the image's top-left pixel (integers).
    """
    import cv2

    width = max(4.0, 0.9 * mouth_width_px)
    height = max(3.0, OPEN_HEIGHT_PER_WIDTH * width)
    cx, cy = mouth_center
    top = cy - 0.25 * height
    x0, y0 = int(np.floor(cx - width / 2)) - 1, int(np.floor(top)) - 1
    x1, y1 = int(np.ceil(cx + width / 2)) + 2, int(np.ceil(top + height)) + 2
    s = SUPERSAMPLE
    canvas = np.zeros(((y1 - y0) * s, (x1 - x0) * s, 4), np.float32)

    def pt(x: float, y: float) -> tuple[float, float]:
        return ((x - x0) * s, (y - y0) * s)

    t = np.linspace(0.0, np.pi, 24)
    upper = [pt(cx - width / 2 * np.cos(a), top + 0.12 * height * (1 - np.sin(a))) for a in t]
    lower = [pt(cx + width / 2 * np.cos(a), top + 0.12 * height + 0.88 * height * np.sin(a)) for a in t]
    outline = np.round(np.array(upper + lower)).astype(np.int32)
    shape = np.zeros(canvas.shape[:2], np.uint8)
    cv2.fillPoly(shape, [outline], 1)
    inside = shape.astype(bool)
    layers = np.zeros(canvas.shape[:2], np.uint8)
    tongue_c = np.round(pt(cx, top + 1.0 * height)).astype(int)
    cv2.ellipse(layers, tuple(tongue_c), (int(0.32 * width * s), int(0.42 * height * s)), 0, 0, 360, 1, -1)
    teeth_bottom = (top + 0.22 * height - y0) * s
    rows = np.arange(canvas.shape[0])[:, None]
    color = np.empty(canvas.shape[:2] + (3,), np.float32)
    color[:] = MOUTH_INTERIOR_RGB
    color[layers.astype(bool)] = TONGUE_RGB
    color[np.broadcast_to(rows < teeth_bottom, inside.shape)] = TEETH_RGB
    canvas[..., :3] = color * inside[..., None]
    canvas[..., 3] = inside
    image = _downsample(canvas)
    return _clip_to_canvas(image, (x0, y0), canvas_size)


def lid_line(
    path: np.ndarray,
    lash_px: float,
    color: np.ndarray,
    canvas_size: tuple[int, int],
) -> tuple[np.ndarray, tuple[float, float]]:
    """Paint a closed-eye line.

    Parameters
    ----------
    path : (P, 2) ndarray
        The line where the lids meet, corner to corner, canvas px (``inference.layers.eyes.EyeShape``:
        about two thirds down the eye, curved like the lower lid; rigging.md 6).
    lash_px : float
        Thickness of the upper lash at rest, px; the line is 0.8 of it at the centre (1.5 px to
        0.08 of the eye width), tapering to 0.6 of that at the corners.
    color : (3,) ndarray
        Lash colour, RGB 0..255.
    canvas_size : (W, H)

    Returns
    -------
    image : (h, w, 4) uint8 ndarray
        RGBA straight alpha, one connected stroke.
    origin_px : (x, y)
    """
    import cv2

    path = np.asarray(path, np.float64)
    width = float(np.ptp(path[:, 0])) if len(path) else 0.0
    thick = float(np.clip(0.8 * lash_px, 1.5, max(1.5, 0.08 * width)))
    x0 = int(np.floor(path[:, 0].min() - thick)) - 1
    y0 = int(np.floor(path[:, 1].min() - thick)) - 1
    x1 = int(np.ceil(path[:, 0].max() + thick)) + 2
    y1 = int(np.ceil(path[:, 1].max() + thick)) + 2
    s = SUPERSAMPLE
    alpha = np.zeros(((y1 - y0) * s, (x1 - x0) * s), np.uint8)
    xs = np.linspace(path[0, 0], path[-1, 0], max(8, int(2 * width)))
    ys = np.interp(xs, path[:, 0], path[:, 1])
    for i, (x, y) in enumerate(zip(xs, ys, strict=True)):
        u = i / max(1, len(xs) - 1)
        r = 0.5 * thick * (0.6 + 0.4 * np.sin(np.pi * u))
        cv2.circle(
            alpha, (int(round((x - x0) * s)), int(round((y - y0) * s))), max(1, int(round(r * s))), 1, -1
        )
    canvas = np.zeros(alpha.shape + (4,), np.float32)
    a = alpha.astype(np.float32)
    canvas[..., :3] = np.asarray(color, np.float32)[None, None, :] * a[..., None]
    canvas[..., 3] = a
    return _clip_to_canvas(_downsample(canvas), (x0, y0), canvas_size)


def _clip_to_canvas(
    image: np.ndarray, origin: tuple[int, int], canvas_size: tuple[int, int]
) -> tuple[np.ndarray, tuple[float, float]]:
    """Crop an image placed at ``origin`` to the canvas [0, W) x [0, H)."""
    w, h = canvas_size
    x0, y0 = origin
    cx0, cy0 = max(0, -x0), max(0, -y0)
    cx1 = max(cx0, min(image.shape[1], w - x0))
    cy1 = max(cy0, min(image.shape[0], h - y0))
    return image[cy0:cy1, cx0:cx1].copy(), (float(x0 + cx0), float(y0 + cy0))

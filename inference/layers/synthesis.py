"""Art the input lacks, painted from scratch (design.md "Generation", stage 5).

- **LidLine**: the drawn closed-eye line in the lash's ink colour (``inference.layers.eyelid.lash_ink``),
  along where the lids meet, about two thirds down the eye and curved like the lower lash
  (rigging.md 6, "Blink"). The rig keeps it at opacity 0 and fades it in as the eye closes.

Shapes are drawn at 4x and downsampled, so their edges are anti-aliased. Images are (h, w, 4)
uint8 RGBA, straight alpha; positions are canvas px.
"""

from __future__ import annotations

import numpy as np

SUPERSAMPLE = 4


def _downsample(canvas: np.ndarray) -> np.ndarray:
    """(H*S, W*S, 4) float32 premultiplied -> (H, W, 4) uint8 straight alpha (box filter)."""
    s = SUPERSAMPLE
    h, w = canvas.shape[0] // s, canvas.shape[1] // s
    avg = canvas[: h * s, : w * s].reshape(h, s, w, s, 4).mean(axis=(1, 3))
    alpha = avg[..., 3:4]
    rgb = np.where(alpha > 1e-6, avg[..., :3] / np.maximum(alpha, 1e-6), 0.0)
    out = np.concatenate([rgb, alpha * 255.0], axis=-1)
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


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

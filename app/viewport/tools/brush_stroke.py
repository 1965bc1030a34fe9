"""One mask-painting stroke, pure numpy: dab coverage, the edited mask, and its preview tint.

Canvas frame (px, origin top-left, +y down); a pixel ``(i, j)`` has its centre at ``(j + 0.5, i + 0.5)``.
A dab of radius ``r`` and hardness ``h`` covers a pixel at distance ``d`` from its centre with
``1`` for ``d <= h r``, falling linearly to ``0`` at ``d = r``; a stroke keeps, per pixel, the
largest coverage of its dabs (dabs every quarter radius along the drag). The layer mask is binary
(the source owner map), so the stroke **applies where coverage >= 0.5**: a soft brush paints the
same centre line with a thinner committed edge, and its preview shows the falloff.
"""

from __future__ import annotations

import numpy as np

APPLY_COVERAGE = 0.5
"""Coverage from which a painted pixel changes the mask."""

# straight RGBA tints of the preview
TINT_KEPT = (80, 200, 255, 70)  # the layer's visible pixels the stroke does not touch
TINT_ADDED = (60, 255, 90, 150)  # pixels the stroke adds
TINT_REMOVED = (255, 60, 60, 150)  # pixels the stroke erases


class Stroke:
    """Coverage of one stroke over a canvas of ``shape`` (H, W).

    Parameters
    ----------
    shape : (H, W)
        Canvas size (the source image's).
    radius_px : float
        Brush radius, canvas px (>= 0.5).
    hardness : float
        In [0, 1]: the fraction of the radius painted at full coverage.
    """

    def __init__(self, shape: tuple[int, int], radius_px: float, hardness: float) -> None:
        self.coverage = np.zeros(shape, np.float32)
        self.radius_px = max(0.5, float(radius_px))
        self.hardness = min(1.0, max(0.0, float(hardness)))
        self.last: tuple[float, float] | None = None
        self.box: tuple[int, int, int, int] | None = None  # (x0, y0, x1, y1) touched, end exclusive

    def dab(self, center_px: tuple[float, float]) -> None:
        """Add one dab at ``center_px``."""
        h, w = self.coverage.shape
        r = self.radius_px
        x0, y0 = max(0, int(np.floor(center_px[0] - r))), max(0, int(np.floor(center_px[1] - r)))
        x1, y1 = min(w, int(np.ceil(center_px[0] + r)) + 1), min(h, int(np.ceil(center_px[1] + r)) + 1)
        self.last = (float(center_px[0]), float(center_px[1]))
        if x0 >= x1 or y0 >= y1:
            return
        yy, xx = np.mgrid[y0:y1, x0:x1]
        d = np.hypot(xx + 0.5 - center_px[0], yy + 0.5 - center_px[1])
        inner = self.hardness * r
        cov = np.clip((r - d) / max(r - inner, 1e-6), 0.0, 1.0).astype(np.float32)
        block = self.coverage[y0:y1, x0:x1]
        np.maximum(block, cov, out=block)
        b = self.box
        self.box = (x0, y0, x1, y1) if b is None else (min(b[0], x0), min(b[1], y0), max(b[2], x1), max(b[3], y1))

    def drag_to(self, center_px: tuple[float, float]) -> None:
        """Dab from the last dab to ``center_px`` every quarter radius (or just here if first)."""
        if self.last is None:
            self.dab(center_px)
            return
        start = np.asarray(self.last)
        end = np.asarray(center_px, np.float64)
        steps = int(np.ceil(np.linalg.norm(end - start) / max(0.25 * self.radius_px, 0.5)))
        for t in np.linspace(0.0, 1.0, steps + 1)[1:]:
            self.dab(tuple(start + (end - start) * t))

    @property
    def painted(self) -> np.ndarray:
        """(H, W) bool: pixels the stroke applies to (coverage >= ``APPLY_COVERAGE``)."""
        return self.coverage >= APPLY_COVERAGE

    def apply(self, mask: np.ndarray, erase: bool) -> np.ndarray:
        """The edited (H, W) bool mask: ``mask`` plus (or minus, ``erase``) the painted pixels."""
        return mask & ~self.painted if erase else mask | self.painted


def tint_image(mask: np.ndarray, stroke: Stroke | None, erase: bool, box: tuple[int, int, int, int]) -> np.ndarray:
    """(y1 - y0, x1 - x0, 4) uint8 straight RGBA preview of ``box`` = (x0, y0, x1, y1).

    Kept visible pixels are tinted blue, pixels the stroke adds green and pixels it erases red; the
    stroke's tint alpha follows its coverage, so a soft brush shows its falloff.
    """
    x0, y0, x1, y1 = box
    m = mask[y0:y1, x0:x1]
    out = np.zeros((*m.shape, 4), np.uint8)
    out[m] = TINT_KEPT
    if stroke is not None:
        cov = stroke.coverage[y0:y1, x0:x1]
        hit = (cov > 0) & (m if erase else ~m)
        tint = np.array(TINT_REMOVED if erase else TINT_ADDED, np.float32)
        out[hit, :3] = tint[:3].astype(np.uint8)
        out[hit, 3] = np.round(tint[3] * (0.35 + 0.65 * cov[hit])).astype(np.uint8)
    return out


def mask_box(mask: np.ndarray, stroke: Stroke | None) -> tuple[int, int, int, int] | None:
    """Bounding box (x0, y0, x1, y1) of the mask's pixels and the stroke's dabs, or None if empty."""
    ys = np.flatnonzero(mask.any(axis=1))
    boxes = []
    if ys.size:
        xs = np.flatnonzero(mask.any(axis=0))
        boxes.append((int(xs[0]), int(ys[0]), int(xs[-1]) + 1, int(ys[-1]) + 1))
    if stroke is not None and stroke.box is not None:
        boxes.append(stroke.box)
    if not boxes:
        return None
    b = np.array(boxes)
    return int(b[:, 0].min()), int(b[:, 1].min()), int(b[:, 2].max()), int(b[:, 3].max())

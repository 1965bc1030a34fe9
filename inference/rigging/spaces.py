"""Rest-pose coordinate spaces of the deformer tree.

At rest every warp lattice Kirie generates is regular and axis-aligned and every rotation deformer
has angle 0 and scale 1, so each deformer's local space is an axis-aligned affine image of the
canvas: ``canvas = origin + local * scale`` (componentwise). Keyforms are built in canvas px and
converted into the parent's local space with :meth:`Space.to_local`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Space:
    """``canvas = origin + local * scale``; ``origin`` and ``scale`` are (2,) float64."""

    origin: tuple[float, float] = (0.0, 0.0)
    scale: tuple[float, float] = (1.0, 1.0)

    def to_local(self, points_px: np.ndarray) -> np.ndarray:
        """(…, 2) canvas px → (…, 2) float32 local coordinates."""
        p = np.asarray(points_px, np.float64)
        return ((p - np.asarray(self.origin)) / np.asarray(self.scale)).astype(np.float32)

    def to_canvas(self, points_local: np.ndarray) -> np.ndarray:
        p = np.asarray(points_local, np.float64)
        return p * np.asarray(self.scale) + np.asarray(self.origin)

    @staticmethod
    def canvas() -> Space:
        return Space()

    @staticmethod
    def rotation(origin_px: tuple[float, float]) -> Space:
        """A rotation deformer at rest: pixel-sized units relative to its origin."""
        return Space((float(origin_px[0]), float(origin_px[1])), (1.0, 1.0))

    @staticmethod
    def warp(box_px: tuple[float, float, float, float]) -> Space:
        """A regular warp over ``box_px`` = (x0, y0, x1, y1): its [0, 1]^2 space."""
        x0, y0, x1, y1 = box_px
        return Space((x0, y0), (x1 - x0, y1 - y0))


def lattice_px(box_px: tuple[float, float, float, float], rows: int, cols: int) -> np.ndarray:
    """Regular ((rows+1)*(cols+1), 2) float64 lattice over the box, row 0 at the top, x fastest."""
    x0, y0, x1, y1 = box_px
    u = np.linspace(0.0, 1.0, cols + 1)
    v = np.linspace(0.0, 1.0, rows + 1)
    uu, vv = np.meshgrid(u, v)
    return np.stack([x0 + uu * (x1 - x0), y0 + vv * (y1 - y0)], axis=-1).reshape(-1, 2)


def bbox_px(points: np.ndarray, margin_frac: float = 0.06, min_margin_px: float = 3.0) -> tuple[float, float, float, float]:
    """Bounding box (x0, y0, x1, y1) of (N, 2) points grown by a margin on every side."""
    p = np.asarray(points, np.float64).reshape(-1, 2)
    lo, hi = p.min(axis=0), p.max(axis=0)
    m = np.maximum((hi - lo) * margin_frac, min_margin_px)
    lo, hi = lo - m, hi + m
    return float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1])

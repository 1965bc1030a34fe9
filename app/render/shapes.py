"""Editor overlay shapes (vertex handles, selection boxes, brush outlines) drawn over the art.

Tools describe what to draw as an :class:`OverlayShapes` in canvas px; the renderer draws points as
squares of a fixed size in viewport px (independent of zoom) and lines one pixel wide.
Colours are RGBA floats in [0, 1], straight alpha.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from app.render.gizmos import squares

Color = tuple[float, float, float, float]


@dataclass(frozen=True, slots=True, eq=False)
class OverlayShapes:
    """Points and line segments in canvas px.

    Attributes
    ----------
    points_px : (N, 2) float32 ndarray
    point_colors : (N, 4) float32 ndarray
        Straight RGBA per point.
    point_size_px : float
        Square side in viewport px.
    lines_px : (M, 2, 2) float32 ndarray
        Segment end points.
    line_colors : (M, 4) float32 ndarray
    """

    points_px: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), np.float32))
    point_colors: np.ndarray = field(default_factory=lambda: np.zeros((0, 4), np.float32))
    point_size_px: float = 6.0
    lines_px: np.ndarray = field(default_factory=lambda: np.zeros((0, 2, 2), np.float32))
    line_colors: np.ndarray = field(default_factory=lambda: np.zeros((0, 4), np.float32))

    @staticmethod
    def build(points=(), point_color: Color = (1, 1, 1, 1), lines=(), line_color: Color = (1, 1, 1, 1),
              point_size_px: float = 6.0) -> OverlayShapes:
        """Shapes with one colour for all points and one for all lines."""
        p = np.asarray(points, np.float32).reshape(-1, 2)
        segs = np.asarray(lines, np.float32).reshape(-1, 2, 2)
        return OverlayShapes(p, np.tile(np.asarray(point_color, np.float32), (len(p), 1)), point_size_px,
                             segs, np.tile(np.asarray(line_color, np.float32), (len(segs), 1)))

    def __add__(self, other: OverlayShapes) -> OverlayShapes:
        return OverlayShapes(
            np.concatenate([self.points_px, other.points_px]), np.concatenate([self.point_colors, other.point_colors]),
            max(self.point_size_px, other.point_size_px),
            np.concatenate([self.lines_px, other.lines_px]), np.concatenate([self.line_colors, other.line_colors]),
        )


def polyline_segments(points_px: np.ndarray, closed: bool = True) -> np.ndarray:
    """(K, 2) polyline → (K or K-1, 2, 2) segments."""
    p = np.asarray(points_px, np.float32).reshape(-1, 2)
    if len(p) < 2:
        return np.zeros((0, 2, 2), np.float32)
    q = np.roll(p, -1, axis=0) if closed else p[1:]
    return np.stack([p[: len(q)], q], axis=1)


def circle_segments(center_px, radius_px: float, n: int = 48) -> np.ndarray:
    """A circle as (n, 2, 2) segments (brush outlines)."""
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    pts = np.stack([center_px[0] + radius_px * np.cos(t), center_px[1] + radius_px * np.sin(t)], 1)
    return polyline_segments(pts, closed=True)


def shapes_geometry(shapes: OverlayShapes, zoom: float) -> tuple[np.ndarray, np.ndarray]:
    """(lines (2M, 6), triangles (6N, 6)) interleaved position + premultiplied colour for the overlay shader."""
    lc = shapes.line_colors.astype(np.float32)
    lc = np.concatenate([lc[:, :3] * lc[:, 3:4], lc[:, 3:4]], 1)
    lines = np.concatenate([shapes.lines_px.reshape(-1, 2), np.repeat(lc, 2, axis=0)], 1).astype(np.float32)
    if len(shapes.points_px):
        half = 0.5 * shapes.point_size_px / max(zoom, 1e-9)
        tri = squares(shapes.points_px, half)  # (6N, 2)
        pc = shapes.point_colors.astype(np.float32)
        pc = np.concatenate([pc[:, :3] * pc[:, 3:4], pc[:, 3:4]], 1)
        tris = np.concatenate([tri, np.repeat(pc, len(tri) // len(pc), axis=0)], 1).astype(np.float32)
    else:
        tris = np.zeros((0, 6), np.float32)
    return lines, tris

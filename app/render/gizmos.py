"""Overlay geometry for deformer gizmos, built on the CPU in canvas px (pure numpy, no GL).

Handles are drawn at a fixed size in *viewport* pixels whatever the zoom, so their canvas-px size is
``handle_px / zoom``. Roles follow style.md 5 (``pyqtgraph : graphicsItems/ROI.py`` ``Handle.types``):
warp lattice points are *free* handles (squares); a rotation deformer has a *translate* handle at its
origin (square) and a *rotate* handle at the tip (disc), joined by a line.

Vertex layout of every array returned: ``(x_px, y_px, r, g, b, a)`` float32, colour premultiplied.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from rig.evaluate.types import DeformerGizmo

# premultiplied RGBA
COLORS: dict[str, tuple[float, float, float, float]] = {
    "lattice": (0.10, 0.55, 0.85, 0.85),
    "free": (0.15, 0.75, 1.00, 1.00),
    "rotation_arm": (0.90, 0.55, 0.10, 0.90),
    "translate": (1.00, 0.85, 0.20, 1.00),
    "rotate": (1.00, 0.45, 0.10, 1.00),
}
DISC_SEGMENTS = 16


def _colored(points: np.ndarray, color: tuple[float, float, float, float]) -> np.ndarray:
    out = np.empty((len(points), 6), np.float32)
    out[:, :2] = points
    out[:, 2:] = color
    return out


def lattice_lines(grid_px: np.ndarray) -> np.ndarray:
    """(rows+1, cols+1, 2) lattice -> (K, 2) segment end points (pairs), along rows then columns."""
    g = np.asarray(grid_px, np.float32)
    horizontal = np.stack([g[:, :-1], g[:, 1:]], axis=2).reshape(-1, 2)
    vertical = np.stack([g[:-1, :], g[1:, :]], axis=2).reshape(-1, 2)
    return np.concatenate([horizontal, vertical])


def squares(centers_px: np.ndarray, half_px: float) -> np.ndarray:
    """Axis-aligned squares as triangles: (N, 2) centres -> (6 N, 2) vertices."""
    c = np.asarray(centers_px, np.float32).reshape(-1, 2)
    corners = np.array([[-1, -1], [1, -1], [1, 1], [-1, -1], [1, 1], [-1, 1]], np.float32) * half_px
    return (c[:, None, :] + corners[None]).reshape(-1, 2)


def discs(centers_px: np.ndarray, radius_px: float, segments: int = DISC_SEGMENTS) -> np.ndarray:
    """Filled discs as triangle fans: (N, 2) centres -> (3 N segments, 2) vertices."""
    c = np.asarray(centers_px, np.float32).reshape(-1, 2)
    t = np.linspace(0.0, 2.0 * np.pi, segments + 1, dtype=np.float32)
    ring = np.stack([np.cos(t), np.sin(t)], axis=1) * radius_px
    tri = np.stack([np.zeros_like(ring[:-1]), ring[:-1], ring[1:]], axis=1).reshape(-1, 2)
    return (c[:, None, :] + tri[None]).reshape(-1, 2)


def gizmo_geometry(gizmos: Iterable[DeformerGizmo], zoom: float,
                   handle_px: float = 7.0) -> tuple[np.ndarray, np.ndarray]:
    """Lines and triangles that draw ``gizmos``.

    Parameters
    ----------
    gizmos : iterable of DeformerGizmo
        ``"warp"``: ``points_px`` (rows+1, cols+1, 2); ``"rotation"``: (2, 2) origin and tip.
    zoom : float
        Viewport px per canvas px (``View.zoom``).
    handle_px : float
        Handle width in viewport px.

    Returns
    -------
    lines : (2 K, 6) float32 ndarray
        Segment end-point pairs for ``GL_LINES``.
    triangles : (3 T, 6) float32 ndarray
        Handle triangles, drawn after the lines.
    """
    half = 0.5 * handle_px / max(zoom, 1e-9)
    lines, tris = [], []
    for gizmo in gizmos:
        pts = np.asarray(gizmo.points_px, np.float32)
        if gizmo.kind == "warp" and pts.ndim == 3:
            lines.append(_colored(lattice_lines(pts), COLORS["lattice"]))
            tris.append(_colored(squares(pts, half * 0.8), COLORS["free"]))
        elif gizmo.kind == "rotation" and pts.shape == (2, 2):
            lines.append(_colored(pts, COLORS["rotation_arm"]))
            tris.append(_colored(squares(pts[0], half), COLORS["translate"]))
            tris.append(_colored(discs(pts[1], half), COLORS["rotate"]))
    empty = np.zeros((0, 6), np.float32)
    return (np.concatenate(lines) if lines else empty, np.concatenate(tris) if tris else empty)

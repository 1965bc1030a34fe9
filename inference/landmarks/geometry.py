"""Geometry helpers for face landmarks: contours, polylines, frame changes.

Frame: pixels, origin top-left, +y down. "Clockwise" means clockwise as seen on screen (top → screen
right → bottom → screen left), i.e. positive shoelace area in this y-down frame.
"""

from __future__ import annotations

import math

import numpy as np

from inference.types import EyeLandmarks, FaceLandmarks

Box = tuple[float, float, float, float]


def signed_area(poly: np.ndarray) -> float:
    """Shoelace area of a closed polygon (K, 2); > 0 when clockwise on screen (y down)."""
    x, y = poly[:, 0], poly[:, 1]
    return 0.5 * float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))


def clockwise(poly: np.ndarray) -> np.ndarray:
    """``poly`` as float32, reversed if needed so that it runs clockwise on screen."""
    poly = np.asarray(poly, np.float32)
    return poly if signed_area(poly) >= 0 else poly[::-1].copy()


def roll_from_eyes(eye_l: tuple[float, float], eye_r: tuple[float, float]) -> float:
    """In-plane tilt (degrees, clockwise positive) of the line from the right eye (screen left) to the
    left eye (screen right)."""
    return math.degrees(math.atan2(eye_l[1] - eye_r[1], eye_l[0] - eye_r[0]))


def anime_face_contour(
    cx: float, eye_y: float, fw: float, top_y: float, chin: tuple[float, float], n: int = 48
) -> np.ndarray:
    """Model face outline for a front-facing anime face, clockwise, (n, 2) float32.

    Upper half: half ellipse through the temples (cx ± fw/2, eye_y) and the forehead top (cx, top_y).
    Lower half: the jaw from each temple to the chin with half width ``fw/2 * (1 - t**2.2)**0.8``
    at ``t`` = fraction of the way from eye level to the chin (≈ 0.37 fw at mouth level, as on the
    professional sample rigs of rigging.md section 0); the centre line drifts linearly to the chin x.
    """
    half = n // 2
    th = np.linspace(math.pi, 2 * math.pi, half, endpoint=False)  # left temple → top → right temple
    upper = np.stack([cx + 0.5 * fw * np.cos(th), eye_y + (eye_y - top_y) * np.sin(th)], 1)
    t = np.linspace(0.0, 1.0, half // 2 + 1)
    hw = 0.5 * fw * np.clip(1.0 - t**2.2, 0.0, 1.0) ** 0.8
    mid = cx + (chin[0] - cx) * t
    ys = eye_y + (chin[1] - eye_y) * t
    right = np.stack([mid + hw, ys], 1)  # right temple → chin
    left = np.stack([mid - hw, ys], 1)[::-1]  # chin → left temple
    poly = np.concatenate([upper, right, left[1:-1]], 0)
    return clockwise(poly)


def sample_polyline(pts: np.ndarray, n: int = 7) -> np.ndarray:
    """Resample a polyline (P, 2), x ascending, to ``n`` points evenly spaced in x (float32)."""
    pts = np.asarray(pts, np.float64)
    pts = pts[np.argsort(pts[:, 0], kind="stable")]
    if len(pts) == 1:
        return np.repeat(pts, n, 0).astype(np.float32)
    xs = np.linspace(pts[0, 0], pts[-1, 0], n)
    return np.stack([xs, np.interp(xs, pts[:, 0], pts[:, 1])], 1).astype(np.float32)


def arc(center: tuple[float, float], width: float, sag: float, n: int = 7) -> np.ndarray:
    """Parabolic arc (n, 2) float32, x ascending, centred on ``center``; ``sag`` > 0 bulges up."""
    xs = np.linspace(-0.5, 0.5, n)
    return np.stack([center[0] + xs * width, center[1] - sag * (1.0 - 4.0 * xs**2)], 1).astype(np.float32)


def _pt(p, k: float) -> tuple[float, float]:
    return float(p[0] * k), float(p[1] * k)


def _box(b: Box, k: float) -> Box:
    return float(b[0] * k), float(b[1] * k), float(b[2] * k), float(b[3] * k)


def _eye(e: EyeLandmarks, k: float) -> EyeLandmarks:
    return EyeLandmarks(
        center=_pt(e.center, k),
        box=_box(e.box, k),
        iris_center=_pt(e.iris_center, k),
        iris_radius=float(e.iris_radius * k),
        upper_lid=(e.upper_lid * k).astype(np.float32),
        lower_lid=(e.lower_lid * k).astype(np.float32),
    )


def scale_landmarks(f: FaceLandmarks, k: float) -> FaceLandmarks:
    """``f`` with every coordinate multiplied by ``k`` (working frame → canvas frame uses 1 / s)."""
    if k == 1.0:
        return f
    return FaceLandmarks(
        kind=f.kind,
        face_box=_box(f.face_box, k),
        face_contour=(f.face_contour * k).astype(np.float32),
        chin=_pt(f.chin, k),
        eye_l=_eye(f.eye_l, k),
        eye_r=_eye(f.eye_r, k),
        brow_l=(f.brow_l * k).astype(np.float32),
        brow_r=(f.brow_r * k).astype(np.float32),
        nose=_pt(f.nose, k),
        mouth_center=_pt(f.mouth_center, k),
        mouth_corners=(_pt(f.mouth_corners[0], k), _pt(f.mouth_corners[1], k)),
        mouth_box=_box(f.mouth_box, k),
        roll_deg=f.roll_deg,
        confidence=f.confidence,
        method=f.method,
        mesh=None if f.mesh is None else (f.mesh * k).astype(np.float32),
    )


def box_of(pts: np.ndarray) -> Box:
    """Axis-aligned (x, y, w, h) of points (P, 2)."""
    lo, hi = np.min(pts, 0), np.max(pts, 0)
    return float(lo[0]), float(lo[1]), float(hi[0] - lo[0]), float(hi[1] - lo[1])

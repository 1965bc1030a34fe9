"""Rotation deformers: reflect, scale, rotate and translate children about an origin.

Frames and units
----------------
A rotation deformer's children live in its local frame: **pixel-sized units relative to the origin**,
before reflection, scale and rotation. ``angle_deg`` is clockwise on screen in the +y-down canvas
frame. A local point ``p`` maps to ``origin + scale * R(base_angle + angle) * F p`` with
``R(a) = [[cos a, -sin a], [sin a, cos a]]`` and ``F = diag(-1 if reflect_x else 1, -1 if reflect_y
else 1)`` (reflection first). This is the Cubism Core's matrix as written in
``SakuraMotion/PurismCore : src/deformer.c`` (``psm__rot_transform``) and, without reflection, in
``MahouTechnologies/moc3-rs : moc3-rs/src/deformer/rotation_deformer.rs``; the Core's model space is
+y down too (cubism-formats.md 1.7), so the sign of the angle carries over unchanged.

Nested deformers (the Core's "flattening", PurismCore ``psm__apply_rotation``)
------------------------------------------------------------------------------
The Core does not chain transforms at draw time. It flattens every deformer, parent first, into the
root (canvas) space, and each object is then mapped by its direct parent only:

* a rotation deformer with a parent gets ``origin_root = T_parent(origin)``;
* its angle is corrected by how the parent turns the local "up" direction at the origin: with a probe
  step ``delta = -0.1`` (warp parent, normalised units) or ``-10`` (rotation parent, local units),
  ``d = T_parent(origin + (0, delta)) - T_parent(origin)`` (if ``d`` is exactly zero the step is
  negated, then shrunk 10x, at most 10 times), and
  ``angle_root = angle + wrap(atan2(d) - atan2((0, delta)))`` in degrees, wrapped to [-180, 180];
* its scale becomes ``scale * accumulated_scale(parent)``, where a rotation's accumulated scale is its
  root scale and a warp's is its parent's (1 at the root): **warps never scale rotation children**, so
  children of a rotation under a warp keep pixel-sized units, and move rigidly with the warp's local
  orientation at the origin (the warp does not bend them);
* reflect flags are the deformer's own (not composed with the parent's). Keyed reflect flags are
  blended like the other fields and read as set when the blend exceeds 0.5 [our choice; Kirie's
  own rigs never reflect].

Kirie implements exactly this, so that its output matches the Core on exported ``.moc3`` files. When
exporting, a rotation deformer whose chain of rotation ancestors is empty must have its scale divided
by pixels-per-unit (Cubism model units); nested rotations keep their scale.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

#: Probe step (in the parent's units, along -v / up) used to measure a parent's local orientation.
PROBE_DELTA_UNDER_WARP = -0.1
PROBE_DELTA_UNDER_ROTATION = -10.0


def rotation_coefficients(
    angle_deg: np.ndarray, scale: np.ndarray, reflect_x: np.ndarray, reflect_y: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Complex coefficients ``(A, B)`` with ``M p = A p + B conj(p)`` for points ``p = x + iy``.

    Parameters
    ----------
    angle_deg, scale : (R,) float ndarray
        Total angle (base angle included), degrees clockwise on screen; uniform scale.
    reflect_x, reflect_y : (R,) bool ndarray

    Returns
    -------
    A, B : (R,) complex64 ndarray
        ``A = s e^{ia} (fx + fy) / 2`` and ``B = s e^{ia} (fx - fy) / 2`` with ``f = -1`` when reflected.
    """
    rad = np.deg2rad(np.asarray(angle_deg, np.float64))
    rot = np.asarray(scale, np.float64) * np.exp(1j * rad)
    if not (np.any(reflect_x) or np.any(reflect_y)):
        return rot.astype(np.complex64), np.zeros(rot.shape, np.complex64)
    fx = np.where(reflect_x, -1.0, 1.0)
    fy = np.where(reflect_y, -1.0, 1.0)
    return (rot * (0.5 * (fx + fy))).astype(np.complex64), (rot * (0.5 * (fx - fy))).astype(np.complex64)


def apply_rotation(points: np.ndarray, origin: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``origin + A p + B conj(p)`` elementwise (complex64 in and out; arrays broadcast).

    Computed on float32 components, one rounding per product and per sum (numpy's complex64 multiply
    may fuse a product into the subtraction), so the compiled kernel (:mod:`rig.evaluate.kernel`) gives
    the very same numbers.
    """
    p, o = np.asarray(points, np.complex64), np.asarray(origin, np.complex64)
    a, b = np.asarray(a, np.complex64), np.asarray(b, np.complex64)
    px, py, ar, ai = p.real, p.imag, a.real, a.imag
    x = o.real + (ar * px - ai * py)
    y = o.imag + (ar * py + ai * px)
    if b.any():
        br, bi, ny = b.real, b.imag, -py
        x = x + (br * px - bi * ny)
        y = y + (br * ny + bi * px)
    out = np.empty(np.broadcast(x, y).shape, np.complex64)
    out.real, out.imag = x, y
    return out


def evaluate_rotation(
    points: np.ndarray,
    origin: tuple[float, float] | np.ndarray,
    angle_deg: float,
    scale: float = 1.0,
    reflect_x: bool = False,
    reflect_y: bool = False,
) -> np.ndarray:
    """Map local points of one rotation deformer into its parent's space.

    Parameters
    ----------
    points : (N, 2) float ndarray
        Local points: pixel-sized units relative to the origin, +y down.
    origin : (2,) float
        The origin in the parent's space.
    angle_deg : float
        Degrees, clockwise on screen (+y down); include the deformer's ``base_angle_deg``.
    scale : float
    reflect_x, reflect_y : bool
        Mirror the local x (resp. y) axis before rotating.

    Returns
    -------
    (N, 2) float32 ndarray
    """
    a, b = rotation_coefficients(
        np.array([angle_deg]), np.array([scale]), np.array([reflect_x]), np.array([reflect_y])
    )
    pts = np.ascontiguousarray(points, np.float32).reshape(-1, 2).view(np.complex64).reshape(-1)
    o = np.complex64(complex(float(origin[0]), float(origin[1])))
    out = apply_rotation(pts, o, a[0], b[0]).astype(np.complex64)
    return out.view(np.float32).reshape(-1, 2)


def angle_correction_deg(direction: np.ndarray, delta: np.ndarray) -> np.ndarray:
    """Angle (degrees, wrapped to [-180, 180]) between the probe ``(0, delta)`` and ``direction``.

    Parameters
    ----------
    direction : (R,) complex ndarray
        ``T_parent(origin + i delta) - T_parent(origin)`` (see the module docstring).
    delta : (R,) float ndarray
        The probe step used (:data:`PROBE_DELTA_UNDER_WARP` or :data:`PROBE_DELTA_UNDER_ROTATION`).
    """
    d = np.asarray(direction, np.complex128)
    diff = np.arctan2(d.imag, d.real) - np.arctan2(np.asarray(delta, np.float64), 0.0)
    wrapped = diff - 2 * np.pi * np.round(diff / (2 * np.pi))
    return np.rad2deg(wrapped)


def probe_direction(transform: Callable[[np.ndarray], np.ndarray], origin: complex, delta: float) -> complex:
    """The Core's robust probe for one rotation deformer (used when the quick probe gave zero).

    ``transform`` maps (n,) complex64 points through the (flattened) parent. Tries ``origin + i*delta*s``
    then ``origin - i*delta*s`` (negating the result) for ``s = 1, 0.1, ...`` (10 tries), as
    PurismCore ``psm__apply_rotation`` does. Returns 0 when every try is degenerate.
    """
    base = transform(np.array([origin], np.complex64))[0]
    s = 1.0
    for _ in range(10):
        for sign in (1.0, -1.0):
            probe = np.complex64(origin + 1j * delta * s * sign)
            d = transform(np.array([probe], np.complex64))[0] - base
            if d != 0:
                return complex(d) * sign
        s *= 0.1
    return 0j

"""Warp deformer maths: bilinear inside, the Cubism extrapolation rule outside."""

from __future__ import annotations

import numpy as np
import pytest

from rig.errors import InvalidMeshError
from rig.evaluate.warp import evaluate_warp
from rig.model import WarpDeformer


def _sheared_2x2() -> np.ndarray:
    """Unit lattice over (0, 0)-(100, 100), 2 x 2 cells, top row shifted right by 20 px."""
    grid = WarpDeformer.rest_grid(2, 2, 0, 0, 100, 100).reshape(3, 3, 2)
    grid[0, :, 0] += 20.0
    return grid


def _reference(grid: np.ndarray, rows: int, cols: int, u: float, v: float) -> np.ndarray:
    """Scalar transcription of the Core's rule as PurismCore src/deformer.c states it, region by region."""
    g = grid.reshape(rows + 1, cols + 1, 2).astype(np.float64)
    if 0 <= u < 1 and 0 <= v < 1:
        cu, cv = min(int(u * cols), cols - 1), min(int(v * rows), rows - 1)
        fu, fv = u * cols - cu, v * rows - cv
        top = g[cv, cu] * (1 - fu) + g[cv, cu + 1] * fu
        bottom = g[cv + 1, cu] * (1 - fu) + g[cv + 1, cu + 1] * fu
        return top * (1 - fv) + bottom * fv
    c00, c10, c01, c11 = g[0, 0], g[0, cols], g[rows, 0], g[rows, cols]
    ax = ((c11 - c00) + (c10 - c01)) / 2
    ay = ((c11 - c00) - (c10 - c01)) / 2
    center = (c00 + c10 + c01 + c11) / 4 - (c11 - c00) / 2

    def affine(a: float, b: float) -> np.ndarray:
        return center + a * ax + b * ay

    if not (-2 < u < 3 and -2 < v < 3):
        return affine(u, v)

    def axis(x: float, n: int):  # (coordinate of ends, lattice index of ends or None, fraction)
        if x <= 0:
            return (-2.0, 0.0), (None, 0), (x + 2) / 2
        if x >= 1:
            return (1.0, 3.0), (n, None), (x - 1) / 2
        c = min(int(x * n), n - 1)
        return (c / n, (c + 1) / n), (c, c + 1), x * n - c

    (ua, ub), (iua, iub), fu = axis(u, cols)
    (va, vb), (iva, ivb), fv = axis(v, rows)

    def corner(a, ia, b, ib):
        return g[ib, ia] if ia is not None and ib is not None else affine(a, b)

    p00, p10 = corner(ua, iua, va, iva), corner(ub, iub, va, iva)
    p01, p11 = corner(ua, iua, vb, ivb), corner(ub, iub, vb, ivb)
    if fu + fv <= 1:
        return p00 * (1 - fu - fv) + p10 * fu + p01 * fv
    return p10 * (1 - fv) + p11 * (fu + fv - 1) + p01 * (1 - fu)


def test_interior_points_of_sheared_lattice_are_bilinear():
    grid = _sheared_2x2()
    pts = np.array([[0.25, 0.25], [0.5, 0.5], [0.1, 0.9], [0.75, 0.0], [0.0, 0.3]], np.float32)
    out = evaluate_warp(grid, 2, 2, pts)
    # Analytic: x = 100 u + 20 * (1 - 2 v) on the top cell row (v < 0.5), 100 u below; y = 100 v.
    shear = np.where(pts[:, 1] < 0.5, 20.0 * (1 - 2 * pts[:, 1]), 0.0)
    expected = np.stack([100 * pts[:, 0] + shear, 100 * pts[:, 1]], axis=1)
    np.testing.assert_allclose(out, expected, atol=1e-4)


def test_lattice_nodes_map_exactly_to_grid_points():
    grid = _sheared_2x2()
    uv = np.stack(np.meshgrid(np.linspace(0, 1, 3), np.linspace(0, 1, 3)), axis=-1).reshape(-1, 2)
    out = evaluate_warp(grid, 2, 2, uv.astype(np.float32))
    np.testing.assert_allclose(out, grid.reshape(-1, 2), atol=1e-4)


def test_extrapolation_matches_the_region_rule():
    rng = np.random.default_rng(3)
    grid = WarpDeformer.rest_grid(3, 4, 10, 20, 110, 90).reshape(4, 5, 2)
    grid += rng.normal(0, 4, grid.shape).astype(np.float32)
    pts = rng.uniform(-4, 5, (400, 2)).astype(np.float32)
    pts[:8] = [[-1, -1], [2, 2], [-1, 0.5], [0.5, 2.5], [1.0, 0.3], [0.3, 1.0], [1, 1], [-3, 0.5]]
    out = evaluate_warp(grid, 3, 4, pts)
    ref = np.array([_reference(grid, 3, 4, float(u), float(v)) for u, v in pts])
    np.testing.assert_allclose(out, ref, atol=2e-3)


def test_outside_map_is_continuous_across_the_unit_square_and_ring():
    grid = _sheared_2x2()
    eps = 1e-4
    for edge in ([0.0, 0.4], [1.0, 0.4], [0.4, 0.0], [0.4, 1.0], [-2.0, 0.4], [3.0, 0.4]):
        e = np.array(edge, np.float32)
        normal = np.array([1, 0] if edge[0] in (0.0, 1.0, -2.0, 3.0) else [0, 1], np.float32)
        a = evaluate_warp(grid, 2, 2, (e - eps * normal)[None])
        b = evaluate_warp(grid, 2, 2, (e + eps * normal)[None])
        np.testing.assert_allclose(a, b, atol=0.05)


def test_undeformed_lattice_extrapolates_linearly():
    grid = WarpDeformer.rest_grid(2, 3, 0, 0, 300, 200)
    pts = np.array([[-0.5, 0.5], [1.5, -0.25], [4.0, -3.0], [2.5, 2.9]], np.float32)
    out = evaluate_warp(grid, 2, 3, pts)
    np.testing.assert_allclose(out, pts * [300, 200], atol=1e-3)


def test_grid_shape_mismatch_raises():
    with pytest.raises(InvalidMeshError):
        evaluate_warp(np.zeros((3, 3, 2), np.float32), 3, 3, np.zeros((1, 2), np.float32))

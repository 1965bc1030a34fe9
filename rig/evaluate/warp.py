"""Warp deformers: map points from a warp's normalised [0, 1]^2 space through its lattice.

Inside the unit square the map is **bilinear per cell** ("quad source" warps, Cubism file version
>= 3.3). Outside it follows the Cubism Core's extrapolation rule, as described by two independent
public re-implementations, ``MahouTechnologies/moc3-rs : moc3-rs/src/deformer/warp_deformer.rs`` and
``SakuraMotion/PurismCore : src/deformer.c`` (``psm__warp_transform``), which agree:

1. An affine "parallelogram" map is fitted to the lattice's four corners ``c00, c10, c01, c11``
   (u right, v down): ``X = ((c11 - c00) + (c10 - c01)) / 2``, ``Y = ((c11 - c00) - (c10 - c01)) / 2``,
   ``center = (c00 + c10 + c01 + c11) / 4 - (c11 - c00) / 2`` and ``A(u, v) = center + u X + v Y``.
2. **Far outside** (u or v outside the open interval (-2, 3)) a point maps to ``A(u, v)``.
3. **Near outside** (the ring between the unit square and (-2, 3)^2) the plane is cut into virtual cells
   that join the lattice's border to ``A``: along each axis the coordinate falls in ``[-2, 0]`` (``x <= 0``),
   in a lattice cell ``[c/n, (c+1)/n]`` (``0 < x < 1``) or in ``[1, 3]`` (``x >= 1``). A virtual cell's
   corner is the lattice point when both its coordinates lie in [0, 1], else the affine point ``A``.
   Inside a virtual cell the point is interpolated on the cell's **two triangles** (split along the
   p10-p01 diagonal), not bilinearly, whatever the warp's quad flag.
4. The unit square is half-open: a point with ``u == 1`` or ``v == 1`` takes the outside branch, which
   on the border reduces to linear interpolation along the edge, so the map is continuous.

Points are handled as ``complex64`` (x + iy) inside Kirie's evaluator; :func:`evaluate_warp` is the
public (N, 2) float32 entry point.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rig.errors import InvalidMeshError


@dataclass(frozen=True, slots=True, eq=False)
class WarpTargets:
    """Per-point lattice description for a batch of points mapped through (possibly) many warps.

    Attributes
    ----------
    base : (n,) int64 ndarray
        Index, in the flat lattice array, of the first point (row 0, column 0) of each point's warp.
    rows, cols : (n,) int64 ndarray
        Cell counts of each point's warp.
    """

    base: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    rows_f: np.ndarray
    cols_f: np.ndarray
    stride: np.ndarray
    dims: np.ndarray  # (2, n) int64: cols, rows
    dims_f: np.ndarray  # (2, n) float32: cols, rows
    cell_offsets: np.ndarray  # (4, n) int64: 0, 1, stride, stride + 1 (a cell's corners from its first)
    corners: np.ndarray  # (4, n) int64: lattice indices of the corners c00, c10, c01, c11

    @classmethod
    def build(cls, base: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> WarpTargets:
        base = np.asarray(base, np.int64).reshape(-1)
        rows = np.asarray(rows, np.int64).reshape(-1)
        cols = np.asarray(cols, np.int64).reshape(-1)
        dims = np.stack([cols, rows])
        stride = cols + 1
        offsets = np.stack([np.zeros_like(stride), np.ones_like(stride), stride, stride + 1])
        corners = base + np.stack([np.zeros_like(cols), cols, rows * stride, rows * stride + cols])
        return cls(
            base,
            rows,
            cols,
            rows.astype(np.float32),
            cols.astype(np.float32),
            stride,
            dims,
            dims.astype(np.float32),
            offsets,
            corners,
        )

    def subset(self, index: np.ndarray) -> WarpTargets:
        """The targets of points ``index`` (an int64 index array)."""
        return WarpTargets(
            self.base.take(index),
            self.rows.take(index),
            self.cols.take(index),
            self.rows_f.take(index),
            self.cols_f.take(index),
            self.stride.take(index),
            self.dims.take(index, axis=1),
            self.dims_f.take(index, axis=1),
            self.cell_offsets.take(index, axis=1),
            self.corners.take(index, axis=1),
        )


def warp_points(lattice: np.ndarray, targets: WarpTargets, points: np.ndarray) -> np.ndarray:
    """Map points through their warps (batched, vectorised).

    Parameters
    ----------
    lattice : (G,) complex64 ndarray
        Every warp's lattice points in the parent's space, concatenated, each row-major (row 0 at the
        top, x fastest); ``x + iy``.
    targets : WarpTargets
        For each point, where its warp's lattice starts and its size.
    points : (n,) complex64 ndarray
        Points in their warp's normalised space (``u + iv``).

    Returns
    -------
    (n,) complex64 ndarray
        The mapped points, in the warps' parent space.
    """
    xy = points.view(np.float32).reshape(-1, 2)
    u, v = xy[:, 0], xy[:, 1]
    inside = (np.minimum(u, v) >= 0) & (np.maximum(u, v) < 1)
    if inside.all():
        return _bilinear(lattice, targets, u, v)
    if not inside.any():  # e.g. lattices whose border lies on u = 1 / v = 1: skip the bilinear pass
        return _extrapolate(lattice, targets, points)
    out = _bilinear(lattice, targets, u, v)
    outside = np.flatnonzero(~inside)
    out[outside] = _extrapolate(lattice, targets, points.take(outside), outside)
    return out


def _bilinear(lattice: np.ndarray, t: WarpTargets, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Bilinear map in the cell holding (u, v); indices are clipped, so outside points get junk."""
    gu = u * t.cols_f
    gv = v * t.rows_f
    cu = np.minimum(np.floor(gu), t.cols_f - 1)
    cv = np.minimum(np.floor(gv), t.rows_f - 1)
    fu = gu - cu
    fv = gv - cv
    i00 = t.base + cv.astype(np.int64) * t.stride + cu.astype(np.int64)
    p00, p10, p01, p11 = lattice.take(i00 + t.cell_offsets, mode="clip")
    top = p00 + (p10 - p00) * fu
    bottom = p01 + (p11 - p01) * fu
    return top + (bottom - top) * fv


_ENDS = np.array([1, 2], np.int64).reshape(2, 1, 1)  # e0 = floor(x n) + 1 (clipped), e1 = e0 + 1
_F32 = np.float32


def _extrapolate(
    lattice: np.ndarray, t: WarpTargets, z: np.ndarray, index: np.ndarray | None = None
) -> np.ndarray:
    """Cubism's rule outside [0, 1)^2 (module docstring) for points ``z`` (complex64 u + iv).

    ``index`` (int64, optional) selects the targets of ``z`` among ``t``'s (all of them when None);
    only the fields this path reads are gathered.
    """
    corners = t.corners if index is None else t.corners.take(index, axis=1)
    c00, c10, c01, c11 = lattice.take(corners)
    diag = c11 - c00
    anti = c10 - c01
    ax = (diag + anti) * _F32(0.5)
    ay = (diag - anti) * _F32(0.5)
    center = (c00 + c10 + c01 + c11) * _F32(0.25) - diag * _F32(0.5)
    x = z.view(np.float32).reshape(-1, 2).T  # (2, n): u, v
    far = center + ax * x[0] + ay * x[1]
    near = ((x > -2) & (x < 3)).all(axis=0)
    if not near.any():
        return far
    return np.where(near, _near_outside(lattice, t, ax, ay, center, x, index), far)


def _near_outside(lattice, t: WarpTargets, ax, ay, center, x, index=None) -> np.ndarray:
    """Triangle interpolation in the virtual cells of the ring (-2, 3)^2 minus [0, 1)^2.

    ``x`` is (2, n): u then v. Each axis is "extended": cell 0 is [-2, 0], cells 1..n are the lattice
    cells, cell n + 1 is [1, 3]. Extended node ``e`` lies at -2 (e = 0), (e - 1) / n (1 <= e <= n + 1)
    or 3 (e = n + 2), and is lattice node ``e - 1`` unless it is one of the two virtual (affine) ends.
    A coordinate exactly 0 may pick the lattice cell instead of [-2, 0] (PurismCore picks the latter):
    both cells share that edge and interpolate linearly along it, so the result is the same.
    Results for points outside the ring are meaningless (the caller masks them).
    """
    if index is None:
        n_f, dims, base, stride = t.dims_f, t.dims, t.base, t.stride
    else:
        n_f, dims = t.dims_f.take(index, axis=1), t.dims.take(index, axis=1)
        base, stride = t.base.take(index), t.stride.take(index)
    ends = np.minimum(np.maximum(np.floor(x * n_f), -1), n_f).astype(np.int64) + _ENDS  # (2 ends, 2 axes, n)
    low, high = ends == 0, ends == dims + 2
    virtual = low | high
    coord = np.where(virtual, np.where(low, _F32(-2), _F32(3)), (ends - 1) / n_f).astype(np.float32)
    fu, fv = (x - coord[0]) / (coord[1] - coord[0])
    # corners indexed [v end, u end]: p00, p10 / p01, p11
    idx = base + (ends[:, None, 1] - 1) * stride + (ends[None, :, 0] - 1)
    affine = center + ax * coord[None, :, 0] + ay * coord[:, None, 1]
    on_grid = ~(virtual[:, None, 1] | virtual[None, :, 0])
    (p00, p10), (p01, p11) = np.where(on_grid, lattice.take(idx, mode="clip"), affine)
    lower = p00 + (p10 - p00) * fu + (p01 - p00) * fv
    upper = p11 + (p01 - p11) * (1 - fu) + (p10 - p11) * (1 - fv)
    return np.where(fu + fv <= 1, lower, upper)


def evaluate_warp(grid_px: np.ndarray, rows: int, cols: int, points_uv: np.ndarray) -> np.ndarray:
    """Map points from a warp deformer's normalised space to its parent's space.

    Parameters
    ----------
    grid_px : (rows + 1, cols + 1, 2) or ((rows + 1) * (cols + 1), 2) float ndarray
        Deformed lattice, parent space, row 0 at the top (v = 0), x fastest.
    rows, cols : int
        Cell counts (Cubism "conversion divisions").
    points_uv : (N, 2) float ndarray
        Child points, u right and v down; [0, 1]^2 is the lattice, values outside are extrapolated.

    Returns
    -------
    (N, 2) float32 ndarray
        Points in the parent's space.

    Raises
    ------
    InvalidMeshError
        If the grid shape does not match ``rows`` and ``cols``.

    Notes
    -----
    Bilinear per cell inside [0, 1)^2; outside, the Cubism Core's extrapolation (module docstring),
    after ``moc3-rs : moc3-rs/src/deformer/warp_deformer.rs`` and ``PurismCore : src/deformer.c``.
    """
    if rows < 1 or cols < 1:
        raise InvalidMeshError(f"warp needs at least one cell per axis, got rows={rows}, cols={cols}")
    grid = np.asarray(grid_px, np.float32)
    if grid.size != (rows + 1) * (cols + 1) * 2 or grid.shape[-1] != 2:
        raise InvalidMeshError(f"warp grid of shape {grid.shape} does not match rows={rows}, cols={cols}")
    lattice = to_complex(grid.reshape(-1, 2))
    pts = to_complex(np.asarray(points_uv, np.float32).reshape(-1, 2))
    n = len(pts)
    targets = WarpTargets.build(np.zeros(n, np.int64), np.full(n, rows), np.full(n, cols))
    return to_xy(warp_points(lattice, targets, pts))


def to_complex(xy: np.ndarray) -> np.ndarray:
    """(N, 2) float32 -> (N,) complex64 ``x + iy`` (a copy only when ``xy`` is not contiguous float32)."""
    return np.ascontiguousarray(xy, np.float32).view(np.complex64).reshape(-1)


def to_xy(z: np.ndarray) -> np.ndarray:
    """(N,) complex64 -> (N, 2) float32 view."""
    return np.ascontiguousarray(z, np.complex64).view(np.float32).reshape(-1, 2)

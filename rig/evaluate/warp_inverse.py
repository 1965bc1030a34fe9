"""Invert a warp deformer's map (:func:`rig.evaluate.warp.evaluate_warp`): parent-space points -> (u, v).

The forward map is piecewise (:mod:`rig.evaluate.warp`): bilinear cells inside [0, 1)^2, triangles in
the ring up to (-2, 3)^2 and, beyond, the affine fit ``A`` of the lattice's four corners. The
inversion therefore

1. starts from ``A^-1`` (exact wherever the preimage lies in the far field),
2. refines with damped Newton steps (central-difference Jacobian, backtracking line search on the
   residual norm),
3. restarts the points that did not converge from one point in every piece of the map (two
   triangles per ring cell, the centre of every lattice cell; all seeds in one batch) and keeps the
   best result; Newton started in the right piece of a piecewise-linear map lands on the preimage in
   one step,
4. logs a warning for points still off by more than :data:`CONVERGED_PX` and returns their best
   point (the minimum residual found).

Points a folded warp covers twice keep one of their preimages.
"""

from __future__ import annotations

import logging

import numpy as np

from rig.evaluate.warp import evaluate_warp

logger = logging.getLogger(__name__)

NEWTON_STEPS = 60
RESTART_STEPS = 8  # Newton steps per restart; the best start is then polished with NEWTON_STEPS
NEWTON_TOL_PX = 1e-5
FLOAT32_ULPS = 2  # a point within this many float32 spacings of its target (px) is done: evaluation noise
CONVERGED_PX = 1e-3  # residual above which a point is restarted, then reported
FD_STEP = 1e-3  # finite-difference step, warp-normalised units
BACKTRACK = 8  # step halvings tried before a Newton step is rejected
MAX_STEP = 4.0  # normalised units


def invert_warp(
    lattice_px: np.ndarray,
    rows: int,
    cols: int,
    canvas_px: np.ndarray,
    guess: np.ndarray | None = None,
    *,
    context: str = "",
) -> np.ndarray:
    """Invert :func:`evaluate_warp`: (N, 2) parent-space points -> (N, 2) float64 warp (u, v).

    Parameters
    ----------
    lattice_px : ((rows + 1) * (cols + 1), 2) float ndarray
        The warp's lattice in the space to invert from (canvas px here), row-major, x fastest.
    rows, cols : int
        Cell counts.
    canvas_px : (N, 2) float ndarray
        Points in the same space as ``lattice_px``.
    guess : (N, 2) float ndarray, optional
        Starting (u, v); default the inverse of the four-corner affine far-field map.
    context : str
        Named in the warning logged for points that do not converge (e.g. the object's id).

    Returns
    -------
    (N, 2) float64 ndarray
        (u, v) with ``evaluate_warp(lattice_px, rows, cols, uv) ~= canvas_px`` within
        :data:`CONVERGED_PX` (float32 evaluation) where a preimage exists; elsewhere the point of
        least residual found, with a warning logged.
    """
    c = np.asarray(canvas_px, np.float64).reshape(-1, 2)
    lattice = np.asarray(lattice_px, np.float64).reshape(-1, 2)

    def fwd(q: np.ndarray) -> np.ndarray:
        return evaluate_warp(lattice, rows, cols, q).astype(np.float64)

    start = _far_field_inverse(lattice, rows, cols, c) if guess is None else np.asarray(guess, np.float64)
    p, err = _newton(fwd, c, start.reshape(-1, 2).copy(), NEWTON_STEPS)
    bad = np.flatnonzero(err > CONVERGED_PX)
    if bad.size:
        # every seed for every bad point in one batch (Newton runs per point, so batching changes nothing)
        seeds = _piece_seeds(rows, cols)
        q, e = _newton(fwd, np.tile(c[bad], (len(seeds), 1)), np.repeat(seeds, bad.size, axis=0), RESTART_STEPS)
        q, e = q.reshape(len(seeds), bad.size, 2), e.reshape(len(seeds), bad.size)
        first_best = np.argmin(e, axis=0)
        columns = np.arange(bad.size)
        better = e[first_best, columns] < err[bad]
        best = np.where(better[:, None], q[first_best, columns], p[bad])
        p[bad], err[bad] = _newton(fwd, c[bad], best, NEWTON_STEPS)
    failed = np.flatnonzero(err > CONVERGED_PX)
    if failed.size:
        logger.warning(
            "warp inversion%s: %d of %d points not converged (max residual %.3g px); best points kept",
            f" ({context})" if context else "",
            failed.size,
            len(c),
            float(err[failed].max()),
        )
    return p


def _far_field_inverse(lattice: np.ndarray, rows: int, cols: int, c: np.ndarray) -> np.ndarray:
    """(N, 2) ``A^-1(c)`` for the Cubism four-corner affine map ``A`` (:mod:`rig.evaluate.warp`, rule 1).

    A degenerate ``A`` (corners on a line) uses its pseudo-inverse.
    """
    stride = cols + 1
    c00, c10, c01, c11 = lattice[[0, cols, rows * stride, rows * stride + cols]]
    diag, anti = c11 - c00, c10 - c01
    ax, ay = (diag + anti) / 2, (diag - anti) / 2
    center = (c00 + c10 + c01 + c11) / 4 - diag / 2
    lin = np.stack([ax, ay], axis=1)  # canvas = lin @ (u, v) + center
    return (c - center) @ np.linalg.pinv(lin).T


def _newton(fwd, c: np.ndarray, p: np.ndarray, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Damped Newton on ``fwd(p) = c``; returns (p, max-abs residual px), both per point.

    Each step is halved up to :data:`BACKTRACK` times until the residual norm decreases; a point
    whose step never decreases it (or whose Jacobian is singular) stays where it is and is not
    stepped again (the same point would give the same step).
    """
    residual = c - fwd(p)
    norm = np.linalg.norm(residual, axis=1)
    stuck = np.zeros(len(p), bool)
    # done at NEWTON_TOL_PX or at the float32 evaluation's own resolution there, whichever is coarser
    tol = np.maximum(NEWTON_TOL_PX, FLOAT32_ULPS * np.spacing(np.abs(c).max(axis=1, initial=1.0).astype(np.float32)))
    for _ in range(steps):
        active = np.flatnonzero((np.abs(residual).max(axis=1) >= tol) & ~stuck)
        if not active.size:
            break
        pa, ra = p[active], residual[active]
        jac = np.stack([(fwd(pa + s) - fwd(pa - s)) / (2 * FD_STEP) for s in np.eye(2) * FD_STEP], axis=-1)
        singular = ~(np.abs(np.linalg.det(jac)) > 1e-12)
        jac[singular] = np.eye(2)
        step = np.linalg.solve(jac, ra[..., None])[..., 0]
        step[singular] = 0.0
        length = np.linalg.norm(step, axis=1, keepdims=True)
        step *= np.minimum(1.0, MAX_STEP / np.maximum(length, 1e-300))
        moved = np.zeros(active.size, bool)
        alpha = 1.0
        for _ in range(BACKTRACK + 1):
            todo = np.flatnonzero(~moved)
            trial = pa[todo] + alpha * step[todo]
            trial_res = c[active[todo]] - fwd(trial)
            trial_norm = np.linalg.norm(trial_res, axis=1)
            ok = trial_norm < norm[active[todo]]
            idx = active[todo[ok]]
            p[idx], residual[idx], norm[idx] = trial[ok], trial_res[ok], trial_norm[ok]
            moved[todo[ok]] = True
            if moved.all():
                break
            alpha /= 2
        stuck[active[~moved]] = True
    return p, np.abs(residual).max(axis=1, initial=0.0)


def _piece_seeds(rows: int, cols: int) -> np.ndarray:
    """(K, 2) one (u, v) inside every piece of the warp map: ring triangles and lattice cells.

    Per axis the extended nodes are -2, 0, 1/n, ..., 1, 3 (:func:`rig.evaluate.warp._near_outside`);
    each extended cell gets the centroids of its two triangles (fractions 1/3 and 2/3), which for a
    lattice cell are two points of its bilinear patch.
    """
    nodes_u = np.concatenate([[-2.0], np.linspace(0, 1, cols + 1), [3.0]])
    nodes_v = np.concatenate([[-2.0], np.linspace(0, 1, rows + 1), [3.0]])
    seeds = []
    for frac in (1 / 3, 2 / 3):
        su = nodes_u[:-1] + frac * np.diff(nodes_u)
        sv = nodes_v[:-1] + frac * np.diff(nodes_v)
        uu, vv = np.meshgrid(su, sv)
        seeds.append(np.stack([uu.ravel(), vv.ravel()], axis=1))
    return np.concatenate(seeds)

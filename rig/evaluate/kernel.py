"""The compiled hot loop of :func:`rig.evaluate.evaluate` (numba), with the numpy path as its fallback.

:func:`run` does steps 2-3 of the evaluation (keyform blend, rotation set-up, level-by-level
flattening, art-mesh deformation) in one compiled call over the plan's packed arrays
(:func:`pack`). It is the numpy code of :mod:`rig.evaluate.blend`, :mod:`rig.evaluate.warp` and
:mod:`rig.evaluate.rotation` written point by point, with the same dtypes (float32 / complex64 points,
float64 parameter values, weights, angles and scales) and the same operation order, so both paths
agree to float32 rounding (``tests/rig/test_evaluate_kernel.py`` measures it: the only differences
are the last-bit ones of a sum taken in another order, e.g. numpy's matmul of the scalar columns).
A point inside its warp's lattice (the common case) is interpolated inline at the call site (:func:`_in_lattice`; a
branch written in the loop: through an inlined ``_warp`` wrapper numba made that loop 2.5x slower).

The numpy path is used when numba is not installed, when ``KIRIE_EVALUATE_KERNEL=numpy`` is set, and
for a frame where a rotation deformer's quick probe is degenerate (the Core's robust probe,
:func:`rig.evaluate.rotation.probe_direction`, is only in the numpy path): :func:`run` then returns
``None``. The kernel releases the GIL (``nogil``), so a tracking thread evaluates while the GUI
thread runs. Compiled code is cached on disk by numba (``cache=True``: next to this module, or in
numba's per-user cache where that is read-only); the first use after an install or an edit of this
file compiles it (about 5 s on an idle 2-core machine, longer under load). Should compiling fail
(a numba error), a warning is logged once and every later frame takes the numpy path.

numba is imported at the first compiled :func:`run`, not with this module: importing it costs about
120 MB of resident memory (LLVM), which a process that evaluates a rig once or twice (an export, the
generation preview: plans from ``compile_plan(rig, compiled=False)``) never pays.
"""

from __future__ import annotations

import importlib.util
import logging
import math
import os
import threading

import numpy as np

from rig.evaluate.kernel_pack import pack  # noqa: F401 - re-exported: kernel.pack(plan)

#: Whether :func:`run` is compiled (numba installed and not disabled by ``KIRIE_EVALUATE_KERNEL=numpy``).
AVAILABLE = importlib.util.find_spec("numba") is not None and os.environ.get("KIRIE_EVALUATE_KERNEL", "") != "numpy"
numba = None  # the numba module once :func:`_jit` has imported it
log = logging.getLogger(__name__)

_F0_5, _F0_25, _F1, _FM2, _F3 = (np.float32(v) for v in (0.5, 0.25, 1.0, -2.0, 3.0))
_WARP_PROBE, _ROT_PROBE = np.float32(-0.1), np.float32(-10.0)
_JITTED: list[tuple[str, str]] = []  # (name, numba inline option) of the compiled functions, callees first


def _njit(fn=None, *, inline="never"):
    """Mark ``fn`` for compiling (``@_njit(inline="always")``: numba inlines it into its callers' IR);
    :func:`_jit` replaces it by its numba dispatcher at the first compiled run."""
    if fn is None:
        return lambda f: _njit(f, inline=inline)
    _JITTED.append((fn.__name__, inline))
    return fn


def _jit():
    """Import numba and replace every marked function of this module by its dispatcher (once); the
    compiled ``_run``. Callees are replaced before the first call compiles ``_run``, so numba types
    them as compiled functions (its on-disk cache is keyed by the same source file and lines)."""
    global numba
    with _jit_lock:
        if numba is None:
            import numba as nb

            module = globals()
            for name, inline in _JITTED:
                module[name] = nb.njit(cache=True, nogil=True, fastmath=False, inline=inline)(module[name])
            numba = nb
    return _run


@_njit(inline="always")
def _in_lattice(lat, base, rows, cols, u, v):  # pragma: no cover - compiled
    """A point with 0 <= u, v < 1 through its warp: the bilinear blend of its lattice cell."""
    nu, nv = np.float32(cols), np.float32(rows)
    stride = cols + 1
    gu, gv = u * nu, v * nv
    cu, cv = min(np.floor(gu), nu - _F1), min(np.floor(gv), nv - _F1)
    fu, fv = gu - cu, gv - cv
    i = base + np.int64(cv) * stride + np.int64(cu)
    tx = lat[i, 0] + (lat[i + 1, 0] - lat[i, 0]) * fu
    ty = lat[i, 1] + (lat[i + 1, 1] - lat[i, 1]) * fu
    j = i + stride
    bx = lat[j, 0] + (lat[j + 1, 0] - lat[j, 0]) * fu
    by = lat[j, 1] + (lat[j + 1, 1] - lat[j, 1]) * fu
    return tx + (bx - tx) * fv, ty + (by - ty) * fv


@_njit
def _warp_point(lat, base, rows, cols, u, v):  # pragma: no cover - compiled
    """One point (u, v) (float32) through its warp: :func:`rig.evaluate.warp.warp_points` per point."""
    if min(u, v) >= 0 and max(u, v) < 1:
        return _in_lattice(lat, base, rows, cols, u, v)
    nu, nv = np.float32(cols), np.float32(rows)
    stride = cols + 1
    i00, i10, i01, i11 = base, base + cols, base + rows * stride, base + rows * stride + cols
    dx, dy = lat[i11, 0] - lat[i00, 0], lat[i11, 1] - lat[i00, 1]
    ax_, ay_ = lat[i10, 0] - lat[i01, 0], lat[i10, 1] - lat[i01, 1]
    axx, axy = (dx + ax_) * _F0_5, (dy + ay_) * _F0_5
    ayx, ayy = (dx - ax_) * _F0_5, (dy - ay_) * _F0_5
    cx = (lat[i00, 0] + lat[i10, 0] + lat[i01, 0] + lat[i11, 0]) * _F0_25 - dx * _F0_5
    cy = (lat[i00, 1] + lat[i10, 1] + lat[i01, 1] + lat[i11, 1]) * _F0_25 - dy * _F0_5
    if not (u > -2 and u < 3 and v > -2 and v < 3):
        return cx + axx * u + ayx * v, cy + axy * u + ayy * v
    # near outside: virtual cells (warp._near_outside); ends e0, e1 per axis, coordinates of the ends
    eu0 = np.int64(min(max(np.floor(u * nu), np.float32(-1)), nu)) + 1
    ev0 = np.int64(min(max(np.floor(v * nv), np.float32(-1)), nv)) + 1
    cu0, vu0 = _end_coord(eu0, cols)
    cu1, vu1 = _end_coord(eu0 + 1, cols)
    cv0, vv0 = _end_coord(ev0, rows)
    cv1, vv1 = _end_coord(ev0 + 1, rows)
    fu = (u - cu0) / (cu1 - cu0)
    fv = (v - cv0) / (cv1 - cv0)
    row0 = base + (ev0 - 1) * stride
    row1 = row0 + stride
    p00x, p00y = _corner(lat, row0 + eu0 - 1, vv0 or vu0, cx, cy, axx, axy, ayx, ayy, cu0, cv0)
    p10x, p10y = _corner(lat, row0 + eu0, vv0 or vu1, cx, cy, axx, axy, ayx, ayy, cu1, cv0)
    p01x, p01y = _corner(lat, row1 + eu0 - 1, vv1 or vu0, cx, cy, axx, axy, ayx, ayy, cu0, cv1)
    p11x, p11y = _corner(lat, row1 + eu0, vv1 or vu1, cx, cy, axx, axy, ayx, ayy, cu1, cv1)
    if fu + fv <= 1:
        return (p00x + (p10x - p00x) * fu + (p01x - p00x) * fv, p00y + (p10y - p00y) * fu + (p01y - p00y) * fv)
    gu, gv = _F1 - fu, _F1 - fv
    return (p11x + (p01x - p11x) * gu + (p10x - p11x) * gv, p11y + (p01y - p11y) * gu + (p10y - p11y) * gv)


@_njit
def _end_coord(e, n):  # pragma: no cover - compiled
    """Coordinate (float32) of extended node ``e`` of an axis with ``n`` cells, and whether it is virtual."""
    if e == 0:
        return _FM2, True
    if e == n + 2:
        return _F3, True
    return np.float32(np.float64(e - 1) / np.float64(np.float32(n))), False


@_njit
def _corner(lat, i, virtual, cx, cy, axx, axy, ayx, ayy, cu, cv):  # pragma: no cover - compiled
    if virtual:
        return cx + axx * cu + ayx * cv, cy + axy * cu + ayy * cv
    return lat[i, 0], lat[i, 1]


@_njit
def _rotate(ox, oy, ar, ai, br, bi, px, py):  # pragma: no cover - compiled
    """``origin + A p + B conj(p)`` in float32 (rotation.apply_rotation)."""
    rx = ox + (ar * px - ai * py)
    ry = oy + (ar * py + ai * px)
    return rx + (br * px - bi * -py), ry + (br * -py + bi * px)


@_njit
def _coefficients(angle, scale, rfx, rfy):  # pragma: no cover - compiled
    """(A, B) as float32 pairs (rotation.rotation_coefficients)."""
    rad = np.deg2rad(angle)
    re, im = scale * np.cos(rad), scale * np.sin(rad)
    fx = -1.0 if rfx else 1.0
    fy = -1.0 if rfy else 1.0
    ka, kb = 0.5 * (fx + fy), 0.5 * (fx - fy)
    return np.float32(re * ka), np.float32(im * ka), np.float32(re * kb), np.float32(im * kb)


@_njit
def _run(x, bind_param, keys, inv_w, max_seg, t_bind, t_c0, t_c1, t_bit, t_cap, t_stride, s_base, p_count,
         s_table, pk, const, po_obj, po_start, po_n, po_kb, po_corners, n_pts, n_obj, n_corners,
         rot_kobj, rot_base, rot_anc, lv, w_idx, w_base, w_rows, w_cols, rot_w, r_idx, r_par, rot_r,
         m_w_idx, m_w_base, m_w_rows, m_w_cols, m_r_idx, m_r_par, chain):  # pragma: no cover - compiled
    n_b, n_k = bind_param.shape[0], keys.shape[0]
    seg = np.empty(n_b, np.int64)
    t = np.empty(n_b, np.float64)
    for b in range(n_b):  # keyforms.segment_fractions
        xc = min(max(x[bind_param[b]], keys[0, b]), keys[n_k - 1, b])
        best, near = abs(keys[0, b] - xc), 0
        for k in range(1, n_k):
            d = abs(keys[k, b] - xc)
            if d < best:
                best, near = d, k
        if best < 0.001:
            xc = keys[near, b]
        s = 0
        for k in range(1, n_k):
            if keys[k, b] <= xc:
                s += 1
        s = min(s, max_seg[b])
        seg[b], t[b] = s, (xc - keys[s, b]) * inv_w[s, b]
    n_terms, n_m = t_bind.shape[1], t_bind.shape[0]
    weights = np.empty(n_terms, np.float32)
    kidx = np.empty(n_terms, np.int64)
    w64 = np.empty(n_terms, np.float64)
    for j in range(n_terms):  # blend.blend: weights and keyform indices of every corner
        b = t_bind[0, j]
        w64[j] = t_c0[0, j] + t_c1[0, j] * t[b]
        kidx[j] = min(seg[b] + t_bit[0, j], t_cap[0, j]) * t_stride[0, j]
    for m in range(1, n_m):  # binding row by binding row (contiguous): the same products in the same order
        for j in range(n_terms):
            b = t_bind[m, j]
            w64[j] *= t_c0[m, j] + t_c1[m, j] * t[b]
            kidx[j] += min(seg[b] + t_bit[m, j], t_cap[m, j]) * t_stride[m, j]
    for j in range(n_terms):
        weights[j] = np.float32(w64[j])
    scalars = np.zeros((n_obj, s_table.shape[1]), np.float32)
    for o in range(n_obj):
        for c in range(n_corners):
            j = o * n_corners + c
            row, w = s_base[j] + kidx[j], weights[j]
            if w == 0:  # padding corner or t exactly 0 / 1: adds nothing (keyform values are finite)
                continue
            for col in range(s_table.shape[1]):
                scalars[o, col] += w * s_table[row, col]
    n0 = const.shape[0]
    points = np.zeros((n_pts, 2), np.float32)
    points[:n0] = const
    for r in range(po_obj.shape[0]):  # object by object, corner by corner: contiguous inner loops
        start, n, j0 = po_start[r], po_n[r], po_obj[r] * n_corners
        for c in range(po_corners[r]):
            w = weights[j0 + c]
            if w == 0:
                continue
            i0 = po_kb[r] + kidx[j0 + c] * n
            for q in range(n):
                points[start + q, 0] += pk[i0 + q, 0] * w
                points[start + q, 1] += pk[i0 + q, 1] * w
    n_r = rot_kobj.shape[0]  # evaluate._rotations
    o_loc = np.empty((n_r, 2), np.float32)
    origin = np.empty((n_r, 2), np.float32)
    ang_loc = np.empty(n_r, np.float64)
    angle = np.empty(n_r, np.float64)
    scale = np.empty(n_r, np.float64)
    rfx = np.empty(n_r, np.bool_)
    rfy = np.empty(n_r, np.bool_)
    coef = np.empty((n_r, 4), np.float32)  # A real, A imag, B real, B imag
    for r in range(n_r):
        o = rot_kobj[r]
        o_loc[r, 0], o_loc[r, 1] = scalars[o, 2], scalars[o, 3]
        origin[r] = o_loc[r]
        ang_loc[r] = np.float64(scalars[o, 1]) + rot_base[r]
        angle[r] = ang_loc[r]
        a = rot_anc[r, 0]
        acc = np.float64(scalars[rot_kobj[a], 4]) if a < n_r else 1.0
        for d in range(1, rot_anc.shape[1]):
            a = rot_anc[r, d]
            acc *= np.float64(scalars[rot_kobj[a], 4]) if a < n_r else 1.0
        scale[r] = np.float64(scalars[o, 4]) * acc
        rfx[r], rfy[r] = scalars[o, 5] > 0.5, scalars[o, 6] > 0.5
        coef[r, 0], coef[r, 1], coef[r, 2], coef[r, 3] = _coefficients(angle[r], scale[r], rfx[r], rfy[r])
    for L in range(lv.shape[0] - 1):  # evaluate._flatten_level
        w0, w1, rw0, rw1 = lv[L, 0], lv[L + 1, 0], lv[L, 2], lv[L + 1, 2]
        n_w, k_w = w1 - w0, rw1 - rw0
        out = np.empty((n_w, 2), np.float32)
        for q in range(n_w):
            p, g = w_idx[w0 + q], lv[L, 1] + q
            u, v = points[p, 0], points[p, 1]
            if min(u, v) >= 0 and max(u, v) < 1:  # inside the lattice (the common case): inlined
                x_, y_ = _in_lattice(points, w_base[g], w_rows[g], w_cols[g], u, v)
            else:
                x_, y_ = _warp_point(points, w_base[g], w_rows[g], w_cols[g], u, v)
            out[q, 0], out[q, 1] = x_, y_
        r0, r1, rr0, rr1, rp0 = lv[L, 3], lv[L + 1, 3], lv[L, 5], lv[L + 1, 5], lv[L, 4]
        n_rr, k_r = r1 - r0, rr1 - rr0
        out_r = np.empty((n_rr, 2), np.float32)
        for q in range(n_rr):
            p, a = r_idx[r0 + q], r_par[rp0 + q]
            out_r[q, 0], out_r[q, 1] = _rotate(origin[a, 0], origin[a, 1], coef[a, 0], coef[a, 1], coef[a, 2],
                                               coef[a, 3], points[p, 0], points[p, 1])
        new_o = np.empty((k_w + k_r, 2), np.float32)
        direction = np.empty((k_w + k_r, 2), np.float64)
        delta = np.empty(k_w + k_r, np.float64)
        for q in range(k_w + k_r):
            r = rot_w[rw0 + q] if q < k_w else rot_r[rr0 + q - k_w]
            ux, uy = o_loc[r, 0], o_loc[r, 1]
            if q < k_w:
                g = lv[L, 1] + n_w + q
                g2 = g + k_w
                ox, oy = _warp_point(points, w_base[g], w_rows[g], w_cols[g], ux, uy)
                qx, qy = _warp_point(points, w_base[g2], w_rows[g2], w_cols[g2], ux, uy + _WARP_PROBE)
                delta[q] = -0.1
            else:
                a = r_par[rp0 + n_rr + q - k_w]
                ox, oy = _rotate(origin[a, 0], origin[a, 1], coef[a, 0], coef[a, 1], coef[a, 2], coef[a, 3], ux, uy)
                qx, qy = _rotate(origin[a, 0], origin[a, 1], coef[a, 0], coef[a, 1], coef[a, 2], coef[a, 3],
                                 ux, uy + _ROT_PROBE)
                delta[q] = -10.0
            new_o[q, 0], new_o[q, 1] = ox, oy
            direction[q, 0], direction[q, 1] = np.float64(qx - ox), np.float64(qy - oy)
            if direction[q, 0] == 0 and direction[q, 1] == 0:
                return None  # degenerate parent: the numpy path has the Core's robust probe
        for q in range(n_w):
            points[w_idx[w0 + q]] = out[q]
        for q in range(n_rr):
            points[r_idx[r0 + q]] = out_r[q]
        for q in range(k_w + k_r):  # evaluate._update_rotations
            r = rot_w[rw0 + q] if q < k_w else rot_r[rr0 + q - k_w]
            origin[r] = new_o[q]
            diff = math.atan2(direction[q, 1], direction[q, 0]) - math.atan2(delta[q], 0.0)
            angle[r] = ang_loc[r] + np.rad2deg(diff - 2 * np.pi * np.rint(diff / (2 * np.pi)))
            coef[r, 0], coef[r, 1], coef[r, 2], coef[r, 3] = _coefficients(angle[r], scale[r], rfx[r], rfy[r])
    for q in range(m_w_idx.shape[0]):  # evaluate._deform_meshes; in place: a mesh vertex is no lattice node
        p = m_w_idx[q]
        u, v = points[p, 0], points[p, 1]
        if min(u, v) >= 0 and max(u, v) < 1:
            x_, y_ = _in_lattice(points, m_w_base[q], m_w_rows[q], m_w_cols[q], u, v)
        else:
            x_, y_ = _warp_point(points, m_w_base[q], m_w_rows[q], m_w_cols[q], u, v)
        points[p, 0], points[p, 1] = x_, y_
    for q in range(m_r_idx.shape[0]):
        p, a = m_r_idx[q], m_r_par[q]
        points[p, 0], points[p, 1] = _rotate(origin[a, 0], origin[a, 1], coef[a, 0], coef[a, 1], coef[a, 2],
                                             coef[a, 3], points[p, 0], points[p, 1])
    n_m = chain.shape[0]  # evaluate._assemble: each mesh's opacity chain, float64, multiplied in order
    opacity = np.empty(n_m, np.float64)
    for i in range(n_m):
        acc = 1.0
        for k in range(chain.shape[1]):
            o = chain[i, k]
            acc *= np.float64(scalars[o, 0]) if o < n_obj else 1.0
        opacity[i] = 0.0 if acc < 0 else (1.0 if acc > 1 else acc)  # NaN stays NaN, as np.minimum/maximum
    return scalars, points, origin, angle, coef, opacity


def run(packed: tuple, x: np.ndarray):
    """Blend, flatten and deform at parameter vector ``x`` ((P + 1,) float64, see ``evaluate``).

    Returns ``(scalars, points, origin, angle, coef, opacity)``: (n_objects, 8) float32 blended scalars; (n, 2)
    float32 points (canvas px for mesh vertices, laid out as ``KeyformTables.point_offset``); per
    rotation deformer its (R, 2) float32 canvas origin, (R,) float64 canvas angle in degrees and (R, 4)
    float32 coefficients ``A.real, A.imag, B.real, B.imag`` — or ``None`` for a degenerate probe, and
    (after :func:`compile_in_background`) for every frame until the compiled code is ready: the caller
    then takes the numpy path, which gives the same numbers.
    """
    global _failed
    if _failed:
        return None
    if not _compiled.is_set() and _background:
        _start_compile(packed, x)
        return None
    try:
        compiled = _jit()
    except ImportError as exc:  # installed but broken: numpy from now on
        _failed = True
        log.warning("the compiled evaluation kernel is unavailable, using numpy: %s", exc)
        return None
    try:
        out = compiled(x, *packed)
    except numba.core.errors.NumbaError as exc:  # cannot compile here (e.g. a frozen build): numpy from now on
        _failed = True
        log.warning("the compiled evaluation kernel is unavailable, using numpy: %s", exc)
        return None
    _compiled.set()
    return out


def compile_in_background() -> None:
    """From now on, compile the kernel on a daemon thread at its first use instead of in the caller.

    The editor calls this at start-up: the first compile after an install takes seconds (cached on disk
    after that), and meanwhile every frame takes the numpy path (same result, slower) instead of the
    window freezing. Scripts and the CLI keep the default, compiling in the first call.
    """
    global _background
    _background = AVAILABLE


def wait_compiled(timeout: float | None = None) -> bool:
    """Wait for a background compile started by :func:`run`; True once the compiled path is in use."""
    thread = _thread
    if thread is not None:
        thread.join(timeout)
    return _compiled.is_set()


def _start_compile(packed: tuple, x: np.ndarray) -> None:
    global _thread
    with _lock:
        if _thread is not None:
            return

        def work() -> None:
            global _failed
            try:
                _jit()(x.copy(), *packed)
                _compiled.set()
            except Exception as exc:  # noqa: BLE001 - any failure: numpy from now on, said once
                _failed = True
                log.warning("the compiled evaluation kernel is unavailable, using numpy: %s", exc)

        _thread = threading.Thread(target=work, name="kirie-kernel-compile", daemon=True)
        _thread.start()


_failed = False
_background = False
_compiled = threading.Event()
_lock = threading.Lock()
_jit_lock = threading.Lock()
_thread: threading.Thread | None = None

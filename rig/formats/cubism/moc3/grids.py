"""Keyform-grid helpers for the ``.moc3`` writer: resampling a grid on more keys, baking opacities.

The Cubism Core keys parts on draw order only (``.moc3`` part keyforms have no opacity), while a
Kirie :class:`~rig.model.Part` may key its opacity. The writer therefore multiplies each art mesh's
opacity by the opacities of its part chain. When a part's opacity is keyed, the mesh's grid is
resampled on the union of both grids' bindings: multilinear interpolation on a grid refined by extra
keys reproduces the original grid exactly, so positions, draw orders and colours are unchanged; the
product of opacities is exact when the mesh and the parts are keyed on different parameters, and
exact at the keys otherwise.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from rig.model import KeyformBinding, KeyformGrid


def _axis_weights(keys: tuple[float, ...], value: float) -> list[tuple[int, float]]:
    """(key index, weight) pairs of linear interpolation at ``value``, clamped to the key range."""
    if len(keys) == 1 or value <= keys[0]:
        return [(0, 1.0)]
    if value >= keys[-1]:
        return [(len(keys) - 1, 1.0)]
    hi = next(i for i, k in enumerate(keys) if k > value)
    t = (value - keys[hi - 1]) / (keys[hi] - keys[hi - 1])
    return [(hi - 1, 1.0 - t), (hi, t)]


def interpolation_matrix(old: tuple[KeyformBinding, ...], new: tuple[KeyformBinding, ...]) -> np.ndarray:
    """(K_new, K_old) float64 weights giving ``old`` grid values at every keyform of ``new``.

    Every parameter of ``old`` must be bound in ``new`` (parameters only in ``new`` are ignored).
    Both grids use the first-binding-fastest flat order.
    """
    new_index = {b.parameter_id: i for i, b in enumerate(new)}
    k_old = math.prod(len(b.keys) for b in old)
    rows = []
    for combo in itertools.product(*[range(len(b.keys)) for b in reversed(new)]):
        point = {b.parameter_id: b.keys[i] for b, i in zip(reversed(new), combo)}
        row = np.zeros(k_old)
        per_axis = [_axis_weights(b.keys, point[b.parameter_id]) for b in old]
        for choice in itertools.product(*per_axis):
            flat, stride, weight = 0, 1, 1.0
            for (i, w), b in zip(choice, old):
                flat += i * stride
                stride *= len(b.keys)
                weight *= w
            row[flat] += weight
        rows.append(row)
    assert all(b.parameter_id in new_index for b in old)
    return np.asarray(rows, np.float64).reshape(-1, k_old)


def merged_bindings(grids: list[KeyformGrid]) -> tuple[KeyformBinding, ...]:
    """Bindings covering every grid: the first grid's order, later parameters appended; keys united."""
    keys: dict[str, set[float]] = {}
    for g in grids:
        for b in g.bindings:
            keys.setdefault(b.parameter_id, set()).update(b.keys)
    return tuple(KeyformBinding(pid, tuple(sorted(k))) for pid, k in keys.items())


def resample(grid: KeyformGrid, new: tuple[KeyformBinding, ...]) -> dict[str, np.ndarray]:
    """``grid``'s values at every keyform of ``new`` (float fields interpolated, others nearest)."""
    if tuple(grid.bindings) == tuple(new):
        return {k: v.copy() for k, v in grid.values.items()}
    m = interpolation_matrix(tuple(grid.bindings), new)
    out = {}
    for name, v in grid.values.items():
        flat = v.reshape(v.shape[0], -1).astype(np.float64)
        res = (m @ flat).reshape((m.shape[0],) + v.shape[1:])
        out[name] = res.astype(v.dtype) if v.dtype.kind == "f" else (res > 0.5).astype(v.dtype)
    return out


def with_opacity_factors(grid: KeyformGrid, factors: list[KeyformGrid]) -> KeyformGrid:
    """``grid`` with its ``opacity`` multiplied by the ``opacity`` of every grid in ``factors``."""
    keyed = [f for f in factors if f.count > 1]
    constant = math.prod(float(f.values["opacity"][0]) for f in factors if f.count == 1)
    if not keyed:
        values = {k: v.copy() for k, v in grid.values.items()}
        values["opacity"] = (values["opacity"].astype(np.float64) * constant).astype(np.float32)
        return KeyformGrid(tuple(grid.bindings), values)
    new = merged_bindings([grid, *keyed])
    values = resample(grid, new)
    opacity = values["opacity"].astype(np.float64) * constant
    for f in keyed:
        m = interpolation_matrix(tuple(f.bindings), new)
        opacity = opacity * (m @ f.values["opacity"].astype(np.float64))
    values["opacity"] = opacity.astype(np.float32)
    return KeyformGrid(new, values)

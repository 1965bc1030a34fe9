"""Insert or remove one key of one binding of a KeyformGrid (pure functions, new grids out).

A grid over bindings with key counts ``(n0, n1, ..., n_{m-1})`` stores keyform ``i0 + n0*i1 + ...``
(first binding fastest). Reshaping a field's ``(K, ...)`` array C-order to
``(n_{m-1}, ..., n1, n0, ...)`` puts binding ``b`` on axis ``m - 1 - b``; keys are inserted or
deleted along that axis. After ``Inochi2D/inochi2d : source/inochi2d/core/param/package.d``
(``insertAxisPoint`` / ``deleteAxisPoint``, fanned out to every binding).
"""

from __future__ import annotations

import bisect

import numpy as np

from rig.model import KeyformBinding, KeyformGrid


def _binding_index(grid: KeyformGrid, parameter_id: str) -> int | None:
    for b, binding in enumerate(grid.bindings):
        if binding.parameter_id == parameter_id:
            return b
    return None


def _axis_view(grid: KeyformGrid, arr: np.ndarray) -> np.ndarray:
    return arr.reshape(tuple(reversed(grid.shape)) + arr.shape[1:])


def _interpolated_slice(
    a: np.ndarray, axis: int, keys: tuple[float, ...], j: int, value: float
) -> np.ndarray:
    """The slice to insert at position ``j`` (keeping ``axis`` with length 1).

    Between two keys: linear interpolation (float fields) or the nearer key's value (bool
    fields); outside the key range: a copy of the end slice (evaluation clamps to the key range,
    so the pose is unchanged either way).
    """
    if j == 0 or j == len(keys):
        return np.take(a, [0 if j == 0 else len(keys) - 1], axis=axis)
    lo = np.take(a, [j - 1], axis=axis)
    hi = np.take(a, [j], axis=axis)
    t = (value - keys[j - 1]) / (keys[j] - keys[j - 1])
    if a.dtype == np.bool_:
        return lo if t < 0.5 else hi
    mixed = (1.0 - t) * lo.astype(np.float64) + t * hi.astype(np.float64)
    return mixed.astype(a.dtype)


def insert_key(grid: KeyformGrid, parameter_id: str, value: float) -> KeyformGrid | None:
    """A new grid with key ``value`` added to the binding on ``parameter_id``.

    Returns
    -------
    KeyformGrid or None
        None when the grid is not bound to ``parameter_id`` or already has the key. The new
        keyforms are interpolated so the object's pose is unchanged at every parameter value.
    """
    b = _binding_index(grid, parameter_id)
    if b is None or value in grid.bindings[b].keys:
        return None
    keys = grid.bindings[b].keys
    j = bisect.bisect_left(keys, value)
    axis = len(grid.bindings) - 1 - b
    values = {}
    for name, arr in grid.values.items():
        a = _axis_view(grid, arr)
        s = _interpolated_slice(a, axis, keys, j, value)
        a2 = np.concatenate(
            [np.take(a, range(j), axis=axis), s, np.take(a, range(j, len(keys)), axis=axis)], axis=axis
        )
        values[name] = np.ascontiguousarray(a2).reshape((-1,) + arr.shape[1:])
    bindings = list(grid.bindings)
    bindings[b] = KeyformBinding(parameter_id, keys[:j] + (float(value),) + keys[j:])
    return KeyformGrid(tuple(bindings), values)


def remove_key(grid: KeyformGrid, parameter_id: str, value: float) -> KeyformGrid | None:
    """A new grid without key ``value`` in the binding on ``parameter_id``.

    When that was the binding's only key the binding itself is dropped (the object no longer
    depends on the parameter; its keyforms at that key are kept).

    Returns
    -------
    KeyformGrid or None
        None when the grid is not bound to ``parameter_id`` or lacks the key.
    """
    b = _binding_index(grid, parameter_id)
    if b is None or value not in grid.bindings[b].keys:
        return None
    keys = grid.bindings[b].keys
    j = keys.index(value)
    axis = len(grid.bindings) - 1 - b
    values = {}
    for name, arr in grid.values.items():
        a = _axis_view(grid, arr)
        a2 = np.delete(a, j, axis=axis) if len(keys) > 1 else np.take(a, 0, axis=axis)
        values[name] = np.ascontiguousarray(a2).reshape((-1,) + arr.shape[1:])
    bindings = list(grid.bindings)
    if len(keys) > 1:
        bindings[b] = KeyformBinding(parameter_id, keys[:j] + keys[j + 1 :])
    else:
        del bindings[b]
    return KeyformGrid(tuple(bindings), values)

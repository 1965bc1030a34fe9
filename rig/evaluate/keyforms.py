"""Multilinear interpolation of keyform grids (cubism-formats.md 1.6).

An object bound to parameters P0..Pm-1 with key counts n0..nm-1 has ``n0 * n1 * ...`` keyforms, the
first binding varying fastest: key indices ``(i0, i1, ...)`` select keyform ``i0 + n0*i1 + n0*n1*i2 ...``.
At parameter values ``x`` the object's value is the multilinear blend of the ``2**m`` keyforms around
``x`` (the Core's "2^bindingCount keyform window", PurismCore ``src/interpolate.c``):

* each value is first **clamped to its binding's key range** ``[keys[0], keys[-1]]``;
* on binding k the segment ``s_k`` is the last ``s`` with ``keys[s] <= x`` (at most ``n_k - 2``), and the
  fraction is ``t_k = (x - keys[s]) / (keys[s+1] - keys[s])``; a binding with a single key has ``t_k = 0``;
* corner ``c`` (bit k set = upper key on binding k) has weight ``prod_k (t_k if bit else 1 - t_k)``.

Parameter values that are not given use the parameter's default. This module holds the reference
single-grid functions and the vectorised pieces that :mod:`rig.evaluate.plan` stacks for all objects.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import numpy as np

from rig.errors import KeyformMismatchError
from rig.model import KeyformGrid, Parameter

KEY_SNAP = 0.001
"""Parameter values within this distance of a key snap onto it (black-box behaviour of Cubism Core
6.0.1 measured on Kirie's own .moc3 files: 0.00099 snaps, 0.001 does not)."""


def segment_fractions(
    x: np.ndarray, keys_padded: np.ndarray, inv_width: np.ndarray, max_segment: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Segment index and fraction of many bindings at once.

    Parameters
    ----------
    x : (B,) float64 ndarray
        The current value of each binding's parameter (not yet clamped).
    keys_padded : (K, B) float64 ndarray
        Column b holds binding b's keys, ascending, padded at the end by repeating the last key.
    inv_width : (K, B) float64 ndarray
        ``1 / (keys[s+1] - keys[s])`` for every valid segment ``s``, 0 elsewhere.
    max_segment : (B,) int64 ndarray
        ``max(n - 2, 0)`` where ``n`` is the binding's key count.

    Returns
    -------
    segment : (B,) int64 ndarray
        Lower key index of the segment holding the clamped value.
    t : (B,) float64 ndarray
        Fraction in [0, 1] towards the upper key (0 for single-key bindings).
    """
    xc = np.minimum(np.maximum(x, keys_padded[0]), keys_padded[-1])
    # the Cubism Core treats a value closer than KEY_SNAP to a key as the key itself
    dist = np.abs(keys_padded - xc)
    near = dist.argmin(axis=0)
    xc = np.where(dist.min(axis=0) < KEY_SNAP, keys_padded[near, np.arange(len(x))], xc)
    seg = np.minimum((keys_padded[1:] <= xc).sum(axis=0), max_segment)
    flat = seg * keys_padded.shape[1] + np.arange(len(x))
    t = (xc - keys_padded.take(flat)) * inv_width.take(flat)
    return seg, t


def binding_tables(keys: Sequence[Sequence[float]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Build the padded tables :func:`segment_fractions` needs from per-binding key lists.

    Returns ``(keys_padded, inv_width, max_segment)`` with the shapes documented there; ``K`` is the
    longest key list (at least 2).
    """
    width = max([2, *(len(k) for k in keys)])
    keys_padded = np.zeros((width, len(keys)))
    inv_width = np.zeros((width, len(keys)))
    max_segment = np.zeros(len(keys), np.int64)
    for b, ks in enumerate(keys):
        ks = np.asarray(ks, np.float64)
        keys_padded[: len(ks), b] = ks
        keys_padded[len(ks) :, b] = ks[-1]
        if len(ks) > 1:
            inv_width[: len(ks) - 1, b] = 1.0 / np.diff(ks)
        max_segment[b] = max(len(ks) - 2, 0)
    return keys_padded, inv_width, max_segment


def keyform_weights(
    grid: KeyformGrid, values: Mapping[str, float], parameters: Mapping[str, Parameter]
) -> tuple[np.ndarray, np.ndarray]:
    """The keyforms of one grid that contribute at ``values``, with their weights.

    Parameters
    ----------
    grid : KeyformGrid
    values : mapping of str to float
        Parameter values by id; missing ids use ``parameters[id].default``.
    parameters : mapping of str to Parameter
        The rig's parameters by id (only the bound ones are read).

    Returns
    -------
    indices : (2**m,) int64 ndarray
        Flat keyform indices (first binding fastest), one per corner of the window.
    weights : (2**m,) float64 ndarray
        Multilinear weights, summing to 1.

    Raises
    ------
    KeyformMismatchError
        If a binding names a parameter that is not in ``parameters``.
    """
    bindings = grid.bindings
    if not bindings:
        return np.zeros(1, np.int64), np.ones(1)
    for b in bindings:
        if b.parameter_id not in parameters:
            raise KeyformMismatchError(f"keyform grid bound to unknown parameter {b.parameter_id!r}")
    x = np.array([float(values.get(b.parameter_id, parameters[b.parameter_id].default)) for b in bindings])
    seg, t = segment_fractions(x, *binding_tables([b.keys for b in bindings]))
    shape = grid.shape
    strides = np.cumprod((1, *shape[:-1]))
    indices, weights = [], []
    for bits in itertools.product((0, 1), repeat=len(bindings)):
        bits_a = np.array(bits[::-1])  # itertools varies the last fastest; flip so binding 0 is fastest
        key_idx = np.minimum(seg + bits_a, np.array(shape) - 1)
        indices.append(int((key_idx * strides).sum()))
        weights.append(float(np.prod(np.where(bits_a == 1, t, 1.0 - t))))
    return np.array(indices, np.int64), np.array(weights)


def interpolate_keyforms(
    grid: KeyformGrid, values: Mapping[str, float], parameters: Mapping[str, Parameter]
) -> dict[str, np.ndarray]:
    """Every field of ``grid`` blended at ``values`` (reference implementation, one object).

    Returns a dict with the grid's field names; each array has the per-keyform shape (the K axis
    removed) and dtype float64, booleans included (blend of 0/1). See :func:`keyform_weights`.
    """
    idx, w = keyform_weights(grid, values, parameters)
    out = {}
    for name, arr in grid.values.items():
        block = np.asarray(arr, np.float64)[idx]
        out[name] = np.tensordot(w, block, axes=(0, 0))
    return out

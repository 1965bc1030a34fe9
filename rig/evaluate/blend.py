"""Stacked keyform tables and the per-frame blend of every object's keyforms at once.

At plan time every keyed object (parts, deformers, art meshes) contributes:

* its bindings to one binding table (parameter column, padded keys; :mod:`rig.evaluate.keyforms`);
* its ``2**m`` window corners to a dense *term* table of ``C = 2**M`` corners per object (``M`` the
  largest binding count; unused corners get weight 0);
* its scalar fields to one ``(rows, SCALAR_WIDTH)`` float32 table (columns chosen per class by the
  caller), and its point field (warp lattice, mesh vertices) to one flat complex64 table.

Per frame, weights and keyform indices of all objects come from a handful of numpy operations, the
scalars from one gather + einsum, and the points from one gather + weighted sum per corner-count group
(objects with the same number of bindings share a group, so no work is spent on padded corners).
The blended points are laid out group by group; :attr:`KeyformTables.point_offset` says where each
object's points start.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rig.evaluate.keyforms import binding_tables, segment_fractions
from rig.model import KeyformGrid

SCALAR_WIDTH = 8


@dataclass(frozen=True, slots=True)
class KeyedObject:
    """What the blend needs from one object: its grid, scalar columns and point field."""

    grid: KeyformGrid
    scalar_fields: tuple[tuple[str, int], ...]
    point_field: str | None = None


@dataclass(frozen=True, slots=True, eq=False)
class PointGroup:
    """Points of the objects whose window has ``corners`` corners (static gather indices)."""

    corners: int
    weight_index: np.ndarray  # (corners, n) int64 into the flat (objects * C) weight array
    point_base: np.ndarray  # (n,) int64: object's block start in the point table + local index


@dataclass(frozen=True, slots=True, eq=False)
class KeyformTables:
    """Everything :func:`blend` needs; built once by :func:`build_keyform_tables`."""

    n_objects: int
    corners: int
    bind_param: np.ndarray  # (B + 1,) int64 parameter column of each binding, then the dummy's (P)
    keys_padded: np.ndarray  # (K, B + 1) float64
    inv_width: np.ndarray  # (K, B + 1) float64
    max_segment: np.ndarray  # (B + 1,) int64
    term_binding: np.ndarray  # (M, n_objects * C) int64 into bindings + one dummy (index B)
    term_bit: np.ndarray  # (M, n_objects * C) int64 0/1: upper key on that binding
    term_c0: np.ndarray  # (M, n_objects * C) float64: 1 - bit
    term_c1: np.ndarray  # (M, n_objects * C) float64: 2 * bit - 1 (factor = c0 + c1 * t)
    term_cap: np.ndarray  # (M, n_objects * C) int64 last key index of the binding
    term_stride: np.ndarray  # (M, n_objects * C) int64
    scalar_base: np.ndarray  # (n_objects * C,) int64 first row of the object in ``scalars``
    point_count: np.ndarray  # (n_objects * C,) int64 points per keyform of the object (0 if none)
    scalars: np.ndarray  # (rows, SCALAR_WIDTH) float32
    point_keyforms: np.ndarray  # (total,) complex64
    constant_points: np.ndarray  # (n0,) complex64 points of unkeyed objects (never change)
    groups: tuple[PointGroup, ...]
    point_offset: np.ndarray  # (n_objects,) int64 start in the blended points, -1 if none
    n_points: int
    keyform_base: np.ndarray  # (n_objects,) int64 start of the object's keyforms in point_keyforms, -1


def build_keyform_tables(objects: Sequence[KeyedObject], param_index: dict[str, int]) -> KeyformTables:
    """Stack every object's bindings and keyform values (see the module docstring).

    Parameters
    ----------
    objects : sequence of KeyedObject
    param_index : dict of str to int
        Column of each parameter in the per-frame value vector. Bindings to a parameter missing from
        it raise ``KeyError`` (validate the rig first).
    """
    bind_param, bind_keys, obj_bindings = [], [], []
    for obj in objects:
        ids = []
        for b in obj.grid.bindings:
            ids.append(len(bind_param))
            bind_param.append(param_index[b.parameter_id])
            bind_keys.append(b.keys)
        obj_bindings.append(ids)
    n_bind = len(bind_param)
    m_max = max([1, *(len(ids) for ids in obj_bindings)])
    corners = 2**m_max
    bind_param.append(len(param_index))  # the dummy binding: one key, so segment 0 and t = 0 always
    keys_padded, inv_width, max_segment = binding_tables([*bind_keys, (0.0,)])
    terms = _term_tables(objects, obj_bindings, n_bind, m_max, corners)
    scalars, scalar_base = _scalar_table(objects)
    point_keyforms, constant, groups, offsets, n_points, pk_base = _point_tables(objects, corners)
    return KeyformTables(
        n_objects=len(objects),
        corners=corners,
        bind_param=np.asarray(bind_param, np.int64),
        keys_padded=keys_padded,
        inv_width=inv_width,
        max_segment=max_segment,
        term_binding=terms[0].T.copy(),
        term_bit=terms[1].T.copy(),
        term_c0=(1.0 - terms[1].T).copy(),
        term_c1=(2.0 * terms[1].T - 1.0).copy(),
        term_cap=terms[2].T.copy(),
        term_stride=terms[3].T.copy(),
        scalar_base=np.repeat(scalar_base, corners),
        point_count=np.repeat([_point_count(obj) for obj in objects], corners).astype(np.int64),
        scalars=scalars,
        point_keyforms=point_keyforms,
        constant_points=constant,
        groups=groups,
        point_offset=offsets,
        n_points=n_points,
        keyform_base=np.asarray([pk_base.get(o, -1) for o in range(len(objects))], np.int64),
    )


def _point_count(obj: KeyedObject) -> int:
    return int(obj.grid.values[obj.point_field].shape[1]) if obj.point_field else 0


def _term_tables(objects, obj_bindings, n_bind, m_max, corners):
    shape = (len(objects) * corners, m_max)
    binding = np.full(shape, n_bind, np.int64)  # dummy binding: segment 0, t = 0
    bit = np.zeros(shape, np.int64)
    cap = np.zeros(shape, np.int64)
    stride = np.zeros(shape, np.int64)
    for o, (obj, ids) in enumerate(zip(objects, obj_bindings)):
        counts = obj.grid.shape
        strides = np.cumprod((1, *counts))[:-1] if counts else ()
        for c in range(corners):
            row = o * corners + c
            if c >= 2 ** len(ids):  # padding corner: a set bit on the dummy binding gives weight 0
                bit[row, len(ids)] = 1
                continue
            for k, b in enumerate(ids):
                binding[row, k] = b
                bit[row, k] = (c >> k) & 1
                cap[row, k] = counts[k] - 1
                stride[row, k] = strides[k]
    return binding, bit, cap, stride


def scalar_block(grid: KeyformGrid, fields: tuple[tuple[str, int], ...]) -> np.ndarray:
    """(K, SCALAR_WIDTH) float32: the scalar columns ``fields`` of every keyform of ``grid``."""
    k = grid.count
    block = np.zeros((k, SCALAR_WIDTH), np.float32)
    col = 0
    for name, width in fields:
        block[:, col : col + width] = np.asarray(grid.values[name], np.float32).reshape(k, width)
        col += width
    return block


def _scalar_table(objects):
    blocks, base, row = [], [], 0
    for obj in objects:
        k = obj.grid.count
        blocks.append(scalar_block(obj.grid, obj.scalar_fields))
        base.append(row)
        row += k
    table = np.concatenate(blocks) if blocks else np.zeros((0, SCALAR_WIDTH), np.float32)
    return table, np.asarray(base, np.int64)


def _point_tables(objects, corners):
    pk_blocks, pk_base, n_pts, start = [], {}, {}, 0
    for o, obj in enumerate(objects):
        if obj.point_field is None:
            continue
        arr = np.ascontiguousarray(obj.grid.values[obj.point_field], np.float32)
        pk_blocks.append(arr.view(np.complex64).reshape(-1))
        pk_base[o] = start
        n_pts[o] = arr.shape[1]
        start += arr.shape[0] * arr.shape[1]
    point_keyforms = np.concatenate(pk_blocks) if pk_blocks else np.zeros(0, np.complex64)
    offsets = np.full(len(objects), -1, np.int64)
    by_corners: dict[int, list[int]] = {}
    for o in pk_base:
        by_corners.setdefault(2 ** len(objects[o].grid.bindings), []).append(o)
    cursor, groups, constant = 0, [], np.zeros(0, np.complex64)
    for c in sorted(by_corners):
        objs = by_corners[c]
        for o in objs:
            offsets[o] = cursor
            cursor += n_pts[o]
        obj_of_pt = np.concatenate([np.full(n_pts[o], o, np.int64) for o in objs])
        local = np.concatenate([np.arange(n_pts[o], dtype=np.int64) for o in objs])
        base = np.array([pk_base[o] for o in obj_of_pt.tolist()], np.int64) + local if len(local) else local
        if c == 1:
            constant = point_keyforms[base]
            continue
        weight_index = obj_of_pt[None, :] * corners + np.arange(c, dtype=np.int64)[:, None]
        groups.append(PointGroup(c, weight_index, base))
    return point_keyforms, constant, tuple(groups), offsets, cursor, pk_base


def blend(tables: KeyformTables, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Blend every object's keyforms at ``values``.

    Parameters
    ----------
    tables : KeyformTables
    values : (P + 1,) float64 ndarray
        Parameter values in the plan's parameter order, then one extra slot (any value) read by the
        dummy binding that pads objects with fewer bindings.

    Returns
    -------
    scalars : (n_objects, SCALAR_WIDTH) float32 ndarray
        Blended scalar columns of each object (layout chosen by the caller per class).
    points : (n_points,) complex64 ndarray
        Blended point fields, a fresh array laid out by :attr:`KeyformTables.point_offset`.
    """
    seg, t = segment_fractions(
        values.take(tables.bind_param), tables.keys_padded, tables.inv_width, tables.max_segment
    )
    weights = (tables.term_c0 + tables.term_c1 * t.take(tables.term_binding)).prod(axis=0).astype(np.float32)
    lower = seg.take(tables.term_binding)
    kidx = (np.minimum(lower + tables.term_bit, tables.term_cap) * tables.term_stride).sum(axis=0)
    block = tables.scalars.take(tables.scalar_base + kidx, axis=0).reshape(
        tables.n_objects, tables.corners, SCALAR_WIDTH
    )
    # a sum over the corners in corner order (not matmul: BLAS may reorder or fuse), as the kernel does
    scalars = (weights.reshape(tables.n_objects, tables.corners, 1) * block).sum(axis=1)
    offset = kidx * tables.point_count
    wc = weights.astype(np.complex64)
    parts = [tables.constant_points]
    for g in tables.groups:
        vals = tables.point_keyforms.take(g.point_base + offset.take(g.weight_index))
        parts.append((vals * wc.take(g.weight_index)).sum(axis=0))
    points = np.concatenate(parts) if len(parts) > 1 else parts[0].copy()
    return scalars, points


def constant_colours(tables: KeyformTables, first: int, count: int) -> tuple[tuple, np.ndarray]:
    """The multiply and screen colours of objects ``first .. first + count`` that no parameter changes.

    Returns
    -------
    colours : tuple
        Per object ``((m_r, m_g, m_b), (s_r, s_g, s_b))`` (Python floats of the float32 keyform values,
        scalar columns 2-4 and 5-7) when every keyform of the object has the same colours, else None.
    varying : (V,) int64 ndarray
        The positions (0-based from ``first``) whose entry is None: blend them per frame.

    Notes
    -----
    A blend of equal values is that value up to the rounding of weights that sum to 1 (float32); the
    constant is the keyform value exactly, so ``evaluate`` need not read these columns per frame.
    """
    bases = tables.scalar_base[:: tables.corners]
    ends = np.append(bases[1:], len(tables.scalars))
    colours, varying = [], []
    for k, o in enumerate(range(first, first + count)):
        block = tables.scalars[bases[o] : ends[o], 2:8]
        if len(block) and (block == block[0]).all():
            r = block[0].tolist()
            colours.append(((r[0], r[1], r[2]), (r[3], r[4], r[5])))
        else:
            colours.append(None)
            varying.append(k)
    return tuple(colours), np.asarray(varying, np.int64)


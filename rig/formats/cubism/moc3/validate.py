"""Semantic validation of :class:`~rig.formats.cubism.moc3.arrays.MocArrays` before anything is written.

``csmHasMocConsistency`` only guards memory safety (cubism-formats.md 1.10): it accepts triangle indices
past the vertex count, children before parents, unsorted keys, texture numbers past the last texture.
This validator refuses those and the rest of the list in 1.10, raising
:class:`~rig.errors.CubismFormatError` with the object id and the rule broken. Index rules follow the
readable list in ``SakuraMotion/PurismCore : src/moc3.c`` (``begin + count <= total``, warp vertex count).
"""

from __future__ import annotations

import math

import numpy as np

from rig.errors import CubismFormatError
from rig.formats.cubism.moc3.arrays import DRAW_ORDER_MAX, DRAW_ORDER_MIN, MocArrays
from rig.formats.cubism.moc3.layout import ID_BYTES, SLOTS

MAX_VERTICES = 65535


def _arr(m: MocArrays, name: str) -> np.ndarray:
    return np.asarray(m.arrays[name])


def validate(m: MocArrays) -> None:
    """Raise :class:`CubismFormatError` unless ``m`` obeys every rule (see module docstring)."""
    _check_lengths(m)
    _check_ids(m)
    _check_canvas(m)
    _check_bindings(m)
    _check_parameters(m)
    _check_tree(m)
    _check_keyformed(m)
    _check_meshes(m)
    _check_colours_and_groups(m)


def _fail(message: str) -> None:
    raise CubismFormatError(f"cannot write .moc3: {message}")


def _check_lengths(m: MocArrays) -> None:
    for name, count, kind in SLOTS:
        value = m.arrays.get(name)
        if value is None:
            _fail(f"array {name!r} is missing")
        n = int(value) if kind == "rt" else len(value)
        if n != m.counts[count]:
            _fail(f"array {name!r} has {n} elements but the count table says {count} = {m.counts[count]}")
        if kind in ("<f4",) and n and not np.isfinite(np.asarray(value, np.float64)).all():
            _fail(f"array {name!r} holds NaN or infinity")
    if m.counts["deformers"] != m.counts["warp_deformers"] + m.counts["rotation_deformers"]:
        _fail("deformer count differs from warp + rotation counts")
    if m.counts["art_meshes"] == 0:
        _fail("the rig has no art meshes")


def _check_ids(m: MocArrays) -> None:
    for cls in ("part", "deformer", "art_mesh", "parameter"):
        ids = m.arrays[f"{cls}.id"]
        if len(set(ids)) != len(ids):
            dup = next(i for i in ids if ids.count(i) > 1)
            _fail(f"{cls} id {dup!r} is not unique")
        for i in ids:
            if "\0" in i or not i or len(i.encode("utf-8")) > ID_BYTES - 1:
                _fail(f"{cls} id {i!r} must be 1..{ID_BYTES - 1} UTF-8 bytes without NUL")


def _check_canvas(m: MocArrays) -> None:
    c = m.canvas
    values = (c.pixels_per_unit, c.origin_x, c.origin_y, c.width, c.height)
    if not all(math.isfinite(v) for v in values) or c.pixels_per_unit <= 0 or c.width <= 0 or c.height <= 0:
        _fail(f"bad canvas info {c}")


def _ranges_ok(begin, count, total: int) -> bool:
    b, n = np.asarray(begin, np.int64), np.asarray(count, np.int64)
    return bool(((b >= 0) & (n >= 0) & (b + n <= total)).all())


def _check_bindings(m: MocArrays) -> None:
    c = m.counts
    if not _ranges_ok(_arr(m, "keyform_binding.begin"), _arr(m, "keyform_binding.count"), c["parameter_binding_indices"]):
        _fail("a keyform binding points past the parameter-binding indices")
    pbi = _arr(m, "parameter_binding_indices")
    if pbi.size and (pbi.min() < 0 or pbi.max() >= c["parameter_bindings"]):
        _fail("a parameter-binding index is out of range")
    kb, kc = _arr(m, "parameter_binding.keys_begin"), _arr(m, "parameter_binding.keys_count")
    if not _ranges_ok(kb, kc, c["keys"]) or (kc < 1).any():
        _fail("a parameter binding has no keys or points past the key array")
    keys = _arr(m, "keys").astype(np.float64)
    for b, n in zip(kb.tolist(), kc.tolist()):
        if (np.diff(keys[b : b + n]) <= 0).any():
            _fail(f"keys {keys[b : b + n].tolist()} are not strictly ascending")


def _check_parameters(m: MocArrays) -> None:
    ids = m.arrays["parameter.id"]
    lo, hi, df = (_arr(m, f"parameter.{k}").astype(np.float64) for k in ("min", "max", "default"))
    keys = _arr(m, "keys").astype(np.float64)
    kb, kc = _arr(m, "parameter_binding.keys_begin"), _arr(m, "parameter_binding.keys_count")
    begin, count = _arr(m, "parameter.binding_begin"), _arr(m, "parameter.binding_count")
    if not _ranges_ok(begin, count, m.counts["parameter_bindings"]):
        _fail("a parameter's binding range is out of bounds")
    if not _ranges_ok(_arr(m, "parameter.keys_begin"), _arr(m, "parameter.keys_count"), m.counts["keys"]):
        _fail("a parameter's key list is out of bounds")
    if int(count.sum()) != m.counts["parameter_bindings"] or (begin != np.concatenate([[0], np.cumsum(count)[:-1]])).any():
        _fail("parameter bindings are not grouped by parameter")
    for i, pid in enumerate(ids):
        if not lo[i] < hi[i] or not lo[i] <= df[i] <= hi[i]:
            _fail(f"parameter {pid!r}: need min < max and min <= default <= max, got {lo[i]}, {df[i]}, {hi[i]}")
        for j in range(begin[i], begin[i] + count[i]):
            k = keys[kb[j] : kb[j] + kc[j]]
            if k.min() < lo[i] - 1e-6 or k.max() > hi[i] + 1e-6:
                _fail(f"parameter {pid!r}: keys {k.tolist()} lie outside [{lo[i]}, {hi[i]}]")


def _check_tree(m: MocArrays) -> None:
    c = m.counts
    for cls in ("part", "deformer", "art_mesh"):
        pp = _arr(m, f"{cls}.parent_part")
        limit = np.arange(len(pp)) if cls == "part" else np.full(len(pp), c["parts"])
        if ((pp < -1) | (pp >= limit)).any():
            i = int(np.flatnonzero((pp < -1) | (pp >= limit))[0])
            _fail(f"{cls} {m.arrays[f'{cls}.id'][i]!r}: parent part index {pp[i]} is out of range or not written first")
    for cls in ("deformer", "art_mesh"):
        pd = _arr(m, f"{cls}.parent_deformer")
        limit = np.arange(len(pd)) if cls == "deformer" else np.full(len(pd), c["deformers"])
        if ((pd < -1) | (pd >= limit)).any():
            i = int(np.flatnonzero((pd < -1) | (pd >= limit))[0])
            _fail(f"{cls} {m.arrays[f'{cls}.id'][i]!r}: parent deformer index {pd[i]} is out of range or not written first")
    types, spec = _arr(m, "deformer.type"), _arr(m, "deformer.specific")
    for t, cls, count in ((0, "warp", "warp_deformers"), (1, "rotation", "rotation_deformers")):
        if sorted(spec[types == t].tolist()) != list(range(c[count])) or (spec[types == t] != np.arange(c[count])).any():
            _fail(f"{cls} specific indices are not 0..{c[count] - 1} in deformer order")
        if (_arr(m, f"{cls}.keyform_binding") != _arr(m, "deformer.keyform_binding")[types == t]).any():
            _fail(f"{cls} keyform binding differs from the deformer table")
    rows, cols = _arr(m, "warp.rows"), _arr(m, "warp.cols")
    if (rows < 1).any() or (cols < 1).any() or (_arr(m, "warp.vertex_count") != (rows + 1) * (cols + 1)).any():
        _fail("a warp's vertex count is not (rows + 1) * (cols + 1)")


def _key_counts(m: MocArrays) -> np.ndarray:
    """Keyform count implied by each keyform binding (product of its bindings' key counts)."""
    kc = _arr(m, "parameter_binding.keys_count")
    pbi = _arr(m, "parameter_binding_indices")
    out = []
    for b, n in zip(_arr(m, "keyform_binding.begin").tolist(), _arr(m, "keyform_binding.count").tolist()):
        out.append(int(np.prod(kc[pbi[b : b + n]])) if n else 1)
    return np.asarray(out, np.int64)


def _check_keyformed(m: MocArrays) -> None:
    implied = _key_counts(m)
    total_pos = m.counts["keyform_position_floats"]
    for cls, kf_count in (("part", "part_keyforms"), ("warp", "warp_keyforms"), ("rotation", "rotation_keyforms"),
                          ("art_mesh", "art_mesh_keyforms")):
        kb = _arr(m, f"{cls}.keyform_binding")
        begin, count = _arr(m, f"{cls}.keyform_begin"), _arr(m, f"{cls}.keyform_count")
        if kb.size and (kb.min() < 0 or kb.max() >= len(implied)):
            _fail(f"a {cls} keyform binding index is out of range")
        if not _ranges_ok(begin, count, m.counts[kf_count]) or (kb.size and (implied[kb] != count).any()):
            _fail(f"a {cls}'s keyform count differs from the product of its key counts")
    for cls, per in (("warp", "vertex_count"), ("art_mesh", "vertex_count")):
        kf = "warp_keyform" if cls == "warp" else "art_mesh_keyform"
        vc = np.repeat(_arr(m, f"{cls}.{per}"), _arr(m, f"{cls}.keyform_count"))
        pb = _arr(m, f"{kf}.position_begin")
        if len(vc) != len(pb) or ((pb < 0) | (pb + 2 * vc > total_pos)).any():
            _fail(f"a {cls} keyform's positions lie outside the position array")
    for kf in ("warp_keyform", "rotation_keyform", "art_mesh_keyform"):
        op = _arr(m, f"{kf}.opacity").astype(np.float64)
        if ((op < 0) | (op > 1)).any():
            _fail(f"a {kf.replace('_', ' ')} opacity lies outside [0, 1]")
    for kf in ("part_keyform", "art_mesh_keyform"):
        d = _arr(m, f"{kf}.draw_order").astype(np.float64)
        if ((d < DRAW_ORDER_MIN) | (d > DRAW_ORDER_MAX)).any():
            _fail(f"a {kf.replace('_', ' ')} draw order lies outside [{DRAW_ORDER_MIN}, {DRAW_ORDER_MAX}]")


def _check_meshes(m: MocArrays) -> None:
    ids = m.arrays["art_mesh.id"]
    vc = _arr(m, "art_mesh.vertex_count")
    tex = _arr(m, "art_mesh.texture")
    ib, ic = _arr(m, "art_mesh.index_begin"), _arr(m, "art_mesh.index_count")
    idx = _arr(m, "position_indices")
    mb, mc = _arr(m, "art_mesh.mask_begin"), _arr(m, "art_mesh.mask_count")
    masks = _arr(m, "drawable_masks")
    if not _ranges_ok(_arr(m, "art_mesh.uv_begin"), 2 * vc, m.counts["uv_floats"]):
        _fail("an art mesh's uvs lie outside the uv array")
    if not _ranges_ok(ib, ic, m.counts["position_indices"]) or not _ranges_ok(mb, mc, m.counts["drawable_masks"]):
        _fail("an art mesh's index or mask range is out of bounds")
    for i, mid in enumerate(ids):
        if not 3 <= vc[i] <= MAX_VERTICES:
            _fail(f"art mesh {mid!r} has {vc[i]} vertices (3..{MAX_VERTICES} allowed)")
        if not 0 <= tex[i] < m.texture_count:
            _fail(f"art mesh {mid!r}: texture {tex[i]} does not exist ({m.texture_count} textures)")
        tri = idx[ib[i] : ib[i] + ic[i]]
        if ic[i] == 0 or ic[i] % 3 or tri.min() < 0 or tri.max() >= vc[i]:
            _fail(f"art mesh {mid!r}: triangle indices must be a non-empty multiple of 3 below {vc[i]}")
        src = masks[mb[i] : mb[i] + mc[i]]
        if ((src < 0) | (src >= len(ids)) | (src == i)).any():
            _fail(f"art mesh {mid!r}: a mask source is not another art mesh")


def _check_colours_and_groups(m: MocArrays) -> None:
    c = m.counts
    total = c["warp_keyforms"] + c["rotation_keyforms"] + c["art_mesh_keyforms"]
    if c["keyform_multiply_colors"] != total or c["keyform_screen_colors"] != total:
        _fail("keyform colour count differs from the number of warp, rotation and art-mesh keyforms")
    for cls in ("warp", "rotation", "art_mesh"):
        if not _ranges_ok(_arr(m, f"{cls}.color_begin"), _arr(m, f"{cls}.keyform_count"), total):
            _fail(f"a {cls}'s keyform colours lie outside the colour arrays")
    ob, oc = _arr(m, "draw_order_group.object_begin"), _arr(m, "draw_order_group.object_count")
    if not _ranges_ok(ob, oc, c["draw_order_group_objects"]):
        _fail("a draw-order group points past its objects")
    types, index = _arr(m, "draw_order_group_object.type"), _arr(m, "draw_order_group_object.index")
    limit = np.where(types == 0, c["art_meshes"], c["parts"])
    if ((index < 0) | (index >= limit)).any() or sorted(index[types == 0].tolist()) != list(range(c["art_meshes"])):
        _fail("draw-order-group objects must list every art mesh exactly once")

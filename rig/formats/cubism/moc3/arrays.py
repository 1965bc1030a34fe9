"""Translate a :class:`~rig.model.Rig` into the flat struct-of-arrays of a ``.moc3`` file.

Coordinates (cubism-formats.md 1.7). Kirie's canvas is in pixels, origin top-left, +y down; the
file's model units are ``(px - origin) / pixels_per_unit`` with y pointing down too, so:

* objects with no parent deformer: positions (and a rotation's origin) go from px to model units;
* children of a warp: normalised [0, 1]^2 space, written unchanged;
* children of a rotation: its local pixel-sized units, written unchanged; instead a rotation deformer
  with **no rotation ancestor** has its ``scale`` divided by pixels-per-unit (the Core multiplies
  scales down rotation chains only, warps never scale; ``rig.evaluate.rotation``), so every
  rotation's children come out in model units;
* a rotation's ``base_angle_deg`` is added to every keyform angle and 0 is written as base angle.

Objects are written parents first (parts, deformers); art meshes in ``rig.art_meshes`` order.
Binding tables: keyform binding 0 is the "no parameter" binding; parameter bindings are shared by
objects keyed on the same parameter with the same keys and grouped by parameter (rig order).
Part opacity is not keyable in a ``.moc3``: it is multiplied into art-mesh opacities
(:mod:`rig.formats.cubism.moc3.grids`). One root draw-order group lists every art mesh.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from rig.errors import CubismFormatError
from rig.formats.cubism.moc3.grids import with_opacity_factors
from rig.formats.cubism.moc3.layout import COUNT_NAMES, SLOTS
from rig.model import ArtMesh, BlendMode, KeyformGrid, Rig, RotationDeformer, WarpDeformer

DRAW_ORDER_MIN, DRAW_ORDER_MAX = 0, 1000
_BLEND_BITS = {BlendMode.NORMAL: 0, BlendMode.ADDITIVE: 1, BlendMode.MULTIPLICATIVE: 2}
FLAG_DOUBLE_SIDED, FLAG_INVERTED_MASK = 4, 8


@dataclass(frozen=True, slots=True)
class MocCanvas:
    """Canvas info: ``pixels_per_unit`` and the origin (px, Kirie canvas frame) of model space."""

    pixels_per_unit: float
    origin_x: float
    origin_y: float
    width: float
    height: float


def default_canvas(rig: Rig) -> MocCanvas:
    """Origin at the canvas centre, one model unit = the longer canvas side (model spans ~[-0.5, 0.5])."""
    w, h = float(rig.canvas_width_px), float(rig.canvas_height_px)
    return MocCanvas(max(w, h), w / 2.0, h / 2.0, w, h)


@dataclass(slots=True)
class MocArrays:
    """Everything a ``.moc3`` holds: counts by ``layout.COUNT_NAMES``, arrays by ``layout.SLOTS`` name."""

    canvas: MocCanvas
    counts: dict[str, int]
    arrays: dict[str, object]
    texture_count: int
    ids: dict[str, list[str]] = field(default_factory=dict)  # class -> ids in file order


class _Tables:
    """Parameter bindings, keyform bindings and keys, built while objects are added."""

    def __init__(self, rig: Rig) -> None:
        self.param_index = {p.id: i for i, p in enumerate(rig.parameters)}
        self.per_param: list[list[tuple[float, ...]]] = [[] for _ in rig.parameters]
        self.keyform_bindings: list[tuple[tuple[str, tuple[float, ...]], ...]] = [()]

    def keyform_binding(self, grid: KeyformGrid) -> int:
        sig = tuple((b.parameter_id, tuple(b.keys)) for b in grid.bindings)
        for pid, keys in sig:
            if pid not in self.param_index:
                raise CubismFormatError(f"keyed on unknown parameter {pid!r}")
            lst = self.per_param[self.param_index[pid]]
            if keys not in lst:
                lst.append(keys)
        if sig not in self.keyform_bindings:
            self.keyform_bindings.append(sig)
        return self.keyform_bindings.index(sig)

    def finish(self, rig: Rig, a: dict[str, object]) -> None:
        pb_index: dict[tuple[str, tuple[float, ...]], int] = {}
        keys: list[float] = []
        pb_begin, pb_count, p_begin, p_count = [], [], [], []
        for p, tables in zip(rig.parameters, self.per_param):
            p_begin.append(len(pb_begin))
            p_count.append(len(tables))
            for t in sorted(tables):
                pb_index[(p.id, t)] = len(pb_begin)
                pb_begin.append(len(keys))
                pb_count.append(len(t))
                keys.extend(t)
        kb_begin, kb_count, pbi = [], [], []
        for sig in self.keyform_bindings:
            kb_begin.append(len(pbi))
            kb_count.append(len(sig))
            pbi.extend(pb_index[s] for s in sig)
        own_begin, own_count = [], []
        for p, tables in zip(rig.parameters, self.per_param):
            own = p.keys or tuple(sorted({k for t in tables for k in t}))
            own_begin.append(len(keys))
            own_count.append(len(own))
            keys.extend(own)
        a.update({
            "parameter.binding_begin": p_begin, "parameter.binding_count": p_count,
            "parameter.keys_begin": own_begin, "parameter.keys_count": own_count,
            "parameter_binding.keys_begin": pb_begin, "parameter_binding.keys_count": pb_count,
            "keyform_binding.begin": kb_begin, "keyform_binding.count": kb_count,
            "parameter_binding_indices": pbi, "keys": keys,
        })  # fmt: skip


def parents_first(objs: list, parent_of) -> list:
    """``objs`` reordered so that every parent precedes its children (rig order otherwise kept)."""
    by_id = {o.id: o for o in objs}
    out: list = []
    done: set[str] = set()

    def emit(o, depth: int) -> None:
        if o.id in done:
            return
        if depth > len(objs):
            raise CubismFormatError(f"cycle in the tree through {o.id!r}")
        pid = parent_of(o)
        if pid is not None:
            if pid not in by_id:
                raise CubismFormatError(f"{o.id!r}: parent {pid!r} does not exist")
            emit(by_id[pid], depth + 1)
        done.add(o.id)
        out.append(o)

    for o in objs:
        emit(o, 0)
    return out


def build_arrays(
    rig: Rig, uvs: dict[str, np.ndarray], textures: dict[str, int], texture_count: int, canvas: MocCanvas
) -> MocArrays:
    """Flatten ``rig`` into :class:`MocArrays` (see the module docstring for every convention).

    Parameters
    ----------
    uvs : dict of art-mesh id to (N, 2) float32 ndarray
        Final texture coordinates in the file's convention (page-relative, origin top-left, v down).
    textures : dict of art-mesh id to int
        Texture page (``textureNo``) of each art mesh; ``texture_count`` pages exist.
    """
    a: dict[str, object] = {}
    tables = _Tables(rig)
    parts = parents_first(list(rig.parts), lambda p: p.parent_part_id)
    deformers = parents_first(list(rig.deformers), lambda d: d.parent_deformer_id)
    part_index = {p.id: i for i, p in enumerate(parts)}
    deformer_index = {d.id: i for i, d in enumerate(deformers)}
    positions: list[np.ndarray] = []
    colours: list[np.ndarray] = []  # (K, 6) multiply rgb + screen rgb per keyformed object, in order
    _parts(parts, part_index, tables, a)
    _deformers(rig, deformers, part_index, deformer_index, canvas, tables, a, positions, colours)
    _art_meshes(rig, part_index, deformer_index, canvas, uvs, textures, tables, a, positions, colours)
    _parameters(rig, a)
    tables.finish(rig, a)
    pos = np.concatenate(positions) if positions else np.zeros(0, np.float32)
    col = np.concatenate(colours) if colours else np.zeros((0, 6), np.float32)
    a["positions"] = pos
    for k, name in enumerate(("multiply.r", "multiply.g", "multiply.b", "screen.r", "screen.g", "screen.b")):
        a[name] = col[:, k]
    n_mesh = len(rig.art_meshes)
    a.update({
        "draw_order_group.object_begin": [0], "draw_order_group.object_count": [n_mesh],
        "draw_order_group.object_total": [n_mesh], "draw_order_group.max_draw_order": [DRAW_ORDER_MAX],
        "draw_order_group.min_draw_order": [DRAW_ORDER_MIN],
        "draw_order_group_object.type": [0] * n_mesh, "draw_order_group_object.index": list(range(n_mesh)),
        "draw_order_group_object.self_index": [-1] * n_mesh,
    })  # fmt: skip
    counts = _fill_counts_and_empties(a, len(col))
    ids = {"parts": [p.id for p in parts], "deformers": [d.id for d in deformers],
           "art_meshes": [m.id for m in rig.art_meshes], "parameters": [p.id for p in rig.parameters]}
    return MocArrays(canvas, counts, a, texture_count, ids)


def _parts(parts, part_index, tables: _Tables, a: dict) -> None:
    kb, begin, count, draw = [], [], [], []
    for p in parts:
        kb.append(tables.keyform_binding(p.keyforms))
        begin.append(len(draw))
        count.append(p.keyforms.count)
        draw.extend(p.keyforms.values["draw_order"].astype(np.float32).tolist())
    a.update({
        "part.id": [p.id for p in parts], "part.keyform_binding": kb, "part.keyform_begin": begin,
        "part.keyform_count": count, "part.visible": [int(p.visible) for p in parts], "part.enabled": [1] * len(parts),
        "part.parent_part": [-1 if p.parent_part_id is None else part_index[p.parent_part_id] for p in parts],
        "part_keyform.draw_order": draw,
    })  # fmt: skip


def _to_parent_space(xy: np.ndarray, parent, canvas: MocCanvas) -> np.ndarray:
    """Positions in the parent's space as the file wants them (model units at the root)."""
    xy = np.asarray(xy, np.float64)
    if parent is not None:
        return xy
    return (xy - np.array([canvas.origin_x, canvas.origin_y])) / canvas.pixels_per_unit


def _has_rotation_ancestor(d, by_id: dict) -> bool:
    node = d.parent_deformer_id
    while node is not None:
        if isinstance(by_id[node], RotationDeformer):
            return True
        node = by_id[node].parent_deformer_id
    return False


def _deformers(rig, deformers, part_index, deformer_index, canvas, tables, a, positions, colours) -> None:
    by_id = {d.id: d for d in deformers}
    d_arr = {k: [] for k in ("keyform_binding", "visible", "enabled", "parent_part", "parent_deformer", "type", "specific")}
    w_arr = {k: [] for k in ("keyform_binding", "keyform_begin", "keyform_count", "vertex_count", "rows", "cols",
                             "quad_source", "color_begin")}  # fmt: skip
    r_arr = {k: [] for k in ("keyform_binding", "keyform_begin", "keyform_count", "base_angle", "color_begin")}
    wk = {"opacity": [], "position_begin": []}
    rk = {k: [] for k in ("opacity", "angle", "origin_x", "origin_y", "scale", "reflect_x", "reflect_y")}
    n_colours = 0
    for d in deformers:
        kb = tables.keyform_binding(d.keyforms)
        parent = by_id.get(d.parent_deformer_id) if d.parent_deformer_id else None
        v, k = d.keyforms.values, d.keyforms.count
        d_arr["keyform_binding"].append(kb)
        d_arr["visible"].append(int(d.visible))
        d_arr["enabled"].append(1)
        d_arr["parent_part"].append(part_index[d.part_id])
        d_arr["parent_deformer"].append(-1 if parent is None else deformer_index[parent.id])
        if isinstance(d, WarpDeformer):
            d_arr["type"].append(0)
            d_arr["specific"].append(len(w_arr["rows"]))
            for key, val in (("keyform_binding", kb), ("keyform_begin", len(wk["opacity"])), ("keyform_count", k),
                             ("vertex_count", d.point_count), ("rows", d.rows), ("cols", d.cols), ("quad_source", 1),
                             ("color_begin", n_colours)):  # fmt: skip
                w_arr[key].append(val)
            start = sum(len(p) for p in positions)
            pts = _to_parent_space(v["positions"], parent, canvas).astype(np.float32)
            wk["opacity"].extend(v["opacity"].tolist())
            wk["position_begin"].extend(start + 2 * d.point_count * np.arange(k))
            positions.append(pts.reshape(-1))
        else:
            d_arr["type"].append(1)
            d_arr["specific"].append(len(r_arr["base_angle"]))
            for key, val in (("keyform_binding", kb), ("keyform_begin", len(rk["opacity"])), ("keyform_count", k),
                             ("base_angle", 0.0), ("color_begin", n_colours)):
                r_arr[key].append(val)
            origin = _to_parent_space(v["origin"], parent, canvas)
            scale = v["scale"].astype(np.float64)
            if not _has_rotation_ancestor(d, by_id):
                scale = scale / canvas.pixels_per_unit
            rk["opacity"].extend(v["opacity"].tolist())
            rk["angle"].extend((v["angle_deg"].astype(np.float64) + d.base_angle_deg).tolist())
            rk["origin_x"].extend(origin[:, 0].tolist())
            rk["origin_y"].extend(origin[:, 1].tolist())
            rk["scale"].extend(scale.tolist())
            rk["reflect_x"].extend(v["reflect_x"].astype(int).tolist())
            rk["reflect_y"].extend(v["reflect_y"].astype(int).tolist())
        colours.append(np.tile(np.array([1, 1, 1, 0, 0, 0], np.float32), (k, 1)))
        n_colours += k
    a["deformer.id"] = [d.id for d in deformers]
    a.update({f"deformer.{k}": v for k, v in d_arr.items()})
    a.update({f"warp.{k}": v for k, v in w_arr.items()})
    a.update({f"rotation.{k}": v for k, v in r_arr.items()})
    a.update({f"warp_keyform.{k}": v for k, v in wk.items()})
    a.update({f"rotation_keyform.{k}": v for k, v in rk.items()})
    a["_colour_offset"] = n_colours


def _hidden(rig: Rig, m: ArtMesh) -> bool:
    """True when ``rig.evaluate`` omits ``m`` (it, or a part or deformer of its chains, is hidden)."""
    parts = {p.id: p for p in rig.parts}
    deformers = {d.id: d for d in rig.deformers}

    def part_hidden(pid):
        while pid is not None:
            if not parts[pid].visible:
                return True
            pid = parts[pid].parent_part_id
        return False

    if not m.visible or part_hidden(m.part_id):
        return True
    node = m.parent_deformer_id
    while node is not None:
        d = deformers[node]
        if not d.visible or part_hidden(d.part_id):
            return True
        node = d.parent_deformer_id
    return False


def effective_grid(rig: Rig, m: ArtMesh) -> KeyformGrid:
    """``m``'s keyform grid with the opacity of its part chain multiplied in (module docstring).

    A mesh that Kirie does not draw (:func:`_hidden`) gets opacity 0: the Core has no hidden flag
    of its own (``isVisible`` is written but does not hide a drawable), while an opacity-0 drawable
    is skipped by Cubism renderers and still works as a clip mask, as in Kirie.
    """
    chain, node = [], m.part_id
    parts = {p.id: p for p in rig.parts}
    while node is not None:
        chain.append(parts[node].keyforms)
        node = parts[node].parent_part_id
    if _hidden(rig, m):
        chain.append(KeyformGrid.constant(opacity=np.float32(0.0)))
    trivial = all(g.count == 1 and float(g.values["opacity"][0]) == 1.0 for g in chain)
    return m.keyforms if trivial else with_opacity_factors(m.keyforms, chain)


def _art_meshes(rig, part_index, deformer_index, canvas, uvs, textures, tables, a, positions, colours) -> None:
    mesh_index = {m.id: i for i, m in enumerate(rig.art_meshes)}
    deformers = {d.id: d for d in rig.deformers}
    keys = ("keyform_binding", "keyform_begin", "keyform_count", "visible", "enabled", "parent_part", "parent_deformer",
            "texture", "flags", "vertex_count", "uv_begin", "index_begin", "index_count", "mask_begin", "mask_count",
            "color_begin")  # fmt: skip
    m_arr: dict[str, list] = {k: [] for k in keys}
    mk = {"opacity": [], "draw_order": [], "position_begin": []}
    uv_all, idx_all, masks = [], [], []
    n_uv = n_idx = 0
    n_colours = a.pop("_colour_offset")
    for m in rig.art_meshes:
        grid = effective_grid(rig, m)
        v, k = grid.values, grid.count
        parent = deformers.get(m.parent_deformer_id) if m.parent_deformer_id else None
        uv = np.asarray(uvs[m.id], np.float32).reshape(-1)
        tri = np.asarray(m.triangles).reshape(-1)
        flags = _BLEND_BITS[m.blend_mode] | (0 if m.culling else FLAG_DOUBLE_SIDED) | (FLAG_INVERTED_MASK if m.invert_mask else 0)
        mask_list = [mesh_index.get(mid, -1) for mid in m.mask_ids]
        for key, val in (
            ("keyform_binding", tables.keyform_binding(grid)), ("keyform_begin", len(mk["opacity"])), ("keyform_count", k),
            ("visible", int(m.visible)), ("enabled", 1), ("parent_part", part_index[m.part_id]),
            ("parent_deformer", -1 if parent is None else deformer_index[parent.id]), ("texture", textures[m.id]),
            ("flags", flags), ("vertex_count", m.vertex_count), ("uv_begin", n_uv), ("index_begin", n_idx),
            ("index_count", len(tri)), ("mask_begin", len(masks)), ("mask_count", len(mask_list)),
            ("color_begin", n_colours),
        ):  # fmt: skip
            m_arr[key].append(val)
        start = sum(len(p) for p in positions)
        pts = _to_parent_space(v["positions"], parent, canvas).astype(np.float32)
        positions.append(pts.reshape(-1))
        mk["opacity"].extend(v["opacity"].tolist())
        mk["draw_order"].extend(v["draw_order"].tolist())
        mk["position_begin"].extend((start + 2 * m.vertex_count * np.arange(k)).tolist())
        colours.append(np.concatenate([v["multiply_rgb"], v["screen_rgb"]], axis=1).astype(np.float32))
        n_colours += k
        uv_all.append(uv)
        idx_all.append(tri)
        masks.extend(mask_list)
        n_uv += len(uv)
        n_idx += len(tri)
    a["art_mesh.id"] = [m.id for m in rig.art_meshes]
    a.update({f"art_mesh.{k}": v for k, v in m_arr.items()})
    a.update({f"art_mesh_keyform.{k}": v for k, v in mk.items()})
    a["uvs"] = np.concatenate(uv_all) if uv_all else np.zeros(0, np.float32)
    a["position_indices"] = np.concatenate(idx_all).astype(np.int64) if idx_all else np.zeros(0, np.int64)
    a["drawable_masks"] = masks


def _parameters(rig: Rig, a: dict) -> None:
    ps = rig.parameters
    a.update({
        "parameter.id": [p.id for p in ps], "parameter.max": [p.max for p in ps], "parameter.min": [p.min for p in ps],
        "parameter.default": [p.default for p in ps], "parameter.repeat": [int(p.repeat) for p in ps],
        "parameter.decimal_places": [3] * len(ps), "parameter.type": [0] * len(ps),
        "parameter.blend_shape_begin": [0] * len(ps), "parameter.blend_shape_count": [0] * len(ps),
    })  # fmt: skip


def _fill_counts_and_empties(a: dict, n_colours: int) -> dict[str, int]:
    """Count-table values from the arrays; empty arrays for glue and blend shapes; runtime tables."""
    def n(name: str) -> int:
        return len(a[name]) if name in a else 0

    counts = dict.fromkeys(COUNT_NAMES, 0)
    counts.update({
        "parts": n("part.id"), "deformers": n("deformer.id"), "warp_deformers": n("warp.rows"),
        "rotation_deformers": n("rotation.base_angle"), "art_meshes": n("art_mesh.id"), "parameters": n("parameter.id"),
        "part_keyforms": n("part_keyform.draw_order"), "warp_keyforms": n("warp_keyform.opacity"),
        "rotation_keyforms": n("rotation_keyform.opacity"), "art_mesh_keyforms": n("art_mesh_keyform.opacity"),
        "keyform_position_floats": n("positions"), "parameter_binding_indices": n("parameter_binding_indices"),
        "keyform_bindings": n("keyform_binding.begin"), "parameter_bindings": n("parameter_binding.keys_begin"),
        "keys": n("keys"), "uv_floats": n("uvs"), "position_indices": n("position_indices"),
        "drawable_masks": n("drawable_masks"), "draw_order_groups": n("draw_order_group.object_begin"),
        "draw_order_group_objects": n("draw_order_group_object.type"),
        "keyform_multiply_colors": n_colours, "keyform_screen_colors": n_colours,
    })  # fmt: skip
    for name, count, kind in SLOTS:
        if kind == "rt":
            a[name] = counts[count]
        elif kind == "id":
            a.setdefault(name, [])
        else:
            a[name] = np.asarray(a.get(name, []), dtype=np.dtype(kind).newbyteorder("="))
    return counts

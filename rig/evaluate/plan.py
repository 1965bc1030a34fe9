"""The evaluation plan: everything about a rig that does not depend on parameter values.

:func:`compile_plan` orders the deformers parent-first, stacks every keyform block into a few big
arrays (:mod:`rig.evaluate.blend`), and precomputes the index arrays that let
:func:`rig.evaluate.evaluate` flatten the deformer tree level by level in batches.

Staleness
---------
A plan is a **snapshot**: it copies the keyform values it was compiled from and keeps references to
the uvs and triangles arrays (DrawItems hand those very arrays to the renderer). After a document
change either recompile (topology, parameter definitions, visibility, draw-order or mask properties;
compiling the 130-mesh benchmark rig takes a few milliseconds) or, when only keyform **values**
changed, call :func:`refresh_plan` with the ids of the objects concerned: it copies their values into
a new plan and returns ``None`` when the change was structural after all (then recompile). To check
cheaply whether a plan still fits a rig, compare :func:`topology_signature` with
:attr:`EvaluationPlan.signature`, or call :meth:`EvaluationPlan.is_stale`, which also notices
keyform/uv/triangle arrays that were *replaced* (by identity). Arrays modified **in place** are not
detected: refresh or recompile on every document ``Change`` instead. Textures are not part of the
plan; they are read from ``rig.layers`` each frame.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from rig.errors import ValidationError
from rig.evaluate import kernel
from rig.evaluate import tree as tree_mod
from rig.evaluate.blend import (
    KeyedObject,
    KeyformTables,
    build_keyform_tables,
    constant_colours,
    scalar_block,
)
from rig.evaluate.tree import LevelStep
from rig.evaluate.warp import WarpTargets
from rig.model import ArtMesh, KeyformGrid, Rig, WarpDeformer

PART_FIELDS = (("opacity", 1),)
WARP_FIELDS = (("opacity", 1),)
# rotation scalar columns: 0 opacity, 1 angle, 2-3 origin, 4 scale, 5 reflect_x, 6 reflect_y
ROTATION_FIELDS = (
    ("opacity", 1),
    ("angle_deg", 1),
    ("origin", 2),
    ("scale", 1),
    ("reflect_x", 1),
    ("reflect_y", 1),
)
# art mesh scalar columns: 0 opacity, 1 draw_order, 2-4 multiply_rgb, 5-7 screen_rgb
MESH_FIELDS = (("opacity", 1), ("draw_order", 1), ("multiply_rgb", 3), ("screen_rgb", 3))


@dataclass(frozen=True, slots=True, eq=False)
class MeshInfo:
    """Static part of one art mesh's DrawItem."""

    id: str
    uvs: np.ndarray
    triangles: np.ndarray
    layer_id: str
    blend_mode: str
    mask_ids: tuple[str, ...]
    invert_mask: bool
    topology_version: int
    offset: int
    count: int
    stop: int  # offset + count


@dataclass(frozen=True, slots=True, eq=False)
class EvaluationPlan:
    """Value-independent precomputation for :func:`rig.evaluate.evaluate` (see module docstring).

    Attributes
    ----------
    signature : tuple
        :func:`topology_signature` of the rig at compile time (hashable, comparable).
    parameter_ids : tuple of str
        Order of the per-frame value vector.
    keyforms : KeyformTables
        Keyed objects are parts, then deformers parent-first, then art meshes (rig order).
    """

    signature: tuple
    source_ids: tuple[int, ...]
    sources: tuple[np.ndarray, ...]
    canvas_size_px: tuple[int, int]
    parameter_ids: tuple[str, ...]
    parameter_pairs: tuple[tuple[str, float], ...]
    parameter_min: np.ndarray
    parameter_span: np.ndarray
    parameter_repeat: np.ndarray
    keyforms: KeyformTables
    rot_kobj: np.ndarray  # (R,) keyed-object index of each rotation deformer
    rot_base_angle: np.ndarray  # (R,) float64
    rot_scale_ancestors: np.ndarray  # (R, D) rotation numbers of rotation ancestors, padded with R
    levels: tuple[LevelStep, ...]
    mesh_warp_idx: np.ndarray
    mesh_warp_targets: WarpTargets
    mesh_rot_idx: np.ndarray
    mesh_rot_parent: np.ndarray
    mesh_kobj_start: int
    mesh_opacity_chain: np.ndarray  # (Nm, L) keyed-object indices whose opacities multiply, pad = n_objects
    meshes: tuple[MeshInfo, ...]
    visible_meshes: (
        np.ndarray
    )  # (V,) int64 mesh numbers whose mesh, part chain and deformer chain are visible
    mask_sources: tuple[int, ...]  # mesh numbers used as a clip mask
    gizmos: tuple[
        tuple[str, str, int, int, int, int], ...
    ]  # (id, kind, rotation no. or -1, offset, rows, cols)
    item_constants: tuple[tuple, ...] = ()  # per mesh: (id, offset, stop, uvs, triangles, layer_id,
    # blend_mode, mask_ids, invert_mask, topology_version), unpacked per frame by evaluate()
    packed: tuple | None = None  # kernel.pack(plan) when the compiled kernel is available, else None
    object_ids: tuple[str, ...] = ()  # keyed objects' ids in KeyformTables order
    object_fields: tuple[tuple, ...] = ()  # each keyed object's (scalar_fields, point_field)
    mesh_colours: tuple = ()  # per mesh (multiply_rgb, screen_rgb) when no parameter changes them, else None
    mesh_colours_varying: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0, np.int64))
    memo: dict = dataclasses.field(default_factory=dict)  # evaluate()'s per-plan cache, each entry checked by identity

    def is_stale(self, rig: Rig) -> bool:
        """True when ``rig`` no longer matches this plan (structure changed or arrays replaced)."""
        return topology_signature(rig) != self.signature or _sources(rig)[1] != self.source_ids


def _grid_signature(grid: KeyformGrid) -> tuple:
    return tuple((b.parameter_id, b.keys) for b in grid.bindings)


def topology_signature(rig: Rig) -> tuple:
    """Everything a plan depends on except array contents, as a hashable tuple.

    Covers the canvas size, parameter definitions, the part and deformer trees, visibility flags,
    bindings and keys of every keyform grid, grid sizes, base angles and every art mesh property
    a DrawItem carries (layer, blend mode, masks, vertex and triangle counts, topology version).
    """
    return (
        (rig.canvas_width_px, rig.canvas_height_px),
        tuple((p.id, p.min, p.default, p.max, p.repeat) for p in rig.parameters),
        tuple((p.id, p.parent_part_id, p.visible, _grid_signature(p.keyforms)) for p in rig.parts),
        tuple(
            (
                type(d).__name__,
                d.id,
                d.parent_deformer_id,
                d.part_id,
                d.visible,
                _grid_signature(d.keyforms),
                getattr(d, "rows", 0),
                getattr(d, "cols", 0),
                getattr(d, "base_angle_deg", 0.0),
            )
            for d in rig.deformers
        ),
        tuple(
            (
                m.id,
                m.parent_deformer_id,
                m.part_id,
                m.layer_id,
                m.visible,
                m.blend_mode,
                m.mask_ids,
                m.invert_mask,
                m.topology_version,
                m.vertex_count,
                len(m.triangles),
                _grid_signature(m.keyforms),
            )
            for m in rig.art_meshes
        ),
    )


def _sources(rig: Rig) -> tuple[tuple[np.ndarray, ...], tuple[int, ...]]:
    arrays: list[np.ndarray] = []
    for obj in [*rig.parts, *rig.deformers, *rig.art_meshes]:
        arrays.extend(obj.keyforms.values.values())
    for m in rig.art_meshes:
        arrays.extend((m.uvs, m.triangles))
    return tuple(arrays), tuple(id(a) for a in arrays)


def compile_plan(rig: Rig, compiled: bool = True) -> EvaluationPlan:
    """Precompute everything about ``rig`` that does not depend on parameter values.

    Parameters
    ----------
    rig : Rig
        Should pass ``rig.validate()``; only what evaluation needs is checked here.
    compiled : bool, default True
        Pack the plan for the compiled kernel (:mod:`rig.evaluate.kernel`) when it is available.
        False: the numpy path only (``packed`` None; the same numbers), for a process that evaluates
        a few times (an export, a preview sheet): numba is then never imported (about 120 MB) nor
        compiled.

    Returns
    -------
    EvaluationPlan
        A snapshot (see the module docstring for when to recompile).

    Raises
    ------
    ValidationError
        On a cycle or dangling reference in the part or deformer tree, or a keyform binding to a
        parameter the rig does not have.
    """
    chains, part_visible = tree_mod.part_chains(rig)
    tree = tree_mod.order_deformers(rig, part_visible)
    param_index = {p.id: i for i, p in enumerate(rig.parameters)}
    objects = keyed_objects(rig, tree.ordered)
    object_ids = tuple(o.id for o in [*rig.parts, *tree.ordered, *rig.art_meshes])
    try:
        tables = build_keyform_tables(objects, param_index)
    except KeyError as exc:
        raise ValidationError(f"a keyform grid is bound to missing parameter {exc.args[0]!r}") from None
    n_parts, n_def = len(rig.parts), len(tree.ordered)
    mesh_start = n_parts + n_def
    offsets = tables.point_offset.tolist()
    lattice_offset = {
        d.id: offsets[n_parts + i] for i, d in enumerate(tree.ordered) if isinstance(d, WarpDeformer)
    }
    mesh_offset = offsets[mesh_start:]
    mw_idx, mw_targets, mr_idx, mr_parent = tree_mod.mesh_targets(
        rig.art_meshes, tree, mesh_offset, lattice_offset
    )
    part_kobj = {p.id: i for i, p in enumerate(rig.parts)}
    deformer_kobj = {d.id: n_parts + i for i, d in enumerate(tree.ordered)}
    rotations = [d for d in tree.ordered if not isinstance(d, WarpDeformer)]
    sources, source_ids = _sources(rig)
    params = rig.parameters
    meshes = tuple(_mesh_info(m, off) for m, off in zip(rig.art_meshes, mesh_offset))
    colours, varying_colours = constant_colours(tables, mesh_start, len(meshes))
    plan = EvaluationPlan(
        signature=topology_signature(rig),
        source_ids=source_ids,
        sources=sources,
        canvas_size_px=(int(rig.canvas_width_px), int(rig.canvas_height_px)),
        parameter_ids=tuple(p.id for p in params),
        parameter_pairs=tuple((p.id, p.default) for p in params),
        parameter_min=np.asarray([*(p.min for p in params), 0.0], np.float64),
        parameter_span=np.asarray([*(p.max - p.min for p in params), 1.0], np.float64),
        parameter_repeat=np.asarray([*(p.repeat for p in params), False], bool),
        keyforms=tables,
        rot_kobj=np.asarray([deformer_kobj[r.id] for r in rotations], np.int64),
        rot_base_angle=np.asarray([r.base_angle_deg for r in rotations], np.float64),
        rot_scale_ancestors=tree_mod.rotation_scale_ancestors(tree),
        levels=tree_mod.build_levels(tree, lattice_offset),
        mesh_warp_idx=mw_idx,
        mesh_warp_targets=mw_targets,
        mesh_rot_idx=mr_idx,
        mesh_rot_parent=mr_parent,
        mesh_kobj_start=mesh_start,
        mesh_opacity_chain=tree_mod.mesh_opacity_chains(
            rig, tree, chains, deformer_kobj, part_kobj, mesh_start, tables.n_objects
        ),
        meshes=meshes,
        mesh_colours=colours,
        mesh_colours_varying=varying_colours,
        object_ids=object_ids,
        object_fields=tuple((o.scalar_fields, o.point_field) for o in objects),
        visible_meshes=np.flatnonzero(_mesh_visible(rig, tree, part_visible)).astype(np.int64),
        mask_sources=_mask_sources(rig),
        gizmos=tuple(_gizmo_info(d, tree, lattice_offset) for d in rig.deformers),
        item_constants=tuple(
            (m.id, m.offset, m.stop, m.uvs, m.triangles, m.layer_id, m.blend_mode, m.mask_ids)
            + (m.invert_mask, m.topology_version)
            for m in meshes
        ),
    )
    return with_kernel(plan) if compiled else plan


def refresh_plan(plan: EvaluationPlan, rig: Rig, object_ids=None) -> EvaluationPlan | None:
    """``plan`` brought up to date after a change of keyform **values** only (no recompile).

    Parameters
    ----------
    plan : EvaluationPlan
        Compiled from ``rig`` before the change; not modified (the new plan has its own tables).
    rig : Rig
        The changed rig.
    object_ids : iterable of str, optional
        Parts, deformers and art meshes whose keyform values changed (other ids are ignored); all
        keyed objects when None or when none of the ids is one (e.g. only a parameter's id).

    Returns
    -------
    EvaluationPlan or None
        A plan that evaluates exactly as ``compile_plan(rig)`` would, or ``None`` when the change
        was not a value-only one (:func:`topology_signature` differs, or an art mesh's uvs or
        triangles array was replaced): recompile then.
    """
    if topology_signature(rig) != plan.signature:
        return None
    if any(m.uvs is not info.uvs or m.triangles is not info.triangles for m, info in zip(rig.art_meshes, plan.meshes)):
        return None
    index = {oid: o for o, oid in enumerate(plan.object_ids)}
    wanted = [] if object_ids is None else [i for i in object_ids if i in index]
    if not wanted:  # None, or only ids of other things (a parameter's key edit): every keyed object
        wanted = plan.object_ids
    by_id = {obj.id: obj for obj in [*rig.parts, *rig.deformers, *rig.art_meshes]} if wanted else {}
    t = plan.keyforms
    scalars, keyforms, constant = t.scalars.copy(), t.point_keyforms.copy(), t.constant_points.copy()
    for oid in wanted:
        o, grid = index[oid], by_id[oid].keyforms
        fields, point_field = plan.object_fields[o]
        row = int(t.scalar_base[o * t.corners])
        scalars[row : row + grid.count] = scalar_block(grid, fields)
        if point_field is None:
            continue
        pts = np.ascontiguousarray(grid.values[point_field], np.float32).view(np.complex64).reshape(grid.count, -1)
        start = int(t.keyform_base[o])
        keyforms[start : start + pts.size] = pts.reshape(-1)
        if not grid.bindings:  # unkeyed: its points are constant, stored blended already
            off = int(t.point_offset[o])
            constant[off : off + pts.shape[1]] = pts[0]
    tables = dataclasses.replace(t, scalars=scalars, point_keyforms=keyforms, constant_points=constant)
    sources, source_ids = _sources(rig)
    colours, varying = constant_colours(tables, plan.mesh_kobj_start, len(plan.meshes))
    fresh = dataclasses.replace(plan, keyforms=tables, sources=sources, source_ids=source_ids,
                                mesh_colours=colours, mesh_colours_varying=varying, packed=None)
    return with_kernel(fresh) if plan.packed is not None else fresh  # a numpy-only plan stays one


def with_kernel(plan: EvaluationPlan) -> EvaluationPlan:
    """``plan`` with its :attr:`EvaluationPlan.packed` kernel arguments (unchanged without the kernel)."""
    return dataclasses.replace(plan, packed=kernel.pack(plan)) if kernel.AVAILABLE else plan


def _mesh_info(m: ArtMesh, offset: int) -> MeshInfo:
    return MeshInfo(
        m.id,
        m.uvs,
        m.triangles,
        m.layer_id,
        m.blend_mode.value,
        tuple(m.mask_ids),
        bool(m.invert_mask),
        int(m.topology_version),
        int(offset),
        m.vertex_count,
        int(offset) + m.vertex_count,
    )


def _mesh_visible(rig: Rig, tree: tree_mod.DeformerTree, part_visible: dict[str, bool]) -> np.ndarray:
    out = []
    for m in rig.art_meshes:
        parent_ok = m.parent_deformer_id is None or tree.visible[m.parent_deformer_id]
        out.append(bool(m.visible and part_visible[m.part_id] and parent_ok))
    return np.asarray(out, bool)


def _mask_sources(rig: Rig) -> tuple[int, ...]:
    index = {m.id: i for i, m in enumerate(rig.art_meshes)}
    used = {mid for m in rig.art_meshes for mid in m.mask_ids}
    missing = used - index.keys()
    if missing:
        raise ValidationError(f"clip masks name missing art meshes {sorted(missing)}")
    return tuple(sorted(index[mid] for mid in used))


def _gizmo_info(d, tree: tree_mod.DeformerTree, lattice_offset: dict[str, int]) -> tuple:
    if isinstance(d, WarpDeformer):
        return (d.id, "warp", -1, lattice_offset[d.id], d.rows, d.cols)
    return (d.id, "rotation", tree.rotation_number[d.id], -1, 0, 0)


def keyed_objects(rig: Rig, deformers: list) -> list[KeyedObject]:
    """Parts, deformers (given order), art meshes as blend inputs."""
    objs = [KeyedObject(p.keyforms, PART_FIELDS) for p in rig.parts]
    for d in deformers:
        if isinstance(d, WarpDeformer):
            objs.append(KeyedObject(d.keyforms, WARP_FIELDS, "positions"))
        else:
            objs.append(KeyedObject(d.keyforms, ROTATION_FIELDS))
    objs.extend(KeyedObject(m.keyforms, MESH_FIELDS, "positions") for m in rig.art_meshes)
    return objs

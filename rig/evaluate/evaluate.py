"""``evaluate(rig, values) -> EvaluatedRig``: the pure, per-frame evaluation of a rig.

Steps (design.md "Evaluation and physics"):

1. **Parameter values**: ``values[id]``, or the parameter's default when missing; ``repeat`` parameters
   wrap into their range. Each keyform grid clamps to its own key range (:mod:`rig.evaluate.keyforms`).
2. **Keyforms**: every object's grid is blended at once (:mod:`rig.evaluate.blend`).
3. **Deformers**, parent first, level by level, are flattened into canvas space the way the Cubism
   Core does (warp lattices mapped through the parent; rotation origin, angle and scale derived from
   the parent; :mod:`rig.evaluate.rotation`, :mod:`rig.evaluate.warp`). Each art mesh is then mapped
   by its direct parent deformer only.
4. **Opacity**: mesh keyform opacity x every ancestor deformer's x its part's x every ancestor part's,
   clipped to [0, 1]. Hidden objects: a mesh is **omitted from** ``items`` when it, a part of its part
   chain, or a deformer of its deformer chain (or such a deformer's part chain) has ``visible=False``.
5. **Draw order**: items sorted by the evaluated ``draw_order`` keyform value truncated to an
   integer (as the Cubism Core does), ties kept in ``rig.art_meshes`` order (a stable sort). Parts' ``draw_order`` keyforms are not used.
6. **Masks**: ``masks`` holds every art mesh used as a clip source, the same DrawItem object as in
   ``items`` when visible; a hidden mask source gets its own DrawItem with ``opacity`` 0.
7. **Gizmos**, one per deformer in ``rig.deformers`` order: a warp's lattice in canvas px; a rotation's
   canvas origin and the image of the local point ``(0, -GIZMO_HANDLE_PX)`` (its "up" handle, so its
   length shows the scale), with the canvas angle (base angle included).

Steps 2-3 run in one compiled call (:mod:`rig.evaluate.kernel`, numba) when the plan carries its packed
arrays, else in numpy (the fallback; both give the same numbers to float32 rounding).

Vertex arrays in the result are read-only views of one array made fresh on every call, so a result
is never changed by a later evaluation. ``uvs`` and ``triangles`` are the plan's (the rig's) arrays.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import chain

import numpy as np

from rig.evaluate import kernel
from rig.evaluate.blend import blend
from rig.evaluate.plan import EvaluationPlan, compile_plan
from rig.evaluate.rotation import (
    PROBE_DELTA_UNDER_ROTATION,
    PROBE_DELTA_UNDER_WARP,
    angle_correction_deg,
    apply_rotation,
    probe_direction,
    rotation_coefficients,
)
from rig.evaluate.tree import LevelStep
from rig.evaluate.types import DeformerGizmo, DrawItem, EvaluatedRig, LayerTexture
from rig.evaluate.warp import warp_points
from rig.model import Rig

#: Length, in a rotation deformer's local (pixel-sized) units, of its gizmo's handle.
GIZMO_HANDLE_PX = 64.0
_ONE = np.ones(1)
_ZERO = (0.0,)


@dataclass(slots=True, eq=False)
class _Rotations:
    """Per-frame state of every rotation deformer (local keyform values and flattened canvas form)."""

    origin_local: np.ndarray  # (R,) complex64
    origin: np.ndarray  # (R,) complex64, canvas
    angle_local: np.ndarray  # (R,) float64, base angle included
    angle: np.ndarray  # (R,) float64, canvas
    scale: np.ndarray  # (R,) float64, accumulated
    reflect_x: np.ndarray
    reflect_y: np.ndarray
    a: np.ndarray  # (R,) complex64 coefficients (rotation.rotation_coefficients)
    b: np.ndarray


def evaluate(
    rig: Rig, values: Mapping[str, float], plan: EvaluationPlan | None = None, *, gizmos: bool = True
) -> EvaluatedRig:
    """Evaluate ``rig`` at parameter ``values``: deformed meshes in draw order, textures, gizmos.

    Parameters
    ----------
    rig : Rig
        A valid rig (``rig.validate()``). Only ``rig.layers`` is read when ``plan`` is given.
    values : mapping of str to float
        Parameter values by id (a dict or ``ParameterValues``); missing ids use the default,
        unknown ids are ignored.
    plan : EvaluationPlan, optional
        ``compile_plan(rig)``, compiled once per document change. When omitted, a numpy-only plan
        is compiled here (``compile_plan(rig, compiled=False)``: a one-off evaluation never imports
        or compiles the kernel; the same numbers).
        A stale plan gives the old rig's geometry: check :meth:`EvaluationPlan.is_stale`.
    gizmos : bool, default True
        Build :attr:`EvaluatedRig.gizmos`; when False it is ``()`` (saves time for callers that
        draw no deformer overlays, e.g. export and thumbnails).

    Returns
    -------
    EvaluatedRig
        Pure function of (rig, values): the same inputs give identical output, with or without
        a precompiled plan.

    Raises
    ------
    ValidationError
        When compiling a plan for a structurally broken rig (see :func:`compile_plan`).
    """
    if plan is None:
        plan = compile_plan(rig, compiled=False)
    x = _parameter_vector(plan, values)
    done = kernel.run(plan.packed, x) if plan.packed is not None else None
    if done is not None:  # the compiled path (rig.evaluate.kernel); same numbers as the numpy one below
        scalars, xy, origin, angle, coef, opacity = done
        points = xy.view(np.complex64).reshape(-1)
        rot = _Rotations(*(None,) * 9)
        if gizmos and plan.gizmos:
            rot.origin, rot.angle = origin.view(np.complex64).reshape(-1), angle
            rot.a = coef[:, :2].copy().view(np.complex64).reshape(-1)
            rot.b = coef[:, 2:].copy().view(np.complex64).reshape(-1)
        return _assemble(rig, plan, scalars, points, rot, gizmos, opacity)
    scalars, points = blend(plan.keyforms, x)
    rot = _rotations(plan, scalars)
    for step in plan.levels:
        _flatten_level(step, points, rot)
    _deform_meshes(plan, points, rot)
    return _assemble(rig, plan, scalars, points, rot, gizmos)


def _parameter_vector(plan: EvaluationPlan, values: Mapping[str, float]) -> np.ndarray:
    """(P + 1,) float64: values in plan order (defaults for missing ids, repeat ones wrapped), then 0."""
    memo = plan.memo.get("parameters")
    if memo is None or memo[0] is not plan.parameter_pairs:
        pairs = plan.parameter_pairs
        memo = plan.memo["parameters"] = (pairs, tuple(p for p, _ in pairs), tuple(d for _, d in pairs),
                                          bool(plan.parameter_repeat.any()))
    _, ids, defaults, repeat = memo
    x = np.fromiter(chain(map(values.get, ids, defaults), _ZERO), np.float64, len(ids) + 1)
    if repeat:
        wrapped = plan.parameter_min + (x - plan.parameter_min) % plan.parameter_span
        x = np.where(plan.parameter_repeat, wrapped, x)
    return x


def _rotations(plan: EvaluationPlan, scalars: np.ndarray) -> _Rotations:
    rs = scalars[plan.rot_kobj]
    origin = (rs[:, 2] + 1j * rs[:, 3]).astype(np.complex64)
    angle = rs[:, 1] + plan.rot_base_angle
    own = rs[:, 4]
    scale = own * np.concatenate([own, _ONE]).take(plan.rot_scale_ancestors).prod(axis=1)
    rx, ry = rs[:, 5] > 0.5, rs[:, 6] > 0.5
    a, b = rotation_coefficients(angle, scale, rx, ry)
    return _Rotations(origin, origin.copy(), angle, angle.copy(), scale, rx, ry, a, b)


def _flatten_level(step: LevelStep, points: np.ndarray, rot: _Rotations) -> None:
    """Map one depth's children through their flattened parents (one warp and one rotation batch)."""
    origins, probes = [], []  # transformed origins and probes of step.rotated, warp parents first
    if len(step.warp_targets.base):
        n, k = len(step.warp_idx), len(step.rot_w)
        o = rot.origin_local.take(step.rot_w)
        inp = np.concatenate([points.take(step.warp_idx), o, o + np.complex64(1j * PROBE_DELTA_UNDER_WARP)])
        out = warp_points(points, step.warp_targets, inp)
        points[step.warp_idx] = out[:n]
        origins.append(out[n : n + k])
        probes.append(out[n + k :])
    if len(step.rot_parent):
        n, k, par = len(step.rot_idx), len(step.rot_r), step.rot_parent
        o = rot.origin_local.take(step.rot_r)
        inp = np.concatenate(
            [points.take(step.rot_idx), o, o + np.complex64(1j * PROBE_DELTA_UNDER_ROTATION)]
        )
        out = apply_rotation(inp, rot.origin.take(par), rot.a.take(par), rot.b.take(par))
        points[step.rot_idx] = out[:n]
        origins.append(out[n : n + k])
        probes.append(out[n + k :])
    if len(step.rotated):
        origin_t = np.concatenate(origins) if len(origins) > 1 else origins[0]
        probe_t = np.concatenate(probes) if len(probes) > 1 else probes[0]
        _update_rotations(rot, step, points, origin_t, probe_t)


def _update_rotations(
    rot: _Rotations, step: LevelStep, points, origin_t: np.ndarray, probe_t: np.ndarray
) -> None:
    """Store the canvas origin/angle/coefficients of ``step.rotated`` from their transformed origins/probes."""
    idx = step.rotated
    direction = (probe_t - origin_t).astype(np.complex128)
    if not direction.all():
        for k in np.flatnonzero(direction == 0).tolist():  # degenerate parent: the Core's robust probe
            direction[k] = probe_direction(
                lambda z, k=k: _through_parent(step, points, rot, k, z),
                complex(rot.origin_local[idx[k]]),
                step.delta[k],
            )
    rot.origin[idx] = origin_t
    angle = rot.angle_local.take(idx) + angle_correction_deg(direction, step.delta)
    rot.angle[idx] = angle
    rot.a[idx], rot.b[idx] = rotation_coefficients(
        angle, rot.scale.take(idx), rot.reflect_x.take(idx), rot.reflect_y.take(idx)
    )


def _through_parent(
    step: LevelStep, points: np.ndarray, rot: _Rotations, k: int, z: np.ndarray
) -> np.ndarray:
    """Map ``z`` through the flattened parent of ``step.rotated[k]`` (slow path, degenerate parents)."""
    n_w = len(step.rot_w)
    if k < n_w:
        first_origin = len(step.warp_idx) + k
        return warp_points(points, step.warp_targets.subset(np.full(len(z), first_origin)), z)
    p = step.rot_parent[len(step.rot_idx) + k - n_w]
    return apply_rotation(z, rot.origin[p], rot.a[p], rot.b[p])


def _deform_meshes(plan: EvaluationPlan, points: np.ndarray, rot: _Rotations) -> None:
    if len(plan.mesh_warp_idx):
        idx = plan.mesh_warp_idx
        points[idx] = warp_points(points, plan.mesh_warp_targets, points[idx])
    if len(plan.mesh_rot_idx):
        idx, par = plan.mesh_rot_idx, plan.mesh_rot_parent
        points[idx] = apply_rotation(points[idx], rot.origin[par], rot.a[par], rot.b[par])


# DrawItem is a frozen, slotted dataclass: its generated __init__ stores each field through
# object.__setattr__, slow for the 100+ items evaluate() builds per frame. So each item is filled as
# an instance of _DrawItemDraft, a plain class with the very same slots (plain attribute stores, the
# interpreter's fastest path), then turned into a DrawItem by assigning __class__ (allowed between
# classes of the same slot layout): the result is an ordinary frozen DrawItem, about 4x cheaper to
# make. The checks below fail loudly at import if DrawItem gains or loses a field, or if the
# interpreter refuses the __class__ assignment, so this cannot silently fall out of date.
_ITEM_FIELDS = (
    "art_mesh_id",
    "vertices_px",
    "uvs",
    "triangles",
    "layer_id",
    "opacity",
    "multiply_rgb",
    "screen_rgb",
    "blend_mode",
    "mask_ids",
    "invert_mask",
    "draw_order",
    "topology_version",
)
if tuple(f.name for f in dataclasses.fields(DrawItem)) != _ITEM_FIELDS:
    raise ImportError("rig.evaluate.evaluate: update _ITEM_FIELDS and _draw_items to DrawItem's fields")
_DrawItemDraft = type("_DrawItemDraft", (), {"__slots__": DrawItem.__slots__})
_probe = object.__new__(_DrawItemDraft)
_probe.__class__ = DrawItem
if type(_probe) is not DrawItem:
    raise ImportError("rig.evaluate.evaluate: the DrawItem draft class no longer converts to DrawItem")
del _probe
_GIZMO_FIELDS = ("deformer_id", "kind", "points_px", "angle_deg")
if tuple(f.name for f in dataclasses.fields(DeformerGizmo)) != _GIZMO_FIELDS:
    raise ImportError("rig.evaluate.evaluate: update _GIZMO_FIELDS and _gizmos to DeformerGizmo's fields")
_GIZMO_SETTERS = tuple(getattr(DeformerGizmo, name).__set__ for name in _GIZMO_FIELDS)


def _draw_items(
    plan: EvaluationPlan, xy: np.ndarray, indices, opacity, ms: np.ndarray
) -> dict[int, DrawItem]:
    """DrawItems of meshes ``indices`` (in that order), keyed by mesh number."""
    draws = ms[:, 1].tolist()
    rows, varying = _item_rows(plan), plan.mesh_colours_varying
    if len(varying):  # colours a parameter changes: this frame's blend (constant ones: the plan's)
        rows = list(rows)
        for i, (m0, m1, m2, s0, s1, s2) in zip(varying.tolist(), ms[varying, 2:8].tolist()):
            rows[i] = rows[i][:6] + ((m0, m1, m2), (s0, s1, s2)) + rows[i][8:]
    new, out, final = object.__new__, {}, DrawItem
    for i in indices:
        mid, off, stop, uvs, tri, layer, multiply, screen, blend_mode, mask_ids, invert, topo = rows[i]
        it = new(_DrawItemDraft)
        it.art_mesh_id = mid
        it.vertices_px = xy[off:stop]
        it.uvs = uvs
        it.triangles = tri
        it.layer_id = layer
        it.opacity = opacity[i]
        it.multiply_rgb = multiply
        it.screen_rgb = screen
        it.blend_mode = blend_mode
        it.mask_ids = mask_ids
        it.invert_mask = invert
        it.draw_order = draws[i]
        it.topology_version = topo
        it.__class__ = final
        out[i] = it
    return out


def _item_rows(plan: EvaluationPlan) -> tuple[tuple, ...]:
    """Per mesh, ``plan.item_constants`` with its constant (multiply, screen) colours (None, None where a
    parameter changes them) after the layer id, in DrawItem order; made once per plan (``plan.memo``)."""
    memo = plan.memo.get("item_rows")
    if memo is None or memo[0] is not plan.item_constants or memo[1] is not plan.mesh_colours:
        rows = tuple(c[:6] + (colours or (None, None)) + c[6:] for c, colours in zip(plan.item_constants, plan.mesh_colours))
        memo = plan.memo["item_rows"] = (plan.item_constants, plan.mesh_colours, rows)
    return memo[2]


def _textures(plan: EvaluationPlan, layers) -> dict[str, LayerTexture]:
    """The frame's ``textures``: one LayerTexture per layer, the plan's (``plan.memo``) while the layer keeps
    its image array and version (each is immutable: results may share them)."""
    cache = plan.memo.get("textures")
    if cache is None:
        cache = plan.memo["textures"] = {}
    out = {}
    for la in layers:
        tex = cache.get(la.id)
        if tex is None or tex.image is not la.image or tex.version != la.version:
            tex = cache[la.id] = LayerTexture(la.id, la.image, la.version)
        out[la.id] = tex
    return out


def _assemble(
    rig: Rig,
    plan: EvaluationPlan,
    scalars: np.ndarray,
    points: np.ndarray,
    rot: _Rotations,
    gizmos: bool = True,
    mesh_opacity: np.ndarray | None = None,
) -> EvaluatedRig:
    """The EvaluatedRig from the blended ``scalars`` and deformed ``points``; ``mesh_opacity``: each mesh's
    final opacity when the kernel computed it (else from the chains here, the same numbers)."""
    xy = points.view(np.float32).reshape(-1, 2)
    xy.flags.writeable = False
    ms = scalars[plan.mesh_kobj_start :]
    if mesh_opacity is None:
        chain = np.concatenate([scalars[:, 0], _ONE]).take(plan.mesh_opacity_chain)
        mesh_opacity = np.minimum(np.maximum(chain.prod(axis=1), 0.0), 1.0)
    opacity = mesh_opacity.tolist()
    visible = plan.visible_meshes
    # the Cubism Core truncates the blended draw order to an integer; ties keep art-mesh order
    order = visible.take(np.argsort(np.trunc(ms[:, 1].take(visible)), kind="stable")).tolist()
    made = _draw_items(plan, xy, order, opacity, ms)
    hidden = [i for i in plan.mask_sources if i not in made]
    if hidden:
        made_hidden = _draw_items(plan, xy, hidden, [0.0] * len(plan.meshes), ms)
        masks = {plan.meshes[i].id: made[i] if i in made else made_hidden[i] for i in plan.mask_sources}
    else:
        masks = {plan.meshes[i].id: made[i] for i in plan.mask_sources}
    textures = _textures(plan, rig.layers)
    overlays = _gizmos(plan, xy, rot) if gizmos else ()
    return EvaluatedRig(plan.canvas_size_px, tuple(made.values()), textures, masks, overlays)


def _gizmos(plan: EvaluationPlan, xy: np.ndarray, rot: _Rotations) -> tuple[DeformerGizmo, ...]:
    if not plan.gizmos:
        return ()
    tips = apply_rotation(np.complex64(-1j * GIZMO_HANDLE_PX), rot.origin, rot.a, rot.b)
    handles = np.stack([rot.origin, tips.astype(np.complex64)], axis=1).view(np.float32).reshape(-1, 2, 2)
    handles.flags.writeable = False
    angles = rot.angle.tolist()
    s_id, s_kind, s_pts, s_angle = _GIZMO_SETTERS
    new, out = object.__new__, []
    for gid, kind, r, off, rows, cols in plan.gizmos:
        g = new(DeformerGizmo)
        s_id(g, gid)
        s_kind(g, kind)
        if r < 0:  # warp: its lattice
            s_pts(g, xy[off : off + (rows + 1) * (cols + 1)].reshape(rows + 1, cols + 1, 2))
            s_angle(g, 0.0)
        else:
            s_pts(g, handles[r])
            s_angle(g, angles[r])
        out.append(g)
    return tuple(out)

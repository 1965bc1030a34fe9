"""Bake Kirie's deformer tree into per-parameter Inochi2D bindings on each art mesh.

Inochi2D v0.8 has no Cubism-style warp lattice that children are mapped through; its deformation
of a Part is a sum of ``deform`` bindings (per-vertex offsets), one per parameter, each interpolated
over that parameter's axis points (``Inochi2D/inochi2d`` v0.8.7, ``core/param/binding.d``
``DeformationParameterBinding``, ``core/nodes/defstack.d``: the offsets of all bindings are added).

**Bake** [our choice]: for every Inochi2D parameter ``q`` and every axis point of ``q``, the rig is
evaluated with :func:`rig.evaluate.evaluate` with ``q``'s Kirie parameters at that point and every
other parameter at its default. Per art mesh, the binding value is the final canvas position minus
the rest position (every parameter at its default). The same samples give ``opacity`` and ``zSort``
bindings. A mesh gets a binding on ``q`` only when some sample differs from rest.

What this reproduces exactly: the rest pose; every pose where at most one Inochi2D parameter is off
its default, *at the axis points* (keys, min, default, max). What it approximates:

* between axis points, Inochi2D interpolates offsets linearly, whereas rotation deformers move
  vertices on arcs (error grows with the angle step between keys);
* poses with several parameters off their default: Inochi2D adds the per-parameter offsets, which
  drops the cross terms of multi-parameter keyform grids and of nested deformers (one warp moved
  by ``ParamAngleZ`` holding a mesh keyed on ``ParamMouthOpenY``...). X/Y pairs are one 2-D
  parameter (:mod:`rig.formats.inochi.params`), so their joint grid is reproduced.

Measured (``tests/formats/test_inochi.py``, per-vertex distance to :func:`rig.evaluate.evaluate`):
rest pose < 1e-4 px; ``tiny_rig`` single-parameter random poses mean 0.02 px / max 0.09 px, all
parameters random mean 0.10 px / max 0.48 px; the generated ``waifu_00`` rig (256 px canvas) single
parameter mean 0.008 px / max 0.26 px, all parameters random mean 0.76 px / p95 2.3 px / max 5.3 px
(against a mean motion of 14 px from rest). Deep random synthetic rigs (``rig.testing``) with
strongly nonlinear nested deformers are far worse: additivity is an approximation.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from rig.evaluate import compile_plan, evaluate
from rig.formats.inochi.params import InochiParam
from rig.model import Rig

#: Offsets below this (canvas px) count as "no deformation": no binding is written.
DEFORM_TOLERANCE_PX = 1e-4
#: Opacity and draw-order changes below this are ignored.
VALUE_TOLERANCE = 1e-5


@dataclass(slots=True)
class MeshBake:
    """Everything baked for one art mesh.

    Attributes
    ----------
    rest_px : (N, 2) float64 ndarray
        Canvas positions at the rest pose (px, origin top-left, +y down).
    rest_opacity : float
        Final opacity at rest (mesh x deformers x parts), in [0, 1].
    rest_draw_order : float
        Draw-order value at rest.
    rest_multiply_rgb, rest_screen_rgb : tuple of 3 float
        Multiply and screen colours at rest (not animated in the export).
    visible : bool
        False when the mesh, a part of its part chain or a deformer of its chain has ``visible=False``.
    deform : dict of str to (X, Y, N, 2) float64 ndarray
        Per Inochi2D parameter name: offsets from ``rest_px`` at each axis point (x index first).
    opacity : dict of str to (X, Y) float64 ndarray
        Per parameter: the *absolute* final opacity at each axis point.
    draw_order : dict of str to (X, Y) float64 ndarray
        Per parameter: the absolute draw-order value at each axis point.
    """

    rest_px: np.ndarray
    rest_opacity: float
    rest_draw_order: float
    rest_multiply_rgb: tuple[float, float, float]
    rest_screen_rgb: tuple[float, float, float]
    visible: bool
    deform: dict[str, np.ndarray] = field(default_factory=dict)
    opacity: dict[str, np.ndarray] = field(default_factory=dict)
    draw_order: dict[str, np.ndarray] = field(default_factory=dict)


def all_visible(rig: Rig) -> Rig:
    """A shallow copy of ``rig`` whose parts, deformers and art meshes are all ``visible``.

    Arrays are shared, not copied; ``rig`` is not changed. Hidden meshes are exported as disabled
    nodes, so their geometry is needed too.
    """

    def shown(objs):
        return [o if o.visible else dataclasses.replace(o, visible=True) for o in objs]

    return dataclasses.replace(
        rig, parts=shown(rig.parts), deformers=shown(rig.deformers), art_meshes=shown(rig.art_meshes)
    )


def bake(rig: Rig, params: list[InochiParam]) -> dict[str, MeshBake]:
    """Sample ``rig`` at every axis point of every parameter; return the bake per art mesh id.

    Parameters
    ----------
    rig : Rig
        A valid rig.
    params : list of InochiParam
        From :func:`rig.formats.inochi.params.build_params`.

    Returns
    -------
    dict of str to MeshBake
        Keyed by art mesh id, in ``rig.art_meshes`` order.
    """
    defaults = rig.default_values()
    visible_ids = {it.art_mesh_id for it in evaluate(rig, defaults).items}
    shown = all_visible(rig)
    plan = compile_plan(shown)
    rest = {it.art_mesh_id: it for it in evaluate(shown, defaults, plan).items}
    out = {}
    for m in rig.art_meshes:
        it = rest[m.id]
        out[m.id] = MeshBake(
            it.vertices_px.astype(np.float64), float(it.opacity), float(it.draw_order), it.multiply_rgb,
            it.screen_rgb, m.id in visible_ids,
        )
    for q in params:
        nx, ny = q.shape
        pos = {mid: np.empty((nx, ny, *b.rest_px.shape)) for mid, b in out.items()}
        alpha = {mid: np.empty((nx, ny)) for mid in out}
        order = {mid: np.empty((nx, ny)) for mid in out}
        for i in range(nx):
            for j in range(ny):
                items = evaluate(shown, {**defaults, **q.values_at(i, j)}, plan).items
                for it in items:
                    pos[it.art_mesh_id][i, j] = it.vertices_px
                    alpha[it.art_mesh_id][i, j] = it.opacity
                    order[it.art_mesh_id][i, j] = it.draw_order
        for mid, b in out.items():
            delta = pos[mid] - b.rest_px
            if delta.size and np.abs(delta).max() > DEFORM_TOLERANCE_PX:
                b.deform[q.name] = delta
            if np.abs(alpha[mid] - b.rest_opacity).max() > VALUE_TOLERANCE:
                b.opacity[q.name] = alpha[mid]
            if np.abs(order[mid] - b.rest_draw_order).max() > VALUE_TOLERANCE:
                b.draw_order[q.name] = order[mid]
    return out


def opacity_factors(b: MeshBake, params: list[InochiParam]) -> tuple[float, dict[str, np.ndarray]]:
    """Base opacity and per-parameter multiplicative ``opacity`` binding values for one mesh.

    Inochi2D multiplies a Part's ``opacity`` by every ``opacity`` binding's value
    (``core/nodes/part/package.d`` ``setValue``). With no binding the base is the rest opacity.
    Otherwise the base is 1, the first bound parameter carries absolute opacities and every other
    one the ratio to the rest opacity (1 where the rest opacity is 0), so each single-parameter
    pose is exact and combined poses multiply.
    """
    names = [q.name for q in params if q.name in b.opacity]
    if not names:
        return b.rest_opacity, {}
    factors = {names[0]: b.opacity[names[0]]}
    for name in names[1:]:
        factors[name] = b.opacity[name] / b.rest_opacity if b.rest_opacity > VALUE_TOLERANCE else np.ones_like(b.opacity[name])
    return 1.0, factors

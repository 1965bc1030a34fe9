"""Fit a template to one character: layers + meshes + landmarks in, a :class:`rig.model.Rig` out.

The deformer tree, layer assignment and magnitudes come from the template (data); the motion
fields are the recipes in ``recipes_head``, ``recipes_body`` and ``recipes_mesh``. Rest lattices are
regular boxes around what each deformer covers, so every local space is an axis-aligned affine image
of the canvas at rest (``inference.rigging.spaces``); keyforms are built as canvas-px displacements
and converted into the parent's space.
"""

from __future__ import annotations

import dataclasses
import logging

import numpy as np

from inference.layers.eyes import shapes_from_layers
from inference.rigging import recipes_body, recipes_head
from inference.rigging.context import Anchors
from inference.rigging.physics import build_physics
from inference.rigging.proportions import fit_template, measure_proportions
from inference.rigging.recipes_mesh import MESH_RECIPES
from inference.rigging.recipes_mouth import mouth_geometry
from inference.rigging.spaces import Space, bbox_px, lattice_px
from inference.rigging.template import DeformerSpec, LayerSpec, Template
from inference.types import CutLayer, FaceLandmarks, LayerMesh
from rig.model import ArtMesh, KeyformGrid, Layer, Part, Rig, RotationDeformer, WarpDeformer
from rig.model.standard import STANDARD_GROUPS, standard_group, standard_parameter

log = logging.getLogger(__name__)

WARP_RECIPES = {
    "body_xy_breath": recipes_body.body_xy_breath,
    "sway_front": recipes_body.sway_front,
    "sway_back": recipes_body.sway_back,
    "sway_earrings": recipes_body.sway_earrings,
    "face_xy": recipes_head.face_xy,
    "feature_xy": recipes_head.feature_xy,
    "back_hair_xy": recipes_head.back_hair_xy,
    "hair_xyz": recipes_head.hair_xyz,
    "neck": recipes_head.neck,
    "glasses_xy": recipes_head.glasses_xy,
}
ROTATION_RECIPES = {"body_z": recipes_body.body_z, "head_z": recipes_head.head_z}


class _Builder:
    def __init__(self, tpl: Template, face: FaceLandmarks, meshes: dict[str, LayerMesh], canvas: tuple[int, int],
                 layers: list[CutLayer] = ()):
        self.tpl, self.m = tpl, tpl.motion
        self.a = dataclasses.replace(Anchors.from_face(face, tpl.motion, canvas), eyes=shapes_from_layers(face, list(layers), canvas))
        self.meshes = meshes
        self.spaces: dict[str | None, Space] = {None: Space.canvas()}
        self.parent_of: dict[str, str | None] = {}

    def covered(self, spec: DeformerSpec) -> list[str]:
        if spec.covers == "all":
            return list(self.meshes)
        return [n for n in spec.covers if n in self.meshes]

    def resolve_parent(self, parent: str | None) -> str | None:
        while parent is not None and parent not in self.spaces:
            parent = next(d.parent for d in self.tpl.deformers if d.id == parent)
        return parent

    def deformer(self, spec: DeformerSpec):
        parent = self.resolve_parent(spec.parent)
        pspace = self.spaces[parent]
        if spec.kind == "rotation":
            origin = recipes_body.body_pivot(self.a, self.m) if spec.recipe == "body_z" else self.a.head_pivot
            bindings, angles = ROTATION_RECIPES[spec.recipe](self.a, self.m, spec)
            k = len(angles)
            vals = RotationDeformer.rest_values(tuple(pspace.to_local(np.asarray(origin))))
            grid = KeyformGrid.tiled(bindings, **vals)
            grid.values["angle_deg"] = np.asarray(angles, np.float32).reshape(k)
            self.spaces[spec.id] = Space.rotation(origin)
            self.parent_of[spec.id] = parent
            return RotationDeformer(spec.id, spec.id, spec.part, parent, grid)
        names = self.covered(spec)
        if not names:
            return None
        pts = np.concatenate([self.meshes[n].vertices_px for n in names])
        box = bbox_px(pts)
        rows, cols = spec.grid
        rest = lattice_px(box, rows, cols)
        bindings, disps = WARP_RECIPES[spec.recipe](self.a, self.m, spec, rest)
        positions = np.stack([pspace.to_local(rest + d) for d in disps]).astype(np.float32)
        grid = KeyformGrid(bindings, {"positions": positions, "opacity": np.ones(len(disps), np.float32)})
        self.spaces[spec.id] = Space.warp(box)
        self.parent_of[spec.id] = parent
        return WarpDeformer(spec.id, spec.id, spec.part, parent, rows, cols, grid)

    def art_mesh(self, name: str, spec: LayerSpec, mesh: LayerMesh) -> ArtMesh:
        parent = self.resolve_parent(spec.deformer)
        space = self.spaces[parent]
        verts = mesh.vertices_px.astype(np.float64)
        if spec.recipe:
            bindings, results = MESH_RECIPES[spec.recipe](self.a, self.m, spec, verts)
        else:
            bindings, results = (), [(np.zeros_like(verts), 1.0)]
        k = len(results)
        values = {
            "positions": np.stack([space.to_local(verts + d) for d, _ in results]).astype(np.float32),
            "opacity": np.asarray([o for _, o in results], np.float32),
            "draw_order": np.full(k, spec.order, np.float32),
            "multiply_rgb": np.ones((k, 3), np.float32),
            "screen_rgb": np.zeros((k, 3), np.float32),
        }
        return ArtMesh(
            f"ArtMesh{name}", name, spec.part, parent, f"Layer{name}",
            mesh.uvs.astype(np.float32), mesh.triangles.astype(np.uint16), KeyformGrid(bindings, values),
            mask_ids=(f"ArtMesh{spec.mask}",) if spec.mask and spec.mask in self.meshes else (),
        )


def _fallback_spec(layer: CutLayer) -> LayerSpec:
    log.warning("template has no entry for layer %s; attaching it to the body", layer.name)
    return LayerSpec(layer.name, "PartBody", "WarpBody", 250.0, "coarse")


def build_rig(
    tpl: Template, face: FaceLandmarks, layers: list[CutLayer], meshes: list[LayerMesh],
    canvas_size: tuple[int, int], name: str = "Character",
) -> Rig:
    """Build the rig of one character.

    Parameters
    ----------
    tpl : Template
    face : FaceLandmarks
        Canvas px.
    layers : list of CutLayer
        Cut and completed layers (any order); each becomes a :class:`Layer` with id ``Layer<name>``.
    meshes : list of LayerMesh
        One per layer (matched by ``layer_name``); each becomes an :class:`ArtMesh` ``ArtMesh<name>``.
    canvas_size : (width, height)

    Returns
    -------
    Rig
        Validated; standard parameter ids and ranges; physics from the template. The default of
        ParamMouthOpenY is the input's own opening (0 for a closed mouth, ``recipes_mouth``).
    """
    tpl = fit_template(tpl, face, measure_proportions(face, layers, canvas_size))  # chibi proportions (issue 14)
    by_name = {m.layer_name: m for m in meshes}
    b = _Builder(tpl, face, by_name, canvas_size, layers)
    b.a = dataclasses.replace(b.a, mouth=mouth_geometry(layers, b.a, tpl.motion["mouth"]["lower_share"]))
    rig = Rig(int(canvas_size[0]), int(canvas_size[1]), name=name)
    rig.parts = [Part(pid, pname, parent) for pid, pname, parent in tpl.parts]
    for spec in tpl.deformers:
        d = b.deformer(spec)
        if d is not None:
            rig.deformers.append(d)
    specs = {la.name: tpl.layers.get(la.name) or _fallback_spec(la) for la in layers}
    order = sorted((la for la in layers if la.name in by_name), key=lambda la: specs[la.name].order)
    for la in order:
        rig.layers.append(Layer(f"Layer{la.name}", la.name, np.ascontiguousarray(la.image), la.origin_px))
        rig.art_meshes.append(b.art_mesh(la.name, specs[la.name], by_name[la.name]))
    _add_parameters(rig, tpl)
    if b.a.mouth is not None and b.a.mouth.rest_open > 0 and "ParamMouthOpenY" in tpl.parameters:
        rig.parameter("ParamMouthOpenY").default = float(b.a.mouth.rest_open)  # an open input's own opening
    rig.physics = build_physics(tpl)
    rig.validate()
    return rig


def _add_parameters(rig: Rig, tpl: Template) -> None:
    used: dict[str, set[float]] = {}
    for obj in [*rig.deformers, *rig.art_meshes]:
        for bnd in obj.keyforms.bindings:
            used.setdefault(bnd.parameter_id, set()).update(bnd.keys)
    for pid, keys in tpl.parameters.items():
        rig.parameters.append(standard_parameter(pid, tuple(sorted(used.get(pid, set()) | set(keys)))))
    groups = [g for g in STANDARD_GROUPS if any(p.group == g for p in rig.parameters)]
    rig.parameter_groups = [standard_group(g) for g in groups]

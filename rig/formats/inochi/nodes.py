"""The Inochi2D node tree of a Kirie rig: ``Node`` groups for parts, a ``Part`` per art mesh.

Node objects follow the v0.8.7 serialisers (``Inochi2D/inochi2d`` v0.8.7: ``core/nodes/package.d``
``serializeSelfImpl``, ``core/nodes/drawable.d``, ``core/nodes/part/package.d``, ``core/meshdata.d``).

Layout [our choice]:

* The root ``Node`` ("Root") holds one plain ``Node`` per top-level Kirie :class:`Part` (nested like
  the part tree, named after the part, disabled when the part is hidden), the ``SimplePhysics``
  nodes last. Plain nodes have identity transforms and zsort 0, so they change nothing.
* Each art mesh is a ``Part`` under its Kirie part's node, named after the art mesh. Its transform
  translation is the centre of its layer image (as Inochi Creator places imported PSD layers);
  ``mesh.verts`` are the rest positions relative to it. **Coordinates**: y-down pixels with the
  puppet origin at the canvas centre (Inochi Creator centres an imported PSD canvas on the origin),
  i.e. ``inochi = canvas_px - (width / 2, height / 2)``.
* ``zsort``: Inochi2D draws the *highest* zSort first (``core/puppet.d``, descending sort), Kirie the
  lowest draw order first, so ``zsort = -(draw_order + ZSORT_TIE_STEP * index)`` where ``index`` is
  the mesh's position in ``rig.art_meshes`` (Kirie's tie-break, stable sort).
* Clip masks: ``masks = [{source: <mask Part uuid>, mode: "Mask"}]`` (``"DodgeMask"`` when
  inverted), ``mask_threshold`` 0.5. Blend modes: normal ``Normal``, additive ``LinearDodge``,
  multiplicative ``Multiply``. ``tint`` / ``screenTint`` hold the rest multiply / screen colours.
"""

from __future__ import annotations

import numpy as np

from rig.formats.inochi.bake import MeshBake
from rig.model import ArtMesh, BlendMode, Rig

#: Kirie draw-order tie-break in zsort units (assumes draw orders differing by >= n * step differ).
ZSORT_TIE_STEP = 1e-4
#: ``uint.max``: an empty texture slot (``core/nodes/part/package.d`` ``NO_TEXTURE``).
NO_TEXTURE = 0xFFFFFFFF
BLEND_MODES = {BlendMode.NORMAL: "Normal", BlendMode.ADDITIVE: "LinearDodge", BlendMode.MULTIPLICATIVE: "Multiply"}
#: Digits kept in vertex positions and offsets (px) and in UVs.
PX_DIGITS = 4
UV_DIGITS = 6


def identity_transform(trans: tuple[float, float] = (0.0, 0.0)) -> dict:
    """A ``Transform`` object (``math/transform.d``): translation, Euler rotation (radians), scale."""
    return {"trans": [float(trans[0]), float(trans[1]), 0.0], "rot": [0.0, 0.0, 0.0], "scale": [1.0, 1.0]}


def group_node(uuid: int, name: str, enabled: bool, children: list[dict]) -> dict:
    """A plain ``Node``."""
    return {
        "uuid": uuid, "name": name, "type": "Node", "enabled": enabled, "zsort": 0.0,
        "transform": identity_transform(), "lockToRoot": False, "children": children,
    }


def part_translation(rig: Rig, mesh: ArtMesh) -> tuple[float, float]:
    """The Part's translation: its layer image's centre, puppet frame (px, origin at canvas centre)."""
    layer = rig.layer(mesh.layer_id)
    w, h = layer.size_px
    cx = layer.origin_px[0] + w / 2 - rig.canvas_width_px / 2
    cy = layer.origin_px[1] + h / 2 - rig.canvas_height_px / 2
    return float(round(cx)), float(round(cy))


def part_node(rig: Rig, mesh: ArtMesh, index: int, b: MeshBake, ids: dict, texture: int, opacity: float) -> dict:
    """The ``Part`` object of one art mesh.

    ``ids`` maps art mesh ids to node uuids (for the node itself and its masks); ``texture`` is the
    index of its layer in ``TEX_SECT``; ``opacity`` the base opacity (see ``bake.opacity_factors``).
    """
    tx, ty = part_translation(rig, mesh)
    centre = np.array([rig.canvas_width_px / 2 + tx, rig.canvas_height_px / 2 + ty])
    verts = np.round(b.rest_px - centre, PX_DIGITS).reshape(-1)
    node = {
        "uuid": ids[mesh.id], "name": mesh.name, "type": "Part", "enabled": b.visible,
        "zsort": -(b.rest_draw_order + ZSORT_TIE_STEP * index), "transform": identity_transform((tx, ty)),
        "lockToRoot": False,
        "mesh": {
            "verts": verts.tolist(), "uvs": np.round(mesh.uvs.astype(np.float64), UV_DIGITS).reshape(-1).tolist(),
            "indices": mesh.triangles.reshape(-1).astype(int).tolist(), "origin": [0.0, 0.0],
        },
        "textures": [texture, NO_TEXTURE, NO_TEXTURE],
        "blend_mode": BLEND_MODES[mesh.blend_mode],
        "tint": [float(c) for c in b.rest_multiply_rgb],
        "screenTint": [float(c) for c in b.rest_screen_rgb],
        "emissionStrength": 1.0,
        "mask_threshold": 0.5,
        "opacity": float(opacity),
    }
    if mesh.mask_ids:
        mode = "DodgeMask" if mesh.invert_mask else "Mask"
        node["masks"] = [{"source": ids[m], "mode": mode} for m in mesh.mask_ids]
    return node


def node_tree(rig: Rig, parts: dict[str, list[dict]], ids: dict[str, int], extra: list[dict]) -> dict:
    """The root ``Node`` with the part tree; ``parts`` maps a Kirie part id to its ``Part`` nodes.

    ``ids`` maps Kirie part ids (and ``"<root>"``) to node uuids; ``extra`` nodes (physics) are
    appended to the root's children.
    """
    children_of: dict[str | None, list[str]] = {}
    for p in rig.parts:
        children_of.setdefault(p.parent_part_id, []).append(p.id)

    def build(part_id: str) -> dict:
        p = rig.part(part_id)
        kids = [build(c) for c in children_of.get(part_id, [])] + parts.get(part_id, [])
        return group_node(ids[part_id], p.name, p.visible, kids)

    top = [build(pid) for pid in children_of.get(None, [])]
    return group_node(ids["<root>"], "Root", True, top + extra)

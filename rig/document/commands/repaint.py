"""RepaintLayer: new pixels, mesh and owner map for one layer after its mask was painted.

The brush tool (``app.viewport.tools.brush_tool``) edits a layer's visible mask, ``inference.layers.recut``
cuts the layer again from the rig's :class:`~rig.model.SourceImage` and meshes it, and this command
puts the result into the document as **one** undo step:

* the :class:`~rig.model.Layer` gets the new image and origin (``version`` bumped to a fresh value,
  so GPU textures re-upload);
* its :class:`~rig.model.ArtMesh` gets the new uvs and triangles, with **every keyform remapped**
  (``rig.document.commands.topology``): a new vertex inside the old mesh's rest triangles takes
  the barycentric blend of their keyform positions; outside, the rest position is extrapolated from
  the nearest old triangle and the displacement is the nearest old vertex's;
* ``Rig.source.labels`` becomes the edited owner map.

Locating new vertices in the old mesh happens in canvas px (``layer origin + uv * layer size``),
where both meshes live at rest.
"""

from __future__ import annotations

import dataclasses
import itertools
from typing import TYPE_CHECKING, Any

import numpy as np

from rig.document.change import Change
from rig.document.commands.base import BaseCommand, find, index_of
from rig.document.commands.keyforms import ReplaceMeshTopology
from rig.document.commands.topology import VertexMap, locate_points, remap_keyforms, rest_positions
from rig.errors import ValidationError
from rig.model import ArtMesh, Layer, Rig

if TYPE_CHECKING:
    from rig.document.document import Document

_layer_counter = itertools.count(1)


def next_layer_version(current: int) -> int:
    """A layer version never handed out before in this process and greater than ``current``.

    Undo restores the old version, so versions are not reused for different pixels (GPU textures
    key on ``(layer_id, version)``).
    """
    return max(current + 1, next(_layer_counter))


def layer_canvas_px(layer: Layer, uvs: np.ndarray) -> np.ndarray:
    """(N, 2) float64 canvas px of texture coordinates ``uvs`` in ``layer`` (origin + uv * size)."""
    return np.asarray(layer.origin_px, np.float64) + np.asarray(uvs, np.float64) * np.asarray(layer.size_px, np.float64)


def mesh_of_layer(rig: Rig, layer_id: str) -> ArtMesh:
    """The one art mesh sampling ``layer_id``; ValidationError when there is none or several."""
    meshes = [m for m in rig.art_meshes if m.layer_id == layer_id]
    if len(meshes) != 1:
        raise ValidationError(
            f"layer {layer_id!r} is sampled by {len(meshes)} art meshes ({[m.id for m in meshes]}); "
            "repainting needs exactly one"
        )
    return meshes[0]


def repaint_vertex_map(rig: Rig, layer_id: str, new_size_px: tuple[int, int], new_origin_px: Any,
                       new_uvs: Any) -> VertexMap:  # fmt: skip
    """Where the vertices of a repainted layer's new mesh lie in its current mesh (canvas px, at rest).

    The expensive part of :class:`RepaintLayer`; it reads only the layer and its mesh's uvs and
    triangles, so a worker thread may compute it and pass it to the command (``vertex_map=``).
    ``new_size_px`` is the new image's (width, height).
    """
    mesh, old_layer = mesh_of_layer(rig, layer_id), find(rig, layer_id)
    new_px = np.asarray(new_origin_px, np.float64) + np.asarray(new_uvs, np.float64) * np.asarray(new_size_px, np.float64)
    return locate_points(new_px, layer_canvas_px(old_layer, mesh.uvs), mesh.triangles)


class RepaintLayer(BaseCommand):
    """Replace a layer's image, its art mesh's topology (keyforms remapped) and the source owner map.

    Parameters
    ----------
    rig : Rig
        Read now: the layer, its one art mesh, the keyforms to remap and the source record.
    layer_id : str
    image : (h, w, 4) uint8 array_like
        New RGBA, straight alpha.
    origin_px : (x, y)
        Canvas position of the new image's top-left corner.
    uvs : (N', 2) float32 array_like
        New mesh texture coordinates in the new image, [0, 1], origin top-left.
    triangles : (M', 3) uint16 array_like
    labels : (H, W) uint8 array_like
        The new owner map of ``rig.source`` (canvas size).
    vertex_map : VertexMap, optional
        :func:`repaint_vertex_map` of these arguments, computed beforehand (e.g. off the GUI thread)
        on the mesh as it is now; computed here when None.

    Notes
    -----
    ``do`` swaps in a new Layer, a new ArtMesh (``ReplaceMeshTopology``) and a new SourceImage;
    ``undo`` puts the very same old objects back, so the rig is ``deep_equal`` to the one before.
    Both report ``Change("topology", {mesh_id, layer_id})``.

    Raises
    ------
    ValidationError
        No such layer, not exactly one art mesh samples it, the rig has no source, or the owner map
        does not fit it.
    InvalidMeshError
        Malformed image, uvs or triangles.
    """

    def __init__(self, rig: Rig, layer_id: str, image: Any, origin_px: Any, uvs: Any, triangles: Any,
                 labels: Any, vertex_map: VertexMap | None = None) -> None:  # fmt: skip
        old_layer = find(rig, layer_id)
        if not isinstance(old_layer, Layer):
            raise ValidationError(f"{layer_id!r} is not a layer")
        if rig.source is None:
            raise ValidationError(f"rig {rig.name!r} has no source image; only generated rigs can be repainted")
        mesh = mesh_of_layer(rig, layer_id)
        new_layer = Layer(layer_id, old_layer.name, np.array(image, np.uint8), tuple(origin_px),
                          next_layer_version(old_layer.version))  # fmt: skip
        new_uvs = np.array(uvs, np.float32)
        new_source = dataclasses.replace(rig.source, labels=np.array(labels, np.uint8))
        new_source.check((rig.canvas_width_px, rig.canvas_height_px))
        vmap = vertex_map
        if vmap is None:
            vmap = repaint_vertex_map(rig, layer_id, new_layer.size_px, new_layer.origin_px, new_uvs)
        if vmap.count != len(new_uvs) or vmap.max_index >= mesh.vertex_count:
            raise ValidationError(f"{layer_id!r}: the vertex map does not fit the new and current meshes")
        grid = remap_keyforms(mesh.keyforms, rest_positions(rig, mesh), vmap)
        self.topology = ReplaceMeshTopology(rig, mesh.id, new_uvs, triangles, grid)
        self.layer_index = index_of(rig.layers, layer_id)
        self.layer_id, self.mesh_id = layer_id, mesh.id
        self.old_layer, self.new_layer = old_layer, new_layer
        self.old_source, self.new_source = rig.source, new_source
        self.label = f"Paint mask of {old_layer.name}"

    def _apply(self, doc: Document, layer: Layer, source) -> Change:
        layers = doc.rig.layers
        if layers[self.layer_index].id != self.layer_id:
            raise RuntimeError(f"{self.label!r}: rig.layers[{self.layer_index}] is not {self.layer_id!r}")
        layers[self.layer_index] = layer
        doc.rig.source = source
        return Change("topology", frozenset({self.mesh_id, self.layer_id}))

    def do(self, doc: Document) -> Change:
        self.topology.do(doc)
        return self._apply(doc, self.new_layer, self.new_source)

    def undo(self, doc: Document) -> Change:
        self.topology.undo(doc)
        return self._apply(doc, self.old_layer, self.old_source)

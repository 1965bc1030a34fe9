"""Re-cut one layer after its visible mask was painted (touch-up tools: mask painting).

A generated rig keeps its :class:`~rig.model.SourceImage`: the input RGB with the foreground alpha
and the owner map saying which cut layer each foreground pixel is visible in. Painting a layer's
mask changes the owner map; :func:`recut_layer` then runs stage 5 and 6 of the pipeline for that one
layer: its visible pixels are taken from the source, the part the layers above hide is completed
again (``inference.layers.cut`` rules, ``inference.layers.completion`` fill) and a new mesh is laid over it
(``inference.meshing.meshes``, the layer's usual density). Unedited, it reproduces the generated layer and
mesh exactly.

Only the painted layer is re-cut. Pixels it takes from another layer stay in that layer's image too
(same colour, so the composite at rest is unchanged) until that layer is painted in turn.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from inference.layers.cut import LAYER_NAMES, SYNTHESISED, Scene, cut_one
from inference.layers.reach import MOVE_REACH_FW, reach_past_canvas
from inference.meshing.meshes import LAYER_DENSITY, mesh_layer
from inference.types import CutLayer, LayerMesh
from rig.model import SourceImage

CUT_KINDS: tuple[str, ...] = tuple(n for n in LAYER_NAMES if n not in SYNTHESISED)
"""Cut-layer names a source record labels (synthesised layers have no visible pixel)."""


@dataclass(slots=True)
class Recut:
    """What :func:`recut_layer` returns.

    Attributes
    ----------
    layer : CutLayer
        The new layer image (cropped, completed, bled), its canvas origin and visible mask.
    mesh : LayerMesh
        Its mesh: ``vertices_px`` canvas px, ``uvs`` in the new image, ``triangles`` uint16.
    labels : (H, W) uint8 ndarray
        The source owner map with the edit applied (what ``SourceImage.labels`` becomes).
    """

    layer: CutLayer
    mesh: LayerMesh
    labels: np.ndarray


def source_from_scene(scene: Scene, rgb: np.ndarray, layer_ids: dict[str, str] | None = None) -> SourceImage:
    """The source record of a cut: input colours, the cut's alpha, its owner map and face frame.

    Parameters
    ----------
    scene : Scene
        From :func:`inference.layers.cut.make_scene` (``alpha`` (H, W) uint8, visible masks, face frame).
    rgb : (H, W, 3) uint8 ndarray
        The loaded image's colours (canvas frame).
    layer_ids : dict, optional
        Cut-layer name -> rig layer id; default ``"Layer<name>"`` (``inference.rigging.build_rig``).
    """
    ids = layer_ids or {}
    rgba = np.concatenate([np.asarray(rgb, np.uint8), scene.alpha[..., None]], axis=2)
    return SourceImage(
        np.ascontiguousarray(rgba),
        owner_map(scene, CUT_KINDS),
        tuple(ids.get(n, f"Layer{n}") for n in CUT_KINDS),
        CUT_KINDS,
        tuple(float(v) for v in scene.face_box),
        np.asarray(scene.face_contour, np.float32).reshape(-1, 2),
        (float(scene.chin[0]), float(scene.chin[1])),
    )


def owner_map(scene: Scene, names: tuple[str, ...]) -> np.ndarray:
    """(H, W) uint8: ``i + 1`` where the pixel is visible in layer ``names[i]``, 0 elsewhere."""
    owner = np.zeros(scene.shape, np.uint8)
    for i, name in enumerate(names):
        owner[scene.vis(name)] = i + 1
    return owner


def edit_labels(source: SourceImage, layer_id: str, visible_mask: np.ndarray) -> np.ndarray:
    """The owner map with ``layer_id``'s visible pixels set to ``visible_mask`` (a new array).

    Pixels added to the layer are taken from whichever layer had them; pixels removed become
    unowned (0, a hole at rest unless a layer below was completed there). Background pixels
    (source alpha 0) never join a layer.

    Raises
    ------
    KeyError
        If the source does not know ``layer_id``.
    ValueError
        If the mask is not (H, W) like the source.
    """
    value = source.label_of(layer_id)
    mask = np.asarray(visible_mask, bool)
    if mask.shape != source.labels.shape:
        raise ValueError(f"mask is {mask.shape}, the source image is {source.labels.shape}")
    labels = source.labels.copy()
    labels[(labels == value) & ~mask] = 0
    labels[mask & (source.rgba[..., 3] > 0)] = value
    return labels


def scene_from_source(source: SourceImage, labels: np.ndarray | None = None) -> Scene:
    """The cut scene of a source record (optionally with an edited owner map ``labels``)."""
    labels = source.labels if labels is None else labels
    alpha = source.rgba[..., 3]
    visible = {}
    for value, kind in enumerate(source.layer_kinds, start=1):
        if kind in LAYER_NAMES and kind not in SYNTHESISED:
            visible[kind] = (labels == value) & (alpha > 0)
    return Scene.build(source.rgba[..., :3], alpha, visible, source.face_box_px, source.face_contour_px, source.chin_px)


def recut_layer(source: SourceImage, layer_id: str, visible_mask: np.ndarray | None = None) -> Recut:
    """Cut, complete and mesh one layer again from the source image.

    Parameters
    ----------
    source : SourceImage
        The rig's source record (canvas frame).
    layer_id : str
        The rig layer to re-cut (one of ``source.layer_ids``).
    visible_mask : (H, W) bool ndarray, optional
        The layer's new visible pixels, canvas frame; None re-cuts the current ones.

    Returns
    -------
    Recut

    Raises
    ------
    KeyError
        If the source does not know ``layer_id``.
    ValueError
        If the layer is synthesised (nothing to paint), or the edit leaves it without a pixel.
    """
    kind = source.layer_kinds[source.label_of(layer_id) - 1]
    if kind not in CUT_KINDS:
        raise ValueError(f"layer {layer_id!r} ({kind}) is not cut from the image; it cannot be repainted")
    labels = source.labels.copy() if visible_mask is None else edit_labels(source, layer_id, visible_mask)
    scene = scene_from_source(source, labels)
    layer = cut_one(kind, scene)
    if layer is None:
        raise ValueError(f"the painted mask leaves layer {layer_id!r} without any pixel; delete the layer instead")
    layer = reach_past_canvas([layer], scene.shape, int(MOVE_REACH_FW * scene.fw))[0]  # as generation does
    mesh = mesh_layer(layer, LAYER_DENSITY.get(kind, "fine"), face_width_px=source.face_box_px[2])
    return Recut(layer, mesh, labels)

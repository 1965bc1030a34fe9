"""The result of evaluation: what the renderer consumes and nothing more (design.md, style.md 5).

``app.render`` imports only this module's types; it never sees ``rig.model``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BLEND_MODES = ("normal", "additive", "multiplicative")


@dataclass(frozen=True, slots=True, eq=False)
class DrawItem:
    """One art mesh, deformed, ready to draw.

    Attributes
    ----------
    art_mesh_id : str
    vertices_px : (N, 2) float32 ndarray
        Deformed vertex positions, canvas pixels, origin top-left, +y down.
    uvs : (N, 2) float32 ndarray
        Texture coordinates in [0, 1] of the layer image, origin top-left.
    triangles : (M, 3) uint16 ndarray
    layer_id : str
        The :class:`LayerTexture` sampled.
    opacity : float
        Final opacity in [0, 1]: keyform opacity times every ancestor deformer's and part's.
    multiply_rgb, screen_rgb : tuple of 3 float
        Cubism multiply (1 = unchanged) and screen (0 = unchanged) colours.
    blend_mode : str
        One of ``BLEND_MODES``.
    mask_ids : tuple of str
        Art meshes whose coverage clips this item (empty: no clipping).
    invert_mask : bool
        Keep only what lies outside the masks.
    draw_order : float
        The evaluated draw-order value (items are already sorted by it).
    topology_version : int
        GPU caches key on ``(art_mesh_id, topology_version)``.
    """

    art_mesh_id: str
    vertices_px: np.ndarray
    uvs: np.ndarray
    triangles: np.ndarray
    layer_id: str
    opacity: float
    multiply_rgb: tuple[float, float, float]
    screen_rgb: tuple[float, float, float]
    blend_mode: str
    mask_ids: tuple[str, ...]
    invert_mask: bool
    draw_order: float
    topology_version: int


@dataclass(frozen=True, slots=True, eq=False)
class LayerTexture:
    """A layer image as the renderer needs it.

    ``image`` is (H, W, 4) uint8 RGBA with straight alpha (the renderer premultiplies); ``version``
    changes whenever the pixels change, so GPU textures can be cached on ``(layer_id, version)``.
    """

    layer_id: str
    image: np.ndarray
    version: int


@dataclass(frozen=True, slots=True, eq=False)
class DeformerGizmo:
    """Deformer geometry for viewport overlays, in canvas px.

    ``kind`` is ``"warp"`` (``points_px`` is the (rows+1, cols+1, 2) lattice) or ``"rotation"``
    (``points_px`` is (2, 2): the origin and the tip of a handle showing angle and scale).
    """

    deformer_id: str
    kind: str
    points_px: np.ndarray
    angle_deg: float = 0.0


@dataclass(frozen=True, slots=True, eq=False)
class EvaluatedRig:
    """Everything needed to draw one frame.

    ``items`` are in final draw order (first is drawn first). ``masks`` holds every art mesh used as
    a clip source, keyed by id, even when it is itself invisible (opacity 0 or hidden).
    """

    canvas_size_px: tuple[int, int]
    items: tuple[DrawItem, ...]
    textures: dict[str, LayerTexture]
    masks: dict[str, DrawItem]
    gizmos: tuple[DeformerGizmo, ...] = ()

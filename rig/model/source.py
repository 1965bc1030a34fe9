"""The source record of a generated rig: the input image and which layer owns each of its pixels.

A rig generated from an image keeps what re-cutting a layer needs (touch-up "mask painting",
``inference.layers.recut``): the input pixels with the foreground alpha the layers were cut with, and the
per-pixel **owner map** (which cut layer each foreground pixel is visible in). Painting a layer's mask
edits the owner map; the layer is then cut again from the source image, its hidden part completed
and its mesh regenerated. Rigs imported from elsewhere, or built by hand, have no source
(``Rig.source is None``) and cannot be repainted.

The owner map is the *final* visible assignment of the cut (ears split off the face, anti-aliased
seam pixels handed to the upper part), not the raw part segmentation: re-cutting an unedited layer
reproduces the generated layer exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from rig.errors import ValidationError
from rig.model.base import ModelObject


@dataclass(slots=True, eq=False)
class SourceImage(ModelObject):
    """Input image and visible-layer owner map of a generated rig (canvas frame, px, +y down).

    Attributes
    ----------
    rgba : (H, W, 4) uint8 ndarray
        The input image's RGB; alpha is the **foreground alpha** the layers were cut with (for an
        opaque JPEG it is the estimated matte, not 255). Straight alpha. H, W = the canvas size.
    labels : (H, W) uint8 ndarray
        Owner map: 0 = the pixel is in no layer; ``v >= 1`` = visible in the layer
        ``layer_ids[v - 1]``.
    layer_ids : tuple of str
        Rig :class:`~rig.model.Layer` id of each label value (``"LayerFace"`` ...). A layer may have
        been removed from the rig since; its label then simply names no layer.
    layer_kinds : tuple of str
        The cut-layer name of each label value (``inference.layers.cut.LAYER_NAMES``: ``"Face"``,
        ``"EarL"`` ...); decides the completion rule and mesh density on a re-cut.
    face_box_px : (x, y, w, h)
        The face box the cut used (completion zones are fractions of it).
    face_contour_px : (K, 2) float32 ndarray
        Face outline polygon, canvas px (the Face layer's completion zone).
    chin_px : (x, y)
        Chin point (Body and Neck completion stop there).
    """

    rgba: np.ndarray
    labels: np.ndarray
    layer_ids: tuple[str, ...] = ()
    layer_kinds: tuple[str, ...] = ()
    face_box_px: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    face_contour_px: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), np.float32))
    chin_px: tuple[float, float] = (0.0, 0.0)

    def __post_init__(self) -> None:
        self.layer_ids = tuple(str(s) for s in self.layer_ids)
        self.layer_kinds = tuple(str(s) for s in self.layer_kinds)
        self.face_box_px = tuple(float(v) for v in self.face_box_px)  # type: ignore[assignment]
        self.chin_px = tuple(float(v) for v in self.chin_px)  # type: ignore[assignment]

    @property
    def size_px(self) -> tuple[int, int]:
        """(width, height) of the image."""
        return int(self.rgba.shape[1]), int(self.rgba.shape[0])

    def label_of(self, layer_id: str) -> int:
        """The owner-map value of ``layer_id``; KeyError naming it when the source does not know it."""
        try:
            return self.layer_ids.index(layer_id) + 1
        except ValueError:
            raise KeyError(f"layer {layer_id!r} was not cut from the source image") from None

    def visible_mask(self, layer_id: str) -> np.ndarray:
        """(H, W) bool: pixels of the source visible in ``layer_id`` (owner map == its label)."""
        return self.labels == self.label_of(layer_id)

    def check(self, canvas_px: tuple[int, int]) -> None:
        """Raise :class:`ValidationError` unless shapes, dtypes and the label table are consistent.

        ``canvas_px`` is the rig's (width, height); the image must have exactly that size.
        """
        r, lab = self.rgba, self.labels
        if not (isinstance(r, np.ndarray) and r.ndim == 3 and r.shape[2] == 4 and r.dtype == np.uint8):
            raise ValidationError(f"source image must be (H, W, 4) uint8, got {getattr(r, 'shape', None)}")
        if self.size_px != tuple(canvas_px):
            raise ValidationError(f"source image is {self.size_px[0]}x{self.size_px[1]} px but the canvas is "
                                  f"{canvas_px[0]}x{canvas_px[1]}")
        if not (isinstance(lab, np.ndarray) and lab.shape == r.shape[:2] and lab.dtype == np.uint8):
            raise ValidationError(f"source labels must be (H, W) uint8 matching the image {r.shape[:2]}, "
                                  f"got {getattr(lab, 'shape', None)} {getattr(lab, 'dtype', None)}")
        if len(self.layer_ids) != len(self.layer_kinds):
            raise ValidationError(f"source: {len(self.layer_ids)} layer ids but {len(self.layer_kinds)} kinds")
        if lab.size and int(lab.max()) > len(self.layer_ids):
            raise ValidationError(f"source labels use value {int(lab.max())} but only {len(self.layer_ids)} "
                                  "layers are named")
        c = self.face_contour_px
        if not (isinstance(c, np.ndarray) and c.ndim == 2 and c.shape[1] == 2 and c.dtype == np.float32):
            raise ValidationError("source face_contour_px must be a (K, 2) float32 array")

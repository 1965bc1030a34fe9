"""Parts, deformers, art meshes and layers: the Cubism object model (design.md "The rig model").

Coordinates: the canvas is in pixels, origin top-left, +y down, the size of the input image.
Children of a :class:`WarpDeformer` live in its normalised [0, 1]^2 space (u to the right, v down);
children of a :class:`RotationDeformer` live in its local frame: pixel-sized units relative to the
origin, before the deformer's rotation and scale. Objects with no parent deformer live on the canvas.
Angles are degrees, positive = clockwise on screen (the +y-down frame).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import numpy as np

from rig.errors import InvalidMeshError
from rig.model.base import ModelObject
from rig.model.keyform import KeyformGrid


class BlendMode(enum.Enum):
    """Colour blending of an ArtMesh onto what is below it (premultiplied alpha)."""

    NORMAL = "normal"
    ADDITIVE = "additive"
    MULTIPLICATIVE = "multiplicative"


@dataclass(slots=True, eq=False)
class Part(ModelObject):
    """A group of art meshes and deformers (Cubism "Part"); parts nest.

    Keyform fields: ``opacity`` (K,) float32 in [0, 1], ``draw_order`` (K,) float32.
    """

    id: str
    name: str
    parent_part_id: str | None = None
    visible: bool = True
    keyforms: KeyformGrid = field(default_factory=lambda: Part.rest_keyforms())

    KEYFORM_FIELDS = {"opacity": ((), "float32"), "draw_order": ((), "float32")}

    @staticmethod
    def rest_keyforms(opacity: float = 1.0, draw_order: float = 500.0) -> KeyformGrid:
        return KeyformGrid.constant(opacity=np.float32(opacity), draw_order=np.float32(draw_order))


@dataclass(slots=True, eq=False)
class WarpDeformer(ModelObject):
    """A lattice of ``(rows + 1) x (cols + 1)`` points mapping [0, 1]^2 into the parent's space.

    Keyform fields: ``positions`` (K, (rows+1)*(cols+1), 2) float32 in the parent's space, row-major
    with row 0 at the top (v = 0) and x fastest; ``opacity`` (K,) float32.
    Cells are bilinear ("quad source", Cubism file version >= 3.3).
    """

    id: str
    name: str
    part_id: str
    parent_deformer_id: str | None
    rows: int
    cols: int
    keyforms: KeyformGrid
    visible: bool = True

    @property
    def point_count(self) -> int:
        return (self.rows + 1) * (self.cols + 1)

    def keyform_fields(self) -> dict[str, tuple[tuple[int | None, ...], str]]:
        return {"positions": ((self.point_count, 2), "float32"), "opacity": ((), "float32")}

    @staticmethod
    def rest_grid(rows: int, cols: int, x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
        """A regular ``((rows+1)*(cols+1), 2)`` float32 lattice over the box (x0, y0)-(x1, y1)."""
        u = np.linspace(0.0, 1.0, cols + 1, dtype=np.float64)
        v = np.linspace(0.0, 1.0, rows + 1, dtype=np.float64)
        uu, vv = np.meshgrid(u, v)
        pts = np.stack([x0 + uu * (x1 - x0), y0 + vv * (y1 - y0)], axis=-1).reshape(-1, 2)
        return pts.astype(np.float32)


@dataclass(slots=True, eq=False)
class RotationDeformer(ModelObject):
    """Rotates, scales and moves its children about an origin.

    Keyform fields: ``angle_deg`` (K,) float32 (clockwise on screen), ``origin`` (K, 2) float32 in the
    parent's space, ``scale`` (K,) float32, ``opacity`` (K,) float32, ``reflect_x`` / ``reflect_y``
    (K,) bool. A child point ``p`` (local, pixel-sized units) maps to
    ``origin + scale * R(angle) * (reflect(p))`` in the parent's space (see ``rig.evaluate``).
    ``base_angle_deg`` is Cubism's per-deformer base angle (0 for Kirie's own rigs).
    """

    id: str
    name: str
    part_id: str
    parent_deformer_id: str | None
    keyforms: KeyformGrid
    base_angle_deg: float = 0.0
    visible: bool = True

    KEYFORM_FIELDS = {
        "angle_deg": ((), "float32"),
        "origin": ((2,), "float32"),
        "scale": ((), "float32"),
        "opacity": ((), "float32"),
        "reflect_x": ((), "bool"),
        "reflect_y": ((), "bool"),
    }

    def keyform_fields(self) -> dict[str, tuple[tuple[int | None, ...], str]]:
        return dict(self.KEYFORM_FIELDS)

    @staticmethod
    def rest_values(origin: tuple[float, float], angle_deg: float = 0.0, scale: float = 1.0) -> dict[str, np.ndarray]:
        """Keyform field values (without the K axis) of a deformer at rest."""
        return {
            "angle_deg": np.float32(angle_deg),
            "origin": np.asarray(origin, np.float32),
            "scale": np.float32(scale),
            "opacity": np.float32(1.0),
            "reflect_x": np.bool_(False),
            "reflect_y": np.bool_(False),
        }


Deformer = WarpDeformer | RotationDeformer


@dataclass(slots=True, eq=False)
class ArtMesh(ModelObject):
    """A textured triangle mesh sampling one :class:`Layer`.

    Attributes
    ----------
    uvs : (N, 2) float32 ndarray
        Texture coordinates in [0, 1] of the layer image, origin top-left.
    triangles : (M, 3) uint16 ndarray
        Vertex indices, counter-clockwise on screen or not (no culling by default).
    keyforms : KeyformGrid
        ``positions`` (K, N, 2) float32 in the parent deformer's space (canvas px when the mesh has no
        parent), ``opacity`` (K,) float32, ``draw_order`` (K,) float32 (higher draws later, Cubism
        default 500), ``multiply_rgb`` (K, 3) float32 (1 = unchanged), ``screen_rgb`` (K, 3) float32
        (0 = unchanged).
    mask_ids : tuple of str
        Art meshes whose coverage clips this one (Cubism clipping); empty = no clip.
    invert_mask : bool
        Draw only *outside* the masks' coverage.
    topology_version : int
        Bumped by every topology edit; GPU caches key on ``(id, topology_version)``.
    """

    id: str
    name: str
    part_id: str
    parent_deformer_id: str | None
    layer_id: str
    uvs: np.ndarray
    triangles: np.ndarray
    keyforms: KeyformGrid
    blend_mode: BlendMode = BlendMode.NORMAL
    mask_ids: tuple[str, ...] = ()
    invert_mask: bool = False
    visible: bool = True
    culling: bool = False
    topology_version: int = 0

    @property
    def vertex_count(self) -> int:
        return int(self.uvs.shape[0])

    def keyform_fields(self) -> dict[str, tuple[tuple[int | None, ...], str]]:
        return {
            "positions": ((self.vertex_count, 2), "float32"),
            "opacity": ((), "float32"),
            "draw_order": ((), "float32"),
            "multiply_rgb": ((3,), "float32"),
            "screen_rgb": ((3,), "float32"),
        }

    def check_topology(self) -> None:
        """Raise :class:`InvalidMeshError` if uvs/triangles are malformed."""
        if self.uvs.ndim != 2 or self.uvs.shape[1] != 2 or self.uvs.dtype != np.float32:
            raise InvalidMeshError(f"{self.id}: uvs must be (N, 2) float32, got {self.uvs.shape} {self.uvs.dtype}")
        if self.triangles.ndim != 2 or self.triangles.shape[1] != 3 or self.triangles.dtype != np.uint16:
            raise InvalidMeshError(
                f"{self.id}: triangles must be (M, 3) uint16, got {self.triangles.shape} {self.triangles.dtype}"
            )
        if self.triangles.size and int(self.triangles.max()) >= self.vertex_count:
            raise InvalidMeshError(f"{self.id}: triangle index {int(self.triangles.max())} >= {self.vertex_count} vertices")

    @staticmethod
    def rest_values(positions: np.ndarray, opacity: float = 1.0, draw_order: float = 500.0) -> dict[str, np.ndarray]:
        """Keyform field values (without the K axis) of a mesh at rest."""
        return {
            "positions": np.asarray(positions, np.float32),
            "opacity": np.float32(opacity),
            "draw_order": np.float32(draw_order),
            "multiply_rgb": np.ones(3, np.float32),
            "screen_rgb": np.zeros(3, np.float32),
        }


@dataclass(slots=True, eq=False)
class Layer(ModelObject):
    """An RGBA image, cut from the input and completed, that art meshes sample.

    Attributes
    ----------
    image : (H, W, 4) uint8 ndarray
        RGBA, straight (non-premultiplied) alpha.
    origin_px : tuple of float
        Canvas position of the image's top-left pixel corner (x, y).
    version : int
        Bumped by every command that changes the pixels; GPU textures key on ``(id, version)``.
    """

    id: str
    name: str
    image: np.ndarray
    origin_px: tuple[float, float] = (0.0, 0.0)
    version: int = 0

    def __post_init__(self) -> None:
        if self.image.ndim != 3 or self.image.shape[2] != 4 or self.image.dtype != np.uint8:
            raise InvalidMeshError(f"layer {self.id}: image must be (H, W, 4) uint8, got {self.image.shape} {self.image.dtype}")
        self.origin_px = (float(self.origin_px[0]), float(self.origin_px[1]))

    @property
    def size_px(self) -> tuple[int, int]:
        """(width, height) of the image."""
        return int(self.image.shape[1]), int(self.image.shape[0])

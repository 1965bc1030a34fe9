"""Texture atlas for Cubism export: pack layer images into square power-of-two pages, remap uvs.

Each layer used by an art mesh is cropped to the union of its opaque pixels and the uvs its meshes
reach, then shelf-packed (tallest first) into pages of 2048 px, or 4096 px when one crop needs it;
a crop larger than a 4096 page is scaled down to fit. Around each crop a ``padding``-px gutter
repeats the crop's edge pixels (as clamp-to-edge sampling would), and inside the crop the colour of
every transparent pixel is replaced by that of the nearest opaque pixel ("colour bleed"), so bilinear
filtering and mipmaps never pull dark fringes into the art. Pixels stay straight (non-premultiplied)
RGBA, which is what Cubism sample viewers load.

UV convention of the ``.moc3``: page-relative, origin top-left, u right, **v down**: ``u = x_px / size``,
``v = y_px / size``. Black-box result on Core 6.0.1: ``csmGetDrawableVertexUvs`` returns
``1 - v_file`` (it flips v on output as it flips y of positions), and the Framework's vertex shaders
flip v again (``v_texCoord.y = 1.0 - v_texCoord.y``), so they sample the texture at ``v_file`` measured
from the top row. (cubism-formats.md 1.7 states the opposite for the file; see the export report.)
Kirie's layer uvs are layer-relative, origin top-left, v down too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from rig.errors import CubismFormatError
from rig.model import Rig

PAGE_SIZES = (2048, 4096)
DEFAULT_PADDING = 4


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a layer's crop went: page index, top-left (px) in the page, the crop box in the layer
    image (``crop_x``, ``crop_y``, ``width``, ``height``, layer px) and the scale applied (1 = none)."""

    layer_id: str
    page: int
    x: int
    y: int
    crop_x: int
    crop_y: int
    width: int
    height: int
    scale: float = 1.0


@dataclass(slots=True)
class Atlas:
    """Packed pages: ``pages[i]`` is (size, size, 4) uint8 straight RGBA."""

    size: int
    pages: list[np.ndarray]
    placements: dict[str, Placement]
    layer_sizes: dict[str, tuple[int, int]] = field(default_factory=dict)  # layer id -> (width, height) px

    def remap_uvs(self, layer_id: str, uvs: np.ndarray) -> tuple[int, np.ndarray]:
        """(page, (N, 2) float32 page uvs, v down) for layer-relative ``uvs`` (v down)."""
        p = self.placements[layer_id]
        layer_w, layer_h = self.layer_sizes[layer_id]
        px = np.asarray(uvs, np.float64) * [layer_w, layer_h]
        page_xy = (px - [p.crop_x, p.crop_y]) * p.scale + [p.x, p.y]
        return p.page, (page_xy / self.size).astype(np.float32)



def _crop_box(rig: Rig, layer_id: str, image: np.ndarray) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) layer px: opaque pixels united with every uv of the layer's meshes."""
    h, w = image.shape[:2]
    ys, xs = np.nonzero(image[..., 3])
    boxes = [(xs.min(), ys.min(), xs.max() + 1, ys.max() + 1)] if len(xs) else []
    for m in rig.art_meshes:
        if m.layer_id == layer_id and m.vertex_count:
            uv = np.asarray(m.uvs, np.float64) * [w, h]
            boxes.append((np.floor(uv[:, 0].min()), np.floor(uv[:, 1].min()), np.ceil(uv[:, 0].max()), np.ceil(uv[:, 1].max())))
    if not boxes:
        return 0, 0, 1, 1
    b = np.asarray(boxes, np.float64)
    x0, y0 = int(max(0, b[:, 0].min())), int(max(0, b[:, 1].min()))
    x1, y1 = int(min(w, b[:, 2].max())), int(min(h, b[:, 3].max()))
    return x0, y0, max(x1, x0 + 1), max(y1, y0 + 1)


def bleed(image: np.ndarray) -> np.ndarray:
    """Copy of RGBA ``image`` whose fully transparent pixels take the RGB of the nearest opaque one."""
    from scipy import ndimage

    out = image.copy()
    clear = out[..., 3] == 0
    if clear.all() or not clear.any():
        return out
    _, (iy, ix) = ndimage.distance_transform_edt(clear, return_indices=True)
    out[..., :3] = out[iy, ix, :3]
    out[..., 3] = image[..., 3]
    return out


def _scaled(image: np.ndarray, scale: float) -> np.ndarray:
    from PIL import Image

    h, w = image.shape[:2]
    size = (max(1, int(w * scale)), max(1, int(h * scale)))
    return np.asarray(Image.fromarray(np.ascontiguousarray(image, np.uint8)).resize(size, Image.LANCZOS))


def _shelf_pack(sizes: list[tuple[int, int]], page: int) -> list[tuple[int, int, int]]:
    """(page, x, y) for each (w, h) box (padding included), shelf packing, tallest first."""
    order = sorted(range(len(sizes)), key=lambda i: (-sizes[i][1], -sizes[i][0], i))
    out: list[tuple[int, int, int]] = [(0, 0, 0)] * len(sizes)
    pg, x, y, shelf = 0, 0, 0, 0
    for i in order:
        w, h = sizes[i]
        if x + w > page:
            x, y, shelf = 0, y + shelf, 0
        if y + h > page:
            pg, x, y, shelf = pg + 1, 0, 0, 0
        out[i] = (pg, x, y)
        x += w
        shelf = max(shelf, h)
    return out


def pack_atlas(rig: Rig, padding: int = DEFAULT_PADDING) -> Atlas:
    """Pack every layer that an art mesh samples (module docstring).

    Returns
    -------
    Atlas
        ``size`` 2048 or 4096; pages in order; one :class:`Placement` per used layer.

    Raises
    ------
    CubismFormatError
        If an art mesh samples a layer that does not exist.
    """
    used = list(dict.fromkeys(m.layer_id for m in rig.art_meshes))
    layers = {la.id: la for la in rig.layers}
    if missing := [lid for lid in used if lid not in layers]:
        raise CubismFormatError(f"art meshes sample missing layers {missing}")
    crops, boxes = {}, {}
    for lid in used:
        img = layers[lid].image
        x0, y0, x1, y1 = _crop_box(rig, lid, img)
        boxes[lid] = (x0, y0, x1, y1)
        crops[lid] = bleed(np.ascontiguousarray(img[y0:y1, x0:x1]))
    biggest = max([max(c.shape[:2]) + 2 * padding for c in crops.values()], default=1)
    size = PAGE_SIZES[0] if biggest <= PAGE_SIZES[0] else PAGE_SIZES[-1]
    scales = {lid: min(1.0, (size - 2 * padding) / max(c.shape[:2])) for lid, c in crops.items()}
    for lid, s in scales.items():
        if s < 1.0:
            crops[lid] = _scaled(crops[lid], s)
    spots = _shelf_pack([(c.shape[1] + 2 * padding, c.shape[0] + 2 * padding) for c in crops.values()], size)
    pages = [np.zeros((size, size, 4), np.uint8) for _ in range(max([s[0] for s in spots], default=0) + 1)]
    placements = {}
    for (lid, crop), (pg, x, y) in zip(crops.items(), spots):
        padded = np.pad(crop, ((padding, padding), (padding, padding), (0, 0)), mode="edge")
        pages[pg][y : y + padded.shape[0], x : x + padded.shape[1]] = padded
        x0, y0, x1, y1 = boxes[lid]
        placements[lid] = Placement(lid, pg, x + padding, y + padding, x0, y0, x1 - x0, y1 - y0, scales[lid])
    return Atlas(size, pages, placements, {lid: layers[lid].size_px for lid in used})

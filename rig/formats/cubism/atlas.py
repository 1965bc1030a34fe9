"""Texture atlas for Cubism export: pack layer images into square power-of-two pages, remap uvs.

Each layer used by an art mesh is cropped to the union of its opaque pixels and the uvs its meshes
reach, then shelf-packed (tallest first) at full resolution into **one page of the smallest power of
two that holds them all** (from :data:`MIN_PAGE_PX` to :data:`MAX_PAGE_PX`): a 256 px character gets
a 512 px page, not a 2048 px page that is mostly empty. When even a 4096 px page cannot hold them,
they go on several 4096 px pages; a crop larger than a 4096 page is scaled down to fit. Around each crop a ``padding``-px gutter
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

MIN_PAGE_PX = 128
MAX_PAGE_PX = 4096
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
    """(page, x, y) for each (w, h) box (padding included): first-fit decreasing-height shelf packing.

    Boxes are taken tallest first; each goes on the first shelf (of any page) with room left for its
    width, else on a new shelf below the last one, else on a new page.
    """
    order = sorted(range(len(sizes)), key=lambda i: (-sizes[i][1], -sizes[i][0], i))
    out: list[tuple[int, int, int]] = [(0, 0, 0)] * len(sizes)
    shelves: list[list[int]] = []  # [page, y, height, x used]
    bottom: list[int] = []  # per page: the y below its last shelf
    for i in order:
        w, h = sizes[i]
        shelf = next((sh for sh in shelves if sh[3] + w <= page and h <= sh[2]), None)
        if shelf is None:
            pg = next((k for k, y in enumerate(bottom) if y + h <= page), None)
            if pg is None:
                pg = len(bottom)
                bottom.append(0)
            shelf = [pg, bottom[pg], h, 0]
            bottom[pg] += h
            shelves.append(shelf)
        out[i] = (shelf[0], shelf[3], shelf[1])
        shelf[3] += w
    return out


def page_size(boxes: list[tuple[int, int]]) -> int:
    """The smallest power-of-two page side (px) in [:data:`MIN_PAGE_PX`, :data:`MAX_PAGE_PX`] whose one
    page holds every (w, h) box (px, padding included) by :func:`_shelf_pack`; :data:`MAX_PAGE_PX` when
    none does (the boxes then spill onto more pages, or are scaled down when one is larger)."""
    size = MIN_PAGE_PX
    while size < MAX_PAGE_PX:
        if all(w <= size and h <= size for w, h in boxes) and all(pg == 0 for pg, _, _ in _shelf_pack(boxes, size)):
            return size
        size *= 2
    return MAX_PAGE_PX


def fill_ratio(atlas: Atlas) -> float:
    """Share of the pages' texels covered by the packed crops (their gutters excluded), 0 to 1."""
    used = sum(round(p.width * p.scale) * round(p.height * p.scale) for p in atlas.placements.values())
    return used / float(len(atlas.pages) * atlas.size * atlas.size)


def pack_atlas(rig: Rig, padding: int = DEFAULT_PADDING) -> Atlas:
    """Pack every layer that an art mesh samples (module docstring).

    Returns
    -------
    Atlas
        ``size`` from :func:`page_size` (a power of two, 128 to 4096 px); pages in order (several only
        at 4096 px); one :class:`Placement` per used layer.

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
    size = page_size([(c.shape[1] + 2 * padding, c.shape[0] + 2 * padding) for c in crops.values()])
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

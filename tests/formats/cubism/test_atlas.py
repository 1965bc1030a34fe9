"""Texture atlas: pages, uv remapping to page coordinates, colour bleed, large layers."""

from __future__ import annotations

import numpy as np

from rig.formats.cubism.atlas import MAX_PAGE_PX, _shelf_pack, bleed, fill_ratio, pack_atlas, page_size
from rig.model import Layer
from rig.testing import synthetic_rig, tiny_rig


def _sample(image: np.ndarray, x: float, y: float) -> np.ndarray:
    h, w = image.shape[:2]
    return image[min(h - 1, int(y)), min(w - 1, int(x))]


def test_remapped_uvs_sample_the_same_texels():
    rig = synthetic_rig(30, 1700, 12, 30, seed=2)
    atlas = pack_atlas(rig)
    assert atlas.size == 128 and all(p.shape == (128, 128, 4) for p in atlas.pages)  # two 32 px layers
    layers = {la.id: la for la in rig.layers}
    for m in rig.art_meshes:
        page, uv = atlas.remap_uvs(m.layer_id, m.uvs)
        img = layers[m.layer_id].image
        h, w = img.shape[:2]
        for (u, v), (pu, pv) in zip(m.uvs, uv):
            ours = _sample(img, u * w, v * h)
            theirs = _sample(atlas.pages[page], pu * atlas.size, pv * atlas.size)
            if ours[3] == 255:
                assert (ours == theirs).all(), (m.id, u, v)


def test_placements_do_not_overlap():
    atlas = pack_atlas(synthetic_rig(60, 1700, 12, 30, seed=1), padding=4)
    boxes = [(p.page, p.x - 4, p.y - 4, p.x + p.width + 4, p.y + p.height + 4) for p in atlas.placements.values()]
    for i, a in enumerate(boxes):
        assert 0 <= a[1] and a[3] <= atlas.size and a[4] <= atlas.size
        for b in boxes[i + 1 :]:
            assert a[0] != b[0] or a[3] <= b[1] or b[3] <= a[1] or a[4] <= b[2] or b[4] <= a[2]


def test_bleed_fills_transparent_colour_only():
    img = np.zeros((8, 8, 4), np.uint8)
    img[2:4, 2:4] = (200, 10, 10, 255)
    out = bleed(img)
    assert (out[..., 3] == img[..., 3]).all()
    assert (out[..., :3] == (200, 10, 10)).all()


def test_large_layer_uses_a_4096_page_and_unused_layers_are_skipped():
    rig = tiny_rig()
    big = np.full((2100, 300, 4), 255, np.uint8)
    rig.layers.append(Layer("LayerUnused", "unused", big))
    assert pack_atlas(rig).size <= 256  # the unused 2100 px layer does not count
    rig.layers[0] = Layer("LayerFace", "Face", big, origin_px=(32.0, 32.0))
    atlas = pack_atlas(rig)
    assert atlas.size == 4096 and set(atlas.placements) == {"LayerFace", "LayerEye"}


def test_page_is_the_smallest_power_of_two_that_holds_the_crops():
    assert page_size([(100, 100)]) == 128 and page_size([(129, 10)]) == 256
    assert page_size([(300, 250), (300, 200), (200, 240)]) == 512  # 200 px box beside the first: one 512 page
    assert page_size([(5000, 10)]) == MAX_PAGE_PX and page_size([(3000, 3000)] * 2) == MAX_PAGE_PX
    many = [(1000, 1000)] * 20  # 20 Mpx: several 4096 pages
    pages = {pg for pg, _, _ in _shelf_pack(many, MAX_PAGE_PX)}
    assert page_size(many) == MAX_PAGE_PX and pages == {0, 1}


def test_a_256_px_character_gets_a_small_well_filled_atlas(shared_data):
    """Issue 17: a 256 px source got a 2048 px page that was 95 % empty."""
    from inference.pipeline import generate

    src = shared_data / "anime" / "waifu_00.png"  # 256 x 256 px
    rig = generate(src).rig
    assert (rig.canvas_width_px, rig.canvas_height_px) == (256, 256)
    atlas = pack_atlas(rig)
    assert len(atlas.pages) == 1 and atlas.size <= 512
    assert fill_ratio(atlas) > 0.35  # 2048 px page: 0.027
    boxes = [(p.width + 8, p.height + 8) for p in atlas.placements.values()]
    assert all(p.scale == 1.0 for p in atlas.placements.values())  # full resolution
    smaller = atlas.size // 2  # no larger than needed: the next smaller page cannot hold the crops
    assert any(max(b) > smaller for b in boxes) or max(pg for pg, _, _ in _shelf_pack(boxes, smaller)) > 0

"""Texture atlas: pages, uv remapping to page coordinates, colour bleed, large layers."""

from __future__ import annotations

import numpy as np

from rig.formats.cubism.atlas import bleed, pack_atlas
from rig.model import Layer
from rig.testing import synthetic_rig, tiny_rig


def _sample(image: np.ndarray, x: float, y: float) -> np.ndarray:
    h, w = image.shape[:2]
    return image[min(h - 1, int(y)), min(w - 1, int(x))]


def test_remapped_uvs_sample_the_same_texels():
    rig = synthetic_rig(30, 1700, 12, 30, seed=2)
    atlas = pack_atlas(rig)
    assert atlas.size == 2048 and all(p.shape == (2048, 2048, 4) for p in atlas.pages)
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
    assert pack_atlas(rig).size == 2048
    rig.layers[0] = Layer("LayerFace", "Face", big, origin_px=(32.0, 32.0))
    atlas = pack_atlas(rig)
    assert atlas.size == 4096 and set(atlas.placements) == {"LayerFace", "LayerEye"}

"""Big inputs (issue 14): layers made on the working canvas, textures at full resolution."""

from __future__ import annotations

import numpy as np
import pytest

from inference.layers.cut import LAYER_NAMES
from inference.layers.fullres import WORKING_CANVAS_PX, to_full_resolution, upscale_owner
from inference.types import CutLayer, LayerMesh, PartLabel


def test_to_full_resolution_takes_visible_pixels_from_the_input():
    up = 3.0
    rgb = np.random.default_rng(0).integers(0, 255, (60, 60, 3), dtype=np.uint8)
    alpha = np.full((60, 60), 255, np.uint8)
    owner = np.full((20, 20), -1, np.int16)
    owner[5:15, 5:15] = LAYER_NAMES.index("Face")  # the face visible in the middle
    owner[5:8, 5:15] = LAYER_NAMES.index("FrontHair")  # the fringe over its top rows
    image = np.zeros((12, 12, 4), np.uint8)
    image[..., :3] = (200, 150, 140)  # transparent pixels carry the nearest colour (bleed)
    image[1:11, 1:11, 3] = 255
    vis = np.zeros((12, 12), bool)
    vis[4:11, 1:11] = True
    layer = CutLayer("Face", PartLabel.FACE, image, (4.0, 4.0), vis)
    uvs = np.array([[0, 0], [1, 0], [0, 1]], np.float32)
    mesh = LayerMesh("Face", np.zeros((3, 2), np.float32), uvs, np.array([[0, 1, 2]], np.uint16))
    (big,), (bmesh,) = to_full_resolution([layer], [mesh], owner, rgb, alpha, up)
    assert big.origin_px == (12.0, 12.0) and big.image.shape == (36, 36, 4)
    # visible pixels are the input's own, completed ones (under FrontHair) keep the fill colour
    ys, xs = np.nonzero(big.visible_mask)
    assert len(ys) == 30 * 21
    np.testing.assert_array_equal(big.image[ys, xs, :3], rgb[ys + 12, xs + 12])
    assert (big.image[3:12, 3:33, :3] == (200, 150, 140)).all()
    assert (big.image[5:12, 5:31, 3] == 255).all()
    assert (big.image[:2, :, 3] == 0).all()  # nothing above the layer's art: no completion there
    np.testing.assert_allclose(bmesh.vertices_px, [[12, 12], [48, 12], [12, 48]])
    assert upscale_owner(np.array([[1, 2], [3, 4]], np.uint8), (4, 6)).tolist() == [
        [1, 1, 1, 2, 2, 2], [1, 1, 1, 2, 2, 2], [3, 3, 3, 4, 4, 4], [3, 3, 3, 4, 4, 4]]


@pytest.mark.slow
def test_a_big_input_keeps_full_resolution_textures_and_working_vertex_counts(shared_data, tmp_path):
    from PIL import Image

    from app.render.offscreen import render_to_array
    from inference.pipeline import generate
    from rig.evaluate import evaluate

    src = Image.open(shared_data / "anime" / "crypko_00.png").convert("RGBA")
    small_path, big_path = tmp_path / "small.png", tmp_path / "big.png"
    src.resize((WORKING_CANVAS_PX, WORKING_CANVAS_PX), Image.LANCZOS).save(small_path)
    big_side = 2 * WORKING_CANVAS_PX
    src.resize((big_side, big_side), Image.LANCZOS).save(big_path)
    small, big = generate(small_path).rig, generate(big_path).rig
    big.validate()
    assert (big.canvas_width_px, big.canvas_height_px) == (big_side, big_side)
    assert big.source.rgba.shape[:2] == (big_side, big_side)
    face_s = next(la for la in small.layers if la.name == "Face")
    face_b = next(la for la in big.layers if la.name == "Face")
    assert face_b.image.shape[0] >= 1.9 * face_s.image.shape[0]
    vs = sum(m.vertex_count for m in small.art_meshes)
    vb = sum(m.vertex_count for m in big.art_meshes)
    assert abs(vb - vs) <= 0.15 * vs, (vs, vb)
    # at rest the full-resolution rig reproduces the full-resolution input
    rest = render_to_array(evaluate(big, big.default_values(), gizmos=False)).astype(np.float64)
    ref = np.asarray(Image.open(big_path).convert("RGBA"), np.float64)
    fg = ref[..., 3] > 0
    diff = rest[..., :3] * rest[..., 3:4] / 255 - ref[..., :3] * ref[..., 3:4] / 255
    psnr = 10 * np.log10(255.0**2 / max(float((diff[fg] ** 2).mean()), 1e-9))
    assert psnr >= 35.0

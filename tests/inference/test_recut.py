"""Re-cutting one layer from the source record after its visible mask was edited (real image)."""

from __future__ import annotations

import numpy as np
import pytest

from inference.layers.recut import CUT_KINDS, edit_labels, recut_layer
from inference.pipeline import generate


@pytest.fixture(scope="module")
def rig(shared_data):
    return generate(shared_data / "anime" / "waifu_00.png").rig


def _disc(shape, center, radius) -> np.ndarray:
    yy, xx = np.mgrid[0 : shape[0], 0 : shape[1]]
    return (xx + 0.5 - center[0]) ** 2 + (yy + 0.5 - center[1]) ** 2 <= radius**2


def _covered(mesh, shape) -> np.ndarray:
    """(H, W) bool canvas pixels whose centre lies in a mesh triangle (cv2 rasterisation at 1/16 px)."""
    import cv2

    out = np.zeros(shape, np.uint8)
    polys = np.round(mesh.vertices_px.astype(np.float64)[mesh.triangles.astype(int)] * 16 - 8).astype(np.int32)
    cv2.fillPoly(out, list(polys), 1, lineType=cv2.LINE_8, shift=4)
    return out > 0


def _canvas_alpha(layer, shape) -> np.ndarray:
    x0, y0 = int(layer.origin_px[0]), int(layer.origin_px[1])
    h, w = layer.image.shape[:2]
    out = np.zeros(shape, np.uint8)
    out[y0 : y0 + h, x0 : x0 + w] = layer.image[..., 3]
    return out


def test_generate_fills_a_consistent_source_record(rig):
    src = rig.source
    assert src is not None and src.size_px == (rig.canvas_width_px, rig.canvas_height_px)
    assert src.layer_kinds == CUT_KINDS
    face = rig.layer("LayerFace")
    x0, y0 = int(face.origin_px[0]), int(face.origin_px[1])
    h, w = face.image.shape[:2]
    visible = src.visible_mask("LayerFace")[y0 : y0 + h, x0 : x0 + w]
    assert visible.any()
    np.testing.assert_array_equal(face.image[..., 3][visible], src.rgba[y0 : y0 + h, x0 : x0 + w, 3][visible])
    assert not (src.labels[src.rgba[..., 3] == 0]).any()


def test_an_unedited_recut_reproduces_every_generated_layer_and_mesh(rig):
    checked = 0
    for layer in rig.layers:
        if layer.id not in rig.source.layer_ids:
            continue  # synthesised (MouthInterior, LidLine*)
        mesh = next(m for m in rig.art_meshes if m.layer_id == layer.id)
        out = recut_layer(rig.source, layer.id)
        np.testing.assert_array_equal(out.layer.image, layer.image)
        assert out.layer.origin_px == layer.origin_px
        np.testing.assert_array_equal(out.mesh.uvs, mesh.uvs)
        np.testing.assert_array_equal(out.mesh.triangles, mesh.triangles)
        np.testing.assert_array_equal(out.labels, rig.source.labels)
        checked += 1
    assert checked >= 10


def test_painted_pixels_join_the_layer_and_the_new_mesh_covers_them(rig):
    src = rig.source
    shape = src.labels.shape
    face = src.visible_mask("LayerFace")
    hair = src.visible_mask("LayerFrontHair")
    ys, xs = np.nonzero(hair & np.roll(face, 6, axis=0))  # bangs just above visible skin
    stroke = _disc(shape, (xs.mean(), ys.mean()), 6.0) & (src.rgba[..., 3] > 0)
    added = stroke & ~face
    assert added.sum() > 20
    out = recut_layer(src, "LayerFace", face | stroke)
    alpha = _canvas_alpha(out.layer, shape)
    assert (alpha[added] == src.rgba[..., 3][added]).all()  # visible now, with the source alpha
    assert _covered(out.mesh, shape)[added & (alpha > 0)].all()
    assert (out.labels[added] == src.label_of("LayerFace")).all()
    assert (out.labels[~stroke] == src.labels[~stroke]).all()


def test_erased_pixels_leave_the_layer(rig):
    src = rig.source
    shape = src.labels.shape
    hair = src.visible_mask("LayerFrontHair")
    ys, xs = np.nonzero(hair)
    erase = _disc(shape, (np.median(xs), np.median(ys)), 5.0) & hair
    assert erase.sum() > 20
    out = recut_layer(src, "LayerFrontHair", hair & ~erase)
    assert (_canvas_alpha(out.layer, shape)[erase] == 0).all()  # FrontHair has no completion
    assert (out.labels[erase] == 0).all()


def test_background_pixels_never_join_and_bad_edits_are_refused(rig):
    src = rig.source
    everything = np.ones(src.labels.shape, bool)
    labels = edit_labels(src, "LayerBody", everything)
    assert (labels[src.rgba[..., 3] == 0] == 0).all()
    with pytest.raises(ValueError, match="without any pixel"):
        recut_layer(src, "LayerBrowL", np.zeros(src.labels.shape, bool))
    with pytest.raises(KeyError, match="LayerLidLineL"):
        recut_layer(src, "LayerLidLineL")
    with pytest.raises(ValueError, match="mask is"):
        edit_labels(src, "LayerFace", np.zeros((3, 3), bool))

"""Layered PSD export, read back with psd-tools: names, order, groups, offsets, visibility, pixels."""

from __future__ import annotations

import numpy as np
import pytest

from rig.errors import ValidationError
from rig.evaluate import evaluate
from rig.formats.psd import export_psd
from rig.formats.psd.export import clean_name, coverage_pixels
from rig.model import BlendMode
from rig.testing import tiny_rig
from tests.formats.rigs import format_test_rig

psd_tools = pytest.importorskip("psd_tools")


@pytest.fixture(scope="module")
def generated_rig(shared_data):
    pipeline = pytest.importorskip("inference.pipeline")
    image = shared_data / "anime" / "waifu_00.png"
    if not image.is_file():
        pytest.skip(f"{image} missing")
    return pipeline.generate(image, seed=0).rig


def _read(rig, tmp_path):
    path = export_psd(rig, tmp_path / "layers.psd")
    return psd_tools.PSDImage.open(path)


def _pixel_layers(psd):
    return [layer for layer in psd.descendants() if layer.kind == "pixel"]


def _rgba(layer) -> np.ndarray:
    return np.asarray(layer.topil().convert("RGBA"))


def _group_path(layer, psd) -> list[str]:
    out, node = [], layer.parent
    while node is not psd:
        out.append(node.name)
        node = node.parent
    return out[::-1]


def test_header_is_rgb_8bit_canvas_size(tmp_path):
    rig = tiny_rig()
    psd = _read(rig, tmp_path)
    assert psd.size == (rig.canvas_width_px, rig.canvas_height_px)
    assert psd.depth == 8 and psd.color_mode == psd_tools.constants.ColorMode.RGB


def test_layers_in_draw_order_grouped_by_part(tmp_path):
    rig = tiny_rig()
    psd = _read(rig, tmp_path)
    layers = _pixel_layers(psd)  # descendants() goes bottom to top
    assert [la.name for la in layers] == ["Face", "Eye", "Eye highlight"]
    assert all(_group_path(la, psd) == ["Root", "Face"] for la in layers)
    assert [la.name for la in psd] == ["Root"]


def test_offsets_and_pixels_are_the_layer_images(tmp_path):
    rig = tiny_rig()
    psd = _read(rig, tmp_path)
    face, eye, highlight = _pixel_layers(psd)
    assert face.offset == (32, 32) and eye.offset == (52, 56) and highlight.offset == (52, 56)
    np.testing.assert_array_equal(_rgba(face), rig.layer("LayerFace").image)
    # LayerEye is shared by two meshes: each keeps the pixels inside its own UV triangles
    eye_img = rig.layer("LayerEye").image
    got_eye, got_hi = _rgba(eye), _rgba(highlight)
    np.testing.assert_array_equal(got_eye, eye_img)  # full-image quad
    expected_alpha = np.zeros((32, 32), np.uint8)
    expected_alpha[: round(0.6 * 32), 16:] = eye_img[: round(0.6 * 32), 16:, 3]  # UV rect (0.5, 0)-(1, 0.6)
    np.testing.assert_array_equal(got_hi[..., 3], expected_alpha)
    keep = got_hi[..., 3] > 0
    np.testing.assert_array_equal(got_hi[keep], eye_img[keep])


def test_straight_alpha_colour_survives(tmp_path):
    rig = format_test_rig()  # its layers hold colour under alpha 0
    psd = _read(rig, tmp_path)
    by_name = {la.name: la for la in _pixel_layers(psd)}
    for m in rig.art_meshes:
        layer = rig.layer(m.layer_id)
        if sum(x.layer_id == layer.id for x in rig.art_meshes) == 1:
            np.testing.assert_array_equal(_rgba(by_name[clean_name(m.name, m.id)]), layer.image)


def test_hidden_and_transparent_meshes_are_hidden_layers(tmp_path):
    rig = tiny_rig()
    rig.art_meshes[2].visible = False
    rig.art_meshes[1].keyforms.values["opacity"][:] = 0.0
    psd = _read(rig, tmp_path)
    assert [la.visible for la in _pixel_layers(psd)] == [True, False, False]


def test_interleaved_parts_get_separate_groups_and_unique_names(tmp_path):
    rig = tiny_rig()
    from rig.model import Part

    rig.parts.append(Part("PartOther", "Face", parent_part_id="PartRoot"))
    rig.art_meshes[1].part_id = "PartOther"  # Face(Face) < Eye(Other) < highlight(Face)
    rig.art_meshes[2].name = "Face"  # duplicate layer name
    rig.art_meshes[0].blend_mode = BlendMode.MULTIPLICATIVE
    psd = _read(rig, tmp_path)
    layers = _pixel_layers(psd)
    assert [la.name for la in layers] == ["Face", "Eye", "Face_2"]
    assert [_group_path(la, psd) for la in layers] == [["Root", "Face"], ["Root", "Face_2"], ["Root", "Face_3"]]
    assert layers[0].blend_mode == psd_tools.constants.BlendMode.MULTIPLY


def test_clean_name():
    assert clean_name("Eye L/upper*", "x") == "Eye L_upper_"
    assert clean_name("前髪 (左)", "x") == "前髪 (左)"
    assert clean_name("//", "ArtMesh3") == "__" and clean_name("  ", "ArtMesh3") == "ArtMesh3"


def test_coverage_pixels_keeps_only_covered_pixels():
    rig = tiny_rig()
    out = coverage_pixels(rig.art_meshes[2], rig.layer("LayerEye").image)
    assert out[..., 3][:, :16].max() == 0 and out[..., 3][20:].max() == 0


def test_invalid_rig_writes_nothing(tmp_path):
    rig = tiny_rig()
    rig.art_meshes[0].layer_id = "Missing"
    with pytest.raises(ValidationError):
        export_psd(rig, tmp_path / "x.psd")
    assert list(tmp_path.iterdir()) == []


def _box(la):
    """Canvas box of the layer's pixels with alpha > 0 (exclusive ends), None when empty."""
    a = _rgba(la)[..., 3]
    ys, xs = np.nonzero(a)
    return (la.left + xs.min(), la.top + ys.min(), la.left + xs.max() + 1, la.top + ys.max() + 1) if len(xs) else None


def test_generated_rig(generated_rig, tmp_path):
    rig = generated_rig
    psd = _read(rig, tmp_path)
    layers = _pixel_layers(psd)
    assert len(layers) == len(rig.art_meshes)
    assert len({la.name for la in layers}) == len(layers)
    by_name = {m.name: m for m in rig.art_meshes}
    for la in layers:
        layer = rig.layer(by_name[la.name].layer_id)
        assert la.offset == tuple(int(round(c)) for c in layer.origin_px)
        np.testing.assert_array_equal(_rgba(la), layer.image)
        assert _group_path(la, psd)[-1].startswith(clean_name(rig.part(by_name[la.name].part_id).name, ""))
    # only layers that cannot overlap may leave Kirie's draw order: the composite is unchanged
    shown = rig.default_values()
    kirie = [rig.art_mesh(it.art_mesh_id).name for it in evaluate(rig, shown).items]
    rank = {n: i for i, n in enumerate(kirie)}
    visible = [la for la in layers if la.name in rank]
    boxes = [_box(la) for la in visible]
    for i in range(len(visible)):
        for j in range(i + 1, len(visible)):
            a, b = boxes[i], boxes[j]
            if a and b and a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]:
                assert rank[visible[i].name] < rank[visible[j].name], (visible[i].name, visible[j].name)
    # the eyes' layers interleave in draw order but do not overlap: one group per eye
    groups = [g.name for g in psd.descendants() if g.kind == "group"]
    assert "Eye L" in groups and "Eye L_2" not in groups

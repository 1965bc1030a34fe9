"""Stage 5: layers reproduce the input at rest, completion exists where parts hide each other."""

from __future__ import annotations

import numpy as np
import pytest

from inference.layers.cut import LAYER_NAMES, SYNTHESISED, cut_layers
from inference.types import CancelToken, PartLabel
from rig.errors import CancelledError
from tests.inference.character import composite, crude_inputs, psnr_over_foreground, synthetic_character


@pytest.fixture(scope="module")
def synthetic():
    inputs = synthetic_character(512)
    return inputs, {la.name: la for la in cut_layers(*inputs)}


def canvas_alpha(layer, size) -> np.ndarray:
    """(H, W) uint8: the layer's alpha placed on the canvas."""
    w, h = size
    out = np.zeros((h, w), np.uint8)
    x0, y0 = int(layer.origin_px[0]), int(layer.origin_px[1])
    lh, lw = layer.image.shape[:2]
    out[y0 : y0 + lh, x0 : x0 + lw] = layer.image[..., 3]
    return out


def test_order_and_names(synthetic):
    _, layers = synthetic
    names = list(layers)
    assert names == [n for n in LAYER_NAMES if n in layers], "not in LAYER_NAMES draw order"
    # a closed line mouth: one lip line (LipUpper), no lower lip, no teeth (anime); Mouth is split up;
    # the synthetic eyes have no lower lash
    expected = set(LAYER_NAMES) - {"EarL", "EarR", "Accessory", "Mouth", "LipLower", "MouthTeeth",
                                   "Glasses", "HairAccessory", "HairAccessoryBack", "LashLowerL", "LashLowerR",
                                   "Hat", "Earrings"}
    assert set(names) == expected
    for name in SYNTHESISED & set(layers):
        assert layers[name].label is None and not layers[name].visible_mask.any()
    assert layers["Face"].label == PartLabel.FACE


def test_rest_composite_reproduces_synthetic_input(synthetic):
    (img, *_), layers = synthetic
    comp = composite(list(layers.values()), img.size_px, hidden=SYNTHESISED)
    assert psnr_over_foreground(img.rgba, comp) >= 30.0
    # the same with every synthesised layer shown must differ (they are real art)
    shown = composite(list(layers.values()), img.size_px)
    assert psnr_over_foreground(img.rgba, shown) < 60.0


@pytest.mark.parametrize(
    "name", ["waifu_00.png", "waifu_02.png", "waifu_05.png", "lambda_00.png", "crypko_00.png"]
)
def test_rest_composite_reproduces_real_input(shared_data, name):
    img, fg, face, parts = crude_inputs(shared_data / "anime" / name)
    layers = cut_layers(img, fg, face, parts)
    comp = composite(layers, img.size_px, hidden=SYNTHESISED)
    assert psnr_over_foreground(img.rgba, comp) >= 30.0
    assert {"Face", "BackHair", "MouthInterior", "LidLineL"} <= {la.name for la in layers}


def test_visible_pixels_keep_input_colour_and_alpha(synthetic):
    (img, fg, _, _), layers = synthetic
    a8 = np.round(fg.alpha * 255).astype(np.uint8)
    for layer in layers.values():
        if layer.label is None:
            continue
        x0, y0 = int(layer.origin_px[0]), int(layer.origin_px[1])
        h, w = layer.visible_mask.shape
        vis = layer.visible_mask
        assert vis.any(), layer.name
        np.testing.assert_array_equal(layer.image[vis, :3], img.rgba[y0 : y0 + h, x0 : x0 + w][vis, :3])
        np.testing.assert_array_equal(layer.image[vis, 3], a8[y0 : y0 + h, x0 : x0 + w][vis])


def test_face_completed_under_bangs_and_eyes(synthetic):
    (img, _, face, parts), layers = synthetic
    a = canvas_alpha(layers["Face"], img.size_px)
    bangs_on_forehead = parts.mask(PartLabel.FRONT_HAIR)[170:190, 200:310]
    assert bangs_on_forehead.mean() > 0.6
    assert (a[170:190, 200:310][bangs_on_forehead] == 255).all()
    for eye in (face.eye_l, face.eye_r):
        cx, cy = (int(v) for v in eye.center)
        assert (a[cy - 8 : cy + 8, cx - 15 : cx + 15] == 255).all()
    # completed skin is skin coloured, not hair or iris coloured
    la = layers["Face"]
    done = (la.image[..., 3] == 255) & ~la.visible_mask
    skin = np.array([250, 226, 212], np.float32)
    assert np.median(np.abs(la.image[done, :3].astype(np.float32) - skin).max(axis=1)) < 12


def test_back_hair_behind_face_and_eye_white_under_iris(synthetic):
    (img, _, face, parts), layers = synthetic
    hair = canvas_alpha(layers["BackHair"], img.size_px)
    fx, fy, fw, fh = (int(v) for v in face.face_box)
    assert (hair[fy + fh // 3 : fy + 2 * fh // 3, fx + fw // 4 : fx + 3 * fw // 4] == 255).all()
    for side in "LR":
        white = canvas_alpha(layers[f"EyeWhite{side}"], img.size_px)
        iris = parts.mask(PartLabel.IRIS_L if side == "L" else PartLabel.IRIS_R)
        assert (white[iris & (img.rgba[..., 3] == 255)] == 255).mean() > 0.97
        layer = layers[f"EyeWhite{side}"]
        done = (layer.image[..., 3] == 255) & ~layer.visible_mask
        assert layer.image[done, :3].min(axis=1).mean() > 200  # white, not iris blue


def test_iris_completed_to_ellipse_under_lash(synthetic):
    (img, _, face, parts), layers = synthetic
    for side in "LR":
        layer = layers[f"Iris{side}"]
        done = (layer.image[..., 3] == 255) & ~layer.visible_mask
        assert done.sum() > 20
        a = canvas_alpha(layer, img.size_px)
        lash = parts.mask(PartLabel.LASH_L if side == "L" else PartLabel.LASH_R)
        assert (a[lash] > 0).any()  # the iris continues under the lash


def test_completion_only_under_opaque_upper_layers(synthetic):
    (img, fg, _, parts), layers = synthetic
    order = {n: i for i, n in enumerate(LAYER_NAMES)}
    rank = np.full(parts.labels.shape, -1)
    for la in layers.values():
        if la.label is None:
            continue
        x0, y0 = int(la.origin_px[0]), int(la.origin_px[1])
        h, w = la.visible_mask.shape
        rank[y0 : y0 + h, x0 : x0 + w][la.visible_mask] = order[la.name]
    for la in layers.values():
        if la.label is None:
            continue
        x0, y0 = int(la.origin_px[0]), int(la.origin_px[1])
        h, w = la.visible_mask.shape
        done = (la.image[..., 3] > 0) & ~la.visible_mask
        assert (rank[y0 : y0 + h, x0 : x0 + w][done] > order[la.name]).all(), la.name
        assert (fg.alpha[y0 : y0 + h, x0 : x0 + w][done] > 0.97).all(), la.name


def test_synthesised_mouth_interior_and_lid_lines(synthetic):
    (img, _, face, _), layers = synthetic
    mouth = layers["MouthInterior"]
    h, w = mouth.image.shape[:2]
    mx, my, mw, _ = face.mouth_box
    assert 0.7 * mw <= w <= 1.2 * mw and 0.4 * w <= h <= 0.8 * w
    x0, y0 = mouth.origin_px
    assert x0 <= face.mouth_center[0] <= x0 + w and y0 <= face.mouth_center[1] <= y0 + h
    opaque = mouth.image[..., 3] == 255
    assert opaque.mean() > 0.5
    assert np.median(mouth.image[opaque, 0]) > np.median(mouth.image[opaque, 1]) + 40  # red
    for side in "LR":
        line = layers[f"LidLine{side}"]
        eye = face.eye_l if side == "L" else face.eye_r
        ex, ey, ew, eh = eye.box
        lh, lw = line.image.shape[:2]
        assert 0.9 * ew <= lw <= 1.4 * ew and lh < 0.5 * eh
        ys, xs = np.nonzero(line.image[..., 3] > 128)
        mean_y = line.origin_px[1] + ys.mean()
        assert ey + 0.55 * eh <= mean_y <= ey + 0.85 * eh  # about two thirds down the eye
        assert line.image[line.image[..., 3] > 128, :3].max() < 90  # lash coloured (dark)


def test_layers_are_deterministic_and_cancellable():
    inputs = synthetic_character(256)
    a = cut_layers(*inputs)
    b = cut_layers(*inputs)
    for x, y in zip(a, b):
        assert x.name == y.name and x.origin_px == y.origin_px
        np.testing.assert_array_equal(x.image, y.image)
    token = CancelToken()
    token.cancel()
    with pytest.raises(CancelledError):
        cut_layers(*inputs, cancel=token)


def test_lid_line_takes_the_lash_ink_not_its_pale_rim():
    """A lash label holding its anti-aliased rim and a pale stroke beside the ink (tadne_r5c3 R) gives
    the lid line the ink's colour: a plain median of the label is a pale brown that reads as a gap."""
    from inference.layers.eyelid import lash_ink

    rgb = np.full((8, 20, 3), 240, np.uint8)
    rgb[2:4] = (40, 25, 20)  # the lash's ink
    rgb[4:7] = (190, 160, 130)  # its rim and a pale stroke, labelled lash too: 60 % of the label
    lash = np.zeros((8, 20), bool)
    lash[2:7] = True
    ink = lash_ink(rgb, lash, (0, 0, 0))
    assert np.abs(ink - (40, 25, 20)).max() <= 1
    assert np.array_equal(lash_ink(rgb, np.zeros_like(lash), (9, 8, 7)), (9, 8, 7))

"""Anime foreground upgrade wired end to end with a tiny stand-in for isnetis.onnx.

The stand-in computes ``sigmoid(mean(RGB / 255))`` per pixel, so the matte of a known image is known
exactly; letterbox padding (zeros) would show as 0.5 if it leaked into the result.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from inference.models import cache
from inference.models.registry import REGISTRY
from inference.models.runtime import ModelContractError
from inference.segmentation import foreground_isnet as fi
from inference.types import LoadedImage
from rig.errors import ModelDownloadError
from tests.inference.models.tiny_onnx import tiny_isnet


def sigmoid(x: float) -> float:
    return float(1 / (1 + np.exp(-x)))


def loaded(rgb: np.ndarray) -> LoadedImage:
    alpha = np.full(rgb.shape[:2] + (1,), 255, np.uint8)
    return LoadedImage(rgba=np.concatenate([rgb, alpha], axis=2), source="test", has_alpha=False)


def two_halves(h: int, w: int) -> np.ndarray:
    """Left half pure red, right half white: tiny-model mattes sigmoid(1/3) and sigmoid(1)."""
    rgb = np.full((h, w, 3), 255, np.uint8)
    rgb[:, : w // 2] = (255, 0, 0)
    return rgb


def test_letterbox_wide_image():
    rgb = np.zeros((100, 400, 3), np.uint8)
    rgb[...] = (51, 102, 204)
    tensor, box = fi.letterbox(rgb, 1024)
    assert tensor.shape == (1, 3, 1024, 1024) and tensor.dtype == np.float32
    assert (box.top, box.left, box.height, box.width) == (384, 0, 256, 1024)
    content = tensor[0, :, 384:640, :]
    np.testing.assert_allclose(content[:, 0, 0], [0.2, 0.4, 0.8], atol=1e-6)  # RGB order, / 255
    assert np.all(content > 0) and tensor[0, :, :384].max() == 0 and tensor[0, :, 640:].max() == 0


def test_letterbox_tall_image_is_centred():
    _, box = fi.letterbox(two_halves(300, 150), 1024)
    assert (box.top, box.left, box.height, box.width) == (0, 256, 1024, 512)


def test_unletterbox_crops_then_resizes():
    mask = np.full((8, 8), 0.5, np.float32)
    mask[2:6, :] = np.linspace(0, 1, 8, dtype=np.float32)
    box = fi.Letterbox(top=2, left=0, height=4, width=8, size=8)
    out = fi.unletterbox(mask, box, 4, 8)
    np.testing.assert_array_equal(out, mask[2:6])
    big = fi.unletterbox(mask, box, 8, 16)
    assert big.shape == (8, 16) and big.min() == 0 and big.max() == 1


@pytest.mark.parametrize("shape", [(300, 150), (150, 300), (2000, 1200), (64, 64)])
def test_known_input_gives_expected_matte(tmp_path, shape):
    model = tiny_isnet(tmp_path / "isnetis.onnx")
    h, w = shape
    fg = fi.isnet_foreground(loaded(two_halves(h, w)), model)
    assert fg.method == "anime-seg isnetis"
    assert fg.alpha.shape == (h, w) and fg.alpha.dtype == np.float32
    left, right = fg.alpha[:, : w // 2 - 2], fg.alpha[:, w // 2 + 2 :]
    np.testing.assert_allclose(left, sigmoid(1 / 3), atol=2e-3)
    np.testing.assert_allclose(right, sigmoid(1.0), atol=2e-3)


def test_wrong_model_is_refused(tmp_path):
    model = tiny_isnet(tmp_path / "small.onnx", in_shape=(1, 3, 512, 512))
    with pytest.raises(ModelContractError, match="1024"):
        fi.isnet_foreground(loaded(two_halves(32, 32)), model)


def test_fallback_when_the_model_is_absent(tmp_path, monkeypatch):
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "empty"))
    img = loaded(two_halves(32, 32))
    assert fi.available() is False and fi.model_path() is None
    assert fi.try_isnet_foreground(img) is None
    with pytest.raises(ModelDownloadError, match="kirie models pull anime_seg_isnetis"):
        fi.isnet_foreground(img)
    with pytest.raises(ModelDownloadError, match="does not exist"):
        fi.isnet_foreground(img, tmp_path / "missing.onnx")


def test_used_from_the_cache_when_present(tmp_path, monkeypatch):
    root = tmp_path / "models"
    root.mkdir()
    model = tiny_isnet(root / "isnetis.onnx")
    monkeypatch.setenv(cache.CACHE_ENV, str(root))
    assert fi.available() is False  # wrong size: not the registered file
    spec = dataclasses.replace(REGISTRY["anime_seg_isnetis"], size_bytes=model.stat().st_size)
    monkeypatch.setitem(REGISTRY, "anime_seg_isnetis", spec)
    assert fi.available() is True and fi.model_path() == model
    fg = fi.try_isnet_foreground(loaded(two_halves(40, 20)))
    assert fg is not None and fg.method == "anime-seg isnetis"
    assert fg.alpha[5, 15] == pytest.approx(sigmoid(1.0), abs=2e-3)

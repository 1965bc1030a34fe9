"""The whole pipeline through the learned backends (tiny stand-ins), and auto's clean fallback."""

from __future__ import annotations

import json
import logging

import numpy as np
import pytest

from inference.backends import LearnedBackendError
from inference.layers.cut import LAYER_LABELS
from inference.load import load_image
from inference.models import cache
from inference.pipeline import generate
from tests.inference.learned.tiny_models import box_sam_decoder, const_lama, install, sam_encoder

pytestmark = pytest.mark.learned
COLOUR = np.array((51, 153, 102))


@pytest.fixture
def image(shared_data):
    return shared_data / "anime" / "crypko_00.png"


@pytest.fixture
def learned_cache(image, tmp_path, monkeypatch):
    h, w = load_image(image).rgba.shape[:2]
    root = tmp_path / "models"
    install(monkeypatch, root, "lama", const_lama(tmp_path / "l.onnx", tuple(COLOUR / 255)))
    install(monkeypatch, root, "mobile_sam_encoder", sam_encoder(tmp_path / "e.onnx"))
    install(monkeypatch, root, "mobile_sam_decoder", box_sam_decoder(tmp_path / "d.onnx", h, w))
    return root


def fill_pixels(result, rgb):
    """Per cut layer: (opaque pixels whose colour is not the input's) -> their colours."""
    out = {}
    for layer in result.rig.layers:
        if LAYER_LABELS.get(layer.name) is None:
            continue  # synthesised layers (mouth interior, lid line) are not cut from the input
        x0, y0 = (int(v) for v in layer.origin_px)
        hh, ww = layer.image.shape[:2]
        src = rgb[y0 : y0 + hh, x0 : x0 + ww]
        opaque = layer.image[..., 3] == 255
        differs = opaque & np.any(layer.image[..., :3] != src, axis=-1)
        out[layer.name] = layer.image[..., :3][differs].astype(int)
    return out


def test_learned_backends_land_in_their_stages(image, learned_cache):
    rgb = load_image(image).rgba[..., :3]
    result = generate(image, backend="learned", device="cpu")
    b = result.backends
    assert b["foreground"].backend == "classical" and "alpha" in b["foreground"].reason
    assert b["parts"].backend == "learned" and b["parts"].models == ("mobile_sam_encoder", "mobile_sam_decoder")
    assert b["completion"].backend == "learned" and b["completion"].provider == "CPUExecutionProvider"
    assert result.methods["parts"].endswith("+mobile-sam") and result.methods["completion"] == "lama"
    summary = json.loads(json.dumps(result.summary()))
    assert summary["backends"]["completion"]["models"] == ["lama"]
    fills = fill_pixels(result, rgb)
    painted = np.concatenate([c for c in fills.values() if len(c)])
    assert len(painted) > 1000  # face under the fringe, back hair, skin under eyes and mouth ...
    # with a learned inpainter the model paints every completed pixel: the classical detail passes (membrane
    # skin under eyes and mouth, strands under the side locks; inference.layers.cut) do not repaint it
    stray = {k: int((np.abs(v - COLOUR).max(-1) > 1).sum()) for k, v in fills.items() if len(v)}
    assert not any(stray.values()), f"completed pixels that are not the model's, per layer: {stray}"
    assert fills.get("Face") is not None and len(fills["Face"]) > 0


def test_auto_falls_back_when_a_model_is_corrupt(image, learned_cache, caplog):
    (learned_cache / "lama_fp32.onnx").write_bytes(b"\0" * (learned_cache / "lama_fp32.onnx").stat().st_size)
    with caplog.at_level(logging.WARNING, logger="inference.backends"):
        result = generate(image, backend="auto", device="cpu")
    assert result.backends["completion"].backend == "classical"
    assert "learned backend failed" in result.backends["completion"].reason
    assert result.backends["parts"].backend == "learned"  # the other stages keep their learned backend
    assert any("completion" in r.getMessage() for r in caplog.records)
    rgb = load_image(image).rgba[..., :3]
    painted = np.concatenate([c for c in fill_pixels(result, rgb).values() if len(c)])
    assert np.abs(painted - COLOUR).max() > 10  # TELEA filled it
    with pytest.raises(LearnedBackendError, match="kirie models pull lama"):
        generate(image, backend="learned", device="cpu")


def test_missing_models_auto_is_classical_learned_stops_early(image, tmp_path, monkeypatch):
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "empty"))
    result = generate(image, backend="auto")
    assert {k: v.backend for k, v in result.backends.items()} == {
        "foreground": "classical", "parts": "classical", "face_parsing": "classical", "completion": "classical",
        "depth": "classical"}
    assert "kirie models pull depth_anything_v2_small" in result.backends["depth"].reason
    assert "kirie models pull mobile_sam_encoder" in result.backends["parts"].reason
    with pytest.raises(LearnedBackendError, match="kirie models pull mobile_sam_encoder"):
        generate(image, backend="learned")

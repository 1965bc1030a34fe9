"""LaMa completion (inference.layers.inpaint_learned): crop -> 512² -> model -> back, blended into the hole only."""

from __future__ import annotations

import numpy as np
import pytest

from inference.layers import inpaint_learned as IL
from inference.layers.completion import Fill, fill_region
from inference.models.registry import get_model
from inference.models.runtime import ModelContractError, create_session
from tests.inference.learned.tiny_models import const_lama
from tests.inference.models.tiny_onnx import tiny_isnet

pytestmark = pytest.mark.learned
COLOUR = (51, 153, 102)


def painter(tmp_path, scale: float = 1.0) -> IL.LearnedInpainter:
    path = const_lama(tmp_path / f"lama{scale}.onnx", tuple(c / 255 * scale for c in COLOUR))
    return IL.LearnedInpainter(create_session(path, get_model("lama"), prefer_gpu=False))


def noisy(h, w, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


@pytest.mark.parametrize("shape", [(40, 90), (512, 512), (700, 300)])
@pytest.mark.parametrize("scale", [1.0, 255.0])  # model output in [0, 1] and in [0, 255]
def test_paint_fills_exactly_the_unknown_pixels(tmp_path, shape, scale):
    rgb = noisy(*shape)
    known = np.ones(shape, bool)
    known[shape[0] // 4 : shape[0] // 2, shape[1] // 3 : shape[1] // 2 + 5] = False
    out = painter(tmp_path, scale).paint(rgb, known)
    assert out.shape == (*shape, 3) and out.dtype == np.float32
    np.testing.assert_array_equal(out[known], rgb[known].astype(np.float32))  # untouched outside the hole
    np.testing.assert_allclose(out[~known], np.broadcast_to(COLOUR, ((~known).sum(), 3)), atol=0.6)


def test_fill_region_uses_the_active_inpainter_only_inside_the_with(tmp_path):
    rgb = noisy(200, 160, 1)
    source = np.zeros((200, 160), bool)
    source[20:180, 20:140] = True
    target = np.zeros_like(source)
    target[60:120, 50:110] = True
    source &= ~target
    p = painter(tmp_path)
    with IL.using(p):
        assert IL.active() is p
        colours = fill_region(rgb, source, target, Fill(64, 30.0, 0.8), (0, 0, 0))
    assert IL.active() is None and p.calls == 1
    assert colours.shape == (target.sum(), 3)
    assert np.all(np.abs(colours.astype(int) - COLOUR) <= 1)
    classical = fill_region(rgb, source, target, Fill(64, 30.0, 0.8), (0, 0, 0))
    assert np.abs(classical.astype(int) - COLOUR).max() > 10  # TELEA + median blend, not the model's fill


def test_wrong_file_is_refused(tmp_path):
    path = tiny_isnet(tmp_path / "lama_fp32.onnx")
    with pytest.raises(ModelContractError):
        IL.load_lama(path, prefer_gpu=False)

"""MI-GAN completion (inference.layers.inpaint_learned, kind "migan"): its uint8 / 255-known contract,
the same crop -> 512² -> back -> blend path as LaMa, auto's choice of it on a CPU, and the pipeline."""

from __future__ import annotations

import numpy as np
import pytest

from inference import backends as B
from inference.layers import inpaint_learned as IL
from inference.load import load_image
from inference.models.registry import get_model
from inference.models.runtime import ModelContractError, create_session
from inference.pipeline import generate
from tests.inference.learned.test_pipeline_learned import fill_pixels
from tests.inference.learned.tiny_models import const_lama, const_migan, install

pytestmark = pytest.mark.learned
COLOUR = (204, 51, 153)


def noisy(h, w, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


@pytest.fixture
def migan_painter(tmp_path):
    path = const_migan(tmp_path / "migan.onnx", COLOUR)
    return IL.LearnedInpainter(create_session(path, get_model("migan"), prefer_gpu=False), kind="migan")


@pytest.mark.parametrize("shape", [(40, 90), (512, 512), (700, 300)])
def test_paint_fills_exactly_the_unknown_pixels(migan_painter, shape):
    rgb = noisy(*shape)
    known = np.ones(shape, bool)
    known[shape[0] // 4 : shape[0] // 2, shape[1] // 3 : shape[1] // 2 + 5] = False
    out = migan_painter.paint(rgb, known)
    assert out.shape == (*shape, 3) and out.dtype == np.float32
    np.testing.assert_array_equal(out[known], rgb[known].astype(np.float32))
    # the stand-in composites like the real pipeline: with the mask's polarity wrong the hole would
    # come back as the input's noise, not the model's colour
    hole = out[~known]
    interior = np.zeros(shape, bool)
    interior[shape[0] // 4 + 3 : shape[0] // 2 - 3, shape[1] // 3 + 3 : shape[1] // 2 + 2] = True
    np.testing.assert_allclose(out[interior], np.broadcast_to(COLOUR, (interior.sum(), 3)), atol=1.0)
    assert float(np.abs(hole - COLOUR).max(-1).mean()) < 20.0  # the rim mixes with known pixels when resized


def test_contract_is_checked_at_load(tmp_path):
    lama_like = const_lama(tmp_path / "migan_pipeline_v2.onnx", (0.2, 0.4, 0.6))
    with pytest.raises(ModelContractError, match="type"):
        IL.load_inpainter("migan", lama_like, prefer_gpu=False)
    with pytest.raises(ValueError, match="not an inpainting model"):
        IL.load_inpainter("mobile_sam_encoder", lama_like)


@pytest.fixture
def migan_cached(tmp_path, monkeypatch):
    return install(monkeypatch, tmp_path / "models", "migan", const_migan(tmp_path / "m.onnx", COLOUR))


def test_auto_on_a_cpu_takes_migan(migan_cached, tmp_path, monkeypatch):
    if B.cuda_available():
        pytest.skip("CUDA present: auto prefers LaMa on the GPU")
    got = B.resolve("completion", B.BackendChoice("auto", "auto"))
    assert got.backend == "learned" and got.models == ("migan",) and got.provider == B.CPU
    # with LaMa cached too, auto still takes MI-GAN on a CPU; --device cpu keeps LaMa first
    install(monkeypatch, tmp_path / "models", "lama", const_lama(tmp_path / "l.onnx", (0.2, 0.6, 0.4)))
    assert B.resolve("completion", B.BackendChoice("auto", "auto")).models == ("migan",)
    assert B.resolve("completion", B.BackendChoice("learned", "auto")).models == ("migan",)
    assert B.resolve("completion", B.BackendChoice("auto", "cpu")).models == ("lama",)


def test_lama_only_on_a_cpu_names_migan_as_the_fast_choice(tmp_path, monkeypatch):
    if B.cuda_available():
        pytest.skip("CUDA present")
    install(monkeypatch, tmp_path / "models", "lama", const_lama(tmp_path / "l.onnx", (0.2, 0.6, 0.4)))
    got = B.resolve("completion", B.BackendChoice("auto", "auto"))
    assert got.backend == "classical" and "kirie models pull migan" in got.reason


def test_pipeline_completes_with_migan(shared_data, migan_cached):
    image = shared_data / "anime" / "crypko_00.png"
    rgb = load_image(image).rgba[..., :3]
    result = generate(image, backend="auto", device="auto" if not B.cuda_available() else "cpu")
    used = result.backends["completion"]
    assert used.backend == "learned" and used.models == ("migan",)
    assert result.methods["completion"] == "migan"
    painted = np.concatenate([c for c in fill_pixels(result, rgb).values() if len(c)])
    stray = int((np.abs(painted - COLOUR).max(-1) > 1).sum())
    # MI-GAN paints every completed pixel; no classical detail pass repaints it (inference.layers.cut)
    assert len(painted) > 1000 and stray == 0, f"{stray} of {len(painted)} completed pixels are not MI-GAN's"

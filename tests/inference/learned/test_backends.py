"""Backend choice per stage (inference.backends): classical / learned / auto, device auto / cpu / cuda."""

from __future__ import annotations

import pytest

from inference import backends as B
from inference.models import cache
from tests.inference.learned.tiny_models import const_lama, install

pytestmark = pytest.mark.learned


@pytest.fixture
def empty_cache(tmp_path, monkeypatch):
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "empty"))


@pytest.fixture
def lama_cached(tmp_path, monkeypatch):
    return install(monkeypatch, tmp_path / "models", "lama", const_lama(tmp_path / "l.onnx", (0.2, 0.6, 0.4)))


def test_choice_is_validated():
    with pytest.raises(ValueError, match="unknown backend"):
        B.BackendChoice("gpu")
    with pytest.raises(ValueError, match="unknown device"):
        B.BackendChoice("auto", "tpu")
    assert B.BackendChoice("auto", "cpu").prefer_gpu is False


def test_classical_never_looks_at_models(lama_cached):
    got = B.resolve("completion", B.BackendChoice("classical"))
    assert got.backend == "classical" and got.models == ()


def test_missing_model_auto_falls_back_learned_stops_with_pull_line(empty_cache):
    got = B.resolve("completion", B.BackendChoice("auto"))
    assert got.backend == "classical" and "kirie models pull lama" in got.reason
    with pytest.raises(B.LearnedBackendError, match="kirie models pull lama"):
        B.resolve("completion", B.BackendChoice("learned"))
    with pytest.raises(B.LearnedBackendError, match="kirie models pull mobile_sam_encoder"):
        B.resolve("parts", B.BackendChoice("learned"))


def test_auto_keeps_slow_models_off_the_cpu_unless_asked(lama_cached):
    if B.cuda_available():
        pytest.skip("CUDA present: auto takes LaMa on the GPU")
    auto = B.resolve("completion", B.BackendChoice("auto", "auto"))
    assert auto.backend == "classical" and "CUDA" in auto.reason
    forced = B.resolve("completion", B.BackendChoice("auto", "cpu"))
    assert forced.backend == "learned" and forced.provider == B.CPU and forced.models == ("lama",)
    strict = B.resolve("completion", B.BackendChoice("learned"))
    assert strict.backend == "learned" and strict.provider == B.CPU


def test_cuda_requested_without_cuda(lama_cached):
    if B.cuda_available():
        pytest.skip("CUDA present")
    assert B.resolve("completion", B.BackendChoice("auto", "cuda")).backend == "classical"
    with pytest.raises(B.LearnedBackendError, match="onnxruntime-gpu"):
        B.resolve("completion", B.BackendChoice("learned", "cuda"))


def test_run_stage_falls_back_in_auto_and_raises_in_learned(lama_cached):
    chosen = B.StageBackend("completion", "learned", ("lama",), B.CPU, "test")

    def broken():
        raise RuntimeError("protobuf parsing failed")

    out, used = B.run_stage(chosen, B.BackendChoice("auto"), broken, lambda: "classical")
    assert out == "classical" and used.backend == "classical" and "protobuf" in used.reason
    with pytest.raises(B.LearnedBackendError, match="kirie models pull lama"):
        B.run_stage(chosen, B.BackendChoice("learned"), broken, lambda: "classical")
    out, used = B.run_stage(chosen, B.BackendChoice("learned"), lambda: "learned", lambda: "classical")
    assert out == "learned" and used is chosen

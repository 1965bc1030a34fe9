"""The model registry: complete, pinned entries; the two MediaPipe files match the shared copies."""

from __future__ import annotations

import re

import pytest

from inference.models.download import cached_model, sha256_file
from inference.models.registry import REGISTRY, get_model, hf_url

HEX64 = re.compile(r"^[0-9a-f]{64}$")


def test_required_entries_present():
    assert {"face_landmarker", "selfie_segmentation", "anime_seg_isnetis", "lama"} <= set(REGISTRY)


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_entry_is_complete_and_pinned(name):
    spec = REGISTRY[name]
    assert spec.name == name
    if spec.pinned:
        assert HEX64.match(spec.sha256), spec.sha256
    else:  # "pin on first download": the reason is written down, and the size is the host's rounded one
        assert spec.pin_note and not spec.size_exact
    assert spec.size_bytes > 0
    assert spec.url.startswith("https://")
    assert spec.licence.spdx in ("Apache-2.0", "MIT") and spec.licence.url.startswith("https://")
    assert spec.runtime in ("onnxruntime", "mediapipe")
    assert spec.inputs and spec.outputs
    assert all(t.role and t.shape for t in spec.inputs + spec.outputs)
    if spec.hf_repo is not None:
        assert spec.url == hf_url(spec.hf_repo, spec.hf_file, spec.hf_revision)
        assert spec.url.endswith("/" + spec.hf_file)


def test_catalogue_values():
    lama = REGISTRY["lama"]
    assert "/resolve/a3ee2fca54baebec351b8fa7786154ffa7555aa6/lama_fp32.onnx" in lama.url
    assert (lama.size_bytes, lama.sha256[:8]) == (208_044_816, "1faef530")
    isnet = REGISTRY["anime_seg_isnetis"]
    assert (isnet.size_bytes, isnet.sha256[:8]) == (176_069_933, "f15622d8")
    assert isnet.inputs[0].shape == (1, 3, 1024, 1024) and isnet.outputs[0].shape == (1, 1, 1024, 1024)


@pytest.mark.parametrize("name", ["face_landmarker", "selfie_segmentation"])
def test_mediapipe_entries_match_the_shared_files(shared_models, name):
    spec = REGISTRY[name]
    path = shared_models / spec.filename
    if not path.is_file():
        pytest.skip(f"{path} not present")
    assert path.stat().st_size == spec.size_bytes
    assert sha256_file(path) == spec.sha256


def test_cached_model_uses_the_cache_env(shared_models, monkeypatch):
    monkeypatch.setenv("KIRIE_MODEL_CACHE", str(shared_models))
    monkeypatch.setenv("KIRIE_SHIPPED_MODELS", "0")  # the shipped copy would be found first
    if not (shared_models / "face_landmarker.task").is_file():
        pytest.skip("face_landmarker.task not in the shared models")
    assert cached_model("face_landmarker") == shared_models / "face_landmarker.task"
    assert cached_model("lama") is None


def test_unknown_model_names_the_known_ones():
    with pytest.raises(KeyError, match="anime_seg_isnetis"):
        get_model("nope")


def test_learned_entries_say_what_they_must_before_download():
    from inference.models.download import describe

    assert {"migan", "depth_anything_v2_small", "bisenet_face_parsing"} <= set(REGISTRY)
    migan, depth, bisenet = REGISTRY["migan"], REGISTRY["depth_anything_v2_small"], REGISTRY["bisenet_face_parsing"]
    assert migan.licence.spdx == "MIT" and migan.url.startswith("https://huggingface.co/andraniksargsyan/migan/")
    assert [t.dtype for t in migan.inputs + migan.outputs] == ["uint8"] * 3
    assert [t.name for t in migan.inputs + migan.outputs] == ["image", "mask", "result"]
    assert depth.licence.spdx == "Apache-2.0" and "CC-BY-NC-4.0" in depth.notes
    assert not migan.pinned and not depth.pinned and bisenet.pinned
    text = describe(bisenet)
    assert "NON-COMMERCIAL" in text and "CelebAMask-HQ" in text and bisenet.sha256 in text
    assert "NOT PINNED" in describe(migan) and "Places2" in describe(migan)

"""onnxruntime session factory: provider choice, names read from the model, contract check."""

from __future__ import annotations

import numpy as np
import pytest

from inference.models.registry import REGISTRY
from inference.models.runtime import CPU, CUDA, ModelContractError, choose_providers, create_session
from tests.inference.models.tiny_onnx import tiny_isnet, tiny_lama

ISNET = REGISTRY["anime_seg_isnetis"]


def test_choose_providers():
    assert choose_providers([CUDA, CPU]) == [CUDA, CPU]
    assert choose_providers([CUDA, CPU], prefer_gpu=False) == [CPU]
    assert choose_providers(["AzureExecutionProvider", CPU]) == [CPU]


def test_loads_matching_model_and_runs_by_role(tmp_path):
    model = create_session(tiny_isnet(tmp_path / "m.onnx"), ISNET)
    assert model.input_names == {"image": "img"} and model.output_names == {"mask": "mask"}
    assert model.provider in (CPU, CUDA)
    x = np.zeros((1, 3, 1024, 1024), np.float32)
    x[0, :, 0, 0] = [0.3, 0.6, 0.9]
    out = model.run({"image": x})["mask"]
    assert out.shape == (1, 1, 1024, 1024)
    assert out[0, 0, 0, 0] == pytest.approx(1 / (1 + np.exp(-0.6)), abs=1e-6)
    assert out[0, 0, 5, 5] == pytest.approx(0.5, abs=1e-7)


def test_names_are_read_from_the_model(tmp_path):
    model = create_session(tiny_isnet(tmp_path / "m.onnx", in_name="input", out_name="output"), ISNET)
    assert model.input_names == {"image": "input"} and model.output_names == {"mask": "output"}


def test_binding_prefers_names_over_order(tmp_path):
    model = create_session(tiny_lama(tmp_path / "lama.onnx"), REGISTRY["lama"])
    assert model.input_names == {"image": "image", "mask": "mask"}
    image = np.full((1, 3, 512, 512), 0.25, np.float32)
    mask = np.zeros((1, 1, 512, 512), np.float32)
    mask[..., :10, :10] = 1.0
    out = model.run({"image": image, "mask": mask})["image"]
    assert out[0, 2, 0, 0] == pytest.approx(1.25) and out[0, 2, 100, 100] == pytest.approx(0.25)


def test_dynamic_dimensions_are_accepted(tmp_path):
    path = tiny_isnet(tmp_path / "dyn.onnx", in_shape=("N", 3, "H", "W"))
    assert create_session(path, ISNET).input_names == {"image": "img"}


def test_wrong_input_shape_is_refused_clearly(tmp_path):
    path = tiny_isnet(tmp_path / "small.onnx", in_shape=(1, 3, 512, 512))
    with pytest.raises(
        ModelContractError, match=r"input 'img' \(image\) has shape \[1, 3, 512, 512\].*\[1, 3, 1024, 1024\]"
    ):
        create_session(path, ISNET)


def test_wrong_output_shape_is_refused(tmp_path):
    path = tiny_isnet(tmp_path / "bad_out.onnx", keepdims=False)
    with pytest.raises(ModelContractError, match=r"output 'mask' \(mask\) has shape \[1, 1024, 1024\]"):
        create_session(path, ISNET)


def test_wrong_tensor_count_is_refused(tmp_path):
    with pytest.raises(ModelContractError, match="has 2 inputs"):
        create_session(tiny_lama(tmp_path / "lama.onnx"), ISNET)


def test_unloadable_file_is_a_contract_error(tmp_path):
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"not an onnx file")
    with pytest.raises(ModelContractError, match="could not be loaded"):
        create_session(bad, ISNET)


def test_mediapipe_models_are_not_onnx(tmp_path):
    with pytest.raises(ModelContractError, match="mediapipe"):
        create_session(tiny_isnet(tmp_path / "m.onnx"), REGISTRY["selfie_segmentation"])

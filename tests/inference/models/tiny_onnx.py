"""Tiny ONNX graphs with the real models' tensor names and shapes, whose outputs are known exactly.

The real weights (176-208 MB) are never downloaded in tests; these stand in for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import onnx
from onnx import TensorProto, helper

OPSET = 17
IR_VERSION = 8


def _save(graph: onnx.GraphProto, path: Path) -> Path:
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


def tiny_isnet(
    path: Path,
    in_shape: Sequence[int | str] = (1, 3, 1024, 1024),
    out_shape: Sequence[int | str] | None = None,
    in_name: str = "img",
    out_name: str = "mask",
    keepdims: bool = True,
) -> Path:
    """``mask = sigmoid(mean over channels of img)``: (1, 3, S, S) -> (1, 1, S, S), like isnetis.onnx.

    ``keepdims=False`` drops the channel axis: (1, S, S), a contract violation.
    """
    if out_shape is None:
        out_shape = (
            (in_shape[0], 1, in_shape[2], in_shape[3])
            if keepdims
            else (in_shape[0], in_shape[2], in_shape[3])
        )
    x = helper.make_tensor_value_info(in_name, TensorProto.FLOAT, list(in_shape))
    y = helper.make_tensor_value_info(out_name, TensorProto.FLOAT, list(out_shape))
    nodes = [
        helper.make_node("ReduceMean", [in_name], ["channel_mean"], axes=[1], keepdims=int(keepdims)),
        helper.make_node("Sigmoid", ["channel_mean"], [out_name]),
    ]
    return _save(helper.make_graph(nodes, "tiny_isnet", [x], [y]), path)


def tiny_lama(path: Path, size: int = 512) -> Path:
    """``out = image + mask`` with the inputs declared in the order (mask, image), LaMa's names."""
    mask = helper.make_tensor_value_info("mask", TensorProto.FLOAT, [1, 1, size, size])
    image = helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, size, size])
    out = helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 3, size, size])
    nodes = [helper.make_node("Add", ["image", "mask"], ["output"])]
    return _save(helper.make_graph(nodes, "tiny_lama", [mask, image], [out]), path)

"""Tiny ONNX stand-ins with the tensor contracts of LaMa and MobileSAM, whose outputs are known exactly,
and a helper that puts them in a temporary model cache under their registry names."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from inference.models import cache
from inference.models.registry import REGISTRY

OPSET = 17


def _save(graph: onnx.GraphProto, path: Path) -> Path:
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


def _const(name: str, value: np.ndarray) -> onnx.NodeProto:
    return helper.make_node("Constant", [], [name], value=numpy_helper.from_array(np.asarray(value), name + "_v"))


def const_lama(path: Path, colour: tuple[float, float, float], size: int = 512) -> Path:
    """LaMa's contract (inputs ``image`` 1×3×S×S, ``mask`` 1×1×S×S; output 1×3×S×S) returning
    ``colour`` everywhere (give it in [0, 1] or in [0, 255]: both output ranges are published)."""
    image = helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, size, size])
    mask = helper.make_tensor_value_info("mask", TensorProto.FLOAT, [1, 1, size, size])
    out = helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 3, size, size])
    nodes = [
        _const("zero", np.zeros((), np.float32)),
        _const("colour", np.asarray(colour, np.float32).reshape(1, 3, 1, 1)),
        helper.make_node("Mul", ["image", "zero"], ["i0"]),
        helper.make_node("Mul", ["mask", "zero"], ["m0"]),
        helper.make_node("Add", ["i0", "m0"], ["z"]),
        helper.make_node("Add", ["z", "colour"], ["output"]),
    ]
    return _save(helper.make_graph(nodes, "const_lama", [image, mask], [out]), path)


def sam_encoder(path: Path) -> Path:
    """MobileSAM encoder contract: ``input_image`` (h, w, 3) -> ``image_embeddings`` 1×256×64×64 (mean)."""
    x = helper.make_tensor_value_info("input_image", TensorProto.FLOAT, ["h", "w", 3])
    y = helper.make_tensor_value_info("image_embeddings", TensorProto.FLOAT, [1, 256, 64, 64])
    nodes = [
        _const("shape", np.array([1, 256, 64, 64], np.int64)),
        helper.make_node("ReduceMean", ["input_image"], ["m"], keepdims=0),
        helper.make_node("Expand", ["m", "shape"], ["image_embeddings"]),
    ]
    return _save(helper.make_graph(nodes, "tiny_sam_encoder", [x], [y]), path)


def box_sam_decoder(path: Path, h: int, w: int, iou: float = 0.95) -> Path:
    """SAM decoder contract; ``masks`` logits = signed distance (1024-frame px) inside the box given by
    the first two points (Kirie puts the box corners first), so the mask is exactly the prompt box."""
    from inference.segmentation.parts_sam import resized_shape

    newh, neww = resized_shape(h, w)
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    gx = (xs * neww / w).reshape(1, 1, h, w)
    gy = (ys * newh / h).reshape(1, 1, h, w)
    ins = [
        helper.make_tensor_value_info("image_embeddings", TensorProto.FLOAT, [1, 256, 64, 64]),
        helper.make_tensor_value_info("point_coords", TensorProto.FLOAT, [1, "n", 2]),
        helper.make_tensor_value_info("point_labels", TensorProto.FLOAT, [1, "n"]),
        helper.make_tensor_value_info("mask_input", TensorProto.FLOAT, [1, 1, 256, 256]),
        helper.make_tensor_value_info("has_mask_input", TensorProto.FLOAT, [1]),
        helper.make_tensor_value_info("orig_im_size", TensorProto.FLOAT, [2]),
    ]
    outs = [
        helper.make_tensor_value_info("masks", TensorProto.FLOAT, [1, 1, h, w]),
        helper.make_tensor_value_info("iou_predictions", TensorProto.FLOAT, [1, 1]),
        helper.make_tensor_value_info("low_res_masks", TensorProto.FLOAT, [1, 1, 256, 256]),
    ]
    nodes = [
        _const("gx", gx), _const("gy", gy),
        _const("i0", np.array(0, np.int64)), _const("i1", np.array(1, np.int64)),
        helper.make_node("Gather", ["point_coords", "i0"], ["c0"], axis=1),  # (1, 2) top-left
        helper.make_node("Gather", ["point_coords", "i1"], ["c1"], axis=1),  # (1, 2) bottom-right
        helper.make_node("Gather", ["c0", "i0"], ["x0"], axis=1),
        helper.make_node("Gather", ["c0", "i1"], ["y0"], axis=1),
        helper.make_node("Gather", ["c1", "i0"], ["x1"], axis=1),
        helper.make_node("Gather", ["c1", "i1"], ["y1"], axis=1),
        helper.make_node("Sub", ["gx", "x0"], ["dx0"]), helper.make_node("Sub", ["x1", "gx"], ["dx1"]),
        helper.make_node("Sub", ["gy", "y0"], ["dy0"]), helper.make_node("Sub", ["y1", "gy"], ["dy1"]),
        helper.make_node("Min", ["dx0", "dx1", "dy0", "dy1"], ["masks"]),
        _const("iou_predictions", np.full((1, 1), iou, np.float32)),
        _const("low_res_masks", np.zeros((1, 1, 256, 256), np.float32)),
    ]
    return _save(helper.make_graph(nodes, "box_sam_decoder", ins, outs), path)


def install(monkeypatch, root: Path, name: str, path: Path) -> Path:
    """Make ``path`` the cached file of registry model ``name`` in a cache at ``root`` (size re-pinned)."""
    root.mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv(cache.CACHE_ENV, str(root))
    spec = REGISTRY[name]
    target = root / spec.filename
    if path != target:
        target.write_bytes(path.read_bytes())
    monkeypatch.setitem(REGISTRY, name, dataclasses.replace(spec, size_bytes=target.stat().st_size))
    return target

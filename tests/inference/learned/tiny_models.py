"""Tiny ONNX stand-ins with the tensor contracts of LaMa, MI-GAN, MobileSAM, Depth Anything V2 and BiSeNet,
whose outputs are known exactly, and a helper that puts them in a temporary model cache under their
registry names."""

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


def const_migan(path: Path, colour: tuple[int, int, int]) -> Path:
    """MI-GAN pipeline contract (``image`` uint8 N×3×H×W, ``mask`` uint8 N×1×H×W with 255 = known;
    output ``result`` uint8): like the real pipeline it composites, keeping known pixels and putting
    ``colour`` (0-255) in the hole, so a mask of the wrong polarity shows at once."""
    dims = ["n", "h", "w"]
    image = helper.make_tensor_value_info("image", TensorProto.UINT8, [dims[0], 3, dims[1], dims[2]])
    mask = helper.make_tensor_value_info("mask", TensorProto.UINT8, [dims[0], 1, dims[1], dims[2]])
    out = helper.make_tensor_value_info("result", TensorProto.UINT8, [dims[0], 3, dims[1], dims[2]])
    nodes = [
        _const("k255", np.array(255.0, np.float32)),
        _const("one", np.array(1.0, np.float32)),
        _const("colour", np.asarray(colour, np.float32).reshape(1, 3, 1, 1)),
        helper.make_node("Cast", ["image"], ["imf"], to=TensorProto.FLOAT),
        helper.make_node("Cast", ["mask"], ["mf"], to=TensorProto.FLOAT),
        helper.make_node("Div", ["mf", "k255"], ["m"]),
        helper.make_node("Sub", ["one", "m"], ["hole"]),
        helper.make_node("Mul", ["imf", "m"], ["keep"]),
        helper.make_node("Mul", ["colour", "hole"], ["fill"]),
        helper.make_node("Add", ["keep", "fill"], ["sum"]),
        helper.make_node("Cast", ["sum"], ["result"], to=TensorProto.UINT8),
    ]
    return _save(helper.make_graph(nodes, "const_migan", [image, mask], [out]), path)


def depth_map(path: Path, depth: np.ndarray) -> Path:
    """Depth Anything V2 contract (``pixel_values`` N×3×H×W float32 -> ``predicted_depth`` N×H×W) that
    returns the known map ``depth`` (h0, w0), bilinearly resized to the input's H×W."""
    x = helper.make_tensor_value_info("pixel_values", TensorProto.FLOAT, ["n", 3, "h", "w"])
    y = helper.make_tensor_value_info("predicted_depth", TensorProto.FLOAT, ["n", "h", "w"])
    nodes = [
        _const("d", np.asarray(depth, np.float32)[None, None]),
        _const("s2", np.array([2], np.int64)), _const("s4", np.array([4], np.int64)),
        _const("ones", np.array([1, 1], np.int64)), _const("ax1", np.array([1], np.int64)),
        helper.make_node("Shape", ["pixel_values"], ["shape"]),
        helper.make_node("Slice", ["shape", "s2", "s4"], ["hw"]),
        helper.make_node("Concat", ["ones", "hw"], ["sizes"], axis=0),
        helper.make_node("Resize", ["d", "", "", "sizes"], ["big"], mode="linear"),
        helper.make_node("Squeeze", ["big", "ax1"], ["predicted_depth"]),
    ]
    return _save(helper.make_graph(nodes, "depth_map", [x], [y]), path)


def bisenet_classes(path: Path, classes: np.ndarray, aux_heads: bool = False) -> Path:
    """BiSeNet contract (``input`` 1×3×512×512 -> ``output`` 1×19×512×512 logits) whose argmax is the
    known (16, 16) class grid ``classes`` upsampled ×32 (nearest), with softmax ≈ 0.999 for that class.
    ``aux_heads``: also the two auxiliary outputs (zeros) that a plain export of the model keeps."""
    onehot = np.zeros((1, 19, 16, 16), np.float32)
    for c in range(19):
        onehot[0, c][classes == c] = 10.0
    x = helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 512, 512])
    y = helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 19, 512, 512])
    nodes = [
        _const("z", onehot),
        _const("scales", np.array([1, 1, 32, 32], np.float32)),
        _const("zero", np.zeros((), np.float32)),
        helper.make_node("ReduceMean", ["input"], ["m"], keepdims=0),
        helper.make_node("Mul", ["m", "zero"], ["m0"]),
        helper.make_node("Resize", ["z", "", "scales"], ["big"], mode="nearest"),
        helper.make_node("Add", ["big", "m0"], ["output"]),
    ]
    outs = [y]
    if aux_heads:
        for name in ("onnx::Aux16", "onnx::Aux32"):
            nodes.append(helper.make_node("Mul", ["output", "zero"], [name]))
            outs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, [1, 19, 512, 512]))
    return _save(helper.make_graph(nodes, "bisenet_classes", [x], outs), path)


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
    monkeypatch.setitem(REGISTRY, name, dataclasses.replace(spec, size_bytes=target.stat().st_size, size_exact=True))
    return target

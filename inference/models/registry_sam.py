"""Registry entries of MobileSAM (ONNX export ``Acly/MobileSAM``; models.md §2.2–2.3).

The encoder/decoder split and tensor names follow the official SAM ONNX exporter
(``facebookresearch/segment-anything : segment_anything/utils/onnx.py``, ``SamOnnxModel``; output names
``masks``, ``iou_predictions``, ``low_res_masks`` in ``scripts/export_onnx_model.py``) and the
encoder-with-preprocessing graph of ``Acly/MobileSAM`` (input ``input_image`` H×W×3 float32 RGB 0–255,
longest side already 1024; the graph normalises with SAM's pixel mean/std and pads to 1024²).
Pre/post-processing in Kirie: :mod:`inference.segmentation.parts_sam`.
"""

from __future__ import annotations

from inference.models.spec import APACHE_2_0_URL, Licence, ModelSpec, TensorSpec, hf_url

SAM_REPO = "Acly/MobileSAM"
SAM_REVISION = "main"  # no revision pinned in models.md; the sha256 pins the bytes
_LICENCE = Licence("Apache-2.0", APACHE_2_0_URL)  # weights: ChaoningZhang/MobileSAM (Apache-2.0); export MIT

MOBILE_SAM_ENCODER = ModelSpec(
    name="mobile_sam_encoder",
    purpose="promptable part masks, image encoder (MobileSAM TinyViT; run once per image)",
    filename="mobile_sam_image_encoder.onnx",
    url=hf_url(SAM_REPO, "mobile_sam_image_encoder.onnx", SAM_REVISION),
    size_bytes=28_157_093,
    sha256="580f5fb648ea1062c0aabc26217aed56921985f03f0cbbd852bba81d760cc749",
    licence=_LICENCE,
    homepage="https://github.com/ChaoningZhang/MobileSAM",
    source=f"Hugging Face {SAM_REPO}, file mobile_sam_image_encoder.onnx (export of ChaoningZhang/MobileSAM)",
    runtime="onnxruntime",
    inputs=(
        TensorSpec("image", (None, None, 3), "float32", "HWC RGB, longest side 1024", "0-255", "input_image"),
    ),
    outputs=(TensorSpec("embeddings", (1, 256, 64, 64), "float32", "NCHW", "SAM image embedding",
                        "image_embeddings"),),
    hf_repo=SAM_REPO,
    hf_file="mobile_sam_image_encoder.onnx",
    hf_revision=SAM_REVISION,
)

MOBILE_SAM_DECODER = ModelSpec(
    name="mobile_sam_decoder",
    purpose="promptable part masks, prompt decoder (SAM mask decoder, single mask; run once per prompt)",
    filename="sam_mask_decoder_single.onnx",
    url=hf_url(SAM_REPO, "sam_mask_decoder_single.onnx", SAM_REVISION),
    size_bytes=16_501_323,
    sha256="93915fc7c993ab9d59ab8c9ccd3bce37f7509c81ab4150a74abd4d2abbd8570d",
    licence=_LICENCE,
    homepage="https://github.com/ChaoningZhang/MobileSAM",
    source=f"Hugging Face {SAM_REPO}, file sam_mask_decoder_single.onnx (SAM ONNX decoder interface)",
    runtime="onnxruntime",
    inputs=(
        TensorSpec("embeddings", (1, 256, 64, 64), "float32", "NCHW", "from the encoder", "image_embeddings"),
        TensorSpec("point_coords", (1, None, 2), "float32", "(x, y) in the resized 1024 frame",
                   "px; a box is two points labelled 2 and 3", "point_coords"),
        TensorSpec("point_labels", (1, None), "float32", "per point",
                   "1 object, 0 background, 2/3 box corners, -1 padding", "point_labels"),
        TensorSpec("mask_input", (1, 1, 256, 256), "float32", "NCHW", "previous low-res logits or 0",
                   "mask_input"),
        TensorSpec("has_mask_input", (1,), "float32", "", "0 or 1", "has_mask_input"),
        TensorSpec("orig_im_size", (2,), "float32", "(h, w)", "original image px", "orig_im_size"),
    ),
    outputs=(
        TensorSpec("masks", (None, None, None, None), "float32", "1×1×H×W at orig_im_size",
                   "logits; > 0 = object", "masks"),
        TensorSpec("iou", (None, None), "float32", "1×1", "predicted IoU in [0, 1]", "iou_predictions"),
        TensorSpec("low_res", (None, None, 256, 256), "float32", "NCHW", "logits", "low_res_masks"),
    ),
    hf_repo=SAM_REPO,
    hf_file="sam_mask_decoder_single.onnx",
    hf_revision=SAM_REVISION,
)

SAM_MODELS = (MOBILE_SAM_ENCODER, MOBILE_SAM_DECODER)

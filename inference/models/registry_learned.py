"""Registry entries of MI-GAN (completion), Depth Anything V2 Small (depth) and BiSeNet face parsing (parts).

Sources, read with the project's search tool (no network here):

- **MI-GAN** (``Picsart-AI-Research/MI-GAN``, ICCV 2023). Licence: the repository's ``LICENSE-WEIGHTS``
  is the MIT licence, "Copyright (c) 2024 Picsart AI Research (PAIR)", covering the weights. The README
  ("For Developers") links the pre-converted pipeline ``https://huggingface.co/andraniksargsyan/migan/
  resolve/main/migan_pipeline_v2.onnx`` (the first author's Hub account) and documents its contract:
  ``image`` uint8 RGB, ``mask`` uint8 with 255 = known and 0 = hole (binary), output ``result`` uint8;
  ``scripts/create_onnx_pipeline.py`` exports ``(N, 3, H, W)`` / ``(N, 1, H, W)`` with dynamic H, W.
  The Hub page lists the file as 28.1 MB; no sha256 from the origin was found. Mirrors that say they
  are unchanged copies report sha256 ``6f1f3530…c48c40b`` (``techycoder/migan-inpainting``); that is
  not an official source, so the entry is unpinned and the pull prints the digest for comparison.
  Trained on Places2, whose terms are for non-commercial research and education (shown as a note).
- **Depth Anything V2 Small** (``DepthAnything/Depth-Anything-V2``; Small is Apache-2.0, Base/Large/Giant
  are CC-BY-NC-4.0). ONNX export ``onnx-community/depth-anything-v2-small`` ``onnx/model.onnx`` (99.1 MB
  on the Hub, revision ``709283e5…``, Apache-2.0 model card); sha256 not found: unpinned. Contract of
  the Transformers.js export: ``pixel_values`` (1, 3, H, W) float32, ImageNet mean/std, H and W
  multiples of 14 with the shorter side 518 (``preprocessor_config.json``: keep_aspect_ratio,
  ensure_multiple_of 14, bicubic); output ``predicted_depth`` (1, H, W) relative inverse depth
  (larger = nearer). Pre/post-processing: :mod:`inference.segmentation.depth`.
- **BiSeNet face parsing** (``zllrunning/face-parsing.PyTorch``, code MIT; weights ``79999_iter.pth``).
  The ONNX export is the one the fork ``clibdev/face-parsing.PyTorch`` publishes on its GitHub
  release with its sha256 in its README (``face-parsing-bisenet.onnx``, 50.7 MB,
  ``37cc52ff…47ff37``; the converted ``.pth`` there has sha256 ``468e13ca…``). Its ``export.py``
  names the tensors ``input`` (1, 3, 512, 512) and ``output`` (1, 19, 512, 512), the main head; the
  model's two auxiliary heads may be exported too, so extra outputs are allowed. The training set,
  CelebAMask-HQ, is for non-commercial research only: the note says so before download.
"""

from __future__ import annotations

from inference.models.spec import APACHE_2_0_URL, MIT_URL, Licence, ModelSpec, TensorSpec, hf_url

MIGAN_REPO = "andraniksargsyan/migan"
MIGAN_REVISION = "main"  # the README links main; the full commit id of 1538c13 was not available here
MIGAN_REPORTED_SHA256 = "6f1f3530a1a2324b19752018ce756088b07973cda8d7d890034ace5c8a48c40b"

MIGAN = ModelSpec(
    name="migan",
    purpose="fast inpainting of hidden regions (MI-GAN 512 Places2 ONNX pipeline; runs on a CPU)",
    filename="migan_pipeline_v2.onnx",
    url=hf_url(MIGAN_REPO, "migan_pipeline_v2.onnx", MIGAN_REVISION),
    size_bytes=28_100_000,
    sha256=None,
    licence=Licence("MIT", MIT_URL),
    homepage="https://github.com/Picsart-AI-Research/MI-GAN",
    source=f"Hugging Face {MIGAN_REPO} (first author), file migan_pipeline_v2.onnx, linked from the MI-GAN README",
    runtime="onnxruntime",
    inputs=(
        TensorSpec("image", (None, 3, None, None), "uint8", "NCHW RGB", "0-255", "image"),
        TensorSpec("mask", (None, 1, None, None), "uint8", "NCHW", "255 = known, 0 = fill (binary)", "mask"),
    ),
    outputs=(TensorSpec("image", (None, 3, None, None), "uint8", "NCHW RGB", "0-255, hole filled", "result"),),
    hf_repo=MIGAN_REPO,
    hf_file="migan_pipeline_v2.onnx",
    hf_revision=MIGAN_REVISION,
    size_exact=False,
    notes="weights MIT (Picsart-AI-Research/MI-GAN LICENSE-WEIGHTS); trained on Places2, whose terms are "
    "non-commercial research and education: check they fit your use",
    pin_note="no sha256 from the origin (the Hub page shows 28.1 MB); mirrors calling themselves unchanged "
    f"report {MIGAN_REPORTED_SHA256}: pin on first download",
)

DEPTH_REPO = "onnx-community/depth-anything-v2-small"
DEPTH_REVISION = "709283e53fbd1183571e606f5cb37beae681336d"

DEPTH_ANYTHING_V2_SMALL = ModelSpec(
    name="depth_anything_v2_small",
    purpose="relative depth per part: draw order and parallax scale (Depth Anything V2 Small)",
    filename="depth_anything_v2_small.onnx",
    url=hf_url(DEPTH_REPO, "onnx/model.onnx", DEPTH_REVISION),
    size_bytes=99_100_000,
    sha256=None,
    licence=Licence("Apache-2.0", APACHE_2_0_URL),
    homepage="https://github.com/DepthAnything/Depth-Anything-V2",
    source=f"Hugging Face {DEPTH_REPO}, file onnx/model.onnx, revision {DEPTH_REVISION}",
    runtime="onnxruntime",
    inputs=(
        TensorSpec("image", (None, 3, None, None), "float32", "NCHW RGB, sides multiples of 14, short side 518",
                   "ImageNet mean/std normalised", "pixel_values"),
    ),
    outputs=(
        TensorSpec("depth", (None, None, None), "float32", "N×H×W at the input size",
                   "relative inverse depth, larger = nearer", "predicted_depth"),
    ),
    hf_repo=DEPTH_REPO,
    hf_file="onnx/model.onnx",
    hf_revision=DEPTH_REVISION,
    size_exact=False,
    notes="only the Small model is Apache-2.0; Depth Anything V2 Base/Large/Giant are CC-BY-NC-4.0 "
    "(non-commercial) and are not offered",
    pin_note="the Hub shows 99.1 MB; no sha256 found from an official source: pin on first download",
)

BISENET_URL = "https://github.com/clibdev/face-parsing.PyTorch/releases/latest/download/face-parsing-bisenet.onnx"

BISENET_FACE_PARSING = ModelSpec(
    name="bisenet_face_parsing",
    purpose="19-class face parsing for photos of real people (BiSeNet, CelebAMask-HQ classes)",
    filename="face-parsing-bisenet.onnx",
    url=BISENET_URL,
    size_bytes=50_700_000,
    sha256="37cc52ffdf0ccb45a555a4a1a52d59266959da5cee981c244177d9768447ff37",
    licence=Licence("MIT", "https://github.com/zllrunning/face-parsing.PyTorch/blob/master/LICENSE"),
    homepage="https://github.com/zllrunning/face-parsing.PyTorch",
    source="GitHub release of clibdev/face-parsing.PyTorch (ONNX export of zllrunning's 79999_iter.pth; "
    "sha256 from that fork's README)",
    runtime="onnxruntime",
    inputs=(
        TensorSpec("image", (1, 3, None, None), "float32", "NCHW RGB 512×512", "ImageNet mean/std normalised",
                   "input"),
    ),
    outputs=(
        TensorSpec("logits", (1, 19, None, None), "float32", "NCHW, CelebAMask-HQ class order",
                   "logits; argmax over the 19 classes", "output"),
    ),
    size_exact=False,
    extra_outputs_ok=True,  # zllrunning's BiSeNet returns (out, out16, out32); exports may keep all three
    notes="NON-COMMERCIAL TRAINING DATA: the weights were trained on CelebAMask-HQ, which is distributed "
    "for non-commercial research and education only; the code is MIT. Real faces only.",
    pin_note="sha256 published by the fork that converted the weights (not by zllrunning); the release "
    "URL is 'latest', the hash pins the bytes",
)

LEARNED_MODELS = (MIGAN, DEPTH_ANYTHING_V2_SMALL, BISENET_FACE_PARSING)

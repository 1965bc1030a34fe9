"""The one registry of the learned models Kirie can use (models.md §1.6, §2.1–2.3).

Every model is optional and comes from its official URL, pinned by size and sha256 (and by revision
where the host has them). The embedded default (models.md §1) stays the fallback. Nothing here touches
the network or the disk: :mod:`inference.models.download` fetches, :mod:`inference.models.runtime`
loads and checks the tensor contract.

MI-GAN, Depth Anything V2 Small and BiSeNet face parsing are in :mod:`inference.models.registry_learned`;
the first two have no sha256 from an official source and are *unpinned* (``spec.pinned`` is False:
``kirie models pull`` refuses them unless asked with ``--unpinned``, then prints the digest to pin).
The HRNetV2 anime landmarks, the anime face detectors (PyTorch only, see
:mod:`inference.models.candidates`) and ``selfie_multiclass_256x256`` (hash from a third party) are
deliberately absent. MobileSAM is registered from the Hugging Face repo ``Acly/MobileSAM``, whose LFS
sha256 are the host's own (models.md §2.2); the repo says its ONNX files are an unchanged export of
``ChaoningZhang/MobileSAM`` (weights Apache-2.0), which is still to be confirmed against the origin.
"""

from __future__ import annotations

from inference.models.registry_learned import LEARNED_MODELS
from inference.models.registry_sam import SAM_MODELS
from inference.models.spec import (  # noqa: F401 - re-exported: the registry's public names
    APACHE_2_0_URL,
    Licence,
    ModelSpec,
    TensorSpec,
    hf_url,
)

_FACE_LANDMARKER = ModelSpec(
    name="face_landmarker",
    purpose="webcam tracking and real-face landmarks: 478 points, 52 blendshapes, head pose",
    filename="face_landmarker.task",
    url="https://storage.googleapis.com/mediapipe-models/face_landmarker/face_landmarker/float16/1/face_landmarker.task",
    size_bytes=3_758_596,
    sha256="64184e229b263107bc2b804c6625db1341ff2bb731874b0bcc2fe6544e0bc9ff",
    licence=Licence("Apache-2.0", APACHE_2_0_URL),
    homepage="https://ai.google.dev/edge/mediapipe/solutions/vision/face_landmarker",
    source="MediaPipe model storage, Face Landmarker float16 version 1 (models.md §1.6)",
    runtime="mediapipe",
    inputs=(TensorSpec("image", (None, None, 3), "uint8", "HWC RGB", "0-255; mediapipe resizes"),),
    outputs=(
        TensorSpec("landmarks", (478, 3), "float32", "(x, y, z) per point", "x, y normalised to [0, 1]"),
        TensorSpec("blendshapes", (52,), "float32", "scores in MediaPipe's category order", "[0, 1]"),
        TensorSpec("transform", (4, 4), "float32", "facial transformation matrix", "head pose"),
    ),
)

_SELFIE_SEGMENTATION = ModelSpec(
    name="selfie_segmentation",
    purpose="foreground seed for images without alpha (legacy MediaPipe selfie segmentation, general)",
    filename="selfie_segmentation.tflite",
    # The same bytes ship in the mediapipe==0.10.21 wheel at
    # mediapipe/modules/selfie_segmentation/selfie_segmentation.tflite. This URL and hash are the ones
    # MediaPipe's own build pins (google-ai-edge/mediapipe : third_party/external_files.bzl,
    # "com_google_mediapipe_selfie_segmentation_tflite").
    url="https://storage.googleapis.com/mediapipe-assets/selfie_segmentation.tflite?generation=1683332563830600",
    size_bytes=249_505,
    sha256="9ee168ec7c8f2a16c56fe8e1cfbc514974cbbb7e434051b455635f1bd1462f5c",
    licence=Licence("Apache-2.0", APACHE_2_0_URL),
    homepage="https://github.com/google-ai-edge/mediapipe/blob/master/docs/solutions/selfie_segmentation.md",
    source="MediaPipe asset storage, generation 1683332563830600 (pinned by mediapipe's external_files.bzl)",
    runtime="mediapipe",
    inputs=(TensorSpec("image", (1, 256, 256, 3), "float32", "NHWC RGB", "[0, 1]"),),
    outputs=(TensorSpec("mask", (1, 256, 256, 1), "float32", "NHWC", "[0, 1], 1 = person"),),
)

_ANIME_SEG = ModelSpec(
    name="anime_seg_isnetis",
    purpose="anime character foreground matte (ISNet trained on anime, SkyTNT/anime-segmentation)",
    filename="isnetis.onnx",
    url=hf_url("skytnt/anime-seg", "isnetis.onnx", "main"),
    size_bytes=176_069_933,
    sha256="f15622d853e8260172812b657053460e20806f04b9e05147d49af7bed31a6e99",
    licence=Licence("Apache-2.0", APACHE_2_0_URL),
    homepage="https://huggingface.co/skytnt/anime-seg",
    source="Hugging Face skytnt/anime-seg, file isnetis.onnx (no revision pinned in models.md; the sha256 pins the bytes)",
    runtime="onnxruntime",
    inputs=(
        TensorSpec(
            "image",
            (1, 3, 1024, 1024),
            "float32",
            "NCHW RGB, letterboxed on zeros",
            "[0, 1], RGB / 255",
            "img",
        ),
    ),
    outputs=(
        TensorSpec("mask", (1, 1, 1024, 1024), "float32", "NCHW", "[0, 1] sigmoid, 1 = character", "mask"),
    ),
    hf_repo="skytnt/anime-seg",
    hf_file="isnetis.onnx",
    hf_revision="main",
)

_LAMA_REVISION = "a3ee2fca54baebec351b8fa7786154ffa7555aa6"
_LAMA = ModelSpec(
    name="lama",
    purpose="inpainting of large hidden regions (big-lama, fixed 512x512 graph)",
    filename="lama_fp32.onnx",
    url=hf_url("Carve/LaMa-ONNX", "lama_fp32.onnx", _LAMA_REVISION),
    size_bytes=208_044_816,
    sha256="1faef5301d78db7dda502fe59966957ec4b79dd64e16f03ed96913c7a4eb68d6",
    licence=Licence("Apache-2.0", APACHE_2_0_URL),
    homepage="https://huggingface.co/Carve/LaMa-ONNX",
    source=f"Hugging Face Carve/LaMa-ONNX, file lama_fp32.onnx, revision {_LAMA_REVISION}",
    runtime="onnxruntime",
    inputs=(
        TensorSpec("image", (1, 3, 512, 512), "float32", "NCHW RGB", "[0, 1]", "image"),
        TensorSpec("mask", (1, 1, 512, 512), "float32", "NCHW", "1 = fill, 0 = keep", "mask"),
    ),
    outputs=(
        TensorSpec(
            "image",
            (1, 3, 512, 512),
            "float32",
            "NCHW RGB",
            "[0, 1] or [0, 255]: detect (max > 1.5) and clip",
        ),
    ),
    hf_repo="Carve/LaMa-ONNX",
    hf_file="lama_fp32.onnx",
    hf_revision=_LAMA_REVISION,
)

REGISTRY: dict[str, ModelSpec] = {
    spec.name: spec for spec in (_FACE_LANDMARKER, _SELFIE_SEGMENTATION, _ANIME_SEG, _LAMA, *SAM_MODELS, *LEARNED_MODELS)
}
"""Every known model by name. Tests may swap an entry (e.g. a ``file://`` URL) with monkeypatch."""


def get_model(name: str) -> ModelSpec:
    """The registry entry ``name``.

    Raises
    ------
    KeyError
        With the known names, if ``name`` is not registered.
    """
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown model {name!r}; known models: {', '.join(sorted(REGISTRY))}") from None

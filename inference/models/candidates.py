"""Learned models Kirie means to use but cannot register yet, each with what is missing (issue 12).

MI-GAN, Depth Anything V2 Small and BiSeNet moved to :mod:`inference.models.registry_learned`.

:data:`inference.models.registry.REGISTRY` only holds models with an official URL, exact size and
sha256, so ``kirie models pull`` can verify them. The entries here lack one of those (or need a
one-off ONNX conversion, models.md §2.1: never unpickle ``.pth`` from the network) and are kept so the
gap is written down in one place, with its sources. Nothing here is downloadable.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Candidate:
    """A model not yet in the registry: where it is, its licence, and what blocks registration."""

    name: str
    stage: str
    purpose: str
    source: str
    licence: str
    missing: str


CANDIDATES: tuple[Candidate, ...] = (
    Candidate(
        "anime_face_hrnetv2", "landmarks", "28 anime-face landmarks (HRNetV2-W18, 256² crop -> 28×64×64)",
        "github.com/hysts/anime-face-detector releases v0.0.1 / mmpose_anime-face_hrnetv2.pth (with "
        "mmdet_anime-face_yolov3.pth / _faster-rcnn.pth for the boxes); Hugging Face "
        "hysts/anime-face-detector-hrnetv2 / model.safetensors",
        "MIT",
        "published only as PyTorch mmpose/mmdet checkpoints (pickles, which Kirie never loads from the "
        "network) and a safetensors state dict. Running it needs either a one-off ONNX export (torch + "
        "mmcv/mmpose, with the weights, offline) whose converted file has a host and a hash, or a torch "
        "re-implementation of HRNetV2-W18 loading the safetensors, which could not be checked against "
        "the real weights here (no network). Neither exists yet, so it is not offered; the "
        "pre/post-processing is ready in inference.landmarks.anime_hrnet",
    ),
    Candidate(
        "see_through", "layers", "up to 23 amodally completed semantic layers with depth order (arXiv 2602.03749)",
        "shitagaki-lab/see-through (code Apache-2.0); weights layerdifforg/seethroughv0.0.2_layerdiff3d "
        "(SDXL LayerDiff 3D), layerdifforg/seethroughv0.0.1_marigold (depth), 24yearsold/l2d_sam_iter2 "
        "(SAM body parsing)",
        "code Apache-2.0; LayerDiff 3D card says apache-2.0 but it is an SDXL fine-tune (SDXL: CreativeML "
        "Open RAIL++-M, whose use restrictions carry to derivatives); the Marigold LICENSE adds Stable "
        "Diffusion 2's use restrictions; SAM body parsing: no licence found",
        "the weights' terms cannot be shown as one clear licence (see licence), the training data comes "
        "from commercial Live2D models with no stated rights, and it is a torch + diffusers SDXL "
        "pipeline (12–16 GB VRAM at 1280 px, ~4 min on an 8 GB GPU with NF4), not an ONNX graph: not "
        "registered",
    ),
)

"""Learned models Kirie means to use but cannot register yet, each with what is missing (issue 12).

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
        "migan", "completion", "small fast inpainter (MI-GAN, ICCV 2023), 512² pipeline graph",
        "Hugging Face andraniksargsyan/migan (the first author's account) / migan_pipeline_v2.onnx; "
        "code Picsart-AI-Research/MI-GAN",
        "MIT (Picsart-AI-Research/MI-GAN LICENSE)",
        "sha256 and size not found in public sources from here (no network): pin on first download; its "
        "pipeline graph takes uint8 image + mask (0 = hole) and returns uint8, a contract of its own",
    ),
    Candidate(
        "anime_face_hrnetv2", "landmarks", "28 anime-face landmarks (HRNetV2-W18, 256² crop -> 28×64×64)",
        "github.com/hysts/anime-face-detector releases v0.0.1 / mmpose_anime-face_hrnetv2.pth; "
        "Hugging Face hysts/anime-face-detector-hrnetv2 / model.safetensors",
        "MIT",
        "published as PyTorch weights only: needs the one-off ONNX export (torch extra) and the hash of "
        "the converted file; pre/post-processing is ready in inference.landmarks.anime_hrnet",
    ),
    Candidate(
        "depth_anything_v2_small", "layers", "relative depth to order layers and scale parallax",
        "Hugging Face onnx-community/depth-anything-v2-small / onnx/model.onnx (99.1 MB; fp16 49.6 MB)",
        "Apache-2.0 (Small only; Base/Large are CC-BY-NC-4.0)",
        "sha256 and exact size not available offline: pin on first download; no consumer in the "
        "pipeline yet (layer order comes from the template)",
    ),
    Candidate(
        "bisenet_face_parsing", "parts", "19-class face parsing for photos (CelebAMask-HQ classes)",
        "zllrunning/face-parsing.PyTorch / 79999_iter.pth",
        "code MIT; training data CelebAMask-HQ is non-commercial only (shown to the user)",
        "PyTorch weights only (needs ONNX export and hash) and the weights' status needs review",
    ),
    Candidate(
        "see_through", "layers", "23 amodally completed semantic layers with depth order (arXiv 2602.03749)",
        "shitagaki-lab/see-through",
        "code Apache-2.0; weights' licence not shown in any source available here",
        "weights' licence cannot be shown honestly from here; 8–16 GB GPU pipeline (torch), not ONNX",
    ),
)

"""Learned part refinement: MobileSAM prompted from the landmarks (models.md §2.3, issue 12).

The classical label map (:func:`inference.segmentation.parts.segment_parts`) stays the base. MobileSAM
(:mod:`inference.models.registry_sam`) is run once per image (encoder) and once per prompt (decoder);
each prompt's mask relabels only pixels where SAM is confident (logit > :data:`CONFIDENT_LOGIT` and
predicted IoU ≥ :data:`MIN_IOU`), inside the foreground, near the prompt's box, and only pixels whose
classical label is one of the coarse neighbours that prompt may take over (:data:`TAKES`): a brow may
take face or hair pixels, never an eye's.

Pre/post-processing, after SAM's reference code (``facebookresearch/segment-anything :
segment_anything/utils/transforms.py``, ``ResizeLongestSide``; ``notebooks/onnx_model_example.ipynb``):

- image: resized so that the longest side is 1024, ``newh = int(h * 1024 / max(h, w) + 0.5)`` (same for
  w), HWC float32 RGB 0–255 (the ``Acly/MobileSAM`` encoder normalises and pads itself);
- coordinates: ``x * neww / w``, ``y * newh / h``; a box is two points labelled 2 (top-left) and
  3 (bottom-right); ``mask_input`` zeros and ``has_mask_input`` 0; ``orig_im_size`` = (h, w);
- output: logits at the original size, > 0 = object.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from inference.models.download import cached_model
from inference.models.registry import get_model
from inference.models.runtime import ModelSession, create_session
from inference.types import FaceLandmarks, Foreground, LoadedImage, PartLabel, PartMap
from rig.errors import ModelDownloadError

log = logging.getLogger(__name__)

ENCODER, DECODER = "mobile_sam_encoder", "mobile_sam_decoder"
LONG_SIDE = 1024
CONFIDENT_LOGIT = 1.0
MIN_IOU = 0.7
P = PartLabel

# prompt -> (label it writes, classical labels it may take over)
TAKES: dict[str, tuple[PartLabel, tuple[PartLabel, ...]]] = {
    "face": (P.FACE, (P.NECK, P.BODY)),
    "mouth": (P.MOUTH, (P.FACE, P.NOSE)),
    "brow_l": (P.BROW_L, (P.FACE, P.FRONT_HAIR)),
    "brow_r": (P.BROW_R, (P.FACE, P.FRONT_HAIR)),
    "hair": (P.BACK_HAIR, (P.BODY, P.ACCESSORY)),
    "body": (P.BODY, (P.ACCESSORY, P.BACK_HAIR)),
}


@dataclass(frozen=True, slots=True)
class Prompt:
    """One SAM prompt in canvas px: ``box`` (x0, y0, x1, y1) and ``points`` (K, 2) with ``labels``
    (K,) (1 object, 0 background)."""

    name: str
    box: tuple[float, float, float, float]
    points: np.ndarray
    labels: np.ndarray


def resized_shape(h: int, w: int, long_side: int = LONG_SIDE) -> tuple[int, int]:
    """SAM's ``ResizeLongestSide.get_preprocess_shape``: (newh, neww) with ``int(x * s + 0.5)``."""
    scale = long_side / max(h, w)
    return int(h * scale + 0.5), int(w * scale + 0.5)


def to_model_coords(points_px: np.ndarray, h: int, w: int) -> np.ndarray:
    """(K, 2) canvas (x, y) px -> the resized 1024 frame (``ResizeLongestSide.apply_coords``)."""
    newh, neww = resized_shape(h, w)
    out = np.asarray(points_px, np.float32).copy()
    out[:, 0] *= neww / w
    out[:, 1] *= newh / h
    return out


def build_prompts(face: FaceLandmarks, shape: tuple[int, int]) -> list[Prompt]:
    """Prompts from the landmarks (canvas px): face, each eye, mouth, brows, hair above the face, body
    below the chin. The hair and body prompts carry a background point on the nose."""
    h, w = shape
    fx, fy, fw, fh = face.face_box
    nose = np.array(face.nose, np.float32)

    def clip(x0, y0, x1, y1):
        return (max(0.0, x0), max(0.0, y0), min(float(w - 1), x1), min(float(h - 1), y1))

    def pos(*pts):
        return np.array(pts, np.float32).reshape(-1, 2), np.ones(len(pts), np.float32)

    out = [Prompt("face", clip(fx, fy, fx + fw, fy + fh), *pos(face.nose))]
    for side, eye in (("eye_l", face.eye_l), ("eye_r", face.eye_r)):
        ex, ey, ew, eh = eye.box
        out.append(Prompt(side, clip(ex, ey, ex + ew, ey + eh), *pos(eye.iris_center)))
    mx, my, mw, mh = face.mouth_box
    out.append(Prompt("mouth", clip(mx, my, mx + mw, my + mh), *pos(face.mouth_center)))
    for side, brow in (("brow_l", face.brow_l), ("brow_r", face.brow_r)):
        if brow is None or len(brow) == 0:
            continue
        b = np.asarray(brow, np.float32)
        pad = max(2.0, 0.02 * fw)
        box = clip(b[:, 0].min() - pad, b[:, 1].min() - pad, b[:, 0].max() + pad, b[:, 1].max() + pad)
        out.append(Prompt(side, box, *pos(b[len(b) // 2])))
    hair_pt = (fx + fw / 2, max(0.0, fy - 0.1 * fh))
    out.append(Prompt("hair", clip(fx - 0.4 * fw, fy - 0.6 * fh, fx + 1.4 * fw, fy + 0.5 * fh),
                      np.array([hair_pt, nose], np.float32), np.array([1, 0], np.float32)))
    chin = face.chin
    body_pt = (chin[0], min(h - 1.0, chin[1] + 0.8 * fh))
    out.append(Prompt("body", clip(fx - 1.0 * fw, chin[1], fx + 2.0 * fw, float(h - 1)),
                      np.array([body_pt, nose], np.float32), np.array([1, 0], np.float32)))
    return out


def decoder_feeds(prompt: Prompt, embeddings: np.ndarray, h: int, w: int) -> dict[str, np.ndarray]:
    """Decoder inputs by role for ``prompt``: box corners first (labels 2, 3), then the points."""
    x0, y0, x1, y1 = prompt.box
    pts = np.concatenate([np.array([[x0, y0], [x1, y1]], np.float32), prompt.points])
    labels = np.concatenate([np.array([2, 3], np.float32), prompt.labels])
    return {
        "embeddings": embeddings,
        "point_coords": to_model_coords(pts, h, w)[None],
        "point_labels": labels[None].astype(np.float32),
        "mask_input": np.zeros((1, 1, 256, 256), np.float32),
        "has_mask_input": np.zeros(1, np.float32),
        "orig_im_size": np.array([h, w], np.float32),
    }


def sam_parts(
    img: LoadedImage, fg: Foreground, face: FaceLandmarks, base: PartMap, *, prefer_gpu: bool = True
) -> PartMap:
    """``base`` refined by MobileSAM masks where confident (see the module notes).

    Returns a new PartMap (``labels`` (H, W) uint8, canvas frame) with ``method`` ``base.method +
    "+mobile-sam"``. Raises ModelDownloadError when a model is not cached, ModelContractError when a
    file does not match its contract.
    """
    import cv2

    encoder, decoder = _load(ENCODER, prefer_gpu), _load(DECODER, prefer_gpu)
    h, w = base.labels.shape
    newh, neww = resized_shape(h, w)
    resized = cv2.resize(np.ascontiguousarray(img.rgba[..., :3]), (neww, newh), interpolation=cv2.INTER_LINEAR)
    emb = encoder.run({"image": resized.astype(np.float32)})["embeddings"]
    labels = base.labels.copy()
    fg_mask = fg.alpha > 0.0
    changed = 0
    for prompt in build_prompts(face, (h, w)):
        if prompt.name not in TAKES:
            continue
        out = decoder.run(decoder_feeds(prompt, emb, h, w))
        iou = float(np.asarray(out["iou"]).reshape(-1)[0])
        if iou < MIN_IOU:
            log.debug("SAM prompt %s: predicted IoU %.2f below %.2f; ignored", prompt.name, iou, MIN_IOU)
            continue
        logits = np.asarray(out["masks"], np.float32).reshape(-1, h, w)[0]
        write, takes = TAKES[prompt.name]
        near = np.zeros((h, w), bool)
        x0, y0, x1, y1 = (int(round(v)) for v in prompt.box)
        near[y0 : y1 + 1, x0 : x1 + 1] = True
        hit = (logits > CONFIDENT_LOGIT) & fg_mask & near & np.isin(labels, np.array(takes, np.uint8))
        labels[hit] = int(write)
        changed += int(hit.sum())
    log.info("MobileSAM relabelled %d px", changed)
    return PartMap(labels=labels, method=f"{base.method}+mobile-sam")


def _load(name: str, prefer_gpu: bool) -> ModelSession:
    path = cached_model(name)
    if path is None:
        raise ModelDownloadError(f"model {name!r} is not downloaded; run 'kirie models pull {name}'")
    stat = Path(path).stat()
    return _cached_session(name, str(path), stat.st_mtime_ns, stat.st_size, prefer_gpu)


@functools.lru_cache(maxsize=4)
def _cached_session(name: str, path: str, mtime_ns: int, size: int, prefer_gpu: bool) -> ModelSession:
    del mtime_ns, size  # cache key only
    return create_session(path, get_model(name), prefer_gpu=prefer_gpu)

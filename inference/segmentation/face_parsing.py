"""Learned part refinement for photos: BiSeNet face parsing (CelebAMask-HQ classes; models.md §2.3).

The classical label map (MediaPipe face-mesh polygons, :mod:`inference.segmentation.parts`) stays the
base. BiSeNet parses a square crop around the face; a pixel is relabelled only where the model is
confident (softmax ≥ :data:`MIN_PROB`), inside the foreground and the crop, and only when its classical
label is one that class may take over (:data:`TAKES`): hair over face pixels becomes front hair, hair
over body pixels back hair, and no class ever takes an eye's pixels (the eye stage owns those).

The weights' training set, CelebAMask-HQ, is for non-commercial research only; the registry entry
(:mod:`inference.models.registry_learned`) shows that before download. Real faces only.

Pre/post-processing, from ``zllrunning/face-parsing.PyTorch : test.py`` (and the ONNX fork's
``inference.py``): RGB resized to 512², ``ToTensor`` (/ 255) then ImageNet mean (0.485, 0.456, 0.406)
and std (0.229, 0.224, 0.225), NCHW; output logits (1, 19, 512, 512), argmax over classes. Kirie's crop:
a square of side :data:`CROP_FW` face widths centred on the face box (edge-replicated where it leaves
the canvas), so the face fills the crop as in CelebA-HQ's aligned images.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Any

import numpy as np

from inference.types import FaceLandmarks, Foreground, LoadedImage, PartLabel, PartMap

log = logging.getLogger(__name__)

MODEL_NAME = "bisenet_face_parsing"
INPUT_PX = 512
CROP_FW = 2.2
MIN_PROB = 0.8
MEAN = np.array([0.485, 0.456, 0.406], np.float32)
STD = np.array([0.229, 0.224, 0.225], np.float32)
CLASSES = ("background", "skin", "l_brow", "r_brow", "l_eye", "r_eye", "eye_g", "l_ear", "r_ear", "ear_r",
           "nose", "mouth", "u_lip", "l_lip", "neck", "neck_l", "cloth", "hair", "hat")
P = PartLabel

# CelebAMask-HQ class -> [(label it writes, classical labels it may take over), ...]; l_/r_ are the
# person's own sides, as Kirie's L/R (L = screen right).
TAKES: dict[int, tuple[tuple[PartLabel, tuple[PartLabel, ...]], ...]] = {
    1: ((P.FACE, (P.NECK, P.FRONT_HAIR, P.BACK_HAIR)),),
    2: ((P.BROW_L, (P.FACE, P.FRONT_HAIR)),),
    3: ((P.BROW_R, (P.FACE, P.FRONT_HAIR)),),
    6: ((P.GLASSES, (P.FACE, P.FRONT_HAIR)),),
    7: ((P.FACE, (P.BACK_HAIR, P.BODY, P.NECK)),),
    8: ((P.FACE, (P.BACK_HAIR, P.BODY, P.NECK)),),
    10: ((P.NOSE, (P.FACE,)),),
    11: ((P.MOUTH, (P.FACE, P.NOSE)),),
    12: ((P.MOUTH, (P.FACE, P.NOSE)),),
    13: ((P.MOUTH, (P.FACE, P.NOSE)),),
    14: ((P.NECK, (P.BODY, P.FACE)),),
    16: ((P.BODY, (P.NECK, P.ACCESSORY)),),
    17: ((P.FRONT_HAIR, (P.FACE,)), (P.BACK_HAIR, (P.BODY, P.NECK))),
}


def crop_box(face: FaceLandmarks) -> tuple[int, int, int]:
    """(x0, y0, side) in canvas px of the square crop the model parses (may leave the canvas)."""
    x, y, w, h = face.face_box
    side = max(8, int(round(CROP_FW * max(w, h))))
    cx, cy = x + w / 2.0, y + h / 2.0
    return int(round(cx - side / 2.0)), int(round(cy - side / 2.0)), side


def preprocess(crop: np.ndarray) -> np.ndarray:
    """(1, 3, 512, 512) float32 network input for an (s, s, 3) uint8 RGB crop."""
    import cv2

    small = cv2.resize(crop, (INPUT_PX, INPUT_PX), interpolation=cv2.INTER_LINEAR).astype(np.float32) / 255.0
    return np.ascontiguousarray(((small - MEAN) / STD).transpose(2, 0, 1)[None])


def parse(logits: np.ndarray, side: int) -> tuple[np.ndarray, np.ndarray]:
    """((side, side) int class, (side, side) float32 softmax of that class) from (1, 19, h, w) logits."""
    import cv2

    z = np.asarray(logits, np.float32)[0]
    z = z - z.max(axis=0, keepdims=True)
    e = np.exp(z)
    prob = e / e.sum(axis=0, keepdims=True)
    cls = prob.argmax(axis=0).astype(np.uint8)
    conf = prob.max(axis=0).astype(np.float32)
    cls = cv2.resize(cls, (side, side), interpolation=cv2.INTER_NEAREST)
    conf = cv2.resize(conf, (side, side), interpolation=cv2.INTER_LINEAR)
    return cls, conf


def bisenet_parts(img: LoadedImage, fg: Foreground, face: FaceLandmarks, base: PartMap, *,
                  path: str | Path | None = None, prefer_gpu: bool = True) -> PartMap:
    """``base`` refined by BiSeNet where it is confident (see the module docstring).

    Raises
    ------
    rig.errors.ModelDownloadError
        Model not cached (message has the ``kirie models pull`` line).
    inference.models.runtime.ModelContractError
        The file does not load or has another contract.
    """
    import cv2

    session = _load(path, prefer_gpu)
    h, w = base.labels.shape
    x0, y0, side = crop_box(face)
    pad = max(0, -x0, -y0, x0 + side - w, y0 + side - h)
    rgb = np.ascontiguousarray(img.rgba[..., :3])
    padded = cv2.copyMakeBorder(rgb, pad, pad, pad, pad, cv2.BORDER_REPLICATE) if pad else rgb
    crop = padded[y0 + pad : y0 + pad + side, x0 + pad : x0 + pad + side]
    logits = session.run({"image": preprocess(crop)})["logits"]
    cls, conf = parse(logits, side)
    # the part of the crop that lies on the canvas
    cx0, cy0, cx1, cy1 = max(0, x0), max(0, y0), min(w, x0 + side), min(h, y0 + side)
    sub_cls = cls[cy0 - y0 : cy1 - y0, cx0 - x0 : cx1 - x0]
    sub_ok = (conf[cy0 - y0 : cy1 - y0, cx0 - x0 : cx1 - x0] >= MIN_PROB) & (fg.alpha[cy0:cy1, cx0:cx1] > 0.0)
    labels = base.labels.copy()
    region = labels[cy0:cy1, cx0:cx1]
    before = region.copy()
    for c, rules in TAKES.items():
        here = sub_ok & (sub_cls == c)
        for write, takes in rules:
            hit = here & np.isin(before, np.array([int(t) for t in takes], np.uint8))
            region[hit] = int(write)
    changed = int((region != before).sum())
    log.info("BiSeNet face parsing relabelled %d px", changed)
    return PartMap(labels=labels, method=f"{base.method}+bisenet")


def _load(path: str | Path | None, prefer_gpu: bool) -> Any:
    from inference.models.download import cached_model
    from rig.errors import ModelDownloadError

    if path is None:
        path = cached_model(MODEL_NAME)
        if path is None:
            raise ModelDownloadError(f"model {MODEL_NAME!r} is not downloaded; run 'kirie models pull {MODEL_NAME}'")
    stat = Path(path).stat()
    return _session(str(path), stat.st_mtime_ns, stat.st_size, prefer_gpu)


@functools.lru_cache(maxsize=2)
def _session(path: str, mtime_ns: int, size: int, prefer_gpu: bool) -> Any:
    from inference.models.registry import get_model
    from inference.models.runtime import create_session

    del mtime_ns, size  # cache key only
    return create_session(path, get_model(MODEL_NAME), prefer_gpu=prefer_gpu)

"""Optional depth stage: Depth Anything V2 Small orders layers and scales the head parallax per part.

Run only when the model is cached (:mod:`inference.backends`, stage ``depth``, optional); without it
the template's draw order and motion magnitudes stand unchanged.

Pre-processing (``DepthAnything/Depth-Anything-V2 : depth_anything_v2/dpt.py`` ``image2tensor`` with
``util/transform.py`` ``Resize(518, 518, keep_aspect_ratio=True, ensure_multiple_of=14,
resize_method="lower_bound")``, written here from those formulas): scale = max(518 / h, 518 / w), so
the shorter side reaches 518; each side is ``round(scale * side / 14) * 14``, taken up to the next
multiple of 14 when that falls below 518 (``np.round``: halves to even); RGB / 255 *then* a bicubic
resize of the float image (as ``image2tensor`` does); ImageNet mean (0.485, 0.456, 0.406) and std
(0.229, 0.224, 0.225); NCHW float32.

Post-processing: the (1, h', w') output (relative inverse depth: larger = nearer) is resized
bilinearly to the canvas (OpenCV's half-pixel centres; the reference uses ``align_corners=True``, a
sub-pixel difference that does not matter for per-layer medians) and normalised to [0, 1] by its 2nd and 98th percentiles over the
foreground; each layer's depth is the median over its visible pixels.

Use (a heuristic, clamped so a poor depth map cannot break a rig):

- **draw order**: inside each group of :data:`ORDER_GROUPS` (layers whose order legitimately varies
  between characters), a layer drawn behind another but nearer by more than :data:`ORDER_MARGIN`
  swaps draw order values with it; all other orders stay the template's;
- **parallax**: each head feature's AngleX/AngleY magnitude (template ``motion`` keys
  ``angle_x_fw``, ``angle_y_up_fw``, ``angle_y_down_fw``) is multiplied by
  ``clip(1 + PARALLAX_GAIN * (o - median(o)), 1 - PARALLAX_CLAMP, 1 + PARALLAX_CLAMP)``, where ``o`` is
  the feature's depth minus the face's: the template already holds a typical face's depth profile,
  so only this character's deviation from its own median scales it.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

MODEL_NAME = "depth_anything_v2_small"
INPUT_PX = 518
MULTIPLE = 14
MEAN = np.array([0.485, 0.456, 0.406], np.float32)
STD = np.array([0.229, 0.224, 0.225], np.float32)

ORDER_GROUPS: tuple[tuple[str, ...], ...] = (
    ("BackHair", "HairAccessoryBack"),
    ("Body", "Accessory"),
    ("FrontHair", "Glasses", "HairAccessory"),
)
ORDER_MARGIN = 0.08
PARALLAX_GAIN = 1.0
PARALLAX_CLAMP = 0.25
PARALLAX_KEYS = ("angle_x_fw", "angle_y_up_fw", "angle_y_down_fw")
FEATURE_LAYERS: dict[str, tuple[str, ...]] = {
    "nose": ("Nose",),
    "eye": ("EyeWhiteL", "EyeWhiteR", "IrisL", "IrisR"),
    "brow": ("BrowL", "BrowR"),
    "mouth": ("Mouth", "LipUpper", "LipLower"),
    "front_hair": ("FrontHair",),
    "back_hair_top": ("BackHair",),
    "back_hair_bottom": ("BackHair",),
}


@dataclass(slots=True)
class DepthReport:
    """What depth changed: per-layer depth, the new orders and the parallax factors."""

    layer_depth: dict[str, float] = field(default_factory=dict)
    orders: dict[str, float] = field(default_factory=dict)  # only the layers whose order changed
    parallax: dict[str, float] = field(default_factory=dict)  # motion feature key -> factor

    def summary(self) -> str:
        swaps = ", ".join(f"{k}={v:g}" for k, v in sorted(self.orders.items())) or "none"
        par = ", ".join(f"{k}x{v:.2f}" for k, v in sorted(self.parallax.items())) or "none"
        return f"{MODEL_NAME}: order changes {swaps}; parallax {par}"


def resized_shape(h: int, w: int, target: int = INPUT_PX, multiple: int = MULTIPLE) -> tuple[int, int]:
    """(h', w'): the network input size of an ``h`` × ``w`` image (lower-bound resize, multiples of 14)."""
    scale = max(target / h, target / w)

    def side(v: float) -> int:
        out = int(np.round(v / multiple) * multiple)
        return int(np.ceil(v / multiple) * multiple) if out < target else out

    return side(scale * h), side(scale * w)


def preprocess(rgb: np.ndarray) -> np.ndarray:
    """(1, 3, h', w') float32 network input for an (H, W, 3) uint8 RGB image."""
    import cv2

    h, w = rgb.shape[:2]
    nh, nw = resized_shape(h, w)
    small = cv2.resize(rgb.astype(np.float32) / 255.0, (nw, nh), interpolation=cv2.INTER_CUBIC)
    return np.ascontiguousarray(((small - MEAN) / STD).transpose(2, 0, 1)[None])


def postprocess(raw: np.ndarray, shape: tuple[int, int], fg: np.ndarray | None = None) -> np.ndarray:
    """(H, W) float32 depth in [0, 1] (1 = nearest) from the model's (1, h', w') output."""
    import cv2

    d = np.asarray(raw, np.float32).reshape(raw.shape[-2:])
    d = cv2.resize(d, (shape[1], shape[0]), interpolation=cv2.INTER_LINEAR)
    sample = d[fg] if fg is not None and fg.any() else d.ravel()
    lo, hi = np.percentile(sample, [2.0, 98.0])
    return np.clip((d - lo) / max(float(hi - lo), 1e-6), 0.0, 1.0).astype(np.float32)


def estimate_depth(rgb: np.ndarray, fg: np.ndarray | None = None, *, path: str | Path | None = None,
                   prefer_gpu: bool = True) -> np.ndarray:
    """(H, W) float32 normalised depth of ``rgb`` (see :func:`postprocess`) with the cached model.

    Raises
    ------
    rig.errors.ModelDownloadError
        The model is not cached (message has the ``kirie models pull`` line).
    inference.models.runtime.ModelContractError
        The file does not load or has another contract.
    """
    from inference.models.download import cached_model
    from rig.errors import ModelDownloadError

    if path is None:
        path = cached_model(MODEL_NAME)
        if path is None:
            raise ModelDownloadError(f"model {MODEL_NAME!r} is not downloaded; run 'kirie models pull {MODEL_NAME}'")
    stat = Path(path).stat()
    session = _session(str(path), stat.st_mtime_ns, stat.st_size, prefer_gpu)
    raw = session.run({"image": preprocess(rgb)})["depth"]
    return postprocess(raw, rgb.shape[:2], fg)


@functools.lru_cache(maxsize=2)
def _session(path: str, mtime_ns: int, size: int, prefer_gpu: bool) -> Any:
    from inference.models.registry import get_model
    from inference.models.runtime import create_session

    del mtime_ns, size  # cache key only
    return create_session(path, get_model(MODEL_NAME), prefer_gpu=prefer_gpu)


def layer_depths(depth: np.ndarray, visible: dict[str, np.ndarray]) -> dict[str, float]:
    """Median depth over each layer's visible pixels (layers with no visible pixel are left out)."""
    return {name: float(np.median(depth[mask])) for name, mask in visible.items() if mask.any()}


def plan(orders: dict[str, float], motion: dict[str, Any], depths: dict[str, float]) -> DepthReport:
    """The draw-order swaps and parallax factors that ``depths`` (layer -> [0, 1]) call for."""
    report = DepthReport(layer_depth=dict(depths))
    new = dict(orders)
    for group in ORDER_GROUPS:
        members = [n for n in group if n in depths and n in new]
        for _ in range(len(members)):
            members.sort(key=lambda n: new[n])
            for back, front in zip(members, members[1:]):
                if depths[back] > depths[front] + ORDER_MARGIN:
                    new[back], new[front] = new[front], new[back]
    report.orders = {n: v for n, v in new.items() if v != orders[n]}
    face = depths.get("Face")
    if face is not None:
        offsets = {}
        for key, names in FEATURE_LAYERS.items():
            vals = [depths[n] for n in names if n in depths]
            if vals and any(key in motion.get(k, {}) for k in PARALLAX_KEYS):
                offsets[key] = float(np.mean(vals)) - face
        if offsets:
            mid = float(np.median(list(offsets.values())))
            report.parallax = {k: float(np.clip(1.0 + PARALLAX_GAIN * (o - mid), 1 - PARALLAX_CLAMP, 1 + PARALLAX_CLAMP))
                               for k, o in offsets.items()}
    return report


def apply_to_template(tpl: Any, report: DepthReport) -> Any:
    """A copy of the rig template ``tpl`` (:class:`inference.rigging.template.Template`) with the
    report's draw orders and parallax factors applied; ``tpl`` itself is not changed."""
    layers = {n: (dataclasses.replace(s, order=report.orders[n]) if n in report.orders else s)
              for n, s in tpl.layers.items()}
    motion = dict(tpl.motion)
    for key in PARALLAX_KEYS:
        if isinstance(motion.get(key), dict):
            motion[key] = {k: v * report.parallax.get(k, 1.0) for k, v in motion[key].items()}
    return dataclasses.replace(tpl, layers=layers, motion=motion)

"""Anime foreground upgrade: SkyTNT's ISNet ``isnetis.onnx`` (models.md §2.2–2.3).

Used by the pipeline when the model is in the cache (``kirie models pull anime_seg_isnetis``) and
onnxruntime is importable; otherwise the embedded default of :mod:`inference.segmentation.foreground` runs.

Pre- and post-processing follow the model's contract and its reference demo
(``skytnt/anime-remove-background`` on Hugging Face Spaces): RGB / 255, letterbox (longest side
resized to 1024, centred on zeros), NCHW float32; the 1×1×1024×1024 sigmoid mask is cropped back to the
letterboxed content and resized to the image size.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from inference.models.download import cached_model
from inference.models.registry import get_model
from inference.models.runtime import ModelSession, create_session
from inference.types import Foreground, LoadedImage
from rig.errors import ModelDownloadError

log = logging.getLogger(__name__)

MODEL_NAME = "anime_seg_isnetis"
METHOD = "anime-seg isnetis"
INPUT_SIZE = 1024


@dataclass(frozen=True, slots=True)
class Letterbox:
    """Where the resized image sits in the square model input (pixels of the model input frame)."""

    top: int
    left: int
    height: int
    width: int
    size: int


def available() -> bool:
    """True when onnxruntime is importable and ``isnetis.onnx`` is in the model cache (right size)."""
    return importlib.util.find_spec("onnxruntime") is not None and cached_model(MODEL_NAME) is not None


def model_path() -> Path | None:
    """The cached ``isnetis.onnx`` (registered size), or None when it is not downloaded."""
    return cached_model(MODEL_NAME)


def letterbox(rgb: np.ndarray, size: int = INPUT_SIZE) -> tuple[np.ndarray, Letterbox]:
    """Model input for ``rgb``: resize the longest side to ``size``, centre on zeros, RGB / 255, NCHW.

    Parameters
    ----------
    rgb : (H, W, 3) uint8 ndarray
        RGB, canvas frame.
    size : int
        Side of the square model input.

    Returns
    -------
    tensor : (1, 3, size, size) float32 ndarray
        Values in [0, 1]; padding is 0.
    box : Letterbox
        The content rectangle; the content is ``round(H * s) × round(W * s)`` with
        ``s = size / max(H, W)``, at offset ``((size - h) // 2, (size - w) // 2)``.
    """
    import cv2

    h0, w0 = rgb.shape[:2]
    scale = size / max(h0, w0)
    h, w = max(1, round(h0 * scale)), max(1, round(w0 * scale))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    resized = cv2.resize(np.ascontiguousarray(rgb[..., :3]), (w, h), interpolation=interpolation)
    box = Letterbox(top=(size - h) // 2, left=(size - w) // 2, height=h, width=w, size=size)
    canvas = np.zeros((size, size, 3), np.float32)
    canvas[box.top : box.top + h, box.left : box.left + w] = resized.astype(np.float32) / 255.0
    return np.ascontiguousarray(canvas.transpose(2, 0, 1)[np.newaxis]), box


def unletterbox(mask: np.ndarray, box: Letterbox, height: int, width: int) -> np.ndarray:
    """Crop the content rectangle out of a square model mask and resize it to ``height`` × ``width``.

    Parameters
    ----------
    mask : (size, size) float ndarray
        Model output in the letterboxed frame.
    box : Letterbox
        As returned by :func:`letterbox`.
    height, width : int
        The original image size in pixels.

    Returns
    -------
    (height, width) float32 ndarray
        Clipped to [0, 1]; bilinear resize.
    """
    import cv2

    crop = np.ascontiguousarray(
        mask[box.top : box.top + box.height, box.left : box.left + box.width], np.float32
    )
    if crop.shape != (height, width):
        crop = cv2.resize(crop, (width, height), interpolation=cv2.INTER_LINEAR)
    return np.clip(crop, 0.0, 1.0).astype(np.float32, copy=False)


def isnet_foreground(
    img: LoadedImage, model_path: str | Path | None = None, *, prefer_gpu: bool = True
) -> Foreground:
    """Foreground matte of ``img`` from ``isnetis.onnx``.

    Parameters
    ----------
    img : LoadedImage
        ``rgba`` (H, W, 4) uint8; only RGB is used (the pipeline uses a real alpha channel directly).
    model_path : str or Path, optional
        The ``.onnx`` file; default the cached ``anime_seg_isnetis``.
    prefer_gpu : bool
        Run on CUDA when onnxruntime offers it.

    Returns
    -------
    Foreground
        ``alpha`` (H, W) float32 in [0, 1], ``method="anime-seg isnetis"``.

    Raises
    ------
    rig.errors.ModelDownloadError
        No ``model_path`` given and the model is not in the cache, or ``model_path`` does not exist.
    inference.models.runtime.ModelContractError
        The file cannot be loaded or does not match the contract (1×3×1024×1024 → 1×1×1024×1024).
    """
    if model_path is None:
        model_path = cached_model(MODEL_NAME)
        if model_path is None:
            raise ModelDownloadError(
                f"model {MODEL_NAME!r} is not downloaded; run 'kirie models pull {MODEL_NAME}' first"
            )
    elif not Path(model_path).is_file():
        raise ModelDownloadError(f"model file {model_path} does not exist")
    model = _session(str(model_path), prefer_gpu)
    height, width = img.rgba.shape[:2]
    tensor, box = letterbox(img.rgba[..., :3], INPUT_SIZE)
    mask = model.run({"image": tensor})["mask"]
    alpha = unletterbox(np.asarray(mask)[0, 0], box, height, width)
    return Foreground(alpha=alpha, method=METHOD)


def try_isnet_foreground(img: LoadedImage, *, prefer_gpu: bool = True) -> Foreground | None:
    """:func:`isnet_foreground` when :func:`available`, else None (the caller falls back)."""
    if not available():
        log.debug("anime-seg isnetis not available; using the embedded foreground")
        return None
    return isnet_foreground(img, prefer_gpu=prefer_gpu)


def _session(path: str, prefer_gpu: bool) -> ModelSession:
    """A session for ``path``, reused while the file is unchanged (loading takes about a second)."""
    stat = Path(path).stat()
    return _cached_session(path, stat.st_mtime_ns, stat.st_size, prefer_gpu)


@functools.lru_cache(maxsize=2)
def _cached_session(path: str, mtime_ns: int, size: int, prefer_gpu: bool) -> ModelSession:
    del mtime_ns, size  # cache key only
    return create_session(path, get_model(MODEL_NAME), prefer_gpu=prefer_gpu)

"""Learned completion: LaMa (``Carve/LaMa-ONNX`` ``lama_fp32.onnx``, models.md §2.3) and MI-GAN
(``andraniksargsyan/migan`` ``migan_pipeline_v2.onnx``, :mod:`inference.models.registry_learned`) behind stage 5.

:func:`inference.layers.completion.fill_region` asks :func:`active` for the inpainter of the running
generation (set by the pipeline with :func:`using` when the completion stage resolved to the learned
backend, :mod:`inference.backends`) and, when there is one, paints the crop around each hidden region
with it instead of TELEA.

Pre/post-processing (models.md §2.3; ``advimman/lama : bin/predict.py`` feeds ``image`` RGB / 255 and a
binary ``mask`` with 1 = fill, and the masked pixels zeroed by the network's own ``img * (1 - mask)``):

1. the crop (already the hidden region plus a margin) is padded to a square by edge replication, so
   the aspect ratio is kept, and resized to the model's native 512² (INTER_AREA down, INTER_CUBIC up);
2. ``image`` = RGB / 255 with the unknown pixels set to 0, ``mask`` = 1 on unknown pixels
   (the mask is dilated by 1 px at 512² after resizing so no half-known pixel stays "known");
3. the output is read as [0, 255] when its max is above 1.5, else as [0, 1] (both are published),
   clipped, resized back to the padded crop and un-padded;
4. blended back: known pixels keep their input colour exactly; unknown pixels take the model's.

MI-GAN goes through the same crop, square pad, 512² resize and blend; only the tensors differ
(``Picsart-AI-Research/MI-GAN : README.md`` "For Developers" and ``scripts/create_onnx_pipeline.py``):
``image`` is the 512² crop as uint8 RGB NCHW, ``mask`` uint8 with 255 = known and 0 = fill (binary;
the graph itself computes ``[mask - 0.5, (image * 2 / 255 - 1) * mask]`` at 512² and composites),
and ``result`` is uint8 RGB NCHW. Given a 512² input the graph's own crop around the hole covers the
whole square, so Kirie's crop decides the context exactly as for LaMa.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from inference.models.download import cached_model
from inference.models.registry import get_model
from inference.models.runtime import ModelSession, create_session
from rig.errors import ModelDownloadError

log = logging.getLogger(__name__)

MODEL_NAME = "lama"
METHOD = "lama"
MIGAN_NAME = "migan"
NATIVE_PX = 512
KINDS = (MODEL_NAME, MIGAN_NAME)

_ACTIVE: contextvars.ContextVar[LearnedInpainter | None] = contextvars.ContextVar("kirie_inpainter", default=None)


@dataclass(slots=True)
class LearnedInpainter:
    """A loaded fixed-size inpainting model (image + mask in, image out).

    Attributes
    ----------
    session : ModelSession
        Roles ``image`` (1, 3, S, S) float32 [0, 1], ``mask`` (1, 1, S, S) float32 1 = fill; output
        ``image`` (1, 3, S, S).
    size : int
        The graph's fixed side S (512 for LaMa; the side MI-GAN is fed at).
    calls : int
        How many crops were painted (for logs and tests).
    kind : str
        ``"lama"`` (float tensors, mask 1 = fill) or ``"migan"`` (uint8 tensors, mask 255 = known).
    """

    session: ModelSession
    size: int = NATIVE_PX
    calls: int = 0
    kind: str = MODEL_NAME

    def _run(self, img_s: np.ndarray, hole_s: np.ndarray) -> np.ndarray:
        """(S, S, 3) float32 0–255 model output for the (S, S, 3) uint8 crop and its (S, S) bool hole."""
        if self.kind == MIGAN_NAME:
            feeds = {
                "image": np.ascontiguousarray(img_s.transpose(2, 0, 1)[None]),
                "mask": np.where(hole_s, 0, 255).astype(np.uint8)[None, None],
            }
            return np.asarray(self.session.run(feeds)["image"], np.float32)[0].transpose(1, 2, 0)
        image = img_s.astype(np.float32) / 255.0
        image[hole_s] = 0.0
        feeds = {
            "image": np.ascontiguousarray(image.transpose(2, 0, 1)[None]),
            "mask": hole_s.astype(np.float32)[None, None],
        }
        out = np.asarray(self.session.run(feeds)["image"], np.float32)[0].transpose(1, 2, 0)
        out = out if float(out.max(initial=0.0)) > 1.5 else out * 255.0
        return np.clip(out, 0.0, 255.0)

    def paint(self, rgb: np.ndarray, known: np.ndarray) -> np.ndarray:
        """(h, w, 3) float32 0–255: ``rgb`` with every pixel outside ``known`` inpainted.

        Parameters
        ----------
        rgb : (h, w, 3) uint8 ndarray
            The crop, RGB.
        known : (h, w) bool ndarray
            Pixels to keep (the part's visible art); the others are filled.
        """
        import cv2

        h, w = known.shape
        side = max(h, w)
        pad_b, pad_r = side - h, side - w
        img = cv2.copyMakeBorder(np.ascontiguousarray(rgb), 0, pad_b, 0, pad_r, cv2.BORDER_REPLICATE)
        hole = cv2.copyMakeBorder((~known).astype(np.uint8), 0, pad_b, 0, pad_r, cv2.BORDER_REPLICATE)
        s = self.size
        interp = cv2.INTER_AREA if side > s else cv2.INTER_CUBIC
        img_s = cv2.resize(img, (s, s), interpolation=interp) if side != s else img
        hole_s = cv2.resize(hole.astype(np.float32), (s, s), interpolation=cv2.INTER_LINEAR) > 0 if side != s else hole > 0
        hole_s = cv2.dilate(hole_s.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
        out = self._run(img_s, hole_s)
        if side != s:
            out = cv2.resize(out, (side, side), interpolation=cv2.INTER_AREA if s > side else cv2.INTER_CUBIC)
        out = np.clip(out[:h, :w], 0.0, 255.0)
        self.calls += 1
        return np.where(known[..., None], rgb.astype(np.float32), out).astype(np.float32)


def active() -> LearnedInpainter | None:
    """The inpainter of the generation running in this thread/context, or None (classical TELEA)."""
    return _ACTIVE.get()


@contextlib.contextmanager
def using(inpainter: LearnedInpainter | None) -> Iterator[LearnedInpainter | None]:
    """Make ``inpainter`` the :func:`active` one inside the ``with`` block (None = classical)."""
    token = _ACTIVE.set(inpainter)
    try:
        yield inpainter
    finally:
        _ACTIVE.reset(token)


def load_lama(path: str | Path | None = None, *, prefer_gpu: bool = True) -> LearnedInpainter:
    """The LaMa inpainter from ``path`` (default: the cached ``lama_fp32.onnx``); see :func:`load_inpainter`."""
    return load_inpainter(MODEL_NAME, path, prefer_gpu=prefer_gpu)


def load_inpainter(name: str, path: str | Path | None = None, *, prefer_gpu: bool = True) -> LearnedInpainter:
    """The inpainter ``name`` (``"lama"`` or ``"migan"``) from ``path`` (default: its cached file).

    Raises
    ------
    rig.errors.ModelDownloadError
        Not in the cache (the message has the ``kirie models pull NAME`` line), or ``path`` missing.
    inference.models.runtime.ModelContractError
        The file does not load or does not have the model's contract (names, ranks, dtypes).
    ValueError
        ``name`` is not an inpainter.
    """
    if name not in KINDS:
        raise ValueError(f"{name!r} is not an inpainting model; expected one of {', '.join(KINDS)}")
    if path is None:
        path = cached_model(name)
        if path is None:
            raise ModelDownloadError(f"model {name!r} is not downloaded; run 'kirie models pull {name}'")
    elif not Path(path).is_file():
        raise ModelDownloadError(f"model file {path} does not exist")
    stat = Path(path).stat()
    session = _cached_session(name, str(path), stat.st_mtime_ns, stat.st_size, prefer_gpu)
    return LearnedInpainter(session, NATIVE_PX, kind=name)


@functools.lru_cache(maxsize=4)
def _cached_session(name: str, path: str, mtime_ns: int, size: int, prefer_gpu: bool) -> ModelSession:
    del mtime_ns, size  # cache key only
    return create_session(path, get_model(name), prefer_gpu=prefer_gpu)

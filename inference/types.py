"""Typed stage inputs and outputs of the generation pipeline (design.md "Generation").

Frames and conventions shared by every stage:
- Images are (H, W, 4) uint8 RGBA, straight alpha, in the **canvas frame** (the loaded image:
  pixels, origin top-left, +y down). Points are float (x, y) canvas pixels.
- **L / R are the character's**: the character's left eye is on the **screen right** (+x), as in the
  Live2D standard parameters (``ParamEyeLOpen`` closes the eye on the screen right).
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from rig.errors import CancelledError

ProgressCallback = Callable[[float, str], None]
"""``progress(fraction in [0, 1] of the whole pipeline, stage name)``."""


class CancelToken:
    """Cooperative cancellation: the UI calls :meth:`cancel`; stages call :meth:`check` often."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        """Raise :class:`rig.errors.CancelledError` if cancellation was requested."""
        if self._event.is_set():
            raise CancelledError("generation was cancelled")


@dataclass(slots=True)
class LoadedImage:
    """Stage 1 output. ``rgba`` (H, W, 4) uint8 straight alpha; ``has_alpha`` is True when the file
    had a meaningful alpha channel (not all 255). ``scale`` = loaded size / file size (< 1 when the
    image was downscaled). ``notices`` are human-readable messages for the user."""

    rgba: np.ndarray
    source: str
    has_alpha: bool
    scale: float = 1.0
    notices: list[str] = field(default_factory=list)

    @property
    def size_px(self) -> tuple[int, int]:
        return int(self.rgba.shape[1]), int(self.rgba.shape[0])


@dataclass(slots=True)
class Foreground:
    """Stage 2 output: ``alpha`` (H, W) float32 in [0, 1], 1 = character. ``method`` names the backend."""

    alpha: np.ndarray
    method: str


@dataclass(slots=True)
class EyeLandmarks:
    """One eye, canvas px. ``box`` is the eye opening (x, y, w, h); ``upper_lid`` / ``lower_lid`` are
    polylines (P, 2) from the outer to the inner corner or left to right on screen (either; ordered
    by x ascending); ``iris_center`` and ``iris_radius`` the visible iris."""

    center: tuple[float, float]
    box: tuple[float, float, float, float]
    iris_center: tuple[float, float]
    iris_radius: float
    upper_lid: np.ndarray
    lower_lid: np.ndarray


@dataclass(slots=True)
class FaceLandmarks:
    """Stage 3 output, in canvas px.

    Attributes
    ----------
    kind : str
        ``"anime"`` or ``"real"``.
    face_box : (x, y, w, h)
        The face (forehead to chin, cheek to cheek).
    face_contour : (K, 2) float32 ndarray
        Closed polygon of the face skin outline (jaw line plus an estimated forehead), clockwise.
    chin : (x, y)
    eye_l, eye_r : EyeLandmarks
        Character's left (screen right) and right (screen left) eye.
    brow_l, brow_r : (P, 2) float32 ndarray
        Brow centre lines, x ascending.
    nose : (x, y)
        Nose tip.
    mouth_center : (x, y)
    mouth_corners : ((x, y), (x, y))
        Screen-left corner first.
    mouth_box : (x, y, w, h)
    roll_deg : float
        In-plane head tilt, clockwise positive.
    confidence : float
        Detector score in [0, 1].
    method : str
        Backend that produced it (``"animeface"``, ``"mediapipe"`` ...).
    mesh : (478, 2) float32 ndarray or None
        The MediaPipe face-mesh points (canonical indices) for ``kind == "real"``; None for anime.
    """

    kind: str
    face_box: tuple[float, float, float, float]
    face_contour: np.ndarray
    chin: tuple[float, float]
    eye_l: EyeLandmarks
    eye_r: EyeLandmarks
    brow_l: np.ndarray
    brow_r: np.ndarray
    nose: tuple[float, float]
    mouth_center: tuple[float, float]
    mouth_corners: tuple[tuple[float, float], tuple[float, float]]
    mouth_box: tuple[float, float, float, float]
    roll_deg: float
    confidence: float
    method: str
    mesh: np.ndarray | None = None

    @property
    def face_width_px(self) -> float:
        """FW of rigging.md: the face's horizontal extent."""
        return float(self.face_box[2])


class PartLabel(enum.IntEnum):
    """Values of the part label map (stage 4). L/R are the character's (L = screen right)."""

    BACKGROUND = 0
    BACK_HAIR = 1
    BODY = 2  # torso, clothes, arms
    NECK = 3
    FACE = 4  # face skin, ears included
    FRONT_HAIR = 5  # bangs and side locks in front of the face
    BROW_L = 6
    BROW_R = 7
    EYE_WHITE_L = 8
    EYE_WHITE_R = 9
    IRIS_L = 10
    IRIS_R = 11
    LASH_L = 12  # upper lash / lid line
    LASH_R = 13
    MOUTH = 14
    NOSE = 15
    ACCESSORY = 16
    GLASSES = 17  # frames (and lenses where they differ from what is behind them)
    HAIR_ACCESSORY = 18  # clips, ribbons, bows worn in the front hair (move with it)
    HAIR_ACCESSORY_BACK = 19  # the same, worn in the back hair
    HAT = 20  # hats, caps and headbands across the head top (move with the head)
    EARRING = 21  # earrings beside the jaw (move with the head, swing)


@dataclass(slots=True)
class PartMap:
    """Stage 4 output: ``labels`` (H, W) uint8 of :class:`PartLabel` values; every foreground pixel
    (alpha > 0) has a non-background label. ``method`` names the segmenter."""

    labels: np.ndarray
    method: str

    def mask(self, *labels: PartLabel) -> np.ndarray:
        """(H, W) bool: pixels with any of ``labels``."""
        return np.isin(self.labels, np.array([int(x) for x in labels], np.uint8))


@dataclass(slots=True)
class CutLayer:
    """Stage 5 output, one per layer.

    Attributes
    ----------
    name : str
        Stable layer name, e.g. ``"FrontHair"``, ``"EyeWhiteL"``, ``"MouthInterior"``, ``"LidLineL"``
        (see ``inference.layers.cut.LAYER_NAMES``).
    label : PartLabel or None
        The part it was cut from; None for synthesised layers (mouth interior, closed-eye line).
    image : (h, w, 4) uint8 ndarray
        RGBA straight alpha, cropped to the layer's extent (visible + completed pixels).
    origin_px : (x, y)
        Canvas position of ``image``'s top-left corner (integers as floats).
    visible_mask : (h, w) bool ndarray
        Pixels of this layer visible in the input (the rest is completion or synthesis).
    """

    name: str
    label: PartLabel | None
    image: np.ndarray
    origin_px: tuple[float, float]
    visible_mask: np.ndarray


@dataclass(slots=True)
class LayerMesh:
    """Stage 6 output for one layer: ``vertices_px`` (N, 2) float32 canvas px, ``uvs`` (N, 2) float32
    in [0, 1] of the layer image (origin top-left), ``triangles`` (M, 3) uint16. Covers every pixel
    of the layer with alpha > 0."""

    layer_name: str
    vertices_px: np.ndarray
    uvs: np.ndarray
    triangles: np.ndarray

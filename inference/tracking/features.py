"""Per-frame face features and the geometry that derives them from FaceLandmarker output.

**Frame and sign conventions** (all in the *image as delivered by the source*, never mirrored):

- ``yaw_deg`` > 0: the face turns toward the image's right (the nose moves right in the picture).
  In an unmirrored camera image that is the subject turning to *their* left.
- ``pitch_deg`` > 0: the face turns up.
- ``roll_deg`` > 0: the head tilts clockwise in the picture (its top moves toward the image's right).
- "image-left" / "image-right" eye: the eye drawn on that side of the picture. In an unmirrored camera
  image the image-right eye is the subject's left eye, and MediaPipe's blendshape names follow the
  subject (``eyeBlinkLeft`` is the image-right eye; checked on ``d3.mp4``'s winks).
- ``gaze_x`` > 0: looking toward the image's right; ``gaze_y`` > 0: looking up.

These are the conventions of Live2D's standard parameters for a character drawn like the picture
(``ParamAngleX`` > 0 = head turns to screen right, ``ParamAngleZ`` > 0 = tilts clockwise, Kirie's
rigging recipes), so with ``mirror=False`` the mapper copies them with no sign change; a selfie view
(``mirror=True``) negates yaw, roll and gaze x and swaps the eyes (:mod:`inference.tracking.mapping`).

Pose from the facial transformation matrix ``M`` (canonical face model -> camera frame, OpenGL
convention x right, y up, z toward the viewer): with ``R = M[:3, :3]`` (columns normalised) written as
``Ry(yaw) Rx(-pitch) Rz(-roll)``, ``yaw = atan2(R02, R22)``, ``pitch = atan2(R12, hypot(R02, R22))`` and
``roll = -atan2(R10, R11)``.

Ratios follow LivePortrait's retargeting (``KwaiVGI/LivePortrait : src/utils/retargeting_utils.py``):
eyelid gap / eye width, lip gap / mouth width, from 3D landmark distances in pixels (x by width, y by
height, z by width), so they stay comparable under moderate head turns.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

N_LANDMARKS = 478
# (outer corner, inner corner, upper-lid points, lower-lid points), MediaPipe face-mesh indices.
EYE_IMAGE_LEFT = (33, 133, (160, 159, 158), (144, 145, 153))
EYE_IMAGE_RIGHT = (263, 362, (387, 386, 385), (373, 374, 380))
IRIS_IMAGE_LEFT, IRIS_IMAGE_RIGHT = 468, 473
LIP_UPPER_INNER, LIP_LOWER_INNER = 13, 14
MOUTH_CORNERS = (61, 291)


@dataclass(slots=True)
class FaceFeatures:
    """What the tracker measured in one frame (see the module docstring for the conventions).

    Attributes
    ----------
    timestamp_ms : int
    found : bool
        False when no face was detected; every other field then holds its empty value.
    landmarks : (478, 3) float32 ndarray or None
        Normalised x, y in [0, 1] of the image width/height (origin top-left, +y down); z in units of
        the image width, smaller = nearer.
    blendshapes : dict of str to float
        The 52 ARKit-style scores in [0, 1] by MediaPipe's names (subject-side names).
    matrix : (4, 4) float64 ndarray or None
        Facial transformation matrix (canonical face -> camera, centimetres).
    yaw_deg, pitch_deg, roll_deg : float
        Head pose in degrees.
    eye_ratio_image_left, eye_ratio_image_right : float
        Eyelid gap / eye width per eye (about 0.3 open, below 0.1 closed).
    mouth_open_ratio : float
        Inner lip gap / mouth width (corner to corner).
    mouth_width_ratio : float
        Mouth width / distance between the outer eye corners.
    iris_image_left, iris_image_right : (2,) float64 ndarray
        Iris centre offset from the eye-corner midpoint in half eye widths, (+x image right, +y up).
    gaze_x, gaze_y : float
        Gaze from the eyeLook* blendshapes, each in [-1, 1] (+x image right, +y up).
    """

    timestamp_ms: int
    found: bool
    landmarks: np.ndarray | None = None
    blendshapes: dict[str, float] = field(default_factory=dict)
    matrix: np.ndarray | None = None
    yaw_deg: float = 0.0
    pitch_deg: float = 0.0
    roll_deg: float = 0.0
    eye_ratio_image_left: float = 0.0
    eye_ratio_image_right: float = 0.0
    mouth_open_ratio: float = 0.0
    mouth_width_ratio: float = 0.0
    iris_image_left: np.ndarray = field(default_factory=lambda: np.zeros(2))
    iris_image_right: np.ndarray = field(default_factory=lambda: np.zeros(2))
    gaze_x: float = 0.0
    gaze_y: float = 0.0

    def blendshape_image_side(self, base: str, image_side: str) -> float:
        """A per-side blendshape by image side: ``("eyeBlink", "right")`` -> ``eyeBlinkLeft``.

        MediaPipe names follow the subject of an unmirrored image, whose left is the image's right.
        """
        subject = {"left": "Right", "right": "Left"}[image_side]
        return float(self.blendshapes.get(base + subject, 0.0))


def pose_from_matrix(matrix: np.ndarray) -> tuple[float, float, float]:
    """``(yaw_deg, pitch_deg, roll_deg)`` from a facial transformation matrix (module conventions).

    Parameters
    ----------
    matrix : (4, 4) or (3, 3) array-like
        Rotation (possibly scaled) in the upper-left 3x3 block.
    """
    r = np.asarray(matrix, np.float64)[:3, :3]
    r = r / np.maximum(np.linalg.norm(r, axis=0, keepdims=True), 1e-12)
    yaw = math.degrees(math.atan2(r[0, 2], r[2, 2]))
    pitch = math.degrees(math.atan2(r[1, 2], math.hypot(r[0, 2], r[2, 2])))
    roll = -math.degrees(math.atan2(r[1, 0], r[1, 1]))
    return yaw, pitch, roll


def _dist(p: np.ndarray, i: int, j: int) -> float:
    return float(np.linalg.norm(p[i] - p[j]))


def eye_ratio(points_px: np.ndarray, eye: tuple) -> float:
    """Mean eyelid gap over three lid pairs / eye width (corner to corner), for one eye."""
    outer, inner, upper, lower = eye
    gap = np.mean([_dist(points_px, u, lo) for u, lo in zip(upper, lower)])
    return float(gap / max(_dist(points_px, outer, inner), 1e-9))


def iris_offset(points_px: np.ndarray, eye: tuple, iris: int) -> np.ndarray:
    """Iris centre minus eye-corner midpoint, in half eye widths, (+x image right, +y up)."""
    outer, inner = eye[0], eye[1]
    mid = (points_px[outer, :2] + points_px[inner, :2]) / 2.0
    half = max(_dist(points_px, outer, inner) / 2.0, 1e-9)
    d = (points_px[iris, :2] - mid) / half
    return np.array([d[0], -d[1]])


def gaze_from_blendshapes(bs: dict[str, float]) -> tuple[float, float]:
    """``(gaze_x, gaze_y)`` in the image frame from eyeLookIn/Out/Up/Down (subject-side names).

    The subject's left eye looking out and right eye looking in both look toward the image's right.
    """
    g = bs.get
    x = 0.5 * ((g("eyeLookOutLeft", 0.0) - g("eyeLookInLeft", 0.0)) + (g("eyeLookInRight", 0.0) - g("eyeLookOutRight", 0.0)))
    y = 0.5 * ((g("eyeLookUpLeft", 0.0) + g("eyeLookUpRight", 0.0)) - (g("eyeLookDownLeft", 0.0) + g("eyeLookDownRight", 0.0)))
    return float(x), float(y)


def features_from_result(landmarks: np.ndarray, blendshapes: dict[str, float], matrix: np.ndarray | None,
                         image_size: tuple[int, int], timestamp_ms: int) -> FaceFeatures:
    """Build :class:`FaceFeatures` from one face's raw outputs.

    Parameters
    ----------
    landmarks : (478, 3) array-like
        Normalised landmarks as FaceLandmarker returns them.
    blendshapes : dict of str to float
    matrix : (4, 4) array-like or None
    image_size : (int, int)
        ``(width, height)`` of the image in pixels.
    timestamp_ms : int
    """
    lm = np.asarray(landmarks, np.float32).reshape(-1, 3)
    w, h = image_size
    px = lm.astype(np.float64) * np.array([w, h, w], np.float64)
    yaw, pitch, roll = pose_from_matrix(matrix) if matrix is not None else (0.0, 0.0, 0.0)
    mouth_w = _dist(px, *MOUTH_CORNERS)
    gx, gy = gaze_from_blendshapes(blendshapes)
    return FaceFeatures(
        timestamp_ms=int(timestamp_ms), found=True, landmarks=lm, blendshapes=dict(blendshapes),
        matrix=None if matrix is None else np.asarray(matrix, np.float64),
        yaw_deg=yaw, pitch_deg=pitch, roll_deg=roll,
        eye_ratio_image_left=eye_ratio(px, EYE_IMAGE_LEFT), eye_ratio_image_right=eye_ratio(px, EYE_IMAGE_RIGHT),
        mouth_open_ratio=_dist(px, LIP_UPPER_INNER, LIP_LOWER_INNER) / max(mouth_w, 1e-9),
        mouth_width_ratio=mouth_w / max(_dist(px, EYE_IMAGE_LEFT[0], EYE_IMAGE_RIGHT[0]), 1e-9),
        iris_image_left=iris_offset(px, EYE_IMAGE_LEFT, IRIS_IMAGE_LEFT),
        iris_image_right=iris_offset(px, EYE_IMAGE_RIGHT, IRIS_IMAGE_RIGHT),
        gaze_x=gx, gaze_y=gy,
    )

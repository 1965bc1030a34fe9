"""Per-user calibration and the mapper's input signals ("sources").

Following anchors.md §3.2 / §3.4 (VTube Studio's "calibrate with a neutral face", LivePortrait's
relative motion and ratio normalisation):

- **Relative pose**: the head rotation is taken relative to the calibrated neutral rotation,
  ``R_rel = R · R_0ᵀ`` (LivePortrait's ``R_driver,i · R_driver,0ᵀ``), then split into yaw/pitch/roll.
- **Eyes**: openness = ``(ratio / open_ratio - CLOSED_FRACTION) / (1 - CLOSED_FRACTION)``: 1 at the
  user's calibrated open-eye ratio, 0 at a quarter of it (measured closed ratios are 0.15-0.25 of
  open on the shared driving videos), so small human eyes drive big anime eyes fully.
- **Mouth**: mean of ``jawOpen`` and the lip ratio, each relative to its calibrated closed value and
  divided by :data:`MOUTH_FULL_SPAN`; the mapping rule adds the dead zone near closed.
- **Gaze, brows, mouth form**: blendshape combinations minus their neutral values.

Everything in :class:`Calibration` is in the image frame of the source (never mirrored), so toggling
the mirror option does not invalidate it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

import numpy as np

from inference.tracking.features import FaceFeatures, pose_from_matrix
from rig.errors import RigError

CLOSED_FRACTION = 0.25
MOUTH_FULL_SPAN = 0.6
MIN_CALIBRATION_FRAMES = 5
DEFAULT_EYE_OPEN_RATIO = 0.32
#: Open-eye ratios use this percentile, not the median: robust to blinks (and a wink) in the window.
EYE_OPEN_PERCENTILE = 75.0


class CalibrationError(RigError):
    """Calibration had too few frames with a face."""


@dataclass(slots=True)
class Calibration:
    """The user's neutral pose and expression (image frame, see the module docstring).

    Attributes
    ----------
    rotation : (3, 3) nested list of float
        Neutral head rotation (the facial transformation matrix's rotation, orthonormalised).
    eye_open_image_left, eye_open_image_right : float
        Eye ratios with the eyes normally open.
    lip_closed_ratio, jaw_closed : float
        Lip ratio and ``jawOpen`` with the mouth closed.
    gaze_x, gaze_y, brow_image_left, brow_image_right, mouth_form : float
        Neutral values of those signals.
    """

    rotation: list[list[float]] = field(default_factory=lambda: np.eye(3).tolist())
    eye_open_image_left: float = DEFAULT_EYE_OPEN_RATIO
    eye_open_image_right: float = DEFAULT_EYE_OPEN_RATIO
    lip_closed_ratio: float = 0.02
    jaw_closed: float = 0.03
    gaze_x: float = 0.0
    gaze_y: float = 0.0
    brow_image_left: float = 0.0
    brow_image_right: float = 0.0
    mouth_form: float = 0.0

    def to_dict(self) -> dict:
        """A JSON-ready dict (snake_case keys)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Calibration:
        """Inverse of :meth:`to_dict`; unknown keys are ignored, missing ones take defaults."""
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)


def brow_raw(f: FaceFeatures, image_side: str) -> float:
    """``browOuterUp + 0.5 browInnerUp - browDown`` for the brow on ``image_side`` ("left"/"right")."""
    inner = float(f.blendshapes.get("browInnerUp", 0.0))
    return f.blendshape_image_side("browOuterUp", image_side) + 0.5 * inner - f.blendshape_image_side("browDown", image_side)


def mouth_form_raw(f: FaceFeatures) -> float:
    """mean(mouthSmile*) - mean(mouthFrown*)."""
    g = f.blendshapes.get
    smile = 0.5 * (g("mouthSmileLeft", 0.0) + g("mouthSmileRight", 0.0))
    frown = 0.5 * (g("mouthFrownLeft", 0.0) + g("mouthFrownRight", 0.0))
    return float(smile - frown)


def _mean_rotation(matrices: list[np.ndarray]) -> np.ndarray:
    """The rotation nearest (Frobenius) to the mean of the rotations (SVD projection)."""
    rs = [m[:3, :3] / np.maximum(np.linalg.norm(m[:3, :3], axis=0, keepdims=True), 1e-12) for m in matrices]
    u, _, vt = np.linalg.svd(np.mean(rs, axis=0))
    r = u @ vt
    if np.linalg.det(r) < 0:
        u[:, -1] *= -1
        r = u @ vt
    return r


def calibrate(features: Iterable[FaceFeatures]) -> Calibration:
    """Neutral pose and ratios from about a second of frames.

    Medians, except the open-eye ratios (:data:`EYE_OPEN_PERCENTILE`), so blinks do not count.

    Raises
    ------
    CalibrationError
        If fewer than :data:`MIN_CALIBRATION_FRAMES` frames have a face.
    """
    found = [f for f in features if f.found]
    if len(found) < MIN_CALIBRATION_FRAMES:
        raise CalibrationError(
            f"calibration needs a face in at least {MIN_CALIBRATION_FRAMES} frames, got {len(found)}; "
            "look straight at the camera with a neutral face and try again"
        )
    med = lambda xs: float(np.median(list(xs)))  # noqa: E731
    upper = lambda xs: float(np.percentile(list(xs), EYE_OPEN_PERCENTILE))  # noqa: E731
    matrices = [f.matrix for f in found if f.matrix is not None]
    rotation = _mean_rotation(matrices) if matrices else np.eye(3)
    return Calibration(
        rotation=rotation.tolist(),
        eye_open_image_left=upper(f.eye_ratio_image_left for f in found),
        eye_open_image_right=upper(f.eye_ratio_image_right for f in found),
        lip_closed_ratio=med(f.mouth_open_ratio for f in found),
        jaw_closed=med(f.blendshapes.get("jawOpen", 0.0) for f in found),
        gaze_x=med(f.gaze_x for f in found),
        gaze_y=med(f.gaze_y for f in found),
        brow_image_left=med(brow_raw(f, "left") for f in found),
        brow_image_right=med(brow_raw(f, "right") for f in found),
        mouth_form=med(mouth_form_raw(f) for f in found),
    )


def eye_openness(ratio: float, open_ratio: float) -> float:
    """Normalised openness: 1 at ``open_ratio``, 0 at ``CLOSED_FRACTION * open_ratio`` (unclamped)."""
    return (ratio / max(open_ratio, 1e-6) - CLOSED_FRACTION) / (1.0 - CLOSED_FRACTION)


def relative_pose(f: FaceFeatures, cal: Calibration) -> tuple[float, float, float]:
    """``(yaw, pitch, roll)`` degrees of ``R · R_0ᵀ`` (image frame); absolute angles minus neutral without a matrix."""
    if f.matrix is None:
        r0 = pose_from_matrix(np.asarray(cal.rotation))
        return f.yaw_deg - r0[0], f.pitch_deg - r0[1], f.roll_deg - r0[2]
    r = f.matrix[:3, :3] / np.maximum(np.linalg.norm(f.matrix[:3, :3], axis=0, keepdims=True), 1e-12)
    return pose_from_matrix(r @ np.asarray(cal.rotation).T)


def image_sources(f: FaceFeatures, cal: Calibration) -> dict[str, float]:
    """Calibrated signals in the image frame (before mirroring).

    Returns
    -------
    dict
        ``yaw``, ``pitch``, ``roll`` (degrees); ``eye_image_left/right`` (openness, 1 = open);
        ``gaze_x``, ``gaze_y``; ``brow_image_left/right``; ``mouth_open`` (0 closed, about 1 wide open);
        ``mouth_form`` (+ smile).
    """
    yaw, pitch, roll = relative_pose(f, cal)
    jaw = (float(f.blendshapes.get("jawOpen", 0.0)) - cal.jaw_closed) / MOUTH_FULL_SPAN
    lip = (f.mouth_open_ratio - cal.lip_closed_ratio) / MOUTH_FULL_SPAN
    return {
        "yaw": yaw, "pitch": pitch, "roll": roll,
        "eye_image_left": eye_openness(f.eye_ratio_image_left, cal.eye_open_image_left),
        "eye_image_right": eye_openness(f.eye_ratio_image_right, cal.eye_open_image_right),
        "gaze_x": f.gaze_x - cal.gaze_x, "gaze_y": f.gaze_y - cal.gaze_y,
        "brow_image_left": brow_raw(f, "left") - cal.brow_image_left,
        "brow_image_right": brow_raw(f, "right") - cal.brow_image_right,
        "mouth_open": max(0.0, 0.5 * (jaw + lip)),
        "mouth_form": mouth_form_raw(f) - cal.mouth_form,
    }


def is_finite_sources(sources: dict[str, float]) -> bool:
    """True when no signal is NaN or infinite (a degenerate mesh is treated as a lost face)."""
    return all(math.isfinite(v) for v in sources.values())

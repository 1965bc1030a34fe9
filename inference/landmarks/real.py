"""Real faces: MediaPipe FaceLandmarker (478-point mesh, IMAGE mode) with a plausibility gate.

Index sets are MediaPipe's canonical face-mesh connections (``FACEMESH_FACE_OVAL``, ``_LIPS``, eyes,
brows, irises 468-477). Which eye is which is decided by x, not by index, so mirrored conventions
cannot swap L and R.

The gate rejects non-human detections (the dog of ``portraits/s30.jpg`` gets a full mesh): the
BlazeFace detector inside ``face_landmarker.task`` must score >= :data:`MIN_DETECTOR_SCORE`, and the
mesh must be **mirror consistent** — the landmark bounding box of the mirrored image, mirrored back,
must match the original within :data:`MAX_FLIP_DRIFT` face widths (0.008-0.033 on the nine test
portraits, 0.094 on the dog), plus basic geometry (eyes above nose above mouth above chin).
"""

from __future__ import annotations

import logging
import zipfile
from dataclasses import dataclass

import numpy as np

from inference.landmarks.geometry import box_of, clockwise, roll_from_eyes, sample_polyline
from inference.models.cache import cached_path
from inference.types import EyeLandmarks, FaceLandmarks

log = logging.getLogger(__name__)

MODEL = "face_landmarker.task"
MIN_DETECTOR_SCORE = 0.5
MAX_FLIP_DRIFT = 0.06

FACE_OVAL = [10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377,
             152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109]  # fmt: skip
LIPS_OUTER = [61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 409, 270, 269, 267, 0, 37, 39, 40, 185]
LIPS_INNER = [78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308, 415, 310, 311, 312, 13, 82, 81, 80, 191]
# (corner, upper lid, corner, lower lid) for the subject's right (image left) and left eyes
EYE_A = (33, [246, 161, 160, 159, 158, 157, 173], 133, [7, 163, 144, 145, 153, 154, 155])
EYE_B = (263, [466, 388, 387, 386, 385, 384, 398], 362, [249, 390, 373, 374, 380, 381, 382])
BROW_A = ([70, 63, 105, 66, 107], [46, 53, 52, 65, 55])
BROW_B = ([300, 293, 334, 296, 336], [276, 283, 282, 295, 285])
IRIS_A, IRIS_B = (468, [469, 470, 471, 472]), (473, [474, 475, 476, 477])
NOSE_TIP, CHIN = 1, 152
NOSE_OUTLINE = [5, 45, 275, 48, 278, 64, 294, 98, 327, 97, 326, 2, 1, 4]
"""Tip, alae and base of the nose (the NOSE part of real faces; the bridge is left to FACE)."""


@dataclass(slots=True)
class MeshResult:
    """478 mesh points (N, 2) working px, the detector score and the gate's verdict."""

    points: np.ndarray
    score: float
    flip_drift: float
    accepted: bool
    reason: str
    faces_found: int = 1  # faces FaceLandmarker found (up to MAX_FACES); this is number ``index`` by size
    index: int = 0


MAX_FACES = 4


def run_mesh(rgb: np.ndarray, face_index: int = 0) -> MeshResult | None:
    """FaceLandmarker + detector score + mirror check on ``rgb`` (H, W, 3) uint8; None without a face.

    Raises FileNotFoundError when ``face_landmarker.task`` is not in the model cache.
    """
    path = cached_path(MODEL)
    if path is None:
        raise FileNotFoundError(MODEL)
    from inference.models.runtime import import_mediapipe

    mp = import_mediapipe()
    from mediapipe.tasks.python import BaseOptions, vision

    opts = vision.FaceLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(path)),
        running_mode=vision.RunningMode.IMAGE,
        num_faces=max(MAX_FACES, face_index + 1),
    )
    with zipfile.ZipFile(path) as z:
        det_buf = z.read("face_detector.tflite")
    det_opts = vision.FaceDetectorOptions(
        base_options=BaseOptions(model_asset_buffer=det_buf),
        running_mode=vision.RunningMode.IMAGE,
        min_detection_confidence=0.2,
    )
    h, w = rgb.shape[:2]
    lm = vision.FaceLandmarker.create_from_options(opts)
    det = vision.FaceDetector.create_from_options(det_opts)
    try:
        meshes = _meshes(lm, mp, rgb)
        if not meshes:
            return None
        index = min(face_index, len(meshes) - 1)
        pts = meshes[index]
        dets = det.detect(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb)).detections
        score = max((d.categories[0].score for d in dets), default=0.0)
        flipped = _nearest_mirror(_meshes(lm, mp, np.ascontiguousarray(rgb[:, ::-1])), pts, w)
    finally:
        lm.close()
        det.close()
    fw = float(np.ptp(pts[:, 0])) or 1.0
    if flipped is None:
        drift = 1.0
    else:
        flipped[:, 0] = (w - 1) - flipped[:, 0]
        drift = float(np.abs(np.r_[pts.min(0) - flipped.min(0), pts.max(0) - flipped.max(0)]).max() / fw)
    ok, reason = _gate(pts, score, drift)
    return MeshResult(pts, float(score), drift, ok, reason, len(meshes), index)


def _meshes(lm, mp, rgb: np.ndarray) -> list[np.ndarray]:
    """Every face's (478, 2) float64 mesh in ``rgb``'s px, largest box (width x height) first."""
    res = lm.detect(mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb)))
    h, w = rgb.shape[:2]
    out = [np.array([[p.x * w, p.y * h] for p in face], np.float64) for face in res.face_landmarks]
    return sorted(out, key=lambda m: (-float(np.ptp(m[:, 0]) * np.ptp(m[:, 1])), float(m[:, 0].min())))


def _nearest_mirror(flipped: list[np.ndarray], pts: np.ndarray, w: int) -> np.ndarray | None:
    """The mesh of the flipped image whose mirrored centre is nearest ``pts``' centre (None if none)."""
    if not flipped:
        return None
    centre = pts.mean(axis=0)
    return min(flipped, key=lambda m: float(np.hypot((w - 1) - m[:, 0].mean() - centre[0], m[:, 1].mean() - centre[1])))


def _gate(p: np.ndarray, score: float, drift: float) -> tuple[bool, str]:
    if score < MIN_DETECTOR_SCORE:
        return False, f"detector score {score:.2f} < {MIN_DETECTOR_SCORE}"
    if drift > MAX_FLIP_DRIFT:
        return False, f"mesh not mirror consistent (drift {drift:.3f} > {MAX_FLIP_DRIFT} face widths)"
    eye_y = 0.5 * (p[EYE_A[0], 1] + p[EYE_B[0], 1])
    mouth_y = 0.5 * (p[13, 1] + p[14, 1])
    if not eye_y < p[NOSE_TIP, 1] < mouth_y < p[CHIN, 1]:
        # in the face's own frame: rotate by the roll first
        return False, "landmarks out of order (eyes, nose, mouth, chin)"
    return True, "accepted"


def real_landmarks(mesh: MeshResult) -> FaceLandmarks:
    """:class:`FaceLandmarks` (working px) from an accepted mesh."""
    p = mesh.points.astype(np.float32)
    ea, eb = _eye(p, EYE_A, IRIS_A), _eye(p, EYE_B, IRIS_B)
    eye_r, eye_l = (ea, eb) if ea.center[0] < eb.center[0] else (eb, ea)  # screen left = char's right
    ba, bb = _brow(p, BROW_A), _brow(p, BROW_B)
    brow_r, brow_l = (ba, bb) if ba[:, 0].mean() < bb[:, 0].mean() else (bb, ba)
    c0, c1 = p[61], p[291]
    corners = (tuple(map(float, c0)), tuple(map(float, c1)))
    if corners[0][0] > corners[1][0]:
        corners = (corners[1], corners[0])
    contour = clockwise(p[FACE_OVAL])
    mouth_c = 0.5 * (p[13] + p[14])
    return FaceLandmarks(
        kind="real",
        face_box=box_of(contour),
        face_contour=contour,
        chin=(float(p[CHIN, 0]), float(p[CHIN, 1])),
        eye_l=eye_l,
        eye_r=eye_r,
        brow_l=brow_l,
        brow_r=brow_r,
        nose=(float(p[NOSE_TIP, 0]), float(p[NOSE_TIP, 1])),
        mouth_center=(float(mouth_c[0]), float(mouth_c[1])),
        mouth_corners=corners,
        mouth_box=box_of(p[LIPS_OUTER]),
        roll_deg=roll_from_eyes(eye_l.center, eye_r.center),
        confidence=mesh.score,
        method="mediapipe",
        mesh=p,
    )


def _eye(p: np.ndarray, spec, iris) -> EyeLandmarks:
    c0, upper, c1, lower = spec
    up = sample_polyline(p[[c0, *upper, c1]])
    lo = sample_polyline(p[[c0, *lower, c1]])
    ring = p[[c0, *upper, c1, *lower]]
    box = box_of(ring)
    center = (box[0] + box[2] / 2, box[1] + box[3] / 2)
    ic = p[iris[0]]
    r = float(np.mean(np.linalg.norm(p[iris[1]] - ic, axis=1)))
    return EyeLandmarks(center, box, (float(ic[0]), float(ic[1])), r, up, lo)


def _brow(p: np.ndarray, spec) -> np.ndarray:
    upper, lower = spec
    mid = 0.5 * (p[upper] + p[lower])
    return sample_polyline(mid)


def polygon(points: np.ndarray, idx: list[int]) -> np.ndarray:
    """(K, 2) float32 polygon of mesh points ``idx``."""
    return np.asarray(points[idx], np.float32)

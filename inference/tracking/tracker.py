"""MediaPipe FaceLandmarker (Tasks API, VIDEO mode) -> :class:`FaceFeatures` per frame.

Model: ``face_landmarker.task`` (Google MediaPipe Face Landmarker float16 v1, Apache-2.0, models.md
§1.6), looked up in Kirie's model cache with :func:`inference.models.cache.cached_path`; tests point
the cache at ``../shared/models`` through ``KIRIE_MODEL_CACHE``. Options: ``running_mode=VIDEO``,
``num_faces=1``, blendshapes and the facial transformation matrix. ``mediapipe`` is imported lazily
(it imports ``cv2``), and the landmarker is closed explicitly (1.2.2's ``__del__`` complains at exit).

Not thread-safe: use one :class:`FaceTracker` from one thread at a time (a Qt worker owns it).
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from inference.models.cache import CACHE_ENV, cached_path
from inference.tracking.features import FaceFeatures, features_from_result
from rig.errors import RigError

log = logging.getLogger(__name__)

MODEL_FILENAME = "face_landmarker.task"


class TrackingModelError(RigError):
    """The face tracking model is missing or cannot be loaded."""


def find_model() -> Path:
    """The cached ``face_landmarker.task``.

    Raises
    ------
    TrackingModelError
        If it is not in the model cache (the message says how to get it).
    """
    path = cached_path(MODEL_FILENAME)
    if path is None:
        raise TrackingModelError(
            f"{MODEL_FILENAME} is not in the model cache; download it with 'kirie models pull "
            f"face_landmarker' (3.8 MB) or point {CACHE_ENV} at a folder that holds it"
        )
    return path


class FaceTracker:
    """Tracks one face through a stream of frames.

    Parameters
    ----------
    model_path : str or Path, optional
        Default: :func:`find_model`.
    min_detection_confidence, min_presence_confidence, min_tracking_confidence : float
        FaceLandmarker thresholds (MediaPipe defaults 0.5).

    Raises
    ------
    TrackingModelError
        If the model is missing or MediaPipe cannot load it.

    Examples
    --------
    >>> with FaceTracker() as tracker:                          # doctest: +SKIP
    ...     for frame in source:
    ...         features = tracker.process(frame.rgb, frame.timestamp_ms)
    """

    def __init__(self, model_path: str | Path | None = None, min_detection_confidence: float = 0.5,
                 min_presence_confidence: float = 0.5, min_tracking_confidence: float = 0.5) -> None:
        path = Path(model_path) if model_path is not None else find_model()
        from inference.models.runtime import import_mediapipe

        mp = import_mediapipe()
        from mediapipe.tasks.python import BaseOptions, vision

        options = vision.FaceLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(path)),
            running_mode=vision.RunningMode.VIDEO,
            num_faces=1,
            min_face_detection_confidence=min_detection_confidence,
            min_face_presence_confidence=min_presence_confidence,
            min_tracking_confidence=min_tracking_confidence,
            output_face_blendshapes=True,
            output_facial_transformation_matrixes=True,
        )
        try:
            self._landmarker = vision.FaceLandmarker.create_from_options(options)
        except (RuntimeError, ValueError) as exc:
            raise TrackingModelError(f"cannot load the face tracking model {path}: {exc}") from exc
        self._mp = mp
        self._last_ms = -1

    def process(self, rgb: np.ndarray, timestamp_ms: int) -> FaceFeatures:
        """Track one frame.

        Parameters
        ----------
        rgb : (H, W, 3) uint8 ndarray
            RGB frame as delivered by the source (not mirrored).
        timestamp_ms : int
            Must increase from call to call; a non-increasing one is bumped by 1 ms (logged).

        Returns
        -------
        FaceFeatures
            ``found`` False when no face is visible.
        """
        if self._landmarker is None:
            raise RuntimeError("FaceTracker is closed")
        ts = int(timestamp_ms)
        if ts <= self._last_ms:
            log.debug("timestamp %d ms not after %d ms; bumped", ts, self._last_ms)
            ts = self._last_ms + 1
        self._last_ms = ts
        image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb, np.uint8))
        result = self._landmarker.detect_for_video(image, ts)
        if not result.face_landmarks:
            return FaceFeatures(timestamp_ms=int(timestamp_ms), found=False)
        landmarks = np.array([(p.x, p.y, p.z) for p in result.face_landmarks[0]], np.float32)
        blendshapes = {c.category_name: float(c.score) for c in (result.face_blendshapes or [[]])[0]}
        matrices = result.facial_transformation_matrixes
        matrix = np.asarray(matrices[0], np.float64) if matrices else None
        h, w = rgb.shape[:2]
        return features_from_result(landmarks, blendshapes, matrix, (w, h), int(timestamp_ms))

    def close(self) -> None:
        """Release MediaPipe's graph; safe to call twice."""
        if self._landmarker is not None:
            self._landmarker.close()
            self._landmarker = None

    def __enter__(self) -> FaceTracker:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

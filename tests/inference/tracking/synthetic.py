"""Hand-made FaceFeatures for mapper tests (no model needed)."""

from __future__ import annotations

import math

import numpy as np

from inference.tracking.features import FaceFeatures


def rotation(yaw=0.0, pitch=0.0, roll=0.0) -> np.ndarray:
    """(4, 4) matrix whose pose (features.py conventions) is (yaw, pitch, roll) degrees."""
    a, b, c = (math.radians(v) for v in (yaw, -pitch, -roll))
    ry = np.array([[math.cos(a), 0, math.sin(a)], [0, 1, 0], [-math.sin(a), 0, math.cos(a)]])
    rx = np.array([[1, 0, 0], [0, math.cos(b), -math.sin(b)], [0, math.sin(b), math.cos(b)]])
    rz = np.array([[math.cos(c), -math.sin(c), 0], [math.sin(c), math.cos(c), 0], [0, 0, 1]])
    m = np.eye(4)
    m[:3, :3] = ry @ rx @ rz
    return m


def face(t_ms, yaw=0.0, pitch=0.0, roll=0.0, eye_left=0.32, eye_right=0.32, lip=0.02, jaw=0.03,
         found=True, **blendshapes) -> FaceFeatures:
    """A found face at ``t_ms`` with the given pose (deg), image-side eye ratios, lip ratio and jawOpen."""
    if not found:
        return FaceFeatures(int(t_ms), False)
    return FaceFeatures(int(t_ms), True, blendshapes={"jawOpen": jaw, **blendshapes}, matrix=rotation(yaw, pitch, roll),
                        yaw_deg=yaw, pitch_deg=pitch, roll_deg=roll, eye_ratio_image_left=eye_left,
                        eye_ratio_image_right=eye_right, mouth_open_ratio=lip, mouth_width_ratio=0.5)

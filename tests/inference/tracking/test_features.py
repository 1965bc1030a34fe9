"""Pose from the transformation matrix and per-side helpers: sign conventions on synthetic rotations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from inference.tracking.features import FaceFeatures, gaze_from_blendshapes, pose_from_matrix


def rot_y(deg):
    a = math.radians(deg)
    return np.array([[math.cos(a), 0, math.sin(a)], [0, 1, 0], [-math.sin(a), 0, math.cos(a)]])


def rot_x(deg):
    a = math.radians(deg)
    return np.array([[1, 0, 0], [0, math.cos(a), -math.sin(a)], [0, math.sin(a), math.cos(a)]])


def rot_z(deg):
    a = math.radians(deg)
    return np.array([[math.cos(a), -math.sin(a), 0], [math.sin(a), math.cos(a), 0], [0, 0, 1]])


def test_pose_signs_follow_the_image():
    # camera frame: x right, y up, z toward the viewer; the canonical face looks along +z
    m = np.eye(4)
    m[:3, :3] = rot_y(20)  # forward (0,0,1) -> +x: the nose turns toward the image's right
    assert pose_from_matrix(m) == pytest.approx((20.0, 0.0, 0.0), abs=1e-9)
    m[:3, :3] = rot_x(-15)  # forward -> +y: face up
    assert pose_from_matrix(m) == pytest.approx((0.0, 15.0, 0.0), abs=1e-9)
    m[:3, :3] = rot_z(-10)  # up (0,1,0) -> +x: the top of the head moves right = clockwise on screen
    assert pose_from_matrix(m) == pytest.approx((0.0, 0.0, 10.0), abs=1e-9)
    m[:3, :3] = rot_y(25) @ rot_x(-10) @ rot_z(-5)
    assert pose_from_matrix(2.0 * m) == pytest.approx((25.0, 10.0, 5.0), abs=1e-9)  # scale ignored


def test_image_side_blendshapes_and_gaze():
    f = FaceFeatures(0, True, blendshapes={"eyeBlinkLeft": 0.9, "eyeBlinkRight": 0.1})
    assert f.blendshape_image_side("eyeBlink", "right") == 0.9  # the subject's left eye is on the image's right
    assert f.blendshape_image_side("eyeBlink", "left") == 0.1
    looking_image_right = {"eyeLookOutLeft": 0.6, "eyeLookInRight": 0.6, "eyeLookUpLeft": 0.2, "eyeLookUpRight": 0.2}
    gx, gy = gaze_from_blendshapes(looking_image_right)
    assert gx == pytest.approx(0.6) and gy == pytest.approx(0.2)

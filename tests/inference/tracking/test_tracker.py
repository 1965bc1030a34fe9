"""FaceLandmarker on real clips: output shapes, sign conventions checked against the image, mirroring."""

from __future__ import annotations

import numpy as np
import pytest

from inference.tracking.tracker import FaceTracker, TrackingModelError


def nose_offset(f):
    """Nose tip x relative to the cheek midpoint, in face widths (+ = toward the image's right)."""
    lm = f.landmarks
    return (lm[1, 0] - (lm[234, 0] + lm[454, 0]) / 2) / abs(lm[454, 0] - lm[234, 0])


def test_outputs_on_a_real_clip(tracked):
    feats = tracked("d3", 0, 48)
    assert all(f.found for f in feats)
    f = feats[0]
    assert f.landmarks.shape == (478, 3) and f.landmarks.dtype == np.float32
    assert len(f.blendshapes) == 52 and "jawOpen" in f.blendshapes and "eyeBlinkLeft" in f.blendshapes
    assert f.matrix.shape == (4, 4)
    assert 0.25 < f.eye_ratio_image_left < 0.5 and 0.25 < f.eye_ratio_image_right < 0.5
    assert f.landmarks[33, 0] < f.landmarks[263, 0]  # index 33 is the image-left eye
    assert [f.timestamp_ms for f in feats[:3]] == [0, 33, 67]


def test_yaw_sign_matches_the_nose_in_the_picture(tracked):
    feats = tracked("d3", 0, 48) + tracked("d3", 240, 40)
    yaw = np.array([f.yaw_deg for f in feats])
    nose = np.array([nose_offset(f) for f in feats])
    assert yaw.min() < -10 and yaw.max() > 12  # turns both ways
    assert np.corrcoef(yaw, nose)[0, 1] > 0.9  # +yaw = nose toward the image's right


def test_wink_is_on_the_image_right_eye(tracked):
    f = tracked("d3", 0, 48)[16]  # she winks the eye drawn on the image's right (her left)
    assert f.eye_ratio_image_right < 0.6 * f.eye_ratio_image_left
    assert f.blendshapes["eyeBlinkLeft"] > f.blendshapes["eyeBlinkRight"]  # MediaPipe names the subject's side


def test_mirrored_video_mirrors_pose_and_swaps_eyes(tracked):
    orig, flip = tracked("d3", 0, 48), tracked("d3", 0, 48, flip=True)
    yaw = np.array([[a.yaw_deg, b.yaw_deg] for a, b in zip(orig, flip)])
    roll = np.array([[a.roll_deg, b.roll_deg] for a, b in zip(orig, flip)])
    assert np.abs(yaw[:, 0] + yaw[:, 1]).max() < 3.0 and np.abs(yaw[:, 0]).max() > 10
    assert np.abs(roll[:, 0] + roll[:, 1]).max() < 3.0
    eyes = np.array([[a.eye_ratio_image_left, a.eye_ratio_image_right, b.eye_ratio_image_left, b.eye_ratio_image_right]
                     for a, b in zip(orig, flip)])
    assert np.abs(eyes[:, 0] - eyes[:, 3]).max() < 0.06 and np.abs(eyes[:, 1] - eyes[:, 2]).max() < 0.06
    assert np.abs(eyes[:, 0] - eyes[:, 1]).max() > 0.1  # the wink makes the swap visible
    gaze = np.array([[a.gaze_x, b.gaze_x] for a, b in zip(orig, flip)])
    assert np.corrcoef(gaze[:, 0], -gaze[:, 1])[0, 1] > 0.8


def test_no_face_and_closed_tracker(shared_models):
    if not (shared_models / "face_landmarker.task").is_file():
        pytest.skip("face_landmarker.task not in ../shared/models")
    tracker = FaceTracker()
    f = tracker.process(np.full((240, 320, 3), 128, np.uint8), 0)
    assert not f.found and f.landmarks is None and f.timestamp_ms == 0
    f = tracker.process(np.full((240, 320, 3), 128, np.uint8), 0)  # repeated timestamp: bumped, no crash
    assert not f.found
    tracker.close()
    tracker.close()
    with pytest.raises(RuntimeError, match="closed"):
        tracker.process(np.zeros((8, 8, 3), np.uint8), 5)


def test_missing_model_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setenv("KIRIE_MODEL_CACHE", str(tmp_path))
    monkeypatch.setenv("KIRIE_SHIPPED_MODELS", "0")  # the package ships the model; hide it
    with pytest.raises(TrackingModelError, match="face_landmarker.task is not in the model cache.*kirie models pull"):
        FaceTracker()

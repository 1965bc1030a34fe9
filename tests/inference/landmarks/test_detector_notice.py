"""Which detector found the face, and the notice when only the anime detector's retry found it on a photo
(issue 17: a photo without the face model was silently rigged as an anime face)."""

from __future__ import annotations

from inference.landmarks import find_face, real
from inference.load import load_image
from inference.segmentation.foreground import estimate_foreground


def _no_face_model(*args, **kwargs):
    raise FileNotFoundError(real.MODEL)


def test_photo_without_the_face_model_says_it_was_rigged_as_anime(shared_data, monkeypatch):
    img = load_image(shared_data / "portraits" / "s2.jpg")
    fg = estimate_foreground(img)
    monkeypatch.setattr(real, "run_mesh", _no_face_model)
    search = find_face(img, fg)
    assert search.face is not None and search.face.kind == "anime"
    assert search.report().startswith("anime face found by animeface at ")
    assert any("mediapipe: skipped" in t for t in search.tried)
    (notice,) = search.notices
    assert "anime face" in notice and "kirie models pull face_landmarker" in notice


def test_photo_with_the_face_model_names_mediapipe_and_has_no_notice(shared_data, shared_models):
    img = load_image(shared_data / "portraits" / "s2.jpg")
    search = find_face(img, estimate_foreground(img))
    assert search.face.kind == "real" and search.report() == "real face found by mediapipe FaceLandmarker"
    assert search.notices == []


def test_anime_image_at_full_size_names_animeface_without_a_caveat(shared_data):
    img = load_image(shared_data / "anime" / "waifu_00.png")
    search = find_face(img, estimate_foreground(img))
    assert search.tried[0].endswith(": face")  # the first run at the working size, no retry
    assert search.report() == f"anime face found by {search.tried[0].removesuffix(': face')}"
    assert search.notices == []

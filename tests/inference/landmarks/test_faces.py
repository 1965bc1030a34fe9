"""Several faces in one image: the largest is rigged with a notice saying so; ``face_index`` (``--face N``) chooses."""

from __future__ import annotations

import pytest
from PIL import Image

from inference.landmarks import find_face
from inference.load import load_image
from inference.segmentation.foreground import estimate_foreground
from rig.errors import NoFaceFoundError


@pytest.fixture(scope="module")
def two_faces(shared_data, tmp_path_factory):
    """crypko_00 (face box about 73 px) beside waifu_00 scaled to 320 px (face box about 106 px) on white."""
    big = Image.open(shared_data / "anime" / "crypko_00.png").convert("RGB")
    small = Image.open(shared_data / "anime" / "waifu_00.png").convert("RGB").resize((320, 320))
    sheet = Image.new("RGB", (900, 600), (255, 255, 255))
    sheet.paste(big, (0, 40))
    sheet.paste(small, (560, 140))
    path = tmp_path_factory.mktemp("faces") / "two.png"
    sheet.save(path)
    img = load_image(path)
    return img, estimate_foreground(img)


def test_largest_face_by_default_with_a_notice(two_faces):
    img, fg = two_faces
    search = find_face(img, fg)
    assert search.face is not None and search.face.face_box[0] > 450  # the right-hand face is the larger box
    assert search.notices == ["2 faces found; rigging the largest (numbered by size, largest first; choose with --face N)"]


def test_face_index_chooses_and_is_checked(two_faces):
    img, fg = two_faces
    other = find_face(img, fg, face_index=1)
    assert other.face is not None and other.face.face_box[0] < 450
    assert "rigging face 1" in other.notices[0]
    assert find_face(img, fg, face_index=0).face.face_box == find_face(img, fg).face.face_box
    with pytest.raises(NoFaceFoundError, match=r"--face 2: only 2 faces found \(numbered 0 to 1"):
        find_face(img, fg, face_index=2)

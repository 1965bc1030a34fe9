"""MobileSAM part refinement (inference.segmentation.parts_sam) with box-mask stand-ins, on a real anime image."""

from __future__ import annotations

import numpy as np
import pytest

from inference.landmarks import find_face
from inference.load import load_image
from inference.segmentation import parts_sam as PS
from inference.segmentation.foreground import estimate_foreground
from inference.segmentation.parts import segment_parts
from inference.types import PartLabel as P
from tests.inference.learned.tiny_models import box_sam_decoder, install, sam_encoder

pytestmark = pytest.mark.learned


def test_resize_and_coords_follow_sam_reference():
    # ResizeLongestSide.get_preprocess_shape: int(x * 1024 / max + 0.5)
    assert PS.resized_shape(480, 640) == (768, 1024)
    assert PS.resized_shape(333, 1000) == (341, 1024)  # 333 * 1.024 = 340.99 -> 341
    assert PS.resized_shape(2000, 1500) == (1024, 768)
    pts = PS.to_model_coords(np.array([[640, 480], [10, 20]], np.float32), 480, 640)
    np.testing.assert_allclose(pts, [[1024, 768], [16, 32]])


@pytest.fixture(scope="module")
def crypko(shared_data):
    img = load_image(shared_data / "anime" / "crypko_00.png")
    fg = estimate_foreground(img)
    face = find_face(img, fg).face
    assert face is not None and face.kind == "anime"
    return img, fg, face, segment_parts(img, fg, face)


def test_prompts_come_from_the_landmarks(crypko):
    img, _, face, _ = crypko
    h, w = img.rgba.shape[:2]
    prompts = {p.name: p for p in PS.build_prompts(face, (h, w))}
    assert set(prompts) == {"face", "eye_l", "eye_r", "mouth", "brow_l", "brow_r", "hair", "body"}
    mx, my, mw, mh = face.mouth_box
    assert prompts["mouth"].box == pytest.approx((mx, my, mx + mw, my + mh))
    assert prompts["hair"].box[1] < face.face_box[1] and prompts["body"].box[1] == pytest.approx(face.chin[1])
    feeds = PS.decoder_feeds(prompts["hair"], np.zeros((1, 256, 64, 64), np.float32), h, w)
    assert feeds["point_coords"].shape == (1, 4, 2) and feeds["point_labels"].tolist() == [[2, 3, 1, 0]]
    assert feeds["orig_im_size"].tolist() == [h, w]


def test_confident_box_masks_relabel_only_allowed_pixels(crypko, tmp_path, monkeypatch):
    img, fg, face, base = crypko
    h, w = base.labels.shape
    root = tmp_path / "models"
    install(monkeypatch, root, "mobile_sam_encoder", sam_encoder(tmp_path / "e.onnx"))
    install(monkeypatch, root, "mobile_sam_decoder", box_sam_decoder(tmp_path / "d.onnx", h, w))
    out = PS.sam_parts(img, fg, face, base, prefer_gpu=False)
    assert out.method.endswith("+mobile-sam") and out.labels.shape == base.labels.shape
    prompts = {p.name: p for p in PS.build_prompts(face, (h, w))}
    x0, y0, x1, y1 = (int(round(v)) for v in prompts["mouth"].box)
    inner = np.zeros((h, w), bool)
    inner[y0 + 2 : y1 - 1, x0 + 2 : x1 - 1] = True  # strictly inside the box (logit > 1 px)
    was_face = inner & (base.labels == P.FACE) & (fg.alpha > 0)
    assert was_face.any() and np.all(out.labels[was_face] == P.MOUTH)
    changed = out.labels != base.labels
    assert changed.any()
    # nothing outside the prompt boxes moved, and no eye pixel was taken
    boxes = np.zeros((h, w), bool)
    for p in prompts.values():
        bx0, by0, bx1, by1 = (int(round(v)) for v in p.box)
        boxes[by0 : by1 + 1, bx0 : bx1 + 1] = True
    assert not (changed & ~boxes).any()
    eyes = np.isin(base.labels, [P.EYE_WHITE_L, P.EYE_WHITE_R, P.IRIS_L, P.IRIS_R, P.LASH_L, P.LASH_R])
    assert not (changed & eyes).any()


def test_unconfident_masks_change_nothing(crypko, tmp_path, monkeypatch):
    img, fg, face, base = crypko
    h, w = base.labels.shape
    root = tmp_path / "models"
    install(monkeypatch, root, "mobile_sam_encoder", sam_encoder(tmp_path / "e.onnx"))
    install(monkeypatch, root, "mobile_sam_decoder", box_sam_decoder(tmp_path / "d.onnx", h, w, iou=0.3))
    np.testing.assert_array_equal(PS.sam_parts(img, fg, face, base, prefer_gpu=False).labels, base.labels)

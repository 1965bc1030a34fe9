"""BiSeNet face parsing for photos (inference.segmentation.face_parsing): its pre/post-processing numbers,
confident-only relabelling of the classical map from a stand-in with a known class grid, and the pipeline."""

from __future__ import annotations

import numpy as np
import pytest

from inference import backends as B
from inference.load import load_image
from inference.models import cache
from inference.pipeline import generate
from inference.segmentation import face_parsing as FP
from inference.types import PartLabel
from tests.inference.learned.tiny_models import bisenet_classes, install

pytestmark = pytest.mark.learned


def test_preprocess_and_parse_numbers():
    crop = np.zeros((100, 100, 3), np.uint8)
    crop[..., 0], crop[..., 1], crop[..., 2] = 255, 128, 10
    x = FP.preprocess(crop)
    assert x.shape == (1, 3, 512, 512) and x.dtype == np.float32
    want = [(1.0 - 0.485) / 0.229, (128 / 255 - 0.456) / 0.224, (10 / 255 - 0.406) / 0.225]
    np.testing.assert_allclose(x[0, :, 7, 300], want, rtol=1e-5)
    logits = np.zeros((1, 19, 4, 4), np.float32)
    logits[0, 17] = np.log(9.0 * 18)  # softmax(17) = 9*18 / (9*18 + 18) = 0.9
    cls, conf = FP.parse(logits, 8)
    assert cls.shape == (8, 8) and np.all(cls == 17)
    np.testing.assert_allclose(conf, 0.9, rtol=1e-5)


@pytest.fixture
def portrait(shared_data, shared_models, monkeypatch):
    if not (shared_models / "face_landmarker.task").is_file():
        pytest.skip("face_landmarker.task not in the shared models")
    monkeypatch.setenv(cache.CACHE_ENV, str(shared_models))  # real-face landmarks need it
    return shared_data / "portraits" / "s1.jpg"


def nose_grid():
    grid = np.zeros((16, 16), np.int64)
    grid[6:10, 6:10] = 10  # nose in the middle quarter of the crop, background elsewhere
    return grid


def classical_parts(path):
    from inference.landmarks import find_face
    from inference.segmentation.foreground import estimate_foreground
    from inference.segmentation.parts import segment_parts

    img = load_image(path)
    fg = estimate_foreground(img)
    face = find_face(img, fg).face
    fg = estimate_foreground(img, face_box=face.face_box)
    return img, fg, face, segment_parts(img, fg, face)


@pytest.mark.parametrize("aux_heads", [False, True])
def test_relabels_only_confident_pixels_it_may_take(portrait, tmp_path, aux_heads):
    img, fg, face, base = classical_parts(portrait)
    assert face.kind == "real"
    model = bisenet_classes(tmp_path / "b.onnx", nose_grid(), aux_heads)
    out = FP.bisenet_parts(img, fg, face, base, path=model, prefer_gpu=False)
    assert out.method == base.method + "+bisenet"
    x0, y0, side = FP.crop_box(face)
    box = np.zeros(base.labels.shape, bool)
    box[max(0, y0 + side * 6 // 16 + 1) : y0 + side * 10 // 16 - 1, max(0, x0 + side * 6 // 16 + 1) : x0 + side * 10 // 16 - 1] = True
    changed = out.labels != base.labels
    assert changed.any()
    assert np.all(out.labels[changed] == PartLabel.NOSE)
    assert np.all(base.labels[changed] == PartLabel.FACE)  # nose may take face skin only
    was_face = box & (base.labels == PartLabel.FACE) & (fg.alpha > 0)
    assert np.all(out.labels[was_face] == PartLabel.NOSE)
    grown = np.zeros_like(box)
    grown[max(0, y0 + side * 6 // 16 - 2) : y0 + side * 10 // 16 + 2, max(0, x0 + side * 6 // 16 - 2) : x0 + side * 10 // 16 + 2] = True
    assert not (changed & ~grown).any()  # nothing outside the model's nose cells
    eyes = base.mask(PartLabel.EYE_WHITE_L, PartLabel.EYE_WHITE_R, PartLabel.IRIS_L, PartLabel.IRIS_R)
    assert not (changed & eyes).any()


def test_pipeline_uses_it_for_photos_only(portrait, shared_data, shared_models, tmp_path, monkeypatch):
    root = tmp_path / "models"
    root.mkdir()
    (root / "face_landmarker.task").symlink_to(shared_models / "face_landmarker.task")
    install(monkeypatch, root, "bisenet_face_parsing", bisenet_classes(tmp_path / "b.onnx", nose_grid()))
    result = generate(portrait, backend="auto")
    used = result.backends["face_parsing"]
    assert used.backend == "learned" and used.models == ("bisenet_face_parsing",)
    assert result.methods["parts"].endswith("+bisenet")
    anime = generate(shared_data / "anime" / "crypko_00.png", backend="auto")
    assert anime.backends["face_parsing"].backend == "classical" and "real people" in anime.backends["face_parsing"].reason
    assert B.resolve("face_parsing", B.BackendChoice("learned"), kind="anime").backend == "classical"

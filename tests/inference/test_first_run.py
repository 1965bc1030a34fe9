"""First run: a real photo and the shipped sample generate with an empty model cache (the models
shipped in resources/models are enough), and nothing is written to the cache."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from inference.models.cache import CACHE_ENV

pytestmark = pytest.mark.slow


@pytest.fixture()
def empty_cache(tmp_path, monkeypatch):
    root = tmp_path / "empty-model-cache"
    monkeypatch.setenv(CACHE_ENV, str(root))
    return root


def test_a_real_photo_generates_with_an_empty_model_cache(empty_cache, tmp_path):
    from skimage import data

    from inference.pipeline import generate

    path = tmp_path / "astronaut.png"
    Image.fromarray(data.astronaut()).save(path)  # public domain (NASA), shipped with scikit-image
    result = generate(path)
    ids = {m.id for m in result.rig.art_meshes}
    assert {"ArtMeshFace", "ArtMeshIrisL", "ArtMeshIrisR", "ArtMeshMouth", "ArtMeshFrontHair"} <= ids, sorted(ids)
    assert not empty_cache.exists()


def test_the_sample_generates_with_an_empty_model_cache(empty_cache):
    from inference.pipeline import generate
    from resources.sample import sample_image

    rgb = np.asarray(Image.open(sample_image()))
    assert rgb.shape == (512, 512, 3)
    result = generate(sample_image())
    assert len(result.rig.art_meshes) >= 10 and result.rig.deformers
    assert not empty_cache.exists()

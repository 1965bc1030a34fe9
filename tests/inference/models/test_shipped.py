"""The models shipped in resources/models: verified, found before the user cache, can be hidden."""

from __future__ import annotations

import shutil

import pytest

from inference.models import cache, shipped
from inference.models.download import cached_model, download_model, sha256_file
from inference.models.registry import REGISTRY

SHIPPED = ("face_landmarker", "selfie_segmentation")


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_files_match_the_registry(name):
    spec = REGISTRY[name]
    path = shipped.shipped_dir() / spec.filename
    assert path.is_file(), f"{path} is not shipped"
    assert path.stat().st_size == spec.size_bytes
    assert sha256_file(path) == spec.sha256


def test_licence_and_readme_lie_beside_them():
    folder = shipped.shipped_dir()
    assert "Apache License" in (folder / "LICENSE").read_text() and "Version 2.0" in (folder / "LICENSE").read_text()
    readme = (folder / "README.md").read_text()
    for name in SHIPPED:
        spec = REGISTRY[name]
        assert spec.sha256 in readme and spec.url in readme and spec.filename in readme


@pytest.mark.parametrize("name", SHIPPED)
def test_found_with_an_empty_cache(tmp_path, monkeypatch, name):
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "empty"))
    spec = REGISTRY[name]
    want = shipped.shipped_dir() / spec.filename
    assert cache.cached_path(spec.filename) == want
    assert cached_model(name) == want
    never = lambda s: pytest.fail("asked to download a shipped model")  # noqa: E731
    assert download_model(name, confirm=never) == want
    assert not (tmp_path / "empty").exists()
    monkeypatch.setenv(shipped.SHIPPED_ENV, "0")
    assert cache.cached_path(spec.filename) is None and cached_model(name) is None


def test_a_damaged_shipped_file_is_ignored(tmp_path, monkeypatch):
    spec = REGISTRY["selfie_segmentation"]
    real = shipped.shipped_dir() / spec.filename
    fake = tmp_path / "models"
    fake.mkdir()
    bad = bytearray(real.read_bytes())
    bad[1000] ^= 0xFF  # same size, different hash
    (fake / spec.filename).write_bytes(bytes(bad))
    monkeypatch.setattr(shipped, "shipped_dir", lambda: fake)
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    assert shipped.shipped_path(spec.filename) is None
    assert cache.cached_path(spec.filename) is None
    (tmp_path / "cache").mkdir()
    shutil.copy(real, tmp_path / "cache" / spec.filename)
    assert cache.cached_path(spec.filename) == tmp_path / "cache" / spec.filename

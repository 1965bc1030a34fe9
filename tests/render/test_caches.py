"""Premultiplication of uploads and the GPU caches' keys."""

from __future__ import annotations

import numpy as np
import pytest

from app.render.caches import MeshCache, TextureCache, fingerprint, premultiply
from rig.evaluate.types import LayerTexture
from tests.render.scenes import quad, solid


def test_premultiply_rounds_to_nearest():
    img = np.array([[[255, 128, 0, 128], [200, 100, 50, 0], [10, 20, 30, 255]]], np.uint8)
    out = premultiply(img)
    np.testing.assert_array_equal(out, [[[128, 64, 0, 128], [0, 0, 0, 0], [10, 20, 30, 255]]])


def test_fingerprint_tells_images_apart():
    a = solid((1, 2, 3, 4), (64, 64))
    b = a.copy()
    assert fingerprint(a) == fingerprint(b)
    b[::2, ::2] = 9
    assert fingerprint(a) != fingerprint(b)
    assert fingerprint(a) != fingerprint(solid((1, 2, 3, 4), (64, 32)))


@pytest.mark.gl
def test_texture_cache_keys_on_version_and_image(gl):
    cache = TextureCache(gl, max_idle_frames=2)
    try:
        red = LayerTexture("face", solid((255, 0, 0, 255)), 0)
        tex = cache.get(red, 1)
        assert cache.get(LayerTexture("face", red.image, 0), 2) is tex
        assert cache.get(LayerTexture("face", red.image.copy(), 0), 2) is tex  # equal pixels: kept
        other_rig = cache.get(LayerTexture("face", solid((0, 0, 255, 255)), 0), 3)
        assert other_rig is not tex
        assert np.frombuffer(other_rig.read(), np.uint8)[:4].tolist() == [0, 0, 255, 255]
        assert cache.get(LayerTexture("face", solid((0, 0, 255, 255)), 1), 4) is not other_rig
        cache.prune(10)
        assert len(cache) == 0
    finally:
        cache.release()


@pytest.mark.gl
def test_mesh_cache_keys_on_topology(gl):
    cache = MeshCache(gl, max_idle_frames=2)
    try:
        a = quad("m", (0, 0, 10, 10), "t")
        mesh = cache.get(a, 1)
        moved = quad("m", (5, 5, 20, 20), "t")
        assert cache.get(moved, 2) is mesh
        np.testing.assert_array_equal(np.frombuffer(mesh.positions.read(), np.float32).reshape(-1, 2),
                                      moved.vertices_px)
        flipped = quad("m", (0, 0, 10, 10), "t")
        flipped = type(flipped)(**{**{f: getattr(flipped, f) for f in flipped.__slots__},
                                   "uvs": flipped.uvs[::-1].copy()})
        assert cache.get(flipped, 3) is not mesh  # same id and version, other uvs (another rig)
        assert cache.get(quad("m", (0, 0, 10, 10), "t", topology_version=4), 4) is not None
        cache.prune(10)
        assert len(cache) == 0
    finally:
        cache.release()

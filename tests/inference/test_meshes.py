"""Stage 6: meshes cover every alpha > 0 pixel, without degenerate triangles, uvs match vertices."""

from __future__ import annotations

import numpy as np
import pytest

from inference.layers.cut import cut_layers
from inference.meshing.meshes import MIN_ANGLE_DEG, mesh_layer, mesh_layers, min_angle_deg
from inference.types import CutLayer
from tests.inference.character import crude_inputs, synthetic_character


@pytest.fixture(scope="module")
def synthetic_layers():
    return cut_layers(*synthetic_character(512))


def covered_centres(mesh, layer: CutLayer) -> np.ndarray:
    """(h, w) bool: layer pixels whose centre lies inside (or on) some triangle, exact barycentrics."""
    h, w = layer.image.shape[:2]
    cov = np.zeros((h, w), bool)
    pts = mesh.uvs.astype(np.float64) * [w, h]
    for tri in pts[mesh.triangles.astype(int)]:
        x0, y0 = np.floor(tri.min(axis=0)).astype(int)
        x1, y1 = np.ceil(tri.max(axis=0)).astype(int)
        x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1 + 1, w), min(y1 + 1, h)
        if x0 >= x1 or y0 >= y1:
            continue
        yy, xx = np.mgrid[y0:y1, x0:x1] + 0.5
        a, b, c = tri
        d = (b[1] - c[1]) * (a[0] - c[0]) + (c[0] - b[0]) * (a[1] - c[1])
        l1 = ((b[1] - c[1]) * (xx - c[0]) + (c[0] - b[0]) * (yy - c[1])) / d
        l2 = ((c[1] - a[1]) * (xx - c[0]) + (a[0] - c[0]) * (yy - c[1])) / d
        inside = (l1 >= -1e-9) & (l2 >= -1e-9) & (1 - l1 - l2 >= -1e-9)
        cov[y0:y1, x0:x1] |= inside
    return cov


def check_mesh(mesh, layer: CutLayer) -> None:
    h, w = layer.image.shape[:2]
    assert mesh.layer_name == layer.name
    assert mesh.triangles.dtype == np.uint16 and mesh.uvs.dtype == np.float32
    assert mesh.vertices_px.dtype == np.float32
    assert mesh.triangles.max() < len(mesh.uvs)
    assert mesh.uvs.min() >= 0.0 and mesh.uvs.max() <= 1.0
    expect = np.array(layer.origin_px) + mesh.uvs.astype(np.float64) * [w, h]
    np.testing.assert_allclose(mesh.vertices_px, expect, atol=1e-3)
    tri = mesh.vertices_px[mesh.triangles.astype(int)].astype(np.float64)
    e1, e2 = tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]
    area = 0.5 * np.abs(e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0])
    assert area.min() > 0.05, f"{layer.name}: degenerate triangle"
    assert min_angle_deg(tri).min() >= MIN_ANGLE_DEG - 1e-6, f"{layer.name}: sliver triangle"
    # no vertex is unused, no triangle repeated
    assert len(np.unique(mesh.triangles)) == len(mesh.uvs)
    assert len(np.unique(np.sort(mesh.triangles, axis=1), axis=0)) == len(mesh.triangles)
    need = layer.image[..., 3] > 0
    missing = need & ~covered_centres(mesh, layer)
    assert not missing.any(), f"{layer.name}: {int(missing.sum())} alpha>0 pixels not covered"


def test_synthetic_meshes_cover_all_pixels(synthetic_layers):
    meshes = mesh_layers(synthetic_layers)
    assert [m.layer_name for m in meshes] == [la.name for la in synthetic_layers]
    for mesh, layer in zip(meshes, synthetic_layers):
        check_mesh(mesh, layer)


def test_vertex_budgets(synthetic_layers):
    meshes = {m.layer_name: m for m in mesh_layers(synthetic_layers)}
    total = sum(len(m.uvs) for m in meshes.values())
    assert 1000 <= total <= 3000, total
    for name in ("BrowL", "BrowR", "IrisL", "EyeWhiteR", "LashUpperL"):
        assert 20 <= len(meshes[name].uvs) <= 90, (name, len(meshes[name].uvs))

    # faces denser than hair: more vertices per covered pixel
    def per_px(name):
        la = next(x for x in synthetic_layers if x.name == name)
        return len(meshes[name].uvs) / (la.image[..., 3] > 0).sum()

    assert per_px("Face") > 1.5 * per_px("BackHair")


def test_vertex_count_does_not_grow_with_resolution():
    small = sum(len(m.uvs) for m in mesh_layers(cut_layers(*synthetic_character(256))))
    large = sum(len(m.uvs) for m in mesh_layers(cut_layers(*synthetic_character(768))))
    assert large < 1.6 * small, (small, large)


def test_mesh_with_hole_and_thin_strand():
    """A ring (hole must stay uncovered) plus 2-px-wide strands: every pixel covered, hole open."""
    import cv2

    img = np.zeros((120, 160, 4), np.uint8)
    cv2.circle(img, (60, 60), 45, (200, 100, 50, 255), 12)
    cv2.line(img, (110, 10), (150, 110), (10, 10, 10, 255), 2)
    cv2.line(img, (112, 10), (156, 20), (10, 10, 10, 255), 1)
    layer = CutLayer("FrontHair", None, img, (30.0, 40.0), img[..., 3] > 0)
    mesh = mesh_layer(layer, 12.0)
    check_mesh(mesh, layer)
    cov = covered_centres(mesh, layer)
    assert not cov[45:75, 45:75].any(), "the ring's hole is meshed"


def test_empty_layer_gives_empty_mesh():
    img = np.zeros((10, 10, 4), np.uint8)
    mesh = mesh_layer(CutLayer("Nose", None, img, (0.0, 0.0), np.zeros((10, 10), bool)), "fine", 100.0)
    assert mesh.uvs.shape == (0, 2) and mesh.triangles.shape == (0, 3)


def test_unknown_density_is_refused(synthetic_layers):
    with pytest.raises(ValueError, match="density"):
        mesh_layer(synthetic_layers[0], "ultra", 100.0)


@pytest.mark.parametrize("name", ["waifu_00.png", "waifu_03.png", "lambda_00.png"])
def test_real_image_meshes_cover_all_pixels(shared_data, name):
    layers = cut_layers(*crude_inputs(shared_data / "anime" / name))
    meshes = mesh_layers(layers)
    for mesh, layer in zip(meshes, layers):
        check_mesh(mesh, layer)
    assert sum(len(m.uvs) for m in meshes) < 4000

"""RepaintLayer: layer image, mesh topology (keyforms remapped) and owner map as one undo step."""

from __future__ import annotations

import numpy as np
import pytest

from rig.document import Document
from rig.document.commands import RepaintLayer
from rig.document.commands.repaint import layer_canvas_px
from rig.errors import ValidationError
from rig.evaluate import evaluate
from rig.model import ArtMesh, KeyformBinding, KeyformGrid, SourceImage, deep_equal
from rig.testing import tiny_rig
from tests.rig.document.rigs import round_trip


def _with_source():
    rig = tiny_rig()
    rgba = np.zeros((128, 128, 4), np.uint8)
    rgba[..., :3] = 200
    rgba[20:110, 20:110, 3] = 255
    labels = np.zeros((128, 128), np.uint8)
    labels[32:96, 32:96] = 1
    contour = np.array([[40, 40], [90, 40], [90, 90], [40, 90]], np.float32)
    mesh = rig.art_mesh("ArtMesh1")  # give the mesh three distinct keyforms on AngleX
    rest = mesh.keyforms.values["positions"][0]
    shear = np.zeros_like(rest)
    shear[:, 0] = 0.05 * rest[:, 1]
    grid = KeyformGrid.tiled((KeyformBinding("ParamAngleX", (-30, 0, 30)),), **ArtMesh.rest_values(rest))
    grid.values["positions"] = np.stack([rest - shear, rest, rest + shear + 0.02]).astype(np.float32)
    mesh.keyforms = grid
    rig.source = SourceImage(rgba, labels, ("LayerFace", "LayerEye"), ("Face", "IrisL"), (32, 32, 64, 64),
                             contour, (64.0, 96.0))  # fmt: skip
    rig.validate()
    return rig


def _grid_mesh(n: int = 5):
    """An n x n vertex grid over the unit square: (uvs (n*n, 2), triangles)."""
    t = np.linspace(0.0, 1.0, n, dtype=np.float32)
    uu, vv = np.meshgrid(t, t)
    uvs = np.stack([uu.ravel(), vv.ravel()], 1)
    tris = []
    for r in range(n - 1):
        for c in range(n - 1):
            i = r * n + c
            tris += [[i, i + 1, i + n + 1], [i, i + n + 1, i + n]]
    return uvs, np.array(tris, np.uint16)


def _command(rig, size=72, origin=(28.0, 28.0)):
    image = np.full((size, size, 4), 255, np.uint8)
    uvs, tris = _grid_mesh()
    labels = rig.source.labels.copy()
    labels[28:100, 28:100] = 1
    return RepaintLayer(rig, "LayerFace", image, origin, uvs, tris, labels)


def test_repaint_replaces_image_mesh_and_labels_and_undoes_exactly():
    doc = Document(_with_source())
    old_layer = doc.rig.layer("LayerFace")
    before, after = round_trip(doc, _command(doc.rig), "topology")
    layer, mesh = after.layer("LayerFace"), after.art_mesh("ArtMesh1")
    assert layer.image.shape == (72, 72, 4) and layer.origin_px == (28.0, 28.0)
    assert layer.version > old_layer.version
    assert mesh.vertex_count == 25 and mesh.keyforms.values["positions"].shape == (3, 25, 2)
    assert mesh.topology_version != before.art_mesh("ArtMesh1").topology_version
    assert after.source.labels[28:100, 28:100].min() == 1
    assert deep_equal(after.source.rgba, before.source.rgba)
    assert doc.history.undo_label == "Paint mask of Face"


def test_new_vertices_inside_follow_the_old_mesh_in_every_keyform():
    rig = _with_source()
    old = rig.art_mesh("ArtMesh1")
    old_pos = old.keyforms.values["positions"].astype(np.float64)
    cmd = _command(rig)
    new_mesh = cmd.topology.new
    new_px = layer_canvas_px(cmd.new_layer, new_mesh.uvs)
    old_px = layer_canvas_px(rig.layer("LayerFace"), old.uvs)  # the old quad: texels of canvas 32..96
    inside = np.all((new_px > 32.0) & (new_px < 96.0), axis=1)
    assert inside.sum() >= 9
    new_pos = new_mesh.keyforms.values["positions"].astype(np.float64)
    for i in np.flatnonzero(inside):
        w, tri = _locate(new_px[i], old_px, old.triangles)
        expected = np.einsum("j,kjc->kc", w, old_pos[:, tri])
        np.testing.assert_allclose(new_pos[:, i], expected, atol=1e-4)


def test_poses_stay_close_and_outside_vertices_extend_the_rest_pose():
    doc = Document(_with_source())
    old_rig = doc.rig
    old_layer, old_mesh = old_rig.layer("LayerFace"), old_rig.art_mesh("ArtMesh1")
    old_px = layer_canvas_px(old_layer, old_mesh.uvs)
    values = {"ParamAngleX": 20.0, "ParamAngleZ": 10.0}
    old_posed = _evaluated(old_rig, values)["ArtMesh1"].astype(np.float64)
    doc.push(_command(doc.rig))
    rig = doc.rig
    mesh = rig.art_mesh("ArtMesh1")
    new_px = layer_canvas_px(rig.layer("LayerFace"), mesh.uvs)
    # at rest the old mesh shows its texture shrunk by 0.9 about the centre (64, 64); new vertices,
    # inside and outside, land where that mapping puts their texel
    rest = _evaluated(rig, rig.default_values())["ArtMesh1"]
    np.testing.assert_allclose(rest, 64.0 + (new_px - 64.0) * 0.9, atol=1e-3)
    posed = _evaluated(rig, values)["ArtMesh1"]
    inside = np.all((new_px > 32.0) & (new_px < 96.0), axis=1)
    for i in np.flatnonzero(inside):
        w, tri = _locate(new_px[i], old_px, old_mesh.triangles)
        # the old mesh is two 64 px triangles under a sheared bilinear warp: blending their deformed
        # corners is only an approximation of warping the point itself (a few px at most here)
        assert np.linalg.norm(posed[i] - w @ old_posed[tri]) < 3.0
    moved = np.linalg.norm(posed - rest, axis=1)
    assert moved.min() > 1.0 and moved.max() < 30.0


def _evaluated(rig, values):
    return {it.art_mesh_id: it.vertices_px for it in evaluate(rig, rig.default_values() | values).items}


def test_repaint_refuses_without_source_shared_layer_or_bad_labels():
    rig = tiny_rig()
    uvs, tris = _grid_mesh()
    image = np.zeros((8, 8, 4), np.uint8)
    with pytest.raises(ValidationError, match="no source image"):
        RepaintLayer(rig, "LayerFace", image, (0, 0), uvs, tris, np.zeros((128, 128), np.uint8))
    rig = _with_source()
    with pytest.raises(ValidationError, match="2 art meshes"):
        RepaintLayer(rig, "LayerEye", image, (0, 0), uvs, tris, rig.source.labels)
    with pytest.raises(ValidationError, match="labels"):
        RepaintLayer(rig, "LayerFace", image, (0, 0), uvs, tris, np.zeros((10, 10), np.uint8))


def _bary(p, tri):
    a, b, c = tri
    m = np.array([b - a, c - a]).T
    wb, wc = np.linalg.solve(m, p - a)
    return np.array([1 - wb - wc, wb, wc])


def _locate(p, xy, triangles):
    """Barycentric weights of ``p`` in the triangle of ``triangles`` that contains it, and that triangle."""
    for tri in triangles:
        w = _bary(p, xy[tri])
        if np.all(w >= -1e-9):
            return w, tri
    raise AssertionError(f"{p} is in no triangle")

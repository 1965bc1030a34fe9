"""Topology edits keep every keyform consistent: vertex maps, remapping, EditMeshTopology/EditMeshes."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from rig.document.commands import EditMeshes, EditMeshTopology, ReplaceMeshTopology
from rig.document.commands.mesh_edit import (
    add_vertices,
    delete_vertices,
    move_vertices,
    remesh,
    retriangulate,
    uv_px,
)
from rig.document.commands.topology import VertexMap, locate_points, remap_keyforms, rest_positions
from rig.errors import InvalidMeshError, KeyformMismatchError
from rig.evaluate import evaluate
from rig.model import deep_equal
from tests.rig.document.rigs import round_trip, small_document


def _check_counts(rig):
    for m in rig.art_meshes:
        assert m.keyforms.values["positions"].shape[1] == m.vertex_count, m.id
    rig.validate()


def test_locate_inside_gives_barycentric_weights_and_remap_interpolates_every_keyform():
    doc = small_document()
    mesh = doc.rig.art_mesh("ArtMesh2")  # 2-D grid: 6 keyforms, each a different random shape
    xy = uv_px(doc.rig, mesh)
    target = xy[[0, 1, 2]].mean(axis=0)
    vmap = locate_points(target[None], xy, mesh.triangles)
    assert sorted(vmap.indices[0].tolist()) == [0, 1, 2]
    np.testing.assert_allclose(vmap.weights[0], 1 / 3, atol=1e-12)
    grid = remap_keyforms(mesh.keyforms, rest_positions(doc.rig, mesh), vmap)
    pos = mesh.keyforms.values["positions"]
    np.testing.assert_allclose(grid.values["positions"][:, 0], pos[:, [0, 1, 2]].mean(axis=1), atol=1e-5)
    assert grid.values["positions"].shape == (mesh.keyforms.count, 1, 2)
    assert deep_equal(grid.values["opacity"], mesh.keyforms.values["opacity"])


def test_identity_remap_is_exact_and_outside_points_take_the_nearest_vertex_displacement():
    doc = small_document()
    mesh = doc.rig.art_mesh("ArtMesh1")
    rest = rest_positions(doc.rig, mesh)
    same = remap_keyforms(mesh.keyforms, rest, VertexMap.identity(mesh.vertex_count))
    assert deep_equal(same, mesh.keyforms)
    xy = uv_px(doc.rig, mesh)
    outside = xy[1] + np.array([0.5, -0.5])  # beyond corner 1 of the layer-px quad
    vmap = locate_points(outside[None], xy, mesh.triangles)
    assert vmap.displacement_indices[0, 0] == 1 and vmap.displacement_weights[0, 0] == 1.0
    grid = remap_keyforms(mesh.keyforms, rest, vmap)
    disp_new = grid.values["positions"][:, 0] - vmap.apply(rest)[0]
    disp_old = mesh.keyforms.values["positions"][:, 1] - rest[1]
    np.testing.assert_allclose(disp_new, disp_old, atol=1e-4)


def test_add_vertex_round_trip_keeps_counts_and_puts_it_on_every_deformed_triangle():
    doc = small_document()
    mesh = doc.rig.art_mesh("ArtMesh2")
    xy = uv_px(doc.rig, mesh)
    p = 0.2 * xy[0] + 0.3 * xy[1] + 0.5 * xy[2]
    vmap = locate_points(p[None], xy, mesh.triangles)
    cmd = add_vertices(doc.rig, "ArtMesh2", vmap)
    _, after = round_trip(doc, cmd, "topology")
    new = after.art_mesh("ArtMesh2")
    assert new.vertex_count == 5 and new.topology_version != mesh.topology_version
    _check_counts(after)
    old_pos = mesh.keyforms.values["positions"]
    expected = 0.2 * old_pos[:, 0] + 0.3 * old_pos[:, 1] + 0.5 * old_pos[:, 2]
    np.testing.assert_allclose(new.keyforms.values["positions"][:, 4], expected, atol=1e-4)
    np.testing.assert_allclose(new.uvs[4], 0.2 * mesh.uvs[0] + 0.3 * mesh.uvs[1] + 0.5 * mesh.uvs[2], atol=1e-6)
    assert len(new.triangles) == 4  # the new vertex splits the quad into 4 triangles


def test_delete_vertices_drops_them_from_every_keyform_and_refuses_below_three():
    doc = small_document()
    mesh = doc.rig.art_mesh("ArtMesh2")
    xy = uv_px(doc.rig, mesh)
    doc.push(add_vertices(doc.rig, "ArtMesh2", locate_points(xy[:3].mean(0)[None], xy, mesh.triangles)))
    before = copy.deepcopy(doc.rig.art_mesh("ArtMesh2"))
    _, after = round_trip(doc, delete_vertices(doc.rig, "ArtMesh2", [4]), "topology")
    new = after.art_mesh("ArtMesh2")
    assert new.vertex_count == 4
    assert deep_equal(new.keyforms.values["positions"], before.keyforms.values["positions"][:, :4])
    _check_counts(after)
    with pytest.raises(InvalidMeshError, match="< 3"):
        delete_vertices(doc.rig, "ArtMesh2", [0, 1])


def test_move_vertices_moves_uv_and_every_keyform_by_the_same_delta():
    doc = small_document()
    mesh = doc.rig.art_mesh("ArtMesh1")
    _, after = round_trip(doc, move_vertices(doc.rig, "ArtMesh1", [2], (0.05, -0.02), (0.04, 0.01)), "topology")
    new = after.art_mesh("ArtMesh1")
    d = new.keyforms.values["positions"] - mesh.keyforms.values["positions"]
    np.testing.assert_allclose(d[:, 2], np.tile([0.04, 0.01], (mesh.keyforms.count, 1)), atol=1e-6)
    assert not d[:, [0, 1, 3]].any()
    np.testing.assert_allclose(new.uvs[2] - mesh.uvs[2], (0.05, -0.02), atol=1e-6)
    assert deep_equal(new.triangles, mesh.triangles)


def test_mismatched_maps_and_keyforms_are_refused():
    doc = small_document()
    mesh = doc.rig.art_mesh("ArtMesh1")
    with pytest.raises(KeyformMismatchError, match="vertex map"):
        EditMeshTopology(doc.rig, "ArtMesh1", np.zeros((5, 2), np.float32), mesh.triangles,
                         VertexMap.identity(4))
    with pytest.raises(KeyformMismatchError, match="remap every keyform"):
        ReplaceMeshTopology(doc.rig, "ArtMesh1", np.zeros((5, 2), np.float32), mesh.triangles)
    with pytest.raises(KeyformMismatchError, match="outside"):
        remap_keyforms(mesh.keyforms, rest_positions(doc.rig, mesh), VertexMap.keep([0, 1, 9]))


def test_editing_a_mask_source_keeps_the_clip_valid():
    doc = small_document()
    assert doc.rig.art_mesh("ArtMesh3").mask_ids == ("ArtMesh1",)
    grid_pts = np.stack(np.meshgrid(np.linspace(0, 5, 4), np.linspace(0, 6, 5)), -1).reshape(-1, 2)
    tris = np.array([[0, 1, 5], [0, 5, 4]], np.uint16)  # any valid triangles; remesh keeps the layer
    doc.push(remesh(doc.rig, "ArtMesh1", grid_pts / np.array([5, 6]), tris))
    _check_counts(doc.rig)
    ev = evaluate(doc.rig, {"ParamAngleX": 20.0})
    assert "ArtMesh1" in ev.masks and len(ev.masks["ArtMesh1"].vertices_px) == 20


def test_nudges_with_one_merge_key_are_one_undo_step():
    doc = small_document()
    depth = doc.history.undo_count
    for _ in range(3):  # three nudges with one key: one undo step
        cmd = move_vertices(doc.rig, "ArtMesh4", [0], (0.01, 0), (1.0, 0), merge_key=("nudge", 1))
        doc.push(EditMeshes("Nudge", [cmd], merge_key=("nudge", 1)))
    assert doc.history.undo_count == depth + 1
    np.testing.assert_allclose(doc.rig.art_mesh("ArtMesh4").uvs[0], (0.03, 0), atol=1e-6)
    doc.push(EditMeshes("Nudge", [move_vertices(doc.rig, "ArtMesh4", [0], (0.01, 0), (1.0, 0))]))
    assert doc.history.undo_count == depth + 2  # no key: never merges
    before = copy.deepcopy(doc.rig)
    doc.history.undo()
    doc.history.undo()
    assert deep_equal(doc.rig.art_mesh("ArtMesh4"), small_document().rig.art_mesh("ArtMesh4"))
    doc.history.redo()
    doc.history.redo()
    assert deep_equal(doc.rig, before)


def test_retriangulate_restores_delaunay_inside_the_outline():
    doc = small_document()
    mesh = doc.rig.art_mesh("ArtMesh1")
    flipped = np.array([[0, 1, 3], [1, 2, 3]], np.uint16)  # the other diagonal
    doc.push(EditMeshTopology(doc.rig, "ArtMesh1", mesh.uvs, flipped, VertexMap.identity(4)))
    cmd = retriangulate(doc.rig, "ArtMesh1")
    p = uv_px(doc.rig, mesh)[cmd.new.triangles.astype(int)]
    e1, e2 = p[:, 1] - p[:, 0], p[:, 2] - p[:, 0]
    cross = e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0]
    assert (cross < 0).all() and abs(np.abs(cross).sum() / 2 - 5 * 6) < 1e-6  # CCW, covers the 5x6 px layer
    round_trip(doc, cmd, "topology")

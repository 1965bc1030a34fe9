"""SetKeyformValues, MoveVertices, ReplaceMeshTopology: round trips, merging, refusals."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from rig.document.commands import MoveVertices, ReplaceMeshTopology, SetKeyformValues
from rig.errors import InvalidMeshError, KeyformMismatchError, ValidationError
from rig.model import ArtMesh, KeyformGrid, deep_equal
from tests.rig.document.rigs import round_trip, small_document


def test_set_keyform_values_one_keyform():
    doc = small_document()
    before, after = round_trip(
        doc, SetKeyformValues(doc.rig, "ArtMesh2", "opacity", 0.25, keyform_index=4), "keyform"
    )
    new = after.art_mesh("ArtMesh2").keyforms.values["opacity"]
    old = before.art_mesh("ArtMesh2").keyforms.values["opacity"]
    assert new[4] == np.float32(0.25)
    assert np.array_equal(np.delete(new, 4), np.delete(old, 4))


def test_set_keyform_values_all_keyforms_of_deformer_and_part():
    doc = small_document()
    angles = np.array([-10, 0, 10], np.float32)
    _, after = round_trip(doc, SetKeyformValues(doc.rig, "Rotation1", "angle_deg", angles), "keyform")
    assert np.array_equal(after.deformer("Rotation1").keyforms.values["angle_deg"], angles)
    _, after = round_trip(doc, SetKeyformValues(doc.rig, "PartHair", "draw_order", [1, 2, 3]), "draw_order")
    assert after.part("PartHair").keyforms.values["draw_order"].dtype == np.float32
    _, after = round_trip(
        doc, SetKeyformValues(doc.rig, "Rotation1", "reflect_x", True, keyform_index=2), "keyform"
    )
    assert after.deformer("Rotation1").keyforms.values["reflect_x"].tolist() == [False, False, True]


def test_set_keyform_values_does_not_alias_the_callers_array():
    doc = small_document()
    values = np.zeros((3, 9, 2), np.float32)
    doc.push(SetKeyformValues(doc.rig, "Warp1", "positions", values))
    values[:] = 5
    assert np.all(doc.rig.deformer("Warp1").keyforms.values["positions"] == 0)


def test_set_keyform_values_refusals():
    doc = small_document()
    with pytest.raises(ValidationError, match="no keyform field"):
        SetKeyformValues(doc.rig, "ArtMesh1", "angle_deg", 1.0)
    with pytest.raises(KeyformMismatchError, match="shape"):
        SetKeyformValues(doc.rig, "ArtMesh1", "positions", np.zeros((3, 5, 2)))
    with pytest.raises(KeyformMismatchError, match="index"):
        SetKeyformValues(doc.rig, "ArtMesh1", "opacity", 1.0, keyform_index=3)
    with pytest.raises(ValidationError, match="no keyforms"):
        SetKeyformValues(doc.rig, "LayerFace", "opacity", 1.0)


def test_set_keyform_values_merges_a_slider_drag():
    doc = small_document()
    old = doc.rig.art_mesh("ArtMesh1").keyforms.values["opacity"].copy()
    for v in (0.9, 0.8, 0.7):
        doc.push(SetKeyformValues(doc.rig, "ArtMesh1", "opacity", v, keyform_index=0))
    assert doc.history.undo_count == 1
    assert doc.rig.art_mesh("ArtMesh1").keyforms.values["opacity"][0] == np.float32(0.7)
    doc.history.undo()
    assert np.array_equal(doc.rig.art_mesh("ArtMesh1").keyforms.values["opacity"], old)


def test_move_vertices_one_keyform_explicit_old_new():
    doc = small_document()
    pos = doc.rig.art_mesh("ArtMesh1").keyforms.values["positions"]
    old = pos[1, [0, 2]].copy()
    cmd = MoveVertices("ArtMesh1", 1, [0, 2], old, old + 0.5)
    before, after = round_trip(doc, cmd, "keyform")
    new_pos = after.art_mesh("ArtMesh1").keyforms.values["positions"]
    assert np.allclose(new_pos[1, [0, 2]], old + 0.5)
    changed = np.any(new_pos != before.art_mesh("ArtMesh1").keyforms.values["positions"], axis=-1)
    assert changed.sum() == 2


def test_move_vertices_all_keyforms_by_offset():
    doc = small_document()
    before, after = round_trip(doc, MoveVertices.by(doc.rig, "ArtMesh2", [3], (1.0, -2.0)), "keyform")
    d = (
        after.art_mesh("ArtMesh2").keyforms.values["positions"]
        - before.art_mesh("ArtMesh2").keyforms.values["positions"]
    )
    assert np.allclose(d[:, 3], [1.0, -2.0]) and np.all(d[:, :3] == 0)


def test_move_vertices_merges_consecutive_nudges_only_when_they_agree():
    doc = small_document()
    before = copy.deepcopy(doc.rig)
    for _ in range(4):
        doc.push(MoveVertices.by(doc.rig, "ArtMesh1", [1, 2], (0, 1), keyform_index=0))
    assert doc.history.undo_count == 1
    doc.push(MoveVertices.by(doc.rig, "ArtMesh1", [1], (0, 1), keyform_index=0))  # other vertices
    doc.push(MoveVertices.by(doc.rig, "ArtMesh1", [1], (0, 1), keyform_index=2))  # other keyform
    assert doc.history.undo_count == 3
    p = doc.rig.art_mesh("ArtMesh1").keyforms.values["positions"]
    assert np.allclose(p[0, 2] - before.art_mesh("ArtMesh1").keyforms.values["positions"][0, 2], (0, 4))
    for _ in range(3):
        doc.history.undo()
    assert deep_equal(doc.rig, before)


def test_move_vertices_refusals():
    doc = small_document()
    with pytest.raises(ValidationError, match="out of range"):
        MoveVertices.to(doc.rig, "ArtMesh1", [4], [[0, 0]], keyform_index=0)
    with pytest.raises(KeyformMismatchError, match="keyform index"):
        MoveVertices.to(doc.rig, "ArtMesh1", [0], [[0, 0]], keyform_index=9)
    with pytest.raises(ValidationError, match="repeat"):
        MoveVertices("ArtMesh1", 0, [1, 1], np.zeros((2, 2)), np.ones((2, 2)))
    before = copy.deepcopy(doc.rig)
    with pytest.raises(KeyformMismatchError):
        doc.push(MoveVertices("ArtMesh1", None, [1], np.zeros((1, 2)), np.ones((1, 2))))  # needs (K, n, 2)
    assert deep_equal(doc.rig, before) and doc.history.undo_count == 0


def _split_first_triangle(mesh: ArtMesh):
    """Add a centre vertex to the quad: 5 vertices, 4 triangles; keyforms remapped."""
    uvs = np.vstack([mesh.uvs, [[0.5, 0.5]]]).astype(np.float32)
    tris = np.array([[0, 1, 4], [1, 2, 4], [2, 3, 4], [3, 0, 4]], np.uint16)
    grid = copy.deepcopy(mesh.keyforms)
    pos = grid.values["positions"]
    grid.values["positions"] = np.concatenate([pos, pos.mean(axis=1, keepdims=True)], axis=1).astype(
        np.float32
    )
    return uvs, tris, grid


def test_replace_mesh_topology_round_trip_bumps_version():
    doc = small_document()
    mesh = doc.rig.art_mesh("ArtMesh2")
    uvs, tris, grid = _split_first_triangle(mesh)
    before, after = round_trip(doc, ReplaceMeshTopology(doc.rig, "ArtMesh2", uvs, tris, grid), "topology")
    new = after.art_mesh("ArtMesh2")
    assert new.vertex_count == 5 and new.triangles.shape == (4, 3)
    assert new.topology_version > before.art_mesh("ArtMesh2").topology_version
    assert [m.id for m in after.art_meshes] == [m.id for m in before.art_meshes]


def test_replace_mesh_topology_same_vertex_count_keeps_keyforms():
    doc = small_document()
    tris = np.array([[0, 1, 3], [1, 2, 3]], np.uint16)  # flip the diagonal
    before, after = round_trip(
        doc, ReplaceMeshTopology(doc.rig, "ArtMesh1", doc.rig.art_mesh("ArtMesh1").uvs, tris)
    )
    assert deep_equal(after.art_mesh("ArtMesh1").keyforms, before.art_mesh("ArtMesh1").keyforms)


def test_replace_mesh_topology_versions_are_never_reused():
    doc = small_document()
    tris = np.array([[0, 1, 3], [1, 2, 3]], np.uint16)
    uvs = doc.rig.art_mesh("ArtMesh1").uvs
    doc.push(ReplaceMeshTopology(doc.rig, "ArtMesh1", uvs, tris))
    v1 = doc.rig.art_mesh("ArtMesh1").topology_version
    doc.history.undo()
    doc.push(ReplaceMeshTopology(doc.rig, "ArtMesh1", uvs, tris[::-1]))
    assert doc.rig.art_mesh("ArtMesh1").topology_version not in (0, v1)


def test_replace_mesh_topology_refuses_mismatched_keyforms():
    doc = small_document()
    uvs, tris, _ = _split_first_triangle(doc.rig.art_mesh("ArtMesh2"))
    with pytest.raises(KeyformMismatchError, match="5 vertices but its keyforms hold 4"):
        ReplaceMeshTopology(doc.rig, "ArtMesh2", uvs, tris)
    bad = KeyformGrid.constant(**ArtMesh.rest_values(np.zeros((5, 2))))  # 5 vertices, but
    bad.values["opacity"] = np.zeros((2,), np.float32)  # 2 opacities for 1 keyform
    with pytest.raises(KeyformMismatchError):
        ReplaceMeshTopology(doc.rig, "ArtMesh2", uvs, tris, bad)
    with pytest.raises(InvalidMeshError):
        ReplaceMeshTopology(
            doc.rig,
            "ArtMesh2",
            uvs,
            np.array([[0, 1, 9]]),
            _split_first_triangle(doc.rig.art_mesh("ArtMesh2"))[2],
        )

"""Auto-mesh of existing art meshes: presets, shared layers, keyforms carried over, one undo step."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from inference.meshing.automesh import COVER_GROW_PX, PRESETS, automesh_art_mesh, automesh_command
from inference.meshing.meshes import DILATE_PX
from rig.document import Document
from rig.document.commands.topology import locate_points
from rig.errors import InvalidMeshError
from rig.evaluate import evaluate
from rig.evaluate.keyforms import interpolate_keyforms
from rig.model import deep_equal
from rig.testing import tiny_rig


def test_presets_order_vertex_counts():
    rig = tiny_rig()
    counts = {p: len(automesh_art_mesh(rig, "ArtMesh1", p)[0]) for p in PRESETS}
    assert counts["small deformation"] < counts["standard"] < counts["large deformation"], counts
    with pytest.raises(ValueError, match="density"):
        automesh_art_mesh(rig, "ArtMesh1", "wobbly")


def test_a_mesh_sharing_a_layer_is_remeshed_only_where_it_was():
    rig = tiny_rig()  # ArtMesh3 (highlight) covers uv x 0.5..1, y 0..0.6 of LayerEye, shared with ArtMesh2
    uvs, tris = automesh_art_mesh(rig, "ArtMesh3", "large deformation")
    grow = (COVER_GROW_PX + DILATE_PX + 0.5) / 32  # coverage growth + the mesher's dilation, uv of 32 px
    assert uvs[:, 0].min() >= 0.5 - grow and uvs[:, 1].max() <= 0.6 + grow
    assert len(tris) > 2


def test_automesh_command_is_one_step_and_keeps_every_pose_of_the_tiny_rig():
    doc = Document(tiny_rig())
    before = copy.deepcopy(doc.rig)
    poses = [{}, {"ParamAngleX": 30.0}, {"ParamAngleX": -15.0, "ParamAngleZ": 30.0}]
    depth = doc.history.undo_count
    doc.push(automesh_command(doc.rig, ["ArtMesh1", "ArtMesh2"], "standard"))
    assert doc.history.undo_count == depth + 1 and doc.history.undo_label == "Auto-mesh 2 meshes (standard)"
    doc.rig.validate()
    params = {p.id: p for p in before.parameters}
    for pose in poses:
        old_items = {i.art_mesh_id: i for i in evaluate(before, pose).items}
        new_items = {i.art_mesh_id: i for i in evaluate(doc.rig, pose).items}
        for mesh_id in ("ArtMesh1", "ArtMesh2"):
            o, n = before.art_mesh(mesh_id), doc.rig.art_mesh(mesh_id)
            assert n.vertex_count > o.vertex_count
            vmap = locate_points(n.uvs, o.uvs, o.triangles)
            inside = vmap.copies | np.all(vmap.weights == vmap.displacement_weights, axis=1)
            assert inside.mean() > 0.5
            # parent space: each new vertex sits on the same point of the deformed old triangle
            old_xy = interpolate_keyforms(o.keyforms, pose, params)["positions"]
            new_xy = interpolate_keyforms(n.keyforms, pose, params)["positions"]
            np.testing.assert_allclose(new_xy[inside], vmap.apply(old_xy)[inside], atol=1e-4)
        # under a rotation deformer (affine) this holds on the canvas too
        o, n = old_items["ArtMesh2"], new_items["ArtMesh2"]
        vmap = locate_points(n.uvs, o.uvs, o.triangles)
        inside = np.all(vmap.weights == vmap.displacement_weights, axis=1)
        np.testing.assert_allclose(n.vertices_px[inside], vmap.apply(o.vertices_px)[inside], atol=1e-3)
    doc.history.undo()
    assert deep_equal(doc.rig, before)


def test_nothing_to_mesh_is_refused():
    rig = tiny_rig()
    rig.layer("LayerFace").image[..., 3] = 0
    with pytest.raises(InvalidMeshError, match="has visible pixels"):
        automesh_command(rig, ["ArtMesh1"])
    with pytest.raises(InvalidMeshError, match="covers no visible pixel"):
        automesh_art_mesh(rig, "ArtMesh1")

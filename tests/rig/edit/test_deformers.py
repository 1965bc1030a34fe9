"""rig.edit.deformers (no Qt): new warp / rotation deformers at rest in their parent's space, reparenting in place."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from rig.document import Document
from rig.document.commands import ReparentArtMesh, ReparentDeformer
from rig.edit.deformers import add_deformer_command, new_rotation, new_warp, reparent_command
from rig.errors import ValidationError
from rig.evaluate import evaluate
from rig.model import Rig, RotationDeformer, WarpDeformer, deep_equal
from rig.testing import tiny_rig


def _gizmo(rig, deformer_id, values=None):
    return next(g for g in evaluate(rig, values or {}).gizmos if g.deformer_id == deformer_id)


def test_new_warp_on_the_canvas_covers_the_middle_half():
    rig = tiny_rig()
    warp = new_warp(rig, None, "PartFace", rows=2, cols=4)
    lattice = warp.keyforms.values["positions"][0].reshape(-1, 2)
    assert (warp.rows, warp.cols, warp.parent_deformer_id) == (2, 4, None)
    np.testing.assert_allclose(lattice.min(0), [32, 32])  # 128 px canvas
    np.testing.assert_allclose(lattice.max(0), [96, 96])
    assert warp.id not in {d.id for d in rig.deformers} and warp.name == warp.id.replace("Warp", "Warp ")


def test_new_deformers_under_a_warp_sit_in_its_middle_on_the_canvas():
    doc = Document(tiny_rig())
    doc.history.push(add_deformer_command(doc.rig, "warp", "Warp1"))
    child = doc.rig.deformers[-1]
    assert isinstance(child, WarpDeformer) and child.parent_deformer_id == "Warp1" and child.part_id == "PartFace"
    parent_px = _gizmo(doc.rig, "Warp1").points_px.reshape(-1, 2)
    child_px = _gizmo(doc.rig, child.id).points_px.reshape(-1, 2)
    np.testing.assert_allclose(child_px.mean(0), parent_px.mean(0), atol=1.0)
    assert np.ptp(child_px[:, 0]) < np.ptp(parent_px[:, 0])
    doc.history.push(add_deformer_command(doc.rig, "rotation", child.id))
    rotation = doc.rig.deformers[-1]
    assert isinstance(rotation, RotationDeformer) and rotation.parent_deformer_id == child.id
    np.testing.assert_allclose(_gizmo(doc.rig, rotation.id).points_px[0], child_px.mean(0), atol=1.0)


def test_new_rotation_under_a_rotation_starts_at_its_origin():
    rig = tiny_rig()
    rotation = new_rotation(rig, "Rotation1", "PartFace")
    np.testing.assert_allclose(rotation.keyforms.values["origin"][0], [0.0, 0.0])


def test_add_deformer_command_refusals_and_canvas_fallback():
    rig = tiny_rig()
    assert add_deformer_command(rig, "rotation", "ArtMesh1").obj.parent_deformer_id is None  # a mesh: canvas
    assert add_deformer_command(rig, "warp", None).obj.part_id == rig.parts[0].id
    with pytest.raises(ValidationError, match="kind"):
        add_deformer_command(rig, "glue", None)
    with pytest.raises(ValidationError, match="part"):
        add_deformer_command(Rig(64, 64, "empty"), "warp", None)


@pytest.mark.parametrize("object_id, new_parent_id, cls, values", [
    ("Rotation1", None, ReparentDeformer, {"ParamAngleZ": 30.0}),  # at its own key
    ("ArtMesh2", "Warp1", ReparentArtMesh, {}),  # unkeyed: in place at the defaults
    ("ArtMesh1", None, ReparentArtMesh, {}),
])
def test_reparent_command_keeps_the_canvas_pose_and_undoes_exactly(object_id, new_parent_id, cls, values):
    doc = Document(tiny_rig())
    before = copy.deepcopy(doc.rig)
    ev_before = evaluate(doc.rig, values)
    command = reparent_command(doc.rig, object_id, new_parent_id)
    assert isinstance(command, cls)
    doc.history.push(command)
    assert doc.rig.find(object_id).parent_deformer_id == new_parent_id
    ev_after = evaluate(doc.rig, values)
    for a, b in zip(ev_before.items, ev_after.items):
        np.testing.assert_allclose(a.vertices_px, b.vertices_px, atol=1e-3)
    doc.history.undo()
    assert deep_equal(doc.rig, before)


def test_reparent_command_refuses_a_cycle():
    rig = tiny_rig()
    with pytest.raises(ValidationError):
        reparent_command(rig, "Warp1", "Rotation1")  # Rotation1 is Warp1's child

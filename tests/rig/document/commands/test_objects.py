"""Add/Remove commands for parts, deformers, art meshes and layers: round trips and refusals."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from rig.document.commands import (
    AddArtMesh,
    AddDeformer,
    AddLayer,
    AddPart,
    RemoveArtMesh,
    RemoveDeformer,
    RemoveLayer,
    RemovePart,
    SetObjectProperty,
)
from rig.errors import InvalidMeshError, KeyformMismatchError, ValidationError
from rig.model import ArtMesh, KeyformBinding, KeyformGrid, Layer, Part, RotationDeformer, WarpDeformer
from tests.rig.document.rigs import QUAD_TRIS, QUAD_UVS, round_trip, small_document


def _new_mesh(doc, mesh_id="ArtMesh9", **kw) -> ArtMesh:
    binding = KeyformBinding("ParamMouthOpenY", (0, 1))
    pos = np.array([[0, 0], [10, 0], [10, 10], [0, 10]], np.float32)
    grid = KeyformGrid.tiled((binding,), **ArtMesh.rest_values(pos))
    fields = dict(part_id="PartFace", parent_deformer_id=None, layer_id="LayerEye")
    fields.update(kw)
    return ArtMesh(mesh_id, "new", uvs=QUAD_UVS.copy(), triangles=QUAD_TRIS.copy(), keyforms=grid, **fields)


def test_add_part_round_trip_inserts_at_index():
    doc = small_document()
    part = Part("PartBody", "Body", parent_part_id="PartRoot")
    _, after = round_trip(doc, AddPart(doc.rig, part, index=1), "structure")
    assert [p.id for p in after.parts] == ["PartRoot", "PartBody", "PartFace", "PartHair"]


def test_add_deformer_round_trip_appends():
    doc = small_document()
    d = RotationDeformer(
        "Rotation2",
        "r",
        "PartHair",
        "Rotation1",
        KeyformGrid.constant(**RotationDeformer.rest_values((1, 2))),
    )
    _, after = round_trip(doc, AddDeformer(doc.rig, d), "structure")
    assert after.deformers[-1].id == "Rotation2"


def test_add_art_mesh_and_layer_round_trip():
    doc = small_document()
    layer = Layer("LayerNew", "new", np.zeros((3, 3, 4), np.uint8))
    round_trip(doc, AddLayer(doc.rig, layer), "structure")
    _, after = round_trip(doc, AddArtMesh(doc.rig, _new_mesh(doc, layer_id="LayerNew"), index=0), "structure")
    assert after.art_meshes[0].id == "ArtMesh9" and after.art_meshes[0].layer_id == "LayerNew"


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"mesh_id": "ArtMesh1"}, ValidationError),  # duplicate id
        ({"part_id": "PartNope"}, ValidationError),
        ({"parent_deformer_id": "Warp9"}, ValidationError),
        ({"layer_id": "LayerNope"}, ValidationError),
        ({"mask_ids": ("ArtMesh9",)}, ValidationError),  # masks itself
    ],
)
def test_add_art_mesh_refuses_bad_references(change, error):
    doc = small_document()
    before = copy.deepcopy(doc.rig)
    with pytest.raises(error):
        AddArtMesh(doc.rig, _new_mesh(doc, **change))
    assert doc.rig == before


def test_add_art_mesh_refuses_mismatched_keyforms_and_bad_triangles():
    doc = small_document()
    mesh = _new_mesh(doc)
    mesh.keyforms.values["positions"] = mesh.keyforms.values["positions"][:, :3]
    with pytest.raises(KeyformMismatchError):
        AddArtMesh(doc.rig, mesh)
    mesh = _new_mesh(doc)
    mesh.triangles = np.array([[0, 1, 7]], np.uint16)
    with pytest.raises(InvalidMeshError):
        AddArtMesh(doc.rig, mesh)
    mesh = _new_mesh(doc)
    mesh.keyforms.bindings = (KeyformBinding("ParamMouthOpenY", (0, 2)),)
    with pytest.raises(KeyformMismatchError, match="outside"):
        AddArtMesh(doc.rig, mesh)


def test_add_part_refuses_missing_parent():
    doc = small_document()
    with pytest.raises(ValidationError, match="PartNope"):
        AddPart(doc.rig, Part("PartX", "x", parent_part_id="PartNope"))


def test_remove_layer_round_trip_and_refusal():
    doc = small_document()
    with pytest.raises(ValidationError, match="ArtMesh1, ArtMesh4"):
        RemoveLayer(doc.rig, "LayerFace")
    doc.push(AddLayer(doc.rig, Layer("LayerNew", "new", np.zeros((2, 2, 4), np.uint8)), index=1))
    _, after = round_trip(doc, RemoveLayer(doc.rig, "LayerNew"), "structure")
    assert [la.id for la in after.layers] == ["LayerFace", "LayerEye", "LayerHair"]


def test_remove_deformer_refuses_while_it_has_children():
    doc = small_document()
    with pytest.raises(ValidationError, match="Warp2, Rotation1, ArtMesh1"):
        RemoveDeformer(doc.rig, "Warp1")


def test_remove_deformer_round_trip():
    doc = small_document()
    doc.push(RemoveArtMesh(doc.rig, "ArtMesh2"))
    _, after = round_trip(doc, RemoveDeformer(doc.rig, "Warp2"), "structure")
    assert [d.id for d in after.deformers] == ["Warp1", "Rotation1"]


def test_remove_art_mesh_also_clears_masks_and_undo_restores_them():
    doc = small_document()
    cmd = RemoveArtMesh(doc.rig, "ArtMesh1")
    before, after = round_trip(doc, cmd, "structure")
    assert [m.id for m in after.art_meshes] == ["ArtMesh2", "ArtMesh3", "ArtMesh4"]
    assert after.art_mesh("ArtMesh3").mask_ids == ()
    assert before.art_mesh("ArtMesh3").mask_ids == ("ArtMesh1",)


def test_remove_part_removes_its_subtree():
    doc = small_document()
    doc.push(SetObjectProperty(doc.rig, "ArtMesh4", "mask_ids", ("ArtMesh3",)))
    _, after = round_trip(doc, RemovePart(doc.rig, "PartHair"), "structure")
    assert [p.id for p in after.parts] == ["PartRoot", "PartFace"]
    assert [d.id for d in after.deformers] == ["Warp1", "Warp2"]
    assert [m.id for m in after.art_meshes] == ["ArtMesh1", "ArtMesh2", "ArtMesh4"]
    assert after.art_mesh("ArtMesh4").mask_ids == ()  # mask into the removed subtree cleared


def test_remove_root_part_removes_everything_drawable():
    doc = small_document()
    _, after = round_trip(doc, RemovePart(doc.rig, "PartRoot"), "structure")
    assert after.parts == [] and after.deformers == [] and after.art_meshes == []
    assert len(after.layers) == 3 and len(after.parameters) == 5


def test_remove_part_refuses_when_its_deformer_parents_an_outside_object():
    doc = small_document()
    with pytest.raises(ValidationError, match="Rotation1"):
        RemovePart(doc.rig, "PartFace")  # Warp1 (face) parents Rotation1 (hair part)


def test_removing_missing_objects_is_refused():
    doc = small_document()
    for cmd in (RemovePart, RemoveDeformer, RemoveArtMesh, RemoveLayer):
        with pytest.raises(ValidationError):
            cmd(doc.rig, "Nope1")


def test_add_deformer_rejects_wrong_type():
    doc = small_document()
    with pytest.raises(TypeError):
        AddDeformer(doc.rig, Part("PartX", "x"))
    w = WarpDeformer(
        "Warp5",
        "w",
        "PartFace",
        "Warp5",
        1,
        1,
        KeyformGrid.constant(positions=WarpDeformer.rest_grid(1, 1, 0, 0, 1, 1), opacity=np.float32(1)),
    )
    with pytest.raises(ValidationError):
        AddDeformer(doc.rig, w)  # its own parent

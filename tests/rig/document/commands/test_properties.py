"""SetObjectProperty, RenameObject, Reparent*, ReorderDrawOrder: round trips, merging, refusals."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from rig.document.commands import (
    RenameObject,
    ReorderDrawOrder,
    ReparentArtMesh,
    ReparentDeformer,
    SetObjectProperty,
)
from rig.errors import KeyformMismatchError, ValidationError
from rig.model import BlendMode
from tests.rig.document.rigs import round_trip, small_document


@pytest.mark.parametrize(
    ("object_id", "name", "value", "kind"),
    [
        ("ArtMesh1", "visible", False, "property"),
        ("ArtMesh1", "blend_mode", "additive", "property"),
        ("ArtMesh1", "invert_mask", True, "property"),
        ("ArtMesh2", "mask_ids", ["ArtMesh1", "ArtMesh4"], "property"),
        ("ArtMesh2", "layer_id", "LayerHair", "property"),
        ("ArtMesh2", "culling", True, "property"),
        ("ArtMesh2", "part_id", "PartHair", "structure"),
        ("PartHair", "parent_part_id", "PartFace", "structure"),
        ("PartHair", "parent_part_id", None, "structure"),
        ("Warp2", "part_id", "PartHair", "structure"),
        ("Rotation1", "base_angle_deg", 15, "property"),
        ("LayerEye", "origin_px", (3, 4), "property"),
        ("LayerEye", "name", "iris", "property"),
    ],
)
def test_set_object_property_round_trip(object_id, name, value, kind):
    doc = small_document()
    _, after = round_trip(doc, SetObjectProperty(doc.rig, object_id, name, value), kind)
    got = getattr(after.find(object_id), name)
    if name == "blend_mode":
        assert got is BlendMode.ADDITIVE
    elif name == "mask_ids":
        assert got == ("ArtMesh1", "ArtMesh4")
    elif name == "origin_px":
        assert got == (3.0, 4.0)
    else:
        assert got == value


@pytest.mark.parametrize(
    ("object_id", "name", "value", "match"),
    [
        ("ArtMesh1", "parent_deformer_id", None, "not settable"),
        ("ParamAngleX", "min", -10, "SetParameterDefinition"),
        ("ArtMesh1", "mask_ids", ["ArtMesh1"], "not another art mesh"),
        ("ArtMesh1", "mask_ids", ["Nope"], "not another art mesh"),
        ("ArtMesh1", "layer_id", "Nope", "does not exist"),
        ("ArtMesh1", "part_id", "Nope", "does not exist"),
        ("PartRoot", "parent_part_id", "PartFace", "cycle"),
        ("PartRoot", "parent_part_id", "PartRoot", "cycle"),
        ("Nope", "name", "x", "no object"),
    ],
)
def test_set_object_property_refusals(object_id, name, value, match):
    doc = small_document()
    with pytest.raises(ValidationError, match=match):
        SetObjectProperty(doc.rig, object_id, name, value)


def test_set_object_property_merges_consecutive_sets_of_same_attribute():
    doc = small_document()
    doc.push(SetObjectProperty(doc.rig, "ArtMesh1", "name", "a"))
    doc.push(SetObjectProperty(doc.rig, "ArtMesh1", "name", "b"))
    doc.push(SetObjectProperty(doc.rig, "ArtMesh1", "visible", False))  # other attribute: no merge
    assert doc.history.undo_count == 2
    doc.history.undo()
    doc.history.undo()
    assert doc.rig.art_mesh("ArtMesh1").name == "artmesh1"


@pytest.mark.parametrize(
    ("object_id", "kind"),
    [("ArtMesh2", "property"), ("ParamAngleX", "parameter_definition"), ("Warp1", "property")],
)
def test_rename_object_round_trip(object_id, kind):
    doc = small_document()
    _, after = round_trip(doc, RenameObject(doc.rig, object_id, "Renamed"), kind)
    assert after.find(object_id).name == "Renamed"


def test_reparent_deformer_round_trip_and_keyform_swap():
    doc = small_document()
    _, after = round_trip(doc, ReparentDeformer(doc.rig, "Rotation1", "Warp2"), "structure")
    assert after.deformer("Rotation1").parent_deformer_id == "Warp2"
    # with re-expressed keyforms (same bindings)
    doc = small_document()
    grid = copy.deepcopy(doc.rig.deformer("Rotation1").keyforms)
    grid.values["origin"][:] = [[10, 20]]
    _, after = round_trip(doc, ReparentDeformer(doc.rig, "Rotation1", None, keyforms=grid), "structure")
    rot = after.deformer("Rotation1")
    assert rot.parent_deformer_id is None and np.all(rot.keyforms.values["origin"] == [10, 20])
    grid.values["origin"][:] = 0  # the command holds its own copy
    assert np.all(doc.rig.deformer("Rotation1").keyforms.values["origin"] == [10, 20])


def test_reparent_deformer_rejects_cycles_with_a_clear_message():
    doc = small_document()
    with pytest.raises(ValidationError, match="cycle"):
        ReparentDeformer(doc.rig, "Warp1", "Warp2")  # Warp2 is Warp1's child
    with pytest.raises(ValidationError, match="cycle"):
        ReparentDeformer(doc.rig, "Warp1", "Warp1")
    with pytest.raises(ValidationError, match="does not exist"):
        ReparentDeformer(doc.rig, "Warp1", "Warp7")
    with pytest.raises(ValidationError, match="not a deformer"):
        ReparentDeformer(doc.rig, "ArtMesh1", None)


def test_reparent_rejects_keyforms_with_other_bindings():
    doc = small_document()
    other = copy.deepcopy(doc.rig.deformer("Warp2").keyforms)  # bound to ParamEyeLOpen, not AngleX
    with pytest.raises(KeyformMismatchError):
        ReparentDeformer(doc.rig, "Warp1", None, keyforms=other)


def test_reparent_art_mesh_round_trip():
    doc = small_document()
    _, after = round_trip(doc, ReparentArtMesh(doc.rig, "ArtMesh4", "Rotation1"), "structure")
    assert after.art_mesh("ArtMesh4").parent_deformer_id == "Rotation1"
    round_trip(doc, ReparentArtMesh(doc.rig, "ArtMesh4", None), "structure")
    with pytest.raises(ValidationError, match="not an art mesh"):
        ReparentArtMesh(doc.rig, "Warp1", None)


def test_reorder_draw_order_moves_in_list():
    doc = small_document()
    _, after = round_trip(doc, ReorderDrawOrder(doc.rig, "ArtMesh1", index=3), "draw_order")
    assert [m.id for m in after.art_meshes] == ["ArtMesh2", "ArtMesh3", "ArtMesh4", "ArtMesh1"]


def test_reorder_draw_order_sets_values_scalar_and_per_keyform():
    doc = small_document()
    _, after = round_trip(doc, ReorderDrawOrder(doc.rig, "ArtMesh2", draw_order=600), "draw_order")
    assert np.all(after.art_mesh("ArtMesh2").keyforms.values["draw_order"] == 600)
    per = np.arange(6, dtype=np.float32) * 10
    _, after = round_trip(doc, ReorderDrawOrder(doc.rig, "ArtMesh2", index=0, draw_order=per), "draw_order")
    assert after.art_meshes[0].id == "ArtMesh2"
    assert np.array_equal(after.art_meshes[0].keyforms.values["draw_order"], per)


def test_reorder_draw_order_refusals():
    doc = small_document()
    with pytest.raises(ValidationError):
        ReorderDrawOrder(doc.rig, "ArtMesh1")
    with pytest.raises(ValidationError):
        ReorderDrawOrder(doc.rig, "ArtMesh1", index=4)
    with pytest.raises(KeyformMismatchError):
        ReorderDrawOrder(doc.rig, "ArtMesh2", draw_order=[1, 2])

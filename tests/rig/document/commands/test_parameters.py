"""Parameter commands: definitions and key edits fanned out to every bound keyform grid."""

from __future__ import annotations

import numpy as np
import pytest

from rig.document.commands import (
    AddParameter,
    AddParameterKey,
    RemoveParameter,
    RemoveParameterKey,
    SetParameterDefinition,
)
from rig.errors import KeyformMismatchError, ValidationError
from rig.model.standard import standard_parameter
from tests.rig.document.rigs import interpolate, round_trip, small_document

ANGLE_BOUND = {"PartHair", "Warp1", "Rotation1", "ArtMesh1", "ArtMesh2"}


def test_add_parameter_round_trip():
    doc = small_document()
    _, after = round_trip(
        doc, AddParameter(doc.rig, standard_parameter("ParamCheek"), index=0), "parameter_definition"
    )
    assert after.parameters[0].id == "ParamCheek"
    with pytest.raises(ValidationError, match="already used"):
        AddParameter(doc.rig, standard_parameter("ParamAngleX"))


def test_remove_parameter_round_trip_and_refusals():
    doc = small_document()
    _, after = round_trip(doc, RemoveParameter(doc.rig, "ParamBreath"), "parameter_definition")
    assert "ParamBreath" not in {p.id for p in after.parameters}
    with pytest.raises(ValidationError, match="Warp1"):
        RemoveParameter(doc.rig, "ParamAngleX")
    with pytest.raises(ValidationError, match="PhysicsSetting1"):
        RemoveParameter(doc.rig, "ParamHairFront")
    with pytest.raises(ValidationError, match="no parameter"):
        RemoveParameter(doc.rig, "ParamNope")


def test_set_parameter_definition_round_trip_and_merge():
    doc = small_document()
    cmd = SetParameterDefinition(doc.rig, "ParamAngleX", name="Head turn", min=-45, max=45)
    _, after = round_trip(doc, cmd, "parameter_definition")
    p = after.parameter("ParamAngleX")
    assert (p.name, p.min, p.default, p.max, p.keys) == ("Head turn", -45.0, 0.0, 45.0, (-30.0, 0.0, 30.0))
    doc.push(SetParameterDefinition(doc.rig, "ParamAngleX", max=50))
    doc.push(SetParameterDefinition(doc.rig, "ParamAngleX", max=55))
    assert doc.history.undo_count == 2 and doc.rig.parameter("ParamAngleX").max == 55
    doc.history.undo()
    assert doc.rig.parameter("ParamAngleX").max == 45


def test_set_parameter_definition_refusals():
    doc = small_document()
    with pytest.raises(KeyformMismatchError, match=r"\[-30.0, 30.0\]|outside"):
        SetParameterDefinition(doc.rig, "ParamAngleX", min=-10, default=0, max=10)
    with pytest.raises(ValidationError):
        SetParameterDefinition(doc.rig, "ParamBreath", default=5)


def test_add_parameter_key_fans_out_to_every_bound_grid_and_keeps_the_pose():
    doc = small_document()
    cmd = AddParameterKey(doc.rig, "ParamAngleX", 10)
    assert set(cmd.object_ids) == ANGLE_BOUND
    before, after = round_trip(doc, cmd, "keyform")
    assert after.parameter("ParamAngleX").keys == (-30.0, 0.0, 10.0, 30.0)
    for oid in ANGLE_BOUND:
        old, new = before.find(oid).keyforms, after.find(oid).keyforms
        assert new.count == old.count // 3 * 4
        for a in (-30, -12, 0, 5, 10, 17, 30):
            for e in (0.0, 0.6):
                vals = {"ParamAngleX": a, "ParamEyeLOpen": e}
                want, got = interpolate(old, vals), interpolate(new, vals)
                for name in want:
                    np.testing.assert_allclose(got[name], want[name], atol=1e-4, err_msg=f"{oid}.{name}")
    assert after.art_mesh("ArtMesh4").keyforms.count == before.art_mesh("ArtMesh4").keyforms.count


def test_add_parameter_key_to_unbound_parameter_changes_only_the_definition():
    doc = small_document()
    cmd = AddParameterKey(doc.rig, "ParamBreath", 0.5)
    assert cmd.object_ids == ()
    _, after = round_trip(doc, cmd, "keyform")
    assert after.parameter("ParamBreath").keys == (0.5,)


def test_add_parameter_key_refusals():
    doc = small_document()
    with pytest.raises(ValidationError, match="already has a key"):
        AddParameterKey(doc.rig, "ParamAngleX", 0)
    with pytest.raises(ValidationError, match="outside"):
        AddParameterKey(doc.rig, "ParamAngleX", 31)


def test_remove_parameter_key_drops_keyforms_everywhere():
    doc = small_document()
    before, after = round_trip(doc, RemoveParameterKey(doc.rig, "ParamAngleX", 0), "keyform")
    assert after.parameter("ParamAngleX").keys == (-30.0, 30.0)
    for oid in ANGLE_BOUND:
        assert after.find(oid).keyforms.count == before.find(oid).keyforms.count // 3 * 2
    with pytest.raises(ValidationError, match="no key"):
        RemoveParameterKey(doc.rig, "ParamAngleX", 0)


def test_removing_every_key_unbinds_the_objects_and_allows_removing_the_parameter():
    doc = small_document()
    for v in (0, 1):
        doc.push(RemoveParameterKey(doc.rig, "ParamMouthOpenY", v))
    mesh = doc.rig.art_mesh("ArtMesh4")
    assert mesh.keyforms.bindings == () and mesh.keyforms.count == 1
    doc.rig.validate()
    round_trip(doc, RemoveParameter(doc.rig, "ParamMouthOpenY"), "parameter_definition")

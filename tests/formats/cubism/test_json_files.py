"""model3 / physics3 / cdi3 / motion3 contents and exact Meta counts (cubism-formats.md 2.7)."""

from __future__ import annotations

from rig.formats.cubism.json_files import (
    cdi3_json,
    idle_motion3_json,
    model3_json,
    motion3_meta,
    physics3_json,
    segment_counts,
)
from rig.model import PhysicsRig
from rig.testing import tiny_rig
from tests.formats.cubism.physics_rig import tiny_rig_with_physics


def _recount(curves):
    """Independent recount of motion3 segments/points from the flat arrays."""
    segs = pts = 0
    for c in curves:
        s = c["Segments"]
        pts += 1
        i = 2
        while i < len(s):
            n = {0: 1, 1: 3, 2: 1, 3: 1}[int(s[i])]
            segs, pts, i = segs + 1, pts + n, i + 1 + 2 * n
        assert i == len(s), "segments end exactly"
    return segs, pts


def test_spec_example_counts():
    curves = [{"Segments": [0, 0, 0, 1, 1]}] * 3
    assert segment_counts(curves[0]["Segments"]) == (1, 2)
    meta = motion3_meta(curves, 1.0, 30.0, True)
    assert (meta["CurveCount"], meta["TotalSegmentCount"], meta["TotalPointCount"]) == (3, 3, 6)


def test_idle_motion_meta_is_exact_and_loops():
    rig = tiny_rig_with_physics()
    motion = idle_motion3_json(rig)
    assert {c["Id"] for c in motion["Curves"]} == {"ParamBreath", "ParamAngleX", "ParamAngleZ"}
    meta = motion["Meta"]
    assert meta["CurveCount"] == len(motion["Curves"])
    assert (meta["TotalSegmentCount"], meta["TotalPointCount"]) == _recount(motion["Curves"])
    params = {p.id: p for p in rig.parameters}
    for c in motion["Curves"]:
        s = c["Segments"]
        assert s[0] == 0 and s[-2] == meta["Duration"] and s[1] == s[-1], "starts at 0, ends where it started"
        p = params[c["Id"]]
        values = [s[1]] + [s[i + k] for i in range(2, len(s), 7) for k in (2, 4, 6)]
        assert all(p.min <= v <= p.max for v in values)
        assert max(values) - min(values) > 0.01 * (p.max - p.min), "the curve moves"


def test_no_motion_without_idle_parameters():
    rig = tiny_rig()
    rig.parameters = rig.parameters[1:]  # only ParamAngleZ left... which sways
    assert idle_motion3_json(rig)["Meta"]["CurveCount"] == 1
    rig.parameters = []
    assert idle_motion3_json(rig) is None


def test_physics3_meta_totals_and_angle_outputs_only():
    doc = physics3_json(tiny_rig_with_physics().physics)
    meta, settings = doc["Meta"], doc["PhysicsSettings"]
    assert meta["PhysicsSettingCount"] == len(settings) == len(meta["PhysicsDictionary"]) == 1
    assert meta["TotalInputCount"] == sum(len(s["Input"]) for s in settings) == 1
    assert meta["TotalOutputCount"] == sum(len(s["Output"]) for s in settings) == 1
    assert meta["VertexCount"] == sum(len(s["Vertices"]) for s in settings) == 2
    out = settings[0]["Output"][0]
    assert out["Type"] == "Angle" and out["Destination"] == {"Target": "Parameter", "Id": "ParamHairFront"}
    assert 1 <= out["VertexIndex"] < len(settings[0]["Vertices"])
    assert set(settings[0]) == {"Id", "Input", "Output", "Vertices", "Normalization"}
    assert physics3_json(PhysicsRig()) is None


def test_model3_groups_and_references():
    doc = model3_json("a.moc3", ["a.2048/texture_00.png"], None, "a.cdi3.json", {}, {"ParamEyeLOpen", "ParamMouthOpenY"})
    assert doc["Version"] == 3 and doc["FileReferences"]["Moc"] == "a.moc3" and "Physics" not in doc["FileReferences"]
    assert doc["Groups"] == [
        {"Target": "Parameter", "Name": "EyeBlink", "Ids": ["ParamEyeLOpen"]},
        {"Target": "Parameter", "Name": "LipSync", "Ids": ["ParamMouthOpenY"]},
    ]


def test_cdi3_lists_parameters_groups_and_parts():
    doc = cdi3_json(tiny_rig_with_physics())
    assert [p["Id"] for p in doc["Parameters"]][:2] == ["ParamAngleX", "ParamAngleZ"]
    assert {g["Id"] for g in doc["ParameterGroups"]} == {"ParamGroupFace", "ParamGroupBody", "ParamGroupEyes",
                                                          "ParamGroupSway"}  # fmt: skip
    assert {g["Name"] for g in doc["ParameterGroups"]} >= {"Face", "Sway"}
    assert doc["Parts"] == [{"Id": "PartRoot", "Name": "Root"}, {"Id": "PartFace", "Name": "Face"}]

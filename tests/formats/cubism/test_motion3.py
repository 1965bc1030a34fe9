"""motion3.json: exact Meta counts (cubism-formats.md 2.6/2.7), round trip, rejection of bad counts."""

from __future__ import annotations

import json

import pytest

from rig.errors import CubismFormatError
from rig.formats.cubism.motion3 import Motion, MotionCurve, motion_to_json, read_motion3, write_motion3


def recount(doc):
    """Independent count: per curve 1 + points per segment (1 linear/stepped/inverse, 3 bezier)."""
    segs = pts = 0
    for c in doc["Curves"]:
        s, i, p = c["Segments"], 2, 1
        while i < len(s):
            k = 3 if s[i] == 1 else 1
            segs, p, i = segs + 1, p + k, i + 1 + 2 * k
        pts += p
    return len(doc["Curves"]), segs, pts


def test_spec_example_counts():
    # the spec's example: 3 curves [0,0, 0, 1,1] -> 3 segments, 6 points
    curves = tuple(MotionCurve("Parameter", f"Param{i}", (0.0, 1.0), (0.0, 1.0)) for i in range(3))
    doc = motion_to_json(Motion(curves, 1.0, 30.0))
    assert doc["Version"] == 3 and doc["Curves"][0]["Segments"] == [0.0, 0.0, 0, 1.0, 1.0]
    meta = doc["Meta"]
    assert (meta["CurveCount"], meta["TotalSegmentCount"], meta["TotalPointCount"]) == (3, 3, 6)
    assert meta["UserDataCount"] == 0 and meta["TotalUserDataSize"] == 0 and meta["AreBeziersRestricted"] is True


def test_write_read_round_trip(tmp_path):
    curves = (MotionCurve("Parameter", "ParamAngleX", (0.0, 0.5, 1.25), (0.0, 12.5, -3.0)),
              MotionCurve("Parameter", "ParamEyeLOpen", (0.0,), (1.0,)),
              MotionCurve("PartOpacity", "PartArm", (0.0, 1.25), (1.0, 0.0)))
    path = tmp_path / "m.motion3.json"
    write_motion3(path, Motion(curves, 1.25, 30.0, loop=True))
    doc = json.loads(path.read_text())
    assert recount(doc) == (3, 3, 6)
    meta = doc["Meta"]
    assert (meta["CurveCount"], meta["TotalSegmentCount"], meta["TotalPointCount"]) == recount(doc)
    assert meta["Duration"] == 1.25 and meta["Fps"] == 30.0 and meta["Loop"] is True
    back = read_motion3(path)
    assert back.curves == curves and back.loop and back.duration_s == 1.25
    assert [p.name for p in tmp_path.iterdir()] == ["m.motion3.json"]  # atomic: no temporary left behind


def test_reader_checks_counts_and_segments(tmp_path):
    path = tmp_path / "bad.motion3.json"
    curves = (MotionCurve("Parameter", "ParamAngleX", (0.0, 1.0), (0.0, 1.0)),)
    doc = motion_to_json(Motion(curves, 1.0, 30.0))
    doc["Meta"]["TotalPointCount"] = 3
    path.write_text(json.dumps(doc))
    with pytest.raises(CubismFormatError, match="TotalPointCount is 3 but the curves need 2"):
        read_motion3(path)
    doc = motion_to_json(Motion(curves, 1.0, 30.0))
    doc["Curves"][0]["Segments"] = [0, 0, 1, 0.3, 0.5, 0.6]  # a bezier cut short
    path.write_text(json.dumps(doc))
    with pytest.raises(CubismFormatError, match="cut short"):
        read_motion3(path)
    with pytest.raises(CubismFormatError, match="empty"):
        motion_to_json(Motion((MotionCurve("Parameter", "P", (), ()),), 1.0, 30.0))
    with pytest.raises(CubismFormatError, match="must not decrease"):
        motion_to_json(Motion((MotionCurve("Parameter", "P", (0.0, 2.0, 1.0), (0, 0, 0)),), 2.0, 30.0))

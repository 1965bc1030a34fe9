"""MotionRecorder: tracked values -> motion3.json with exact Meta counts, values read back."""

from __future__ import annotations

import json

import numpy as np
import pytest

from inference.tracking.recorder import MotionRecorder, read_motion3, simplify_polyline
from tests.formats.cubism.test_motion3 import recount


def test_record_save_and_reread(tmp_path):
    rec = MotionRecorder(fps=25.0)
    times = [0, 40, 80, 120, 160]
    for i, t in enumerate(times):
        values = {"ParamAngleX": 3.0 * i, "ParamEyeLOpen": 1.0 - 0.2 * i}
        if i >= 2:
            values["ParamMouthOpenY"] = 0.1 * i  # appears later: back-filled
        rec.add(1000 + t, values)
    path = tmp_path / "out.motion3.json"
    motion = rec.save(path)
    doc = json.loads(path.read_text())
    meta = doc["Meta"]
    assert (meta["CurveCount"], meta["TotalSegmentCount"], meta["TotalPointCount"]) == recount(doc) == (3, 12, 15)
    assert meta["Duration"] == pytest.approx(0.16) and meta["Fps"] == 25.0 and meta["Loop"] is False
    assert all(c["Target"] == "Parameter" for c in doc["Curves"])
    back = {c.id: c for c in read_motion3(path).curves}
    assert back["ParamAngleX"].times_s == (0.0, 0.04, 0.08, 0.12, 0.16)
    assert back["ParamAngleX"].values == (0.0, 3.0, 6.0, 9.0, 12.0)
    assert back["ParamEyeLOpen"].values == pytest.approx((1.0, 0.8, 0.6, 0.4, 0.2))
    assert back["ParamMouthOpenY"].values == pytest.approx((0.2, 0.2, 0.2, 0.3, 0.4))
    assert motion.curves == read_motion3(path).curves
    with pytest.raises(ValueError, match="timestamps must increase"):
        rec.add(1160, {})
    with pytest.raises(ValueError, match="nothing was recorded"):
        MotionRecorder().to_motion()


def test_thinning_keeps_shape_within_tolerance(tmp_path):
    t = np.linspace(0.0, 4.0, 121)
    v = np.where(t < 2.0, 10.0 * t, 20.0) + 0.01 * np.sin(40 * t)  # a ramp, then a plateau
    keep = simplify_polyline(t, v, 0.05)
    assert keep[0] == 0 and keep[-1] == 120 and len(keep) < 10
    assert np.abs(np.interp(t, t[keep], v[keep]) - v).max() <= 0.05 + 1e-12
    assert len(simplify_polyline(t, v, 0.0)) == 121
    rec = MotionRecorder(fps=30.0, tolerance=0.05)
    for ti, vi in zip(t, v):
        rec.add(round(ti * 1000), {"ParamAngleX": vi})
    path = tmp_path / "thin.motion3.json"
    rec.save(path)
    doc = json.loads(path.read_text())
    assert doc["Meta"]["TotalPointCount"] == recount(doc)[2] < 10

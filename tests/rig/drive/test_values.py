"""ParameterValues: clamped, evented, reset, bulk update with one event, follows definitions."""

from __future__ import annotations

import pytest

from rig.document.commands import AddParameter, RemoveParameter, SetParameterDefinition
from rig.drive import ParameterValues
from rig.model import Parameter
from rig.model.standard import standard_parameter
from tests.rig.document.rigs import small_document, small_rig


def test_starts_at_defaults_in_rig_order():
    values = ParameterValues(small_rig())
    assert list(values) == [
        "ParamAngleX",
        "ParamEyeLOpen",
        "ParamMouthOpenY",
        "ParamBreath",
        "ParamHairFront",
    ]
    assert values.as_dict() == small_rig().default_values() and values.is_default()
    assert values["ParamEyeLOpen"] == 1.0 and len(values) == 5 and "ParamAngleX" in values


def test_set_clamps_and_emits_only_real_changes():
    values = ParameterValues(small_rig())
    events = []
    values.changed.connect(events.append)
    assert values.set("ParamAngleX", 99) == 30.0
    values["ParamAngleX"] = 45  # clamps to the same value: no event
    values.set("ParamEyeLOpen", -2)
    assert events == [{"ParamAngleX": 30.0}, {"ParamEyeLOpen": 0.0}]


def test_update_emits_one_event_and_is_atomic_on_unknown_ids():
    values = ParameterValues(small_rig())
    events = []
    values.changed.connect(events.append)
    changed = values.update({"ParamAngleX": -10, "ParamBreath": 0.5, "ParamEyeLOpen": 1.0})
    assert changed == {"ParamAngleX": -10.0, "ParamBreath": 0.5}
    assert events == [changed]
    with pytest.raises(KeyError, match="ParamNope"):
        values.update({"ParamAngleX": 3, "ParamNope": 1})
    assert values["ParamAngleX"] == -10.0 and len(events) == 1


def test_reset_some_or_all():
    values = ParameterValues(small_rig())
    values.update({"ParamAngleX": 10, "ParamBreath": 1})
    events = []
    values.changed.connect(events.append)
    values.reset(["ParamBreath"])
    assert values["ParamBreath"] == 0.0 and values["ParamAngleX"] == 10.0
    values.reset()
    assert values.is_default() and events == [{"ParamBreath": 0.0}, {"ParamAngleX": 0.0}]


def test_repeat_parameter_wraps():
    values = ParameterValues([Parameter("ParamSpin", "spin", -180, 0, 180, repeat=True)])
    assert values.set("ParamSpin", 190) == pytest.approx(-170)


def test_follow_tracks_definition_changes_without_entering_history():
    doc = small_document()
    values = ParameterValues(doc.rig)
    values.follow(doc)
    values.set("ParamAngleX", 25)
    events = []
    values.changed.connect(events.append)
    doc.push(SetParameterDefinition(doc.rig, "ParamAngleX", min=-30, max=30, default=0, name="x"))
    assert events == []  # nothing to re-clamp
    doc.push(AddParameter(doc.rig, standard_parameter("ParamCheek")))
    assert values["ParamCheek"] == 0.0 and events == [{"ParamCheek": 0.0}]
    doc.push(RemoveParameter(doc.rig, "ParamBreath"))
    assert "ParamBreath" not in values
    doc.history.undo()
    assert values["ParamBreath"] == 0.0
    assert doc.history.undo_count == 2  # values never enter the history
    assert values["ParamAngleX"] == 25.0


def test_sync_reclamps_to_a_narrower_range():
    values = ParameterValues([Parameter("P", "p", 0, 0, 10)])
    values.set("P", 8)
    events = []
    values.changed.connect(events.append)
    values.sync([Parameter("P", "p", 0, 0, 5)])
    assert values["P"] == 5.0 and events == [{"P": 5.0}]

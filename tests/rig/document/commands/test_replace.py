"""ReplaceRig: a generated rig enters the document as one undoable step."""

from __future__ import annotations

import pytest

from rig.document.commands import ReplaceRig
from rig.errors import ValidationError
from rig.model import Rig, deep_equal
from tests.rig.document.rigs import round_trip, small_document, small_rig


def test_replace_rig_round_trip_swaps_the_whole_rig():
    doc = small_document(seed=0)
    new = small_rig(seed=1)
    old_obj = doc.rig
    changes = []
    doc.changed.connect(changes.append)
    _, after = round_trip(doc, ReplaceRig(doc.rig, new, label="Generate rig"), "structure")
    assert deep_equal(after, small_rig(seed=1))
    assert doc.rig is new and doc.history.undo_label == "Generate rig"
    doc.history.undo()
    assert doc.rig is old_obj
    assert "ArtMesh1" in changes[0].ids and "ParamAngleX" in changes[0].ids


def test_replace_rig_from_empty_document():
    doc = small_document()
    doc.push(ReplaceRig(doc.rig, Rig(10, 10)))
    round_trip(doc, ReplaceRig(doc.rig, small_rig()), "structure")


def test_replace_rig_refuses_an_invalid_rig():
    doc = small_document()
    bad = small_rig()
    bad.art_meshes[0].layer_id = "LayerNope"
    with pytest.raises(ValidationError, match="LayerNope"):
        ReplaceRig(doc.rig, bad)

"""Draw-order commands: raise, lower, place above/below change the evaluated order and undo exactly."""

from __future__ import annotations

import copy

from rig.document import Document
from rig.edit.draw_order import lower_command, place_above, place_below, raise_command, stacking_order
from rig.evaluate import evaluate
from rig.model import deep_equal
from rig.testing import tiny_rig


def _drawn(rig) -> list[str]:
    return [i.art_mesh_id for i in evaluate(rig, {}).items]


def test_stacking_order_matches_evaluation():
    rig = tiny_rig()
    assert stacking_order(rig) == _drawn(rig) == ["ArtMesh1", "ArtMesh2", "ArtMesh3"]


def test_place_above_and_below_then_undo():
    doc = Document(tiny_rig())
    before = copy.deepcopy(doc.rig)
    doc.push(place_above(doc.rig, "ArtMesh1", "ArtMesh3"))
    assert _drawn(doc.rig) == ["ArtMesh2", "ArtMesh3", "ArtMesh1"] == stacking_order(doc.rig)
    doc.push(place_below(doc.rig, "ArtMesh3", "ArtMesh2"))
    assert _drawn(doc.rig) == ["ArtMesh3", "ArtMesh2", "ArtMesh1"]
    doc.history.undo()
    doc.history.undo()
    assert deep_equal(doc.rig, before)


def test_raise_and_lower_step_by_one_and_stop_at_the_ends():
    doc = Document(tiny_rig())
    doc.push(raise_command(doc.rig, "ArtMesh1"))
    assert _drawn(doc.rig) == ["ArtMesh2", "ArtMesh1", "ArtMesh3"]
    doc.push(lower_command(doc.rig, "ArtMesh3"))
    assert _drawn(doc.rig) == ["ArtMesh2", "ArtMesh3", "ArtMesh1"]
    assert raise_command(doc.rig, "ArtMesh1") is None
    assert lower_command(doc.rig, "ArtMesh2") is None

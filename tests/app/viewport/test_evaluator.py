"""The viewport evaluates only when dirty and compiles a plan only after plan-changing edits."""

from __future__ import annotations

import numpy as np

from app.viewport.evaluator import RigEvaluator
from rig.document import Document
from rig.document.commands import SetKeyformValues, SetObjectProperty
from rig.evaluate import evaluate
from rig.testing import tiny_rig


def test_values_reuse_the_plan_and_results_match_evaluate():
    doc = Document(tiny_rig())
    ev = RigEvaluator()
    first = ev.evaluated(doc.rig, {"ParamAngleX": 0.0})
    assert ev.evaluated(doc.rig, {"ParamAngleX": 30.0}) is first  # not dirty: cached
    ev.values_changed()
    moved = ev.evaluated(doc.rig, {"ParamAngleX": 30.0})
    assert ev.plan_compiles == 1 and ev.evaluations == 2
    ref = evaluate(doc.rig, {"ParamAngleX": 30.0})
    assert all(np.array_equal(a.vertices_px, b.vertices_px) for a, b in zip(moved.items, ref.items))


def test_document_changes_recompile_the_plan():
    doc = Document(tiny_rig())
    ev = RigEvaluator()
    ev.evaluated(doc.rig, {})
    change = doc.push(SetKeyformValues(doc.rig, "ArtMesh1", "opacity", [0.5]))
    ev.invalidate(change)
    assert ev.evaluated(doc.rig, {}).items[0].opacity == np.float32(0.5)
    assert ev.plan_compiles == 2
    ev.values_changed()
    ev.evaluated(doc.rig, {"ParamAngleX": 3.0})
    assert ev.plan_compiles == 2
    ev.invalidate(doc.push(SetObjectProperty(doc.rig, "ArtMesh2", "visible", False)))
    assert [i.art_mesh_id for i in ev.evaluated(doc.rig, {}).items] == ["ArtMesh1", "ArtMesh3"]
    assert ev.plan_compiles == 3

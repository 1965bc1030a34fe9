"""The viewport evaluates only when dirty and compiles a plan only after plan-changing edits."""

from __future__ import annotations

import numpy as np

from app.viewport.evaluator import RigEvaluator
from rig.document import Document
from rig.document.commands import MoveVertices, SetKeyformValues, SetObjectProperty
from rig.evaluate import compile_plan, evaluate
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


def test_keyform_edits_refresh_the_plan_and_other_changes_recompile_it():
    doc = Document(tiny_rig())
    ev = RigEvaluator()
    ev.evaluated(doc.rig, {})
    change = doc.push(SetKeyformValues(doc.rig, "ArtMesh1", "opacity", [0.5]))
    ev.invalidate(change)
    assert ev.evaluated(doc.rig, {}).items[0].opacity == np.float32(0.5)
    assert (ev.plan_compiles, ev.plan_refreshes) == (1, 1)  # a keyform edit does not recompile
    ev.invalidate(doc.push(MoveVertices.by(doc.rig, "ArtMesh2", [0, 1], [3.0, -2.0], keyform_index=0)))
    ev.values_changed()
    moved = ev.evaluated(doc.rig, {"ParamAngleX": 3.0, "ParamAngleZ": 20.0})
    assert (ev.plan_compiles, ev.plan_refreshes) == (1, 2)
    fresh = evaluate(doc.rig, {"ParamAngleX": 3.0, "ParamAngleZ": 20.0}, compile_plan(doc.rig))
    assert all(np.array_equal(a.vertices_px, b.vertices_px) and a.opacity == b.opacity
               for a, b in zip(moved.items, fresh.items, strict=True))  # fmt: skip
    ev.invalidate(doc.push(SetObjectProperty(doc.rig, "ArtMesh2", "visible", False)))
    assert [i.art_mesh_id for i in ev.evaluated(doc.rig, {}).items] == ["ArtMesh1", "ArtMesh3"]
    assert (ev.plan_compiles, ev.plan_refreshes) == (2, 2)

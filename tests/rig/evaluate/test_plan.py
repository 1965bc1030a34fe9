"""compile_plan(): parent-first order, staleness signature, structural errors."""

from __future__ import annotations

import numpy as np
import pytest

from rig.errors import ValidationError
from rig.evaluate import compile_plan, evaluate, topology_signature
from rig.testing import synthetic_rig, tiny_rig


def test_signature_is_stable_and_hashable():
    rig = tiny_rig()
    plan = compile_plan(rig)
    assert plan.signature == topology_signature(rig) == topology_signature(tiny_rig())
    hash(plan.signature)
    assert not plan.is_stale(rig)


@pytest.mark.parametrize(
    "edit",
    [
        lambda r: setattr(r.art_mesh("ArtMesh3"), "topology_version", 1),
        lambda r: setattr(r.deformer("Rotation1"), "parent_deformer_id", None),
        lambda r: setattr(r.part("PartFace"), "visible", False),
        lambda r: setattr(r.art_mesh("ArtMesh1"), "mask_ids", ("ArtMesh2",)),
        lambda r: setattr(r.parameters[0], "max", 40.0),
    ],
)
def test_structural_edits_change_the_signature(edit):
    rig = tiny_rig()
    plan = compile_plan(rig)
    edit(rig)
    assert topology_signature(rig) != plan.signature
    assert plan.is_stale(rig)


def test_replaced_keyform_array_makes_the_plan_stale():
    rig = tiny_rig()
    plan = compile_plan(rig)
    values = rig.art_mesh("ArtMesh1").keyforms.values
    values["positions"] = values["positions"] + 1.0
    assert plan.signature == topology_signature(rig)
    assert plan.is_stale(rig)
    # the stale plan keeps its snapshot; a fresh one sees the edit
    old = evaluate(rig, {}, plan).items[0].vertices_px
    new = evaluate(rig, {}, compile_plan(rig)).items[0].vertices_px
    assert not np.allclose(old, new)


def test_deformers_listed_child_first_are_applied_parent_first():
    rig = tiny_rig()
    expected = evaluate(rig, {"ParamAngleZ": 20, "ParamAngleX": -10})
    rig.deformers.reverse()
    got = evaluate(rig, {"ParamAngleZ": 20, "ParamAngleX": -10})
    for a, b in zip(expected.items, got.items):
        np.testing.assert_array_equal(a.vertices_px, b.vertices_px)


def test_deformer_cycle_and_dangling_references_raise():
    rig = tiny_rig()
    rig.deformer("Warp1").parent_deformer_id = "Rotation1"
    with pytest.raises(ValidationError):
        compile_plan(rig)
    rig = tiny_rig()
    rig.art_mesh("ArtMesh1").parent_deformer_id = "Warp99"
    with pytest.raises(ValidationError):
        compile_plan(rig)


def test_plan_has_one_level_per_deformer_depth():
    rig = synthetic_rig(20, 400, 30, 8, seed=4)
    depth = {}
    by_id = {d.id: d for d in rig.deformers}

    def d_of(did):
        if did not in depth:
            parent = by_id[did].parent_deformer_id
            depth[did] = 0 if parent is None else d_of(parent) + 1
        return depth[did]

    assert len(compile_plan(rig).levels) == max(d_of(d.id) for d in rig.deformers)


@pytest.mark.parametrize("compiled", [True, False], ids=["kernel", "numpy"])
@pytest.mark.parametrize("size", ["tiny", "medium"])
def test_refresh_after_keyform_edits_equals_a_full_recompile(size, compiled):
    from rig.evaluate import kernel, refresh_plan
    from rig.testing import benchmark_rig

    rig = tiny_rig() if size == "tiny" else benchmark_rig("medium")
    plan = compile_plan(rig, compiled=compiled)
    pose = {p.id: p.min + 0.7 * (p.max - p.min) for p in rig.parameters}
    before = evaluate(rig, pose, plan)
    mesh, deformer, part = rig.art_meshes[-1], rig.deformers[-1], rig.parts[-1]
    mesh.keyforms.values["positions"][...] *= np.float32(1.01)
    mesh.keyforms.values["draw_order"][...] += 7.0
    deformer.keyforms.values["opacity"][...] *= 0.5
    part.keyforms.values["opacity"][...] = 0.25
    changed = {mesh.id, deformer.id, part.id, "NotAnObject"}
    refreshed = refresh_plan(plan, rig, changed)
    assert refreshed is not None
    assert (refreshed.packed is not None) == (compiled and kernel.AVAILABLE)  # a numpy-only plan stays one
    fast, full = evaluate(rig, pose, refreshed), evaluate(rig, pose, compile_plan(rig))
    assert any(i.opacity > 0 for i in fast.items)
    assert [i.art_mesh_id for i in fast.items] == [i.art_mesh_id for i in full.items]
    for a, b in zip(fast.items, full.items, strict=True):
        np.testing.assert_array_equal(a.vertices_px, b.vertices_px)
        assert (a.opacity, a.draw_order) == (b.opacity, b.draw_order)
    assert any(not np.array_equal(a.vertices_px, b.vertices_px) for a, b in zip(fast.items, before.items))
    # the old plan is untouched (a thread may still be evaluating it)
    again = evaluate(rig, pose, plan)
    assert all(np.array_equal(a.vertices_px, b.vertices_px) for a, b in zip(again.items, before.items))


def test_refresh_declines_structural_changes():
    from rig.evaluate import refresh_plan

    rig = tiny_rig()
    plan = compile_plan(rig)
    rig.art_mesh("ArtMesh2").visible = False
    assert refresh_plan(plan, rig, {"ArtMesh2"}) is None
    rig = tiny_rig()
    plan = compile_plan(rig)
    rig.art_mesh("ArtMesh1").uvs = rig.art_mesh("ArtMesh1").uvs.copy()
    assert refresh_plan(plan, rig, {"ArtMesh1"}) is None


def test_refresh_naming_no_keyed_object_refreshes_every_object():
    from rig.evaluate import refresh_plan

    rig = tiny_rig()
    plan = compile_plan(rig)
    rig.art_mesh("ArtMesh2").keyforms.values["positions"][...] += np.float32(2.0)
    refreshed = refresh_plan(plan, rig, {"ParamAngleX"})  # e.g. a key edit reported by parameter id
    fast, full = evaluate(rig, {}, refreshed), evaluate(rig, {}, compile_plan(rig))
    assert all(np.array_equal(a.vertices_px, b.vertices_px) for a, b in zip(fast.items, full.items, strict=True))
    assert not np.array_equal(fast.items[1].vertices_px, evaluate(rig, {}, plan).items[1].vertices_px)


def test_colours_no_parameter_changes_come_from_the_plan_and_keyed_ones_are_blended():
    import dataclasses

    from rig.evaluate import refresh_plan
    from rig.testing import benchmark_rig

    rig = benchmark_rig("small")
    keyed = rig.art_mesh("ArtMesh4")  # keyed on Param1 at -30, 0, 30
    keyed.keyforms.values["multiply_rgb"][:] = [[0.2, 0.5, 1.0], [0.5, 0.5, 1.0], [0.8, 0.5, 1.0]]
    keyed.keyforms.values["screen_rgb"][:] = [[0.0, 0.0, 0.0], [0.0, 0.1, 0.0], [0.0, 0.3, 0.0]]
    plan = compile_plan(rig)
    assert plan.mesh_colours[3] is None and 3 in plan.mesh_colours_varying.tolist()
    assert plan.mesh_colours[0] == ((1.0, 1.0, 1.0), (0.0, 0.0, 0.0))
    for p in (plan, dataclasses.replace(plan, packed=None)):  # the compiled kernel and numpy
        items = {i.art_mesh_id: i for i in evaluate(rig, {"Param1": 30.0}, p).items}
        assert items["ArtMesh4"].multiply_rgb == pytest.approx((0.8, 0.5, 1.0))
        assert items["ArtMesh4"].screen_rgb == pytest.approx((0.0, 0.3, 0.0))
        half = {i.art_mesh_id: i for i in evaluate(rig, {"Param1": -15.0}, p).items}["ArtMesh4"]
        assert half.multiply_rgb == pytest.approx((0.35, 0.5, 1.0), abs=1e-6)
        assert items["ArtMesh1"].multiply_rgb == (1.0, 1.0, 1.0)
    rig.art_mesh("ArtMesh1").keyforms.values["multiply_rgb"][:] = np.float32(0.5)  # still constant
    refreshed = refresh_plan(plan, rig, {"ArtMesh1"})
    for p in (refreshed, compile_plan(rig)):
        items = {i.art_mesh_id: i for i in evaluate(rig, {}, p).items}
        assert items["ArtMesh1"].multiply_rgb == (0.5, 0.5, 0.5)


def test_layer_textures_are_the_plans_until_a_layer_is_repainted():
    rig = tiny_rig()
    plan = compile_plan(rig)
    first, second = evaluate(rig, {}, plan), evaluate(rig, {"ParamAngleX": 10.0}, plan)
    layer = rig.layers[0]
    assert second.textures[layer.id] is first.textures[layer.id]  # immutable: shared between frames
    layer.image = layer.image.copy()
    layer.image[0, 0] = (1, 2, 3, 4)
    layer.version += 1  # what a paint command does
    repainted = evaluate(rig, {}, plan).textures[layer.id]
    assert repainted.image is layer.image and repainted.version == layer.version
    assert first.textures[layer.id].version == layer.version - 1  # an earlier result keeps what it had

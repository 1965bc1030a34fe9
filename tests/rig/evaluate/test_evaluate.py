"""evaluate(): against a slow reference, opacity, visibility, draw order, masks, purity, plan reuse."""

from __future__ import annotations

import numpy as np
import pytest

from rig.evaluate import compile_plan, evaluate
from rig.model import KeyformBinding, KeyformGrid
from rig.testing import benchmark_rig, synthetic_rig, tiny_rig
from tests.rig.evaluate.reference import reference_evaluate


def _random_values(rig, seed):
    rng = np.random.default_rng(seed)
    # a little outside the ranges too: each grid clamps to its keys
    return {
        p.id: float(rng.uniform(p.min - 0.2 * (p.max - p.min), p.max + 0.2 * (p.max - p.min)))
        for p in rig.parameters
    }


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_matches_the_reference_evaluator_on_synthetic_rigs(seed):
    rig = synthetic_rig(40, 900, 25, 12, seed=seed)
    plan = compile_plan(rig)
    for k in range(3):
        values = _random_values(rig, 10 * seed + k)
        ev = evaluate(rig, values, plan)
        ref = reference_evaluate(rig, values)
        assert len(ev.items) == len(rig.art_meshes)
        for item in ev.items:
            pts, opacity, draw = ref[item.art_mesh_id]
            np.testing.assert_allclose(item.vertices_px, pts, atol=2e-2, err_msg=item.art_mesh_id)
            assert item.opacity == pytest.approx(opacity, abs=1e-5)
            assert item.draw_order == pytest.approx(draw, abs=1e-3)


def test_tiny_rig_at_rest_and_turned():
    rig = tiny_rig()
    rest = {i.art_mesh_id: i for i in evaluate(rig, {}).items}
    np.testing.assert_allclose(
        rest["ArtMesh1"].vertices_px, [[35.2, 35.2], [92.8, 35.2], [92.8, 92.8], [35.2, 92.8]], atol=1e-4
    )
    np.testing.assert_allclose(
        rest["ArtMesh2"].vertices_px, [[52, 56], [76, 56], [76, 72], [52, 72]], atol=1e-4
    )
    turned = {i.art_mesh_id: i for i in evaluate(rig, {"ParamAngleX": 30.0}).items}
    # the face's bottom edge follows the warp's bottom row (+8 px), its top edge the sheared top row
    np.testing.assert_allclose(
        turned["ArtMesh1"].vertices_px[2] - rest["ArtMesh1"].vertices_px[2], [8, 0], atol=1e-4
    )
    assert turned["ArtMesh1"].vertices_px[0, 0] - rest["ArtMesh1"].vertices_px[0, 0] > 8


def test_opacity_multiplies_down_the_part_and_deformer_trees():
    rig = tiny_rig()
    rig.part("PartRoot").keyforms.values["opacity"][:] = 0.5
    rig.part("PartFace").keyforms.values["opacity"][:] = 0.8
    rig.deformer("Warp1").keyforms.values["opacity"][:] = 0.5
    rig.deformer("Rotation1").keyforms.values["opacity"][:] = 0.9
    rig.art_mesh("ArtMesh2").keyforms.values["opacity"][:] = 0.5
    ops = {i.art_mesh_id: i.opacity for i in evaluate(rig, {}).items}
    assert ops["ArtMesh1"] == pytest.approx(0.5 * 0.8 * 0.5)
    assert ops["ArtMesh2"] == pytest.approx(0.5 * 0.9 * 0.5 * 0.8 * 0.5)
    assert ops["ArtMesh3"] == pytest.approx(0.9 * 0.5 * 0.8 * 0.5)


def test_hidden_objects_are_omitted_but_mask_sources_stay_in_masks():
    rig = tiny_rig()
    rig.deformer("Rotation1").visible = False
    ev = evaluate(rig, {})
    assert [i.art_mesh_id for i in ev.items] == ["ArtMesh1"]
    assert ev.masks["ArtMesh2"].opacity == 0.0
    np.testing.assert_allclose(ev.masks["ArtMesh2"].vertices_px[0], [52, 56], atol=1e-4)
    rig.deformer("Rotation1").visible = True
    rig.part("PartRoot").visible = False
    assert evaluate(rig, {}).items == ()


def test_draw_order_sorts_by_value_with_ties_in_rig_order():
    rig = tiny_rig()
    for mid, value in (("ArtMesh1", 600), ("ArtMesh2", 500), ("ArtMesh3", 500)):
        rig.art_mesh(mid).keyforms.values["draw_order"][:] = value
    assert [i.art_mesh_id for i in evaluate(rig, {}).items] == ["ArtMesh2", "ArtMesh3", "ArtMesh1"]
    # key ArtMesh1's draw order on AngleX: it moves behind the others at -30
    m = rig.art_mesh("ArtMesh1")
    vals = dict(m.keyforms.values)
    m.keyforms = KeyformGrid.tiled(
        (KeyformBinding("ParamAngleX", (-30, 30)),), **{k: v[0] for k, v in vals.items()}
    )
    m.keyforms.values["draw_order"][:] = [100, 900]
    assert [i.art_mesh_id for i in evaluate(rig, {"ParamAngleX": -30}).items][0] == "ArtMesh1"
    assert evaluate(rig, {"ParamAngleX": 0}).items[0].draw_order == pytest.approx(500)


def test_items_carry_mesh_data_masks_blend_mode_and_textures():
    rig = tiny_rig()
    ev = evaluate(rig, {})
    by_id = {i.art_mesh_id: i for i in ev.items}
    for m in rig.art_meshes:
        assert by_id[m.id].uvs is m.uvs and by_id[m.id].triangles is m.triangles
        assert by_id[m.id].blend_mode == "normal" and by_id[m.id].layer_id == m.layer_id
    assert by_id["ArtMesh3"].mask_ids == ("ArtMesh2",)
    assert ev.masks["ArtMesh2"] is by_id["ArtMesh2"] and set(ev.masks) == {"ArtMesh2"}
    assert set(ev.textures) == {"LayerFace", "LayerEye"}
    assert ev.textures["LayerEye"].image is rig.layer("LayerEye").image
    assert ev.canvas_size_px == (128, 128)


def test_gizmos_show_every_deformer_in_canvas_px():
    rig = tiny_rig()
    gizmos = {g.deformer_id: g for g in evaluate(rig, {"ParamAngleZ": 30}).gizmos}
    assert set(gizmos) == {"Warp1", "Rotation1"}
    np.testing.assert_allclose(gizmos["Warp1"].points_px[1, 1], [64, 64], atol=1e-4)
    assert gizmos["Warp1"].points_px.shape == (3, 3, 2)
    origin, tip = gizmos["Rotation1"].points_px
    np.testing.assert_allclose(origin, [64, 64], atol=1e-4)
    a = np.deg2rad(10.0)
    np.testing.assert_allclose(tip - origin, [64 * np.sin(a), -64 * np.cos(a)], atol=1e-3)
    assert gizmos["Rotation1"].angle_deg == pytest.approx(10.0)


def test_evaluation_is_pure_and_deterministic():
    rig = benchmark_rig("small")
    plan = compile_plan(rig)
    a_values, b_values = _random_values(rig, 1), _random_values(rig, 2)
    first = evaluate(rig, a_values, plan)
    kept = [i.vertices_px.copy() for i in first.items]
    evaluate(rig, b_values, plan)
    again = evaluate(rig, a_values, plan)
    for x, y, z in zip(first.items, kept, again.items):
        assert x.art_mesh_id == z.art_mesh_id
        assert np.array_equal(x.vertices_px, y) and np.array_equal(x.vertices_px, z.vertices_px)
        assert not x.vertices_px.flags.writeable


def test_plan_reuse_gives_identical_output_to_no_plan():
    rig = benchmark_rig("medium")
    plan = compile_plan(rig)
    values = _random_values(rig, 5)
    with_plan, without = evaluate(rig, values, plan), evaluate(rig, values)
    assert [i.art_mesh_id for i in with_plan.items] == [i.art_mesh_id for i in without.items]
    for a, b in zip(with_plan.items, without.items):
        assert np.array_equal(a.vertices_px, b.vertices_px)
        assert (a.opacity, a.draw_order, a.multiply_rgb, a.screen_rgb) == (
            b.opacity,
            b.draw_order,
            b.multiply_rgb,
            b.screen_rgb,
        )
    for a, b in zip(with_plan.gizmos, without.gizmos):
        assert a.deformer_id == b.deformer_id and np.array_equal(a.points_px, b.points_px)


def test_missing_values_use_defaults_and_repeat_parameters_wrap():
    rig = tiny_rig()
    defaults = {p.id: p.default for p in rig.parameters}
    a, b = evaluate(rig, {}), evaluate(rig, {**defaults, "ParamUnknown": 3.0})
    for x, y in zip(a.items, b.items):
        assert np.array_equal(x.vertices_px, y.vertices_px)
    angle = {g.deformer_id: g.angle_deg for g in evaluate(rig, {"ParamAngleZ": 40.0}).gizmos}["Rotation1"]
    assert angle == pytest.approx(10.0)  # clamped to the key range
    rig.parameter("ParamAngleZ").repeat = True
    angle = {g.deformer_id: g.angle_deg for g in evaluate(rig, {"ParamAngleZ": 40.0}).gizmos}["Rotation1"]
    assert angle == pytest.approx(-20.0 / 30.0 * 10.0, abs=1e-4)  # 40 wraps to -20


def test_gizmos_false_skips_gizmos_and_leaves_the_items_unchanged():
    rig = benchmark_rig("small")
    plan = compile_plan(rig)
    values = {p.id: p.max for p in rig.parameters}
    full = evaluate(rig, values, plan)
    bare = evaluate(rig, values, plan, gizmos=False)
    assert full.gizmos and bare.gizmos == ()
    assert [i.art_mesh_id for i in bare.items] == [i.art_mesh_id for i in full.items]
    for a, b in zip(full.items, bare.items):
        np.testing.assert_array_equal(a.vertices_px, b.vertices_px)
        assert (a.opacity, a.draw_order, a.multiply_rgb) == (b.opacity, b.draw_order, b.multiply_rgb)

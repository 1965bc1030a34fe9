"""Pure Deform-mode logic (rig.edit.keyforms, rig.evaluate.parent_space): armed keyform, key steps, reset, paste, mirror."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

from rig.document import Document
from rig.edit.keyforms import (
    KeyformClip,
    add_key_steps,
    key_state,
    keyform_values,
    mirror_command,
    mirror_id,
    paste_command,
    reset_to_base_command,
    rest_values,
    transform_points,
)
from rig.errors import ValidationError
from rig.evaluate import evaluate
from rig.evaluate.keyforms import interpolate_keyforms
from rig.evaluate.parent_space import ParentMap
from rig.model import deep_equal
from rig.testing import tiny_rig

POSES = [{}, {"ParamAngleX": 17, "ParamAngleZ": -20, "ParamAngleY": 9, "ParamBodyAngleZ": 7}]


@pytest.fixture(scope="module")
def waifu_rig(shared_data):
    from inference.pipeline import generate

    return generate(shared_data / "anime" / "waifu_00.png").rig


@pytest.fixture()
def waifu(waifu_rig):
    return pickle.loads(pickle.dumps(waifu_rig))


def _push_undo_exact(doc: Document, cmd) -> None:
    before = copy.deepcopy(doc.rig)
    doc.history.push(cmd)
    assert not deep_equal(before, doc.rig)
    doc.history.undo()
    assert deep_equal(before, doc.rig)
    doc.history.redo()


@pytest.mark.parametrize("which", ["tiny", "waifu"])
@pytest.mark.parametrize("values", POSES)
def test_parent_map_matches_the_evaluator_both_ways(which, values, request):
    rig = tiny_rig() if which == "tiny" else request.getfixturevalue("waifu")
    ev = evaluate(rig, values)
    params = {p.id: p for p in rig.parameters}
    for item in ev.items:
        mesh = rig.art_mesh(item.art_mesh_id)
        pm = ParentMap.of_object(rig, ev, mesh.id, values)
        local = interpolate_keyforms(mesh.keyforms, values, params)["positions"]
        assert np.abs(pm.to_canvas(local) - item.vertices_px).max() < 1e-3, mesh.id
        back = pm.to_parent(item.vertices_px, guess=local + 0.01)
        assert np.abs(pm.to_canvas(back) - item.vertices_px).max() < 1e-3, mesh.id


def test_key_state_on_off_and_unbound():
    rig = tiny_rig()
    assert key_state(rig, "Warp1", {"ParamAngleX": 30}).keyform_index == 2
    assert key_state(rig, "Warp1", {"ParamAngleX": 30.0004}).keyform_index == 2  # the evaluator's snap
    off = key_state(rig, "Warp1", {"ParamAngleX": 15})
    assert not off.on_key and off.off_key == (("ParamAngleX", 15.0),)
    mesh = key_state(rig, "ArtMesh1", {"ParamAngleX": 30})
    assert mesh.keyform_index == 0 and mesh.unbound == ("ParamAngleX",)
    assert key_state(rig, "Rotation1", {}).on_key is False  # AngleZ default 0 is between its keys


def test_add_key_steps_then_on_key_with_the_pose_unchanged():
    doc = Document(tiny_rig())
    values = {"ParamAngleX": 15.0}
    before = evaluate(doc.rig, values)
    steps = add_key_steps(doc.rig, "Warp1", "ParamAngleX", 15.0)
    with doc.history.macro("Add key"):
        for build in steps:
            doc.history.push(build(doc.rig))
    assert doc.rig.parameter("ParamAngleX").keys == (-30.0, 0.0, 15.0, 30.0)
    assert key_state(doc.rig, "Warp1", values).keyform_index == 2
    after = evaluate(doc.rig, values)
    assert all(np.allclose(a.vertices_px, b.vertices_px, atol=1e-4) for a, b in zip(before.items, after.items))
    with pytest.raises(ValidationError):
        add_key_steps(doc.rig, "Warp1", "ParamAngleX", 15.0)
    # an unbound mesh gets bound on every key of the parameter
    (bind,) = add_key_steps(doc.rig, "ArtMesh1", "ParamAngleX", 30.0)
    doc.history.push(bind(doc.rig))
    assert doc.rig.art_mesh("ArtMesh1").keyforms.shape == (4,)


def test_reset_to_base_selected_and_all():
    doc = Document(tiny_rig())
    rest = rest_values(doc.rig, "Warp1")["positions"]
    keyed = keyform_values(doc.rig, "Warp1", 2)["positions"]
    assert not np.allclose(keyed, rest)
    _push_undo_exact(doc, reset_to_base_command(doc.rig, "Warp1", 2, indices=[0, 1]))
    now = doc.rig.deformer("Warp1").keyforms.values["positions"][2]
    assert np.array_equal(now[:2], rest[:2]) and np.array_equal(now[2:], keyed[2:])
    _push_undo_exact(doc, reset_to_base_command(doc.rig, "Warp1", 2))
    assert np.array_equal(doc.rig.deformer("Warp1").keyforms.values["positions"][2], rest)
    assert reset_to_base_command(doc.rig, "Warp1", 2) is None  # nothing left to change


def test_paste_same_object_copies_and_other_object_transfers(waifu):
    doc = Document(waifu)
    rig = doc.rig
    clip = KeyformClip("ArtMeshBrowL", keyform_values(rig, "ArtMeshBrowL", 0))  # ParamBrowLY = -1
    _push_undo_exact(doc, paste_command(rig, clip, "ArtMeshBrowL", 2))
    assert np.array_equal(rig.art_mesh("ArtMeshBrowL").keyforms.values["positions"][2], clip.fields["positions"])
    # onto the right brow (different vertex count): the canvas displacement from rest is transferred
    _push_undo_exact(doc, paste_command(rig, clip, "ArtMeshBrowR", 0))
    src = _canvas_displacement(rig, "ArtMeshBrowL", clip.fields["positions"])
    dst = _canvas_displacement(rig, "ArtMeshBrowR", rig.art_mesh("ArtMeshBrowR").keyforms.values["positions"][0])
    assert np.allclose(src.mean(0), dst.mean(0), atol=0.5)


def _canvas_displacement(rig, object_id, positions):
    defaults = rig.default_values()
    pm = ParentMap.of_object(rig, evaluate(rig, defaults), object_id, defaults)
    return pm.to_canvas(positions) - pm.to_canvas(rest_values(rig, object_id)["positions"])


def test_mirror_left_to_right_reflects_the_displacement(waifu):
    doc = Document(waifu)
    rig = doc.rig
    values = {"ParamEyeLOpen": 0.0}
    src_index = key_state(rig, "ArtMeshEyeWhiteL", values).keyform_index
    tgt_index = key_state(rig, "ArtMeshEyeWhiteR", {"ParamEyeROpen": 0.0}).keyform_index
    # give the left eye white an asymmetric displacement: 6 px to screen right, 3 px up
    src = keyform_values(rig, "ArtMeshEyeWhiteL", src_index)["positions"]
    defaults = rig.default_values()
    pm = ParentMap.of_object(rig, evaluate(rig, defaults), "ArtMeshEyeWhiteL", defaults)
    rest_l = rest_values(rig, "ArtMeshEyeWhiteL")["positions"]
    rig.art_mesh("ArtMeshEyeWhiteL").keyforms.values["positions"][src_index] = pm.to_parent(
        pm.to_canvas(rest_l) + [6.0, -3.0], guess=src)
    cmd, target, index = mirror_command(rig, "ArtMeshEyeWhiteL", values)
    assert (target, index) == ("ArtMeshEyeWhiteR", tgt_index)
    _push_undo_exact(doc, cmd)
    disp = _canvas_displacement(rig, "ArtMeshEyeWhiteR", rig.art_mesh("ArtMeshEyeWhiteR").keyforms.values["positions"][index])
    assert np.allclose(disp, [-6.0, -3.0], atol=0.05)


def test_mirror_needs_a_partner(waifu):
    with pytest.raises(ValidationError):
        mirror_command(waifu, "ArtMeshFace", {})


def test_mirror_id():
    assert mirror_id("ArtMeshEyeWhiteL") == "ArtMeshEyeWhiteR"
    assert mirror_id("ParamBrowRY") == "ParamBrowLY"
    assert mirror_id("ParamEyeLOpen") == "ParamEyeROpen"
    assert mirror_id("ArtMeshEyeLidLineL") == "ArtMeshEyeLidLineR"
    assert mirror_id("ArtMeshFace") == "ArtMeshFace"


def test_transform_points():
    pts = np.array([[0.0, 0.0], [2.0, 0.0]])
    assert np.allclose(transform_points(pts, "translate", (1, 1), (4, 5)), pts + [3, 4])
    assert np.allclose(transform_points(pts, "scale", (3, 0), (5, 0)), [[-1, 0], [3, 0]])  # x2 about (1, 0)
    assert np.allclose(transform_points(pts, "rotate", (2, 0), (1, 1)), [[1, -1], [1, 1]])  # +90 deg


def test_mirror_a_warp_lattice(waifu):
    doc = Document(waifu)
    rig = doc.rig
    values = {"ParamAngleX": 30.0}
    index = key_state(rig, "WarpBrowL", values).keyform_index
    defaults = rig.default_values()
    pm = ParentMap.of_object(rig, evaluate(rig, defaults), "WarpBrowL", defaults)
    rest = rest_values(rig, "WarpBrowL")["positions"]
    rig.deformer("WarpBrowL").keyforms.values["positions"][index] = pm.to_parent(pm.to_canvas(rest) + [5.0, 2.0])
    cmd, target, target_index = mirror_command(rig, "WarpBrowL", values)
    assert (target, target_index) == ("WarpBrowR", index)
    _push_undo_exact(doc, cmd)
    disp = _canvas_displacement(rig, "WarpBrowR", rig.deformer("WarpBrowR").keyforms.values["positions"][index])
    assert np.allclose(disp, [-5.0, 2.0], atol=0.05)

"""The template fit on a synthetic character: structure, standard parameters, and the motions of
shared rigging.md measured by the acceptance checks."""

from __future__ import annotations

import numpy as np
import pytest

from inference.rigging import build_rig, load_template
from inference.rigging.checks import acceptance_report, format_report
from rig.evaluate import evaluate
from rig.model.standard import STANDARD_PARAMETERS
from tests.inference.rigging import synthetic


@pytest.fixture(scope="module")
def rig():
    layers, meshes = synthetic.layers_and_meshes()
    return build_rig(load_template(), synthetic.face(), layers, meshes, (512, 512), name="synthetic")


def _verts(rig, values):
    ev = evaluate(rig, rig.default_values() | values)
    return {it.art_mesh_id: it.vertices_px for it in ev.items}


def test_structure_uses_standard_parameters(rig):
    rig.validate()
    ids = {p.id for p in rig.parameters}
    required = {"ParamAngleX", "ParamAngleY", "ParamAngleZ", "ParamEyeLOpen", "ParamEyeROpen", "ParamEyeBallX",
                "ParamEyeBallY", "ParamBrowLY", "ParamBrowRY", "ParamMouthOpenY", "ParamMouthForm",
                "ParamBodyAngleX", "ParamBodyAngleZ", "ParamBreath", "ParamHairFront", "ParamHairSide", "ParamHairBack"}
    assert required <= ids
    for p in rig.parameters:
        _, lo, default, hi, _ = STANDARD_PARAMETERS[p.id]
        assert (p.min, p.default, p.max) == (lo, default, hi)
    assert {s.outputs[0].parameter_id for s in rig.physics.settings} == {"ParamHairFront", "ParamHairSide", "ParamHairBack"}
    assert rig.art_mesh("ArtMeshIrisL").mask_ids == ("ArtMeshEyeWhiteL",)


def test_rest_pose_reproduces_layer_positions(rig):
    layers, meshes = synthetic.layers_and_meshes()
    rest = _verts(rig, {})
    for m in meshes:
        if m.layer_name == "MouthInterior":
            continue  # collapsed while the mouth is closed
        np.testing.assert_allclose(rest[f"ArtMesh{m.layer_name}"], m.vertices_px, atol=1e-3)


def test_angle_x_parallax_and_direction(rig):
    rest, turned = _verts(rig, {}), _verts(rig, {"ParamAngleX": 30})
    dx = {k: float((turned[k][:, 0] - rest[k][:, 0]).mean()) for k in rest}
    assert dx["ArtMeshNose"] > dx["ArtMeshEyeWhiteL"] > 0
    assert dx["ArtMeshFrontHair"] > dx["ArtMeshFace"] > abs(dx["ArtMeshBackHair"])
    assert abs(dx["ArtMeshBody"]) < 1e-3
    left = _verts(rig, {"ParamAngleX": -30})
    assert (left["ArtMeshNose"][:, 0] - rest["ArtMeshNose"][:, 0]).mean() < 0


def test_blink_mouth_brow_stay_local(rig):
    rest = _verts(rig, {})
    closed = _verts(rig, {"ParamEyeLOpen": 0})
    assert np.ptp(closed["ArtMeshEyeWhiteL"][:, 1]) < 0.3 * np.ptp(rest["ArtMeshEyeWhiteL"][:, 1])
    np.testing.assert_allclose(closed["ArtMeshEyeWhiteR"], rest["ArtMeshEyeWhiteR"])  # other eye unchanged
    opened = _verts(rig, {"ParamMouthOpenY": 1})
    assert np.ptp(opened["ArtMeshMouthInterior"][:, 1]) > 5 * np.ptp(rest["ArtMeshMouthInterior"][:, 1])
    for k in ("ArtMeshFace", "ArtMeshBody", "ArtMeshFrontHair", "ArtMeshEyeWhiteL"):
        np.testing.assert_allclose(opened[k], rest[k], atol=1e-4)
    raised = _verts(rig, {"ParamBrowLY": 1})
    assert (raised["ArtMeshBrowL"][:, 1] - rest["ArtMeshBrowL"][:, 1]).mean() < -2


def test_acceptance_checks_pass(rig):
    report = acceptance_report(rig)
    failed = [c for c in report if not c.passed]
    assert not failed, format_report(report)


def test_closed_lid_line_is_drawn_over_the_upper_lash(rig):
    """At EyeOpen 0 the lid line lies on the squeezed upper lash; drawn under it, the lash's pale rim
    (anti-aliased edge, strokes beside it in its label) broke the line (tadne_r5c3 R span 0.59)."""
    ev = evaluate(rig, rig.default_values() | {"ParamEyeLOpen": 0, "ParamEyeROpen": 0})
    order = [it.art_mesh_id for it in ev.items]
    for side in "LR":
        assert order.index(f"ArtMeshLidLine{side}") > order.index(f"ArtMeshLashUpper{side}")

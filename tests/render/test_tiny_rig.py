"""Rendering a real evaluated rig: ``evaluate(tiny_rig(), values)`` (rig/testing.py)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from app.render.offscreen import render_to_array
from rig.evaluate import evaluate
from rig.testing import tiny_rig

pytestmark = pytest.mark.gl


@pytest.fixture(scope="module")
def rig():
    return tiny_rig()


def alpha_centroid_x(img):
    a = img[..., 3].astype(float)
    return (a * np.arange(img.shape[1])[None]).sum() / a.sum()


def test_rest_pose_face_eye_and_highlight(gl, rig):
    img = render_to_array(evaluate(rig, {}), ctx=gl)
    assert img.shape == (128, 128, 4)
    ys, xs = np.mgrid[0:128, 0:128] + 0.5
    # face: the 64 px skin disc stretched over the warp's (35.2, 35.2)-(92.8, 92.8) quad
    r_face = np.hypot(xs - 64, ys - 64) / 28.8
    assert (img[r_face < 0.9, 3] == 255).all() and (img[r_face > 1.1, 3] == 0).all()
    assert tuple(img[90, 64, :3]) == pytest.approx((200, 220, 200), abs=40)
    # eye: the dark disc over (52, 56)-(76, 72); its highlight (white) near (68, 60)
    r_eye = np.hypot((xs - 64) / 12, (ys - 64) / 8)
    eye = img[(r_eye < 0.8) & (np.hypot(xs - 68.8, ys - 60.8) > 5)]
    assert (eye[:, :3].max(axis=1) < 110).all()
    assert img[60, 68, :3].min() > 230


def test_pose_moves_the_face_right(gl, rig):
    rest = render_to_array(evaluate(rig, {}), ctx=gl)
    posed = render_to_array(evaluate(rig, {"ParamAngleX": 30.0}), ctx=gl)
    shift = alpha_centroid_x(posed) - alpha_centroid_x(rest)
    assert 8.0 < shift < 16.0  # middle row +8 px, top row +16 px, bottom row +8 px


def test_highlight_is_clipped_by_the_eye(gl, rig):
    ev = evaluate(rig, {})
    assert "ArtMesh2" in ev.masks
    normal = render_to_array(ev, ctx=gl)
    eye = ev.masks["ArtMesh2"]
    away = dataclasses.replace(eye, vertices_px=eye.vertices_px + np.float32(-200.0))  # the mask covers nothing
    clipped_away = dataclasses.replace(ev, masks={"ArtMesh2": away})
    img = render_to_array(clipped_away, ctx=gl)
    without = render_to_array(dataclasses.replace(ev, items=ev.items[:2]), ctx=gl)
    assert ev.items[2].art_mesh_id == "ArtMesh3"
    np.testing.assert_array_equal(img, without)  # clipped to nothing: as if ArtMesh3 were not drawn
    assert np.any(normal[56:66, 64:76] != without[56:66, 64:76])  # but it is drawn inside the eye

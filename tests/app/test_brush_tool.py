"""Mask painting in the editor: real strokes on a generated rig, one command, exact undo (marker qt)."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from app.viewport.tools.brush_tool import PREVIEW_ID
from rig.document.commands import ReplaceRig
from rig.document.commands.repaint import layer_canvas_px
from rig.evaluate import evaluate
from rig.model import deep_equal

pytestmark = pytest.mark.qt

SHOTS = Path("/tmp/kirie_shots")


@pytest.fixture(scope="module")
def waifu_rig(shared_data):
    from inference.pipeline import generate

    return generate(shared_data / "anime" / "waifu_00.png").rig


@pytest.fixture()
def painting(window, waifu_rig, qtbot):
    """The window with the waifu rig, ``mesh_id`` selectable, Paint Mask on; returns the PaintMode."""
    window.bridge.push(ReplaceRig(window.bridge.rig, copy.deepcopy(waifu_rig)))
    window.bridge.document.history.mark_clean()
    window.viewport.fit_view()
    window.paint_mode.toggle.trigger()
    assert window.viewport.tool is window.paint_mode.tool
    return window.paint_mode


def _point(viewport, canvas_px) -> QPoint:
    fb = viewport.view.canvas_to_viewport(np.asarray(canvas_px, np.float64)[None])[0] / viewport.devicePixelRatioF()
    return QPoint(round(float(fb[0])), round(float(fb[1])))


def _stroke(qtbot, viewport, path_px, release=True, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    points = [_point(viewport, p) for p in path_px]
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, modifier, points[0])
    for p in points[1:]:
        qtbot.mouseMove(viewport, p)
    if release:
        qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, modifier, points[-1])


def _layer_alpha(rig, layer_id) -> np.ndarray:
    """The layer's alpha on the canvas ((H, W) uint8)."""
    layer = rig.layer(layer_id)
    out = np.zeros((rig.canvas_height_px, rig.canvas_width_px), np.uint8)
    x0, y0 = int(layer.origin_px[0]), int(layer.origin_px[1])
    h, w = layer.image.shape[:2]
    out[y0 : y0 + h, x0 : x0 + w] = layer.image[..., 3]
    return out


def _covered(rig, mesh_id) -> np.ndarray:
    """(H, W) bool canvas pixels whose centre is inside the mesh at rest (the evaluated triangles)."""
    import cv2

    item = next(i for i in evaluate(rig, rig.default_values()).items if i.art_mesh_id == mesh_id)
    out = np.zeros((rig.canvas_height_px, rig.canvas_width_px), np.uint8)
    polys = np.round(item.vertices_px.astype(np.float64)[item.triangles.astype(int)] * 16 - 8).astype(np.int32)
    cv2.fillPoly(out, list(polys), 1, lineType=cv2.LINE_8, shift=4)
    return out > 0


def _bangs_over_skin(rig) -> list[tuple[float, float]]:
    """A 24 px horizontal path through the bangs, 3 px above the top of the visible skin at mid-face."""
    face = rig.source.visible_mask("LayerFace")
    cols = np.flatnonzero(face.any(axis=0))
    cx = int(np.median(cols))
    y = float(np.flatnonzero(face[:, cx])[0]) - 2.5
    return [(float(x), y) for x in np.linspace(cx - 12, cx + 12, 7)]


def test_add_stroke_grows_the_layer_and_its_new_mesh_covers_it(painting, window, qtbot):
    bridge, tool = window.bridge, painting.tool
    bridge.state.selection.select("ArtMeshFace")
    tool.set_radius(3.0)
    tool.set_hardness(1.0)
    before = copy.deepcopy(bridge.rig)
    depth = bridge.document.history.undo_count
    _stroke(qtbot, window.viewport, _bangs_over_skin(before))
    assert bridge.document.history.undo_count == depth + 1
    assert bridge.undo_label == "Paint mask of Face"
    rig = bridge.rig
    added = rig.source.visible_mask("LayerFace") & ~before.source.visible_mask("LayerFace")
    assert added.sum() > 20
    alpha = _layer_alpha(rig, "LayerFace")
    assert (alpha[added] > 0).all()
    assert _covered(rig, "ArtMeshFace")[added].all()
    assert rig.layer("LayerFace").version != before.layer("LayerFace").version
    rig.validate()
    bridge.undo()
    assert deep_equal(bridge.rig, before)


def test_erase_stroke_removes_pixels_and_undo_is_exact(painting, window, qtbot):
    bridge, tool = window.bridge, painting.tool
    bridge.state.selection.select("ArtMeshFrontHair")
    window.viewport.setFocus()
    qtbot.keyClick(window.viewport, Qt.Key.Key_X)
    assert tool.erase and painting.mode_combo.currentText() == "Erase"
    before, depth = copy.deepcopy(bridge.rig), bridge.document.history.undo_count
    hair = before.source.visible_mask("LayerFrontHair")
    ys, xs = np.nonzero(hair)
    cx, cy = float(np.median(xs)), float(np.median(ys))
    _stroke(qtbot, window.viewport, [(cx - 3, cy), (cx, cy), (cx + 3, cy)])
    erased = hair & ~bridge.rig.source.visible_mask("LayerFrontHair")
    assert erased.sum() > 20
    assert (_layer_alpha(bridge.rig, "LayerFrontHair")[erased] == 0).all()
    assert bridge.document.history.undo_count == depth + 1
    bridge.undo()
    assert deep_equal(bridge.rig, before)


def test_keyforms_are_remapped_and_poses_stay_close(painting, window, qtbot):
    bridge, tool = window.bridge, painting.tool
    bridge.state.selection.select("ArtMeshEyeWhiteL")
    old = copy.deepcopy(bridge.rig)
    white = old.source.visible_mask("LayerEyeWhiteL")
    ys, xs = np.nonzero(white)
    tool.set_radius(2.5)
    _stroke(qtbot, window.viewport, [(xs.min() + 1.0, ys.max() + 2.0), (xs.max() - 1.0, ys.max() + 2.0)])
    rig = bridge.rig
    mesh, old_mesh = rig.art_mesh("ArtMeshEyeWhiteL"), old.art_mesh("ArtMeshEyeWhiteL")
    assert mesh.vertex_count != old_mesh.vertex_count
    positions = mesh.keyforms.values["positions"]
    assert positions.shape == (old_mesh.keyforms.count, mesh.vertex_count, 2)
    values = rig.default_values() | {"ParamEyeLOpen": 0.0, "ParamAngleX": 30.0, "ParamAngleY": -20.0}
    new_posed = next(i for i in evaluate(rig, values).items if i.art_mesh_id == mesh.id).vertices_px
    old_posed = next(i for i in evaluate(old, values).items if i.art_mesh_id == mesh.id).vertices_px
    old_px = layer_canvas_px(old.layer("LayerEyeWhiteL"), old_mesh.uvs)
    new_px = layer_canvas_px(rig.layer("LayerEyeWhiteL"), mesh.uvs)
    d = np.linalg.norm(new_px[:, None] - old_px[None], axis=2)
    same = d.min(axis=1) < 1e-3  # vertices the new mesh shares with the old one keep their pose
    assert same.sum() >= 5
    np.testing.assert_allclose(new_posed[same], old_posed[d[same].argmin(axis=1)], atol=0.05)


def test_escape_during_a_stroke_pushes_nothing(painting, window, qtbot):
    bridge, tool = window.bridge, painting.tool
    bridge.state.selection.select("ArtMeshFace")
    before, depth = copy.deepcopy(bridge.rig), bridge.document.history.undo_count
    _stroke(qtbot, window.viewport, _bangs_over_skin(before), release=False)
    assert tool.painting
    preview = tool.preview(window.viewport.evaluated())
    assert preview.items[-1].art_mesh_id == PREVIEW_ID
    tint = preview.textures[PREVIEW_ID].image
    assert (tint[..., 1] == 255).any()  # the added pixels show green
    qtbot.keyClick(window.viewport, Qt.Key.Key_Escape)
    assert not tool.painting
    qtbot.mouseRelease(window.viewport, Qt.MouseButton.LeftButton, pos=_point(window.viewport, (10, 10)))
    assert bridge.document.history.undo_count == depth
    assert deep_equal(bridge.rig, before)


def test_slow_recuts_run_on_a_worker_and_push_one_command(painting, window, qtbot):
    bridge, tool = window.bridge, painting.tool
    bridge.state.selection.select("ArtMeshFace")
    tool.sync_limit_s = 0.0  # force the worker thread
    depth = bridge.document.history.undo_count
    _stroke(qtbot, window.viewport, _bangs_over_skin(bridge.rig))
    assert tool.busy
    tool.wait()
    qtbot.waitUntil(lambda: not tool.busy, timeout=10_000)
    assert bridge.document.history.undo_count == depth + 1
    assert tool.last_recut_s is not None and tool.last_recut_s < 5.0


def test_options_follow_keys_and_other_modes_take_over(painting, window, qtbot):
    tool = painting.tool
    window.viewport.setFocus()
    painting.size_spin.setValue(20)
    assert tool.radius_px == 10.0
    qtbot.keyClick(window.viewport, Qt.Key.Key_BracketRight)
    assert tool.radius_px == 12.5 and painting.size_spin.value() == 25
    qtbot.keyClick(window.viewport, Qt.Key.Key_BracketLeft)
    assert tool.radius_px == 10.0
    painting.hardness_spin.setValue(30)
    assert tool.hardness == pytest.approx(0.3)
    window.mesh_mode.toggle.trigger()
    assert window.viewport.tool is not tool and not painting.toggle.isChecked()
    assert not painting.size_spin.isEnabled()


def test_screenshot_of_paint_mode(painting, window, qtbot):
    SHOTS.mkdir(parents=True, exist_ok=True)
    window.bridge.state.selection.select("ArtMeshFace")
    painting.tool.set_radius(4.0)
    painting.tool.set_hardness(0.6)
    view = window.viewport
    view.set_view(view.view.zoomed_at(1.6, tuple(np.asarray(view.view.viewport_size_px) / 2)))
    _stroke(qtbot, view, _bangs_over_skin(window.bridge.rig), release=False)
    qtbot.wait(50)
    window.grab().save(str(SHOTS / "paint_mode.png"))
    assert (SHOTS / "paint_mode.png").stat().st_size > 10_000
    qtbot.keyClick(view, Qt.Key.Key_Escape)

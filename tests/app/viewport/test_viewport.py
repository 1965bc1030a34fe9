"""The viewport widget: real mouse events pan, zoom and pick; values and commands trigger redraws."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from app.bridge import DocumentBridge
from app.viewport.viewport import Viewport
from rig.document import Document
from rig.document.commands import SetObjectProperty
from rig.testing import tiny_rig
from tests.app.conftest import grab

pytestmark = pytest.mark.qt


@pytest.fixture()
def viewport(qtbot):
    bridge = DocumentBridge(Document(tiny_rig()))
    vp = Viewport(bridge)
    qtbot.addWidget(vp)
    vp.resize(400, 300)
    vp.show()
    qtbot.waitExposed(vp)
    return vp


def test_values_and_commands_redraw_with_one_plan_per_change(viewport):
    first = grab(viewport)
    compiles = viewport.evaluator.plan_compiles
    viewport.bridge.values.set("ParamAngleX", 30.0)
    moved = grab(viewport)
    assert not np.array_equal(first, moved)
    assert viewport.evaluator.plan_compiles == compiles  # slider moves reuse the plan
    viewport.bridge.push(SetObjectProperty(viewport.bridge.rig, "ArtMesh1", "visible", False))
    assert not np.array_equal(grab(viewport), moved)
    assert viewport.evaluator.plan_compiles == compiles + 1
    viewport.bridge.undo()
    assert np.array_equal(grab(viewport), moved)


def test_middle_drag_pans_and_wheel_zooms_about_the_cursor(viewport, qtbot):
    pan0 = viewport.view.pan_px
    qtbot.mousePress(viewport, Qt.MouseButton.MiddleButton, pos=QPoint(100, 100))
    qtbot.mouseMove(viewport, QPoint(140, 120))
    qtbot.mouseRelease(viewport, Qt.MouseButton.MiddleButton, pos=QPoint(140, 120))
    dpr = viewport.devicePixelRatioF()
    assert viewport.view.pan_px == pytest.approx((pan0[0] + 40 * dpr, pan0[1] + 20 * dpr))

    cursor = QPointF(120, 90)
    under = viewport.canvas_point(cursor)
    zoom = viewport.view.zoom
    event = QWheelEvent(cursor, viewport.mapToGlobal(cursor), QPoint(), QPoint(0, 120), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(viewport, event)
    assert viewport.view.zoom > zoom
    assert viewport.canvas_point(cursor) == pytest.approx(under, abs=1e-6)
    viewport.fit_view()
    assert viewport.view.pan_px == (0.0, 0.0)


def test_broken_rig_draws_background_and_logs(viewport, caplog):
    viewport.bridge.rig.art_meshes[0].parent_deformer_id = "NoSuchDeformer"  # corrupt on purpose
    viewport.evaluator.invalidate()
    image = grab(viewport)
    assert viewport.last_error and "NoSuchDeformer" in caplog.text
    assert image.shape[0] > 0

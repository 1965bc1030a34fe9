"""Preview animation: breath and blink curves, physics outputs, restoring values on stop."""

from __future__ import annotations

import pytest

from app.bridge import DocumentBridge
from app.editor.preview import BLINK_DURATION_S, BLINK_INTERVAL_S, PreviewAnimator, blink_factor, breath_value
from rig.document import Document


def test_curves():
    assert breath_value(0.0) == pytest.approx(0.0) and breath_value(1.75) == pytest.approx(1.0)
    assert blink_factor(0.5) == 1.0
    closed = BLINK_INTERVAL_S[0] - BLINK_DURATION_S / 2
    assert blink_factor(closed) == pytest.approx(0.0)
    assert 0.0 < blink_factor(closed - BLINK_DURATION_S / 4) < 1.0


@pytest.mark.qt
def test_animator_drives_breath_eyes_and_physics_then_restores(qtbot, shared_data):
    from inference.pipeline import generate

    rig = generate(shared_data / "anime" / "waifu_00.png").rig
    assert rig.physics.settings
    bridge = DocumentBridge(Document(rig))
    bridge.values.set("ParamEyeLOpen", 0.8)
    before = bridge.values.as_dict()
    animator = PreviewAnimator(bridge)
    animator.set_running(True)
    t0 = animator._t0
    out = animator.tick(t0 + 1.75)  # peak of the breath
    assert out["ParamBreath"] == pytest.approx(1.0)
    out = animator.tick(t0 + BLINK_INTERVAL_S[0] - BLINK_DURATION_S / 2)  # eyes shut
    assert out["ParamEyeLOpen"] == pytest.approx(0.0, abs=1e-6)
    bridge.values.set("ParamAngleX", 30.0)  # physics input: the hair must swing
    swings = [animator.tick(t0 + 3.0 + 0.016 * k).get("ParamHairFront", 0.0) for k in range(60)]
    assert max(abs(v) for v in swings) > 0.05
    animator.set_running(False)
    after = bridge.values.as_dict()
    assert after["ParamEyeLOpen"] == pytest.approx(0.8) and after["ParamBreath"] == before["ParamBreath"]
    assert after["ParamHairFront"] == before["ParamHairFront"] and after["ParamAngleX"] == 30.0
    assert not bridge.can_undo


@pytest.mark.qt
def test_tracking_wins_over_the_preview_and_the_bridge_stops_both(qtbot):
    from app.tracking.driver import RigDriver
    from tests.rig.document.rigs import small_document

    bridge = DocumentBridge(small_document())
    animator, driver = PreviewAnimator(bridge), RigDriver(bridge)
    animator.set_running(True)
    t0 = animator._t0
    driver.begin(["ParamEyeLOpen", "ParamAngleX"])
    driver.drive(0, {"ParamEyeLOpen": 0.4, "ParamAngleX": 10.0})
    shut = t0 + BLINK_INTERVAL_S[0] - BLINK_DURATION_S / 2
    out = animator.tick(shut)
    assert "ParamEyeLOpen" not in out and out["ParamBreath"] > 0.0  # tracking owns the eye, the preview breathes
    assert bridge.values["ParamEyeLOpen"] == pytest.approx(0.4)
    driver.end()  # the eye goes back to the preview's blink, the angle to its slider value
    assert bridge.values["ParamEyeLOpen"] == pytest.approx(0.0, abs=1e-6) and bridge.values["ParamAngleX"] == 0.0
    driver.begin(["ParamAngleX"])
    with qtbot.waitSignal(animator.running_changed, timeout=1000) as stopped:
        bridge.drive.stop_all()  # the window closing: one owner stops every source
    assert stopped.args == [False] and not animator.running and not driver.active
    assert bridge.values["ParamEyeLOpen"] == 1.0 and bridge.values["ParamBreath"] == 0.0

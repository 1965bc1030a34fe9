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

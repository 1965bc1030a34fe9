"""The Tracking dock in the real window: d3.mp4 drives the rig, plots fill, Record writes motion3.json,
bad sources give a message instead of an exception, Mirror flips the head turn, settings persist."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.app.conftest import load_tiny

pytestmark = pytest.mark.qt

TRACKED_IDS = 13  # default_rules(): one curve per mapped parameter


@pytest.fixture()
def d3(shared_data, shared_models):
    if not (shared_models / "face_landmarker.task").is_file():
        pytest.skip("face_landmarker.task not in ../shared/models")
    return shared_data / "driving" / "d3.mp4"


@pytest.fixture()
def panel(window):
    load_tiny(window)
    window.docks["tracking"].show()
    window.docks["tracking"].raise_()
    return window.panels["tracking"]


def _run_until(qtbot, panel, frames: int, timeout_ms: int = 60_000) -> None:
    assert panel.start()
    qtbot.waitUntil(lambda: panel.frames_received >= frames or not panel.running, timeout=timeout_ms)
    assert panel.frames_received >= frames, panel.message


def _points(curve) -> int:
    x, _ = curve.getData()
    return 0 if x is None else len(x)


def _write_avi(path, frames, fps=25.0):
    import cv2

    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (w, h))
    for rgb in frames:
        writer.write(np.ascontiguousarray(rgb[:, :, ::-1]))
    writer.release()
    return path


def _d3_frames(d3, n):
    from inference.tracking.sources import VideoSource

    with VideoSource(d3) as src:
        return [f.rgb for _, f in zip(range(n), src)]


def test_dock_is_in_the_view_menu(window):
    texts = [a.text() for a in window.editor_actions.view_menu.actions()]
    assert "Tracking" in texts
    assert window.docks["tracking"].widget() is window.panels["tracking"]


def test_d3_drives_angle_x_repaints_plots_and_stop_restores(window, panel, qtbot, d3):
    values = window.bridge.values
    assert values["ParamAngleX"] == 0.0
    seen, paints = [], []
    window.bridge.values_changed.connect(lambda changed: "ParamAngleX" in changed and seen.append(changed["ParamAngleX"]))
    window.viewport.frame_rendered.connect(paints.append)
    history = (window.bridge.undo_label, window.bridge.is_clean)
    panel.set_source(str(d3))
    _run_until(qtbot, panel, 45)
    # d3 frames 16-24 turn the head toward the image's left (about -13 deg), then back
    assert len(set(np.round(seen, 3))) > 10 and max(seen) - min(seen) > 5.0
    assert len(paints) >= 5  # the viewport kept repainting while values arrived, not just once
    qtbot.waitUntil(lambda: _points(panel.plots.curves["ParamAngleX"][1]) > 10, timeout=5000)
    x, y = panel.plots.curves["ParamAngleX"][1].getData()
    assert x[-1] == 0.0 and -5.0 <= x[0] < -0.5 and np.isfinite(y).all()
    assert _points(panel.plots.curves["ParamAngleX"][0]) == len(x)  # raw curve too
    assert not panel.preview_label.pixmap().isNull()
    assert panel.table.bars["ParamAngleX"].text() != "-"
    assert panel.start_button.text() == "Stop" and not panel.source_combo.isEnabled()
    panel.calibrate_button.click()  # the next second becomes the neutral face
    assert "Calibrating" in panel.message
    qtbot.waitUntil(lambda: "Calibrated" in panel.message, timeout=30_000)
    assert panel.settings.calibration() is None  # a video's calibration is not kept for the camera
    thread = panel.controller.thread
    panel.stop()
    assert not panel.running and thread.isFinished()
    assert values["ParamAngleX"] == 0.0  # the driven parameters are put back
    assert panel.start_button.text() == "Start" and "Stopped after" in panel.message
    assert (window.bridge.undo_label, window.bridge.is_clean) == history  # values never enter the history


def test_closing_the_window_stops_tracking(window, panel, qtbot, d3):
    panel.set_source(str(d3))
    _run_until(qtbot, panel, 5)
    thread = panel.controller.thread
    window.dialogs.unsaved_answer = "discard"
    assert window.close()
    assert thread.isFinished() and not panel.running


def test_record_writes_motion3_with_exact_meta(panel, qtbot, d3, tmp_path):
    out = tmp_path / "take.motion3.json"
    asked = []

    class Scripted:
        def save_motion_path(self, suggested):
            asked.append(suggested)
            return str(out)

    panel.dialogs = Scripted()
    panel.set_source(str(d3))
    panel.record_button.setChecked(True)
    _run_until(qtbot, panel, 30)
    panel.stop()  # stopping ends the recording and asks where to save it
    assert asked and not panel.record_button.isChecked()
    frames = panel.frames_received
    doc = json.loads(out.read_text())
    meta, curves = doc["Meta"], doc["Curves"]
    assert meta["CurveCount"] == len(curves) == TRACKED_IDS
    points = [1 + (len(c["Segments"]) - 2) // 3 for c in curves]
    assert points == [frames] * TRACKED_IDS  # one key per tracked frame, no thinning
    assert meta["TotalPointCount"] == sum(points) and meta["TotalSegmentCount"] == sum(p - 1 for p in points)
    assert meta["Fps"] == 30.0 and meta["Duration"] == pytest.approx((frames - 1) / 30.0, abs=0.002)
    assert {c["Id"] for c in curves} >= {"ParamAngleX", "ParamEyeLOpen", "ParamMouthOpenY"}
    from inference.tracking.recorder import read_motion3

    read_motion3(out)  # the format module agrees with its own counts


def test_missing_camera_gives_a_message_and_the_editor_keeps_working(window, panel, qtbot):
    panel.set_source(57)
    assert panel.start()
    qtbot.waitUntil(lambda: not panel.running, timeout=15_000)
    assert "camera 57 is not available" in panel.message
    assert "camera 57" in panel.status_label.text() and "b41e1e" in panel.status_label.styleSheet()
    qtbot.waitUntil(lambda: "camera 57 is not available" in window.panels["log"].text.toPlainText(), timeout=5000)
    assert panel.start_button.text() == "Start" and panel.source_combo.isEnabled()
    window.panels["parameters"].set_value("ParamAngleX", 12.0)  # the UI still responds
    assert window.bridge.values["ParamAngleX"] == pytest.approx(12.0)
    fired = []
    from PySide6.QtCore import QTimer

    QTimer.singleShot(10, lambda: fired.append(True))
    qtbot.waitUntil(lambda: bool(fired), timeout=2000)


def test_truncated_video_reports_mid_stream(window, panel, qtbot, d3, tmp_path):
    full = _write_avi(tmp_path / "full.avi", _d3_frames(d3, 40))
    cut = tmp_path / "cut.avi"
    cut.write_bytes(full.read_bytes()[: int(full.stat().st_size * 0.6)])
    panel.set_source(str(cut))
    assert panel.start()
    qtbot.waitUntil(lambda: not panel.running, timeout=30_000)
    assert 10 < panel.frames_received < 35  # frames arrived, then the damage was reported
    assert "truncated" in panel.message and "b41e1e" in panel.status_label.styleSheet()
    assert window.bridge.values["ParamAngleX"] == 0.0


def test_unplugged_camera_reports_mid_stream(window, panel, qtbot, d3, tmp_path, monkeypatch):
    import cv2

    import inference.tracking.sources as sources

    avi = _write_avi(tmp_path / "cam.avi", _d3_frames(d3, 8))
    # a camera that delivers a few frames and then fails, like one pulled out mid-stream
    monkeypatch.setattr(sources, "open_source",
                        lambda spec, fps=None, timeout_s=3.0: sources.CameraSource(
                            0, capture=cv2.VideoCapture(str(avi)), timeout_s=1.0))
    panel.set_source(0)
    assert panel.start()
    qtbot.waitUntil(lambda: not panel.running, timeout=30_000)
    assert "camera 0 stopped delivering frames" in panel.message
    qtbot.waitUntil(lambda: "stopped delivering" in window.panels["log"].text.toPlainText(), timeout=5000)


def _angle_x_by_frame(qtbot, panel, n: int) -> dict[int, tuple[float, float, float]]:
    got: dict[int, tuple[float, float, float]] = {}

    def keep(update):
        v = update.values
        got[update.index] = (v["ParamAngleX"], v["ParamEyeLOpen"], v["ParamEyeROpen"])

    panel.controller.frame.connect(keep)
    _run_until(qtbot, panel, n)
    panel.stop()
    panel.controller.frame.disconnect(keep)
    return {i: got[i] for i in range(n)}


def test_mirror_flips_angle_x_on_the_same_frames(panel, qtbot, d3):
    panel.set_source(str(d3))
    panel.mirror_check.setChecked(False)
    plain = _angle_x_by_frame(qtbot, panel, 30)
    panel.mirror_check.setChecked(True)
    mirrored = _angle_x_by_frame(qtbot, panel, 30)
    a = np.array([plain[i][0] for i in range(30)])
    b = np.array([mirrored[i][0] for i in range(30)])
    assert np.abs(a).max() > 5.0  # the clip turns the head
    np.testing.assert_allclose(b, -a, atol=0.05)
    # and the eyes swap sides (the wink in frames 8-20 moves to the other eye)
    np.testing.assert_allclose([mirrored[i][1] for i in range(30)], [plain[i][2] for i in range(30)], atol=0.02)


def test_settings_are_remembered(window, tmp_path):
    from PySide6.QtCore import QSettings

    from app.panels.tracking_panel import TrackingPanel

    panel = window.panels["tracking"]
    panel.set_source(3)
    panel.smoothing_slider.setValue(80)
    panel.mirror_check.setChecked(True)
    panel.link_eyes_check.setChecked(True)
    panel.table.spins["ParamAngleX"]["in_max"].setValue(20.0)
    panel.table.spins["ParamAngleX"]["in_min"].setValue(20.0)  # empty input range: refused
    assert panel.table.ranges()["ParamAngleX"]["in_min"] == -30.0
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    again = TrackingPanel(window.bridge, settings, probe=False)
    assert again.source_spec() == 3 and again.smoothing == pytest.approx(0.8)
    assert again.mirror_check.isChecked() and again.link_eyes_check.isChecked()
    assert again.table.ranges()["ParamAngleX"] == {"in_min": -30.0, "in_max": 20.0, "out_min": -30.0, "out_max": 30.0}
    rules = {r.parameter_id: r for r in again.table.rules()}
    assert rules["ParamAngleX"].in_max == 20.0
    again.reset_ranges()
    assert again.table.ranges()["ParamAngleX"]["in_max"] == 30.0
    again.deleteLater()


def test_the_motion_dialog_starts_beside_the_project_then_where_the_last_motion_went(window, panel, qtbot, d3,
                                                                                   tmp_path):  # fmt: skip
    project = tmp_path / "work" / "tiny.kirie"
    project.parent.mkdir()
    window.dialogs.save_path = str(project)
    assert window.save_as()
    asked, takes = [], tmp_path / "takes"
    takes.mkdir()

    class Scripted:
        def save_motion_path(self, suggested):
            asked.append(suggested)
            return str(takes / f"take{len(asked)}.motion3.json")

    panel.dialogs = Scripted()
    panel.set_source(str(d3))  # the video's folder is not where motions go
    for _ in range(2):
        panel.record_button.setChecked(True)
        _run_until(qtbot, panel, 5)
        panel.stop()
        qtbot.waitUntil(lambda: not panel.running, timeout=10_000)
    assert asked == [str(project.parent / "tracking.motion3.json"), str(takes / "tracking.motion3.json")]
    assert (takes / "take1.motion3.json").is_file() and (takes / "take2.motion3.json").is_file()

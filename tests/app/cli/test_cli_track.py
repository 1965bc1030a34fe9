"""``kirie track``: JSON lines, motion3 recording, mirror flag, rendered video, clear source errors."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from app.cli.main import main
from rig.formats.cubism.motion3 import read_motion3
from rig.formats.project import save_project
from rig.testing import tiny_rig

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture()
def project(tmp_path):
    path = tmp_path / "tiny.kirie"
    save_project(path, tiny_rig())
    return path


@pytest.fixture()
def driving(shared_data, shared_models):
    if not (shared_models / "face_landmarker.task").is_file():
        pytest.skip("face_landmarker.task not in ../shared/models")
    return shared_data / "driving"


def _json_lines(text):
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_json_lines_and_recording(project, driving, tmp_path, capsys):
    out = tmp_path / "rec" / "talk.motion3.json"
    out.parent.mkdir()
    assert main(["track", str(project), "--source", str(driving / "d10.mp4"), "--max-frames", "20", "--json",
                 "--record", str(out)]) == 0
    lines = _json_lines(capsys.readouterr().out)
    assert [row["index"] for row in lines] == list(range(20))
    assert all(row["found"] for row in lines) and lines[1]["t_ms"] == 33
    assert {"ParamAngleX", "ParamEyeLOpen", "ParamMouthOpenY"} <= set(lines[0]["values"])
    motion = read_motion3(out)  # raises if a Meta count is off
    curves = {c.id: c for c in motion.curves}
    assert motion.fps == 30.0 and motion.duration_s == pytest.approx(19 / 30, abs=1e-3)
    assert len(curves["ParamMouthOpenY"].values) == 20
    assert curves["ParamMouthOpenY"].values == pytest.approx([row["values"]["ParamMouthOpenY"] for row in lines], abs=1e-4)


def test_mirror_flag_flips_yaw(project, driving, capsys):
    args = ["track", str(project), "--source", str(driving / "d3.mp4"), "--max-frames", "24", "--json",
            "--calibrate-frames", "5", "--smoothing", "0"]
    assert main(args) == 0
    plain = _json_lines(capsys.readouterr().out)
    assert main([*args, "--mirror"]) == 0
    mirrored = _json_lines(capsys.readouterr().out)
    ax = np.array([r["values"]["ParamAngleX"] for r in plain])
    assert ax.min() < -8.0
    assert np.allclose([r["values"]["ParamAngleX"] for r in mirrored], -ax, atol=2e-4)
    assert np.allclose([r["values"]["ParamEyeLOpen"] for r in mirrored], [r["values"]["ParamEyeROpen"] for r in plain],
                       atol=2e-4)


def test_bad_sources_and_options_exit_2(project, tmp_path, caplog):
    with caplog.at_level(logging.ERROR):
        assert main(["track", str(project), "--source", "57"]) == 2
        assert main(["track", str(project), "--source", str(tmp_path / "none.mp4")]) == 2
        assert main(["track", str(project), "--source", "0", "--smoothing", "2"]) == 2
    assert "camera 57 is not available" in caplog.text and "does not exist" in caplog.text
    assert "--smoothing must be in [0, 1]" in caplog.text


@pytest.mark.gl
def test_out_video_renders_the_driven_rig(project, driving, tmp_path):
    import cv2

    video = tmp_path / "out.mp4"
    result = subprocess.run([sys.executable, "-m", "app.cli", "track", str(project), "--source", str(driving / "d3.mp4"),
                             "--max-frames", "12", "--out-video", str(video), "--size", "96", "--side-by-side"],
                            cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    cap = cv2.VideoCapture(str(video))
    frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
    cap.release()
    assert len(frames) == 12 and frames[0].shape == (96, 192, 3)  # input frame left, render right
    render = np.stack([f[:, 96:] for f in frames]).astype(np.float32)
    assert render.std(axis=(1, 2, 3)).min() > 5.0  # the rig is drawn (not a blank background)
    assert np.abs(render[-1] - render[0]).mean() > 0.5  # she turns her head: the rig moves

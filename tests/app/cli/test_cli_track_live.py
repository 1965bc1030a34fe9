"""``kirie track --audio`` (lip-sync over the tracked mouth) and ``--virtual-camera`` (clear message without a driver)."""

from __future__ import annotations

import json
import logging

import numpy as np
import pytest

from app.cli.main import main
from inference.tracking.lipsync import analyse
from rig.formats.project import save_project
from rig.testing import tiny_rig
from tests.inference.tracking.speech import RATE, silence, speech, write_wav


@pytest.fixture()
def project(tmp_path):
    path = tmp_path / "tiny.kirie"
    save_project(path, tiny_rig())
    return path


@pytest.fixture()
def clip(shared_data, shared_models):
    if not (shared_models / "face_landmarker.task").is_file():
        pytest.skip("face_landmarker.task not in ../shared/models")
    return shared_data / "driving" / "d10.mp4"


def _mouths(text):
    return np.array([json.loads(line)["values"]["ParamMouthOpenY"] for line in text.splitlines() if line.startswith("{")])


def test_audio_file_drives_the_mouth_and_silence_shuts_it(project, clip, tmp_path, capsys):
    talk = speech(2.0)
    wav = write_wav(tmp_path / "talk.wav", talk)
    args = ["track", str(project), "--source", str(clip), "--max-frames", "45", "--json", "--calibrate-frames", "5"]
    assert main([*args, "--audio", str(wav)]) == 0
    spoken = _mouths(capsys.readouterr().out)
    expected = analyse(talk, RATE)
    assert spoken.size == 45
    np.testing.assert_allclose(spoken, [expected.at(i / 30)["ParamMouthOpenY"] for i in range(45)], atol=0.01)
    assert spoken.max() > 0.5 and spoken.std() > 0.1
    assert main([*args, "--audio", str(write_wav(tmp_path / "quiet.wav", silence(2.0)))]) == 0
    assert np.all(_mouths(capsys.readouterr().out) == 0.0)


def test_virtual_camera_and_microphone_failures_name_what_to_install(project, clip, caplog):
    with caplog.at_level(logging.ERROR):
        vc = main(["track", str(project), "--source", str(clip), "--max-frames", "3", "--virtual-camera"])
    if vc == 0:
        pytest.skip("a virtual camera device exists here")
    assert vc == 2 and "v4l2loopback" in caplog.text
    try:
        import sounddevice  # noqa: F401
    except (ImportError, OSError):
        caplog.clear()
        with caplog.at_level(logging.ERROR):
            assert main(["track", str(project), "--source", str(clip), "--audio", "default"]) == 2
        assert "pip install sounddevice" in caplog.text


@pytest.mark.gl
def test_virtual_camera_frames_are_the_avatar_on_its_colour(project, clip, monkeypatch):
    """Through a recording sink in place of pyvirtualcam: frames at the camera's size on its background."""
    import app.tracking.sinks as sinks

    made = []

    def recording(size, fps, background, **_kw):
        made.append(sinks.RecordingSink(size, fps, background))
        return made[-1]

    monkeypatch.setattr(sinks, "VirtualCameraSink", recording)
    args = ["track", str(project), "--source", str(clip), "--max-frames", "3", "--virtual-camera",
            "--vc-size", "320x240", "--vc-background", "#102030"]
    assert main(args) == 0
    frames = made[0].frames
    assert len(frames) == 3 and all(f.shape == (240, 320, 3) for f in frames) and made[0].closed
    assert tuple(frames[0][0, 0]) == (0x10, 0x20, 0x30)  # letterboxed on the chosen colour
    assert np.any(frames[0] != (0x10, 0x20, 0x30), axis=-1).mean() > 0.05  # the avatar is in it


def test_bad_live_options_exit_2(project, caplog):
    with caplog.at_level(logging.ERROR):
        assert main(["track", str(project), "--source", "0", "--virtual-camera", "--vc-size", "1281x720"]) == 2
        assert main(["track", str(project), "--source", "0", "--virtual-camera", "--vc-background", "blue"]) == 2
    assert "even" in caplog.text and "#RRGGBB" in caplog.text


def test_audio_alone_drives_the_mouth_without_a_camera(project, tmp_path, capsys, caplog):
    talk = speech(1.0)
    wav = write_wav(tmp_path / "talk.wav", talk)
    rec = tmp_path / "voice.motion3.json"
    assert main(["track", str(project), "--audio", str(wav), "--json", "--record", str(rec), "--no-vowels"]) == 0
    mouths = _mouths(capsys.readouterr().out)
    expected = analyse(talk, RATE)
    assert mouths.size == int(expected.duration_s * 30) + 1
    np.testing.assert_allclose(mouths, [expected.at(i / 30)["ParamMouthOpenY"] for i in range(mouths.size)], atol=0.01)
    assert mouths.max() > 0.5
    from rig.formats.cubism.motion3 import read_motion3

    curves = {c.id for c in read_motion3(rec).curves}
    assert curves == {"ParamMouthOpenY"}
    with caplog.at_level(logging.ERROR):
        assert main(["track", str(project), "--json"]) == 2
    assert "--source is required" in caplog.text


@pytest.mark.gl
def test_audio_alone_renders_a_video(project, tmp_path, gl_context):
    import cv2

    wav = write_wav(tmp_path / "talk.wav", speech(1.0))
    out = tmp_path / "voice.mp4"
    assert main(["track", str(project), "--audio", str(wav), "--idle", "--max-frames", "6", "--size", "64",
                 "--out-video", str(out)]) == 0
    cap = cv2.VideoCapture(str(out))
    try:
        assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 6
        ok, frame = cap.read()
    finally:
        cap.release()
    assert ok and frame.shape == (64, 64, 3) and frame.std() > 5  # the avatar on white, not an empty frame

"""OpenCV next to PySide6: clashing OpenCV wheels are named with the fix; cv2's Qt variables are undone."""

from __future__ import annotations

import logging
from pathlib import Path

from app import opencv_qt


def test_one_opencv_is_no_clash():
    assert opencv_qt.clash_message({}) is None
    assert opencv_qt.clash_message({"opencv-contrib-python": "5.1.0.95"}) is None


def test_two_opencvs_get_the_exact_fix():
    msg = opencv_qt.clash_message({"opencv-python-headless": "5.1.0.95", "opencv-contrib-python": "5.1.0.95"})
    assert "opencv-contrib-python 5.1.0.95" in msg and "opencv-python-headless 5.1.0.95" in msg
    assert msg.endswith(
        "python -m pip uninstall -y opencv-contrib-python opencv-python-headless && "
        "python -m pip install opencv-contrib-python"
    )
    headless = opencv_qt.clash_message({"opencv-python-headless": "5", "opencv-contrib-python-headless": "5"})
    assert headless.endswith("python -m pip install opencv-python-headless")


def test_this_environment_has_one_opencv():
    dists = opencv_qt.opencv_distributions()
    assert len(dists) == 1, dists


def test_variables_pointing_into_cv2_are_removed(tmp_path, monkeypatch, caplog):
    import cv2

    cv2_dir = Path(cv2.__file__).resolve().parent
    monkeypatch.setenv("QT_QPA_PLATFORM_PLUGIN_PATH", str(cv2_dir / "qt" / "plugins"))
    monkeypatch.setenv("QT_QPA_FONTDIR", str(tmp_path))  # the user's own: kept
    monkeypatch.setattr(opencv_qt, "opencv_distributions", lambda: {"opencv-python": "1", "opencv-python-headless": "1"})
    with caplog.at_level(logging.ERROR, logger="app.opencv_qt"):
        opencv_qt.prepare_for_qt()
    import os

    assert "QT_QPA_PLATFORM_PLUGIN_PATH" not in os.environ
    assert os.environ["QT_QPA_FONTDIR"] == str(tmp_path)
    assert "more than one OpenCV is installed" in caplog.text

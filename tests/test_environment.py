"""The environment keeps only headless OpenCV: the GUI wheels bundle Qt5 and break PySide6
(shared models.md 1.7), and mediapipe's declared dependency would pull one in."""

from __future__ import annotations

import importlib.metadata

import pytest


@pytest.mark.parametrize("dist", ["opencv-python", "opencv-contrib-python"])
def test_no_gui_opencv_installed(dist):
    try:
        version = importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return
    pytest.fail(f"{dist} {version} is installed; it bundles Qt5 and breaks PySide6 — use opencv-python-headless")


def test_headless_opencv_imports_next_to_pyside6():
    import cv2
    from PySide6 import QtCore

    assert cv2.__version__ and QtCore.qVersion()

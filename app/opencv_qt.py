"""OpenCV next to PySide6: detect clashing OpenCV wheels and undo the GUI build's Qt settings.

``pip install kirie`` pulls ``mediapipe==1.2.2``, whose wheel requires ``opencv-contrib-python``: the GUI
build of OpenCV. Its ``cv2/__init__.py`` sets ``QT_QPA_PLATFORM_PLUGIN_PATH`` and ``QT_QPA_FONTDIR`` to
the Qt5 plugins and the few fonts bundled in ``cv2/qt`` when it is imported; PySide6 (Qt6) would then
look for its platform plugin among Qt5's and draw text with cv2's fonts only. :func:`prepare_for_qt`
imports cv2 first and removes what it set, before the ``QApplication`` exists (cv2 sets them once, at
its first import). The bundled Qt5 libraries
themselves coexist with Qt6 in one process (distinct sonames and versioned symbols).

What cannot be repaired at run time is two OpenCV distributions at once (e.g. ``opencv-python-headless``
and ``opencv-contrib-python``): they write the same ``cv2/`` files over each other, and uninstalling
one breaks the other. :func:`opencv_distributions` finds that, and :func:`clash_message` says exactly
which commands fix it. Shared docs/models.md 1.7 has the background.
"""

from __future__ import annotations

import importlib.metadata
import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

OPENCV_DISTS = ("opencv-python", "opencv-contrib-python", "opencv-python-headless", "opencv-contrib-python-headless")
"""Every PyPI distribution that installs a top-level ``cv2`` package."""

QT_VARS = ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR")
"""What the GUI builds' ``cv2/__init__.py`` sets on Linux."""


def opencv_distributions() -> dict[str, str]:
    """Installed OpenCV distributions, name -> version (empty when none is installed)."""
    found = {}
    for name in OPENCV_DISTS:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return found


def clash_message(dists: dict[str, str]) -> str | None:
    """The fix for more than one OpenCV distribution in ``dists``, or None when there is no clash.

    The commands keep ``opencv-contrib-python`` (what mediapipe requires, so ``pip check`` stays quiet)
    unless only headless builds are present, in which case they keep ``opencv-python-headless``.
    """
    if len(dists) < 2:
        return None
    keep = "opencv-contrib-python" if any(not d.endswith("-headless") for d in dists) else "opencv-python-headless"
    listed = ", ".join(f"{n} {v}" for n, v in sorted(dists.items()))
    return (
        f"more than one OpenCV is installed ({listed}); they overwrite each other's cv2 files. Fix: "
        f"python -m pip uninstall -y {' '.join(sorted(dists))} && python -m pip install {keep}"
    )


def prepare_for_qt() -> None:
    """Import cv2 and drop the Qt variables that point into cv2's own folder (set by its GUI build).

    Call before the ``QApplication`` is created. Logs :func:`clash_message` as an error when OpenCV
    distributions clash, and a warning when cv2 cannot be imported at all (the editor still opens;
    generation will report the missing module).
    """
    message = clash_message(opencv_distributions())
    if message:
        log.error("%s", message)
    try:
        import cv2
    except ImportError as exc:
        log.warning("OpenCV (cv2) cannot be imported: %s. Reinstall Kirie: python -m pip install --force-reinstall kirie", exc)
        return
    cv2_dir = Path(cv2.__file__).resolve().parent
    for var in QT_VARS:
        value = os.environ.get(var)
        if value and Path(value).resolve().is_relative_to(cv2_dir):
            del os.environ[var]
            log.debug("removed %s=%s set by OpenCV's GUI build", var, value)

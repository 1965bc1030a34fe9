"""Camera discovery, the video/motion file dialogs and the preview image (landmarks drawn) of the Tracking dock."""

from __future__ import annotations

import logging
import sys
import threading
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

log = logging.getLogger(__name__)

PREVIEW_MAX_WIDTH_PX = 360
PROBE_INDICES = tuple(range(5))
VIDEO_FILTER = "Videos (*.mp4 *.avi *.mov *.mkv *.webm *.m4v);;All files (*)"
MOTION_FILTER = "Cubism motions (*.motion3.json)"


def draw_landmarks(rgb: np.ndarray, landmarks: np.ndarray | None, mirror: bool,
                   max_width_px: int = PREVIEW_MAX_WIDTH_PX) -> np.ndarray:
    """A preview image: ``rgb`` scaled to at most ``max_width_px`` wide, landmarks as green dots.

    Parameters
    ----------
    rgb : (H, W, 3) uint8 ndarray
        The frame as the source delivered it.
    landmarks : (N, 3) float ndarray or None
        Normalised x, y in [0, 1] of the frame (origin top-left, +y down), as FaceLandmarker gives them.
    mirror : bool
        Flip the picture and the dots left-right (the selfie view the mapper's mirror option assumes).

    Returns
    -------
    (h, w, 3) uint8 ndarray, C-contiguous
    """
    import cv2

    h, w = rgb.shape[:2]
    scale = min(1.0, max_width_px / max(w, 1))
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    out = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA) if scale < 1.0 else rgb.copy()
    if mirror:
        out = out[:, ::-1]
    out = np.ascontiguousarray(out)
    if landmarks is not None and len(landmarks):
        xy = np.asarray(landmarks, np.float32)[:, :2] * np.array(size, np.float32)
        if mirror:
            xy[:, 0] = size[0] - xy[:, 0]
        px = np.clip(np.round(xy).astype(np.int32), 0, np.array(size) - 2)
        for dx, dy in ((0, 0), (1, 0), (0, 1), (1, 1)):  # 2x2 dots
            out[px[:, 1] + dy, px[:, 0] + dx] = (40, 255, 90)
    return out


def probe_cameras(indices=PROBE_INDICES) -> list[int]:
    """Camera indices that OpenCV can open (each is opened and released again).

    On Linux an index without a ``/dev/video<i>`` device is skipped without asking OpenCV.
    """
    import cv2

    found = []
    linux = sys.platform.startswith("linux")
    for i in indices:
        if linux and not Path(f"/dev/video{i}").exists():
            continue
        cap = cv2.VideoCapture(int(i))
        try:
            if cap.isOpened():
                found.append(int(i))
        finally:
            cap.release()
    return found


class CameraProbe(QObject):
    """Probes :data:`PROBE_INDICES` on a daemon thread; ``finished(list)`` arrives on the GUI thread."""

    finished = Signal(list)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if not self.running:
            self._thread = threading.Thread(target=self._probe, name="kirie-camera-probe", daemon=True)
            self._thread.start()

    def _probe(self) -> None:
        try:
            found = probe_cameras()
        except Exception as exc:  # noqa: BLE001 - a broken driver must not take the dock down
            log.warning("camera probe failed: %s", exc)
            found = []
        try:
            self.finished.emit(found)
        except RuntimeError:  # the dock was deleted meanwhile
            pass


class TrackingDialogs:
    """The Tracking dock's file dialogs (tests replace ``TrackingPanel.dialogs`` with scripted answers)."""

    def __init__(self, parent: QWidget) -> None:
        self.parent = parent

    def open_video_path(self, folder: str) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self.parent, "Track a video file", folder, VIDEO_FILTER)
        return path or None

    def save_motion_path(self, suggested: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self.parent, "Save recorded motion", suggested, MOTION_FILTER)
        if path and not path.endswith(".motion3.json"):
            path += ".motion3.json"
        return path or None

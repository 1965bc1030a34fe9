"""Persistent Tracking dock settings (QSettings group ``tracking/``): source, smoothing, mirror, link eyes,
mapping ranges and the camera calibration. Same store and base as :class:`app.settings.EditorSettings`."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from app.settings import SettingsGroup, as_bool

log = logging.getLogger(__name__)
DEFAULT_SMOOTHING = 0.5


class TrackingSettings(SettingsGroup):
    """Typed access to the tracking keys (group ``tracking/``) of the editor's QSettings.

    Parameters
    ----------
    settings : QSettings, optional
        The store; ``QSettings("Kirie", "Kirie")`` when None (tests pass an INI file of their own).
    """

    group = "tracking/"

    # ---------------------------------------------------------------- source
    def source(self) -> int | str:
        """The last source: a camera index (int) or a video path (str); camera 0 at first."""
        value = str(self._get("source", "0"))
        return int(value) if value.strip().isdigit() else value

    def set_source(self, spec: int | str) -> None:
        self._set("source", str(spec))
        if not str(spec).strip().isdigit():
            self._set("video_folder", str(Path(spec).parent))

    def video_folder(self) -> str:
        return str(self._get("video_folder", str(Path.home())))

    def motion_folder(self) -> str | None:
        """The folder the last recorded motion was saved in, if it still exists (else None)."""
        value = self._get("motion_folder", None)
        return str(value) if value and Path(str(value)).is_dir() else None

    def set_motion_folder(self, path: str | Path) -> None:
        self._set("motion_folder", str(Path(path).parent))

    # ---------------------------------------------------------------- mapper options
    def smoothing(self) -> float:
        try:
            return min(max(float(self._get("smoothing", DEFAULT_SMOOTHING)), 0.0), 1.0)
        except (TypeError, ValueError):
            return DEFAULT_SMOOTHING

    def set_smoothing(self, value: float) -> None:
        self._set("smoothing", float(value))

    def mirror(self) -> bool:
        return as_bool(self._get("mirror", False))

    def set_mirror(self, on: bool) -> None:
        self._set("mirror", bool(on))

    def link_eyes(self) -> bool:
        return as_bool(self._get("link_eyes", False))

    def set_link_eyes(self, on: bool) -> None:
        self._set("link_eyes", bool(on))

    # ---------------------------------------------------------------- JSON values
    def _json(self, key: str):
        text = self._get(key, "")
        if not text:
            return None
        try:
            return json.loads(str(text))
        except ValueError:
            log.warning("ignoring unreadable tracking setting %s", key)
            return None

    def ranges(self) -> dict[str, dict[str, float]]:
        """``{parameter id: {"in_min", "in_max", "out_min", "out_max"}}`` edited by the user."""
        data = self._json("ranges")
        return data if isinstance(data, dict) else {}

    def set_ranges(self, ranges: dict[str, dict[str, float]]) -> None:
        self._set("ranges", json.dumps(ranges, sort_keys=True))

    def calibration(self) -> dict | None:
        """The last camera calibration (``Calibration.to_dict()``), or None."""
        data = self._json("calibration")
        return data if isinstance(data, dict) else None

    def set_calibration(self, data: dict) -> None:
        self._set("calibration", json.dumps(data))

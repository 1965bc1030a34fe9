"""Persistent editor settings (QSettings): recent files, last folders, autosave interval, window layout."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

ORGANIZATION = "Kirie"
APPLICATION = "Kirie"
MAX_RECENT = 10
DEFAULT_AUTOSAVE_S = 60


class EditorSettings:
    """Typed access to the editor's QSettings.

    Parameters
    ----------
    settings : QSettings, optional
        The store; ``QSettings("Kirie", "Kirie")`` when None (tests pass an INI file of their own).
    """

    def __init__(self, settings: QSettings | None = None) -> None:
        self.qsettings = settings if settings is not None else QSettings(ORGANIZATION, APPLICATION)

    # ---------------------------------------------------------------- recent files
    def recent_files(self) -> list[str]:
        value = self.qsettings.value("recent_files", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or []) if v]

    def add_recent(self, path: str | Path) -> list[str]:
        """Put ``path`` first in the recent list (deduplicated, at most MAX_RECENT); return the list."""
        path = str(Path(path).resolve())
        files = [path] + [p for p in self.recent_files() if p != path]
        files = files[:MAX_RECENT]
        self.qsettings.setValue("recent_files", files)
        return files

    def remove_recent(self, path: str) -> None:
        self.qsettings.setValue("recent_files", [p for p in self.recent_files() if p != path])

    # ---------------------------------------------------------------- folders
    def last_folder(self, kind: str) -> str:
        """Last folder used for ``kind`` ("project" or "image"); the home folder at first."""
        return str(self.qsettings.value(f"last_folder/{kind}", str(Path.home())))

    def set_last_folder(self, kind: str, path: str | Path) -> None:
        p = Path(path)
        self.qsettings.setValue(f"last_folder/{kind}", str(p if p.is_dir() else p.parent))

    # ---------------------------------------------------------------- autosave
    def autosave_interval_s(self) -> int:
        try:
            return max(5, int(self.qsettings.value("autosave_interval_s", DEFAULT_AUTOSAVE_S)))
        except (TypeError, ValueError):
            return DEFAULT_AUTOSAVE_S

    # ---------------------------------------------------------------- window
    def window_state(self) -> tuple[QByteArray | None, QByteArray | None]:
        """(geometry, dock state) saved by :meth:`save_window_state`, or Nones."""
        return self.qsettings.value("window/geometry"), self.qsettings.value("window/state")

    def save_window_state(self, geometry: QByteArray, state: QByteArray) -> None:
        self.qsettings.setValue("window/geometry", geometry)
        self.qsettings.setValue("window/state", state)

    def view_flag(self, name: str, default: bool) -> bool:
        value = self.qsettings.value(f"view/{name}", default)
        return value in (True, "true", "1", 1)

    def set_view_flag(self, name: str, value: bool) -> None:
        self.qsettings.setValue(f"view/{name}", bool(value))

    def sync(self) -> None:
        self.qsettings.sync()

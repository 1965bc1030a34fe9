"""Persistent editor settings (QSettings): recent files, last folders, autosave interval, window layout."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

ORGANIZATION = "Kirie"
APPLICATION = "Kirie"
MAX_RECENT = 10
DEFAULT_AUTOSAVE_S = 60


def as_bool(value) -> bool:
    """A QSettings value read back as a bool (INI files give strings)."""
    return value in (True, "true", "1", 1)


class SettingsGroup:
    """Typed access to one group of keys of the editor's QSettings (the base of every settings class).

    Parameters
    ----------
    settings : QSettings, optional
        The store; ``QSettings("Kirie", "Kirie")`` when None (tests pass an INI file of their own).

    Attributes
    ----------
    qsettings : QSettings
    group : str
        Key prefix of this class ("" for the editor's own keys, "tracking/" ...).
    """

    group = ""

    def __init__(self, settings: QSettings | None = None) -> None:
        self.qsettings = settings if settings is not None else QSettings(ORGANIZATION, APPLICATION)

    def _get(self, key: str, default=None):
        return self.qsettings.value(f"{self.group}{key}", default)

    def _set(self, key: str, value) -> None:
        self.qsettings.setValue(f"{self.group}{key}", value)

    def sync(self) -> None:
        self.qsettings.sync()


class EditorSettings(SettingsGroup):
    """Typed access to the editor's QSettings (recent files, folders, autosave, window, view flags)."""

    # ---------------------------------------------------------------- recent files
    def recent_files(self) -> list[str]:
        value = self._get("recent_files", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or []) if v]

    def add_recent(self, path: str | Path) -> list[str]:
        """Put ``path`` first in the recent list (deduplicated, at most MAX_RECENT); return the list."""
        path = str(Path(path).resolve())
        files = [path] + [p for p in self.recent_files() if p != path]
        files = files[:MAX_RECENT]
        self._set("recent_files", files)
        return files

    def remove_recent(self, path: str) -> None:
        self._set("recent_files", [p for p in self.recent_files() if p != path])

    def clear_recent(self) -> None:
        self._set("recent_files", [])

    # ---------------------------------------------------------------- folders
    def last_folder(self, kind: str) -> str:
        """Last folder used for ``kind`` ("project" or "image"); the home folder at first."""
        return str(self._get(f"last_folder/{kind}", str(Path.home())))

    def remembered_folder(self, kind: str) -> str | None:
        """The last folder used for ``kind`` if one was remembered and still exists, else None."""
        value = self._get(f"last_folder/{kind}", None)
        return str(value) if value and Path(str(value)).is_dir() else None

    def set_last_folder(self, kind: str, path: str | Path) -> None:
        p = Path(path)
        self._set(f"last_folder/{kind}", str(p if p.is_dir() else p.parent))

    # ---------------------------------------------------------------- autosave
    def autosave_interval_s(self) -> int:
        try:
            return max(5, int(self._get("autosave_interval_s", DEFAULT_AUTOSAVE_S)))
        except (TypeError, ValueError):
            return DEFAULT_AUTOSAVE_S

    # ---------------------------------------------------------------- window
    def window_state(self) -> tuple[QByteArray | None, QByteArray | None]:
        """(geometry, dock state) saved by :meth:`save_window_state`, or Nones."""
        return self._get("window/geometry"), self._get("window/state")

    def save_window_state(self, geometry: QByteArray, state: QByteArray) -> None:
        self._set("window/geometry", geometry)
        self._set("window/state", state)

    def view_flag(self, name: str, default: bool) -> bool:
        return as_bool(self._get(f"view/{name}", default))

    def set_view_flag(self, name: str, value: bool) -> None:
        self._set(f"view/{name}", bool(value))

"""Opening, saving, recent files, autosave and crash recovery of the window's project.

``ProjectFiles`` knows the current file path and talks to :mod:`rig.formats.project`. Saving marks
the history clean; a dirty document is written every ``autosave_interval_s`` to
:func:`rig.formats.project.autosave_path` (the recovery copy is deleted after a real save and on a
clean close). Opening a project whose recovery copy is newer than the file offers to recover it.
"""

from __future__ import annotations

import logging
import os
import traceback
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from app.bridge import DocumentBridge
from app.editor.dialogs import Dialogs
from app.settings import EditorSettings
from rig.document import Document
from rig.errors import RigError
from rig.formats.project import autosave_path, load_project, save_project

log = logging.getLogger(__name__)
UNTITLED = "Untitled"


class ProjectFiles(QObject):
    """File state of one editor window.

    Parameters
    ----------
    bridge : DocumentBridge
    settings : EditorSettings
    dialogs : callable returning Dialogs
        Looked up at each use, so a test can swap the window's dialogs.

    Signals
    -------
    path_changed()
        :attr:`path` or :attr:`display_name` changed (update the title).
    recent_changed(list)
        The recent-files list changed.
    """

    path_changed = Signal()
    recent_changed = Signal(list)

    def __init__(self, bridge: DocumentBridge, settings: EditorSettings, dialogs, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.bridge, self.settings, self._dialogs = bridge, settings, dialogs
        self.path: Path | None = None
        self.display_name = UNTITLED
        self.autosaves = 0
        self._recovered = False
        self._autosaved_revision: object = None
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.autosave)
        self.timer.start(settings.autosave_interval_s() * 1000)

    @property
    def dialogs(self) -> Dialogs:
        return self._dialogs()

    def set_untitled(self, name: str = UNTITLED) -> None:
        self.path, self.display_name = None, name
        self.path_changed.emit()

    # ---------------------------------------------------------------- open
    def open(self, path: str | Path) -> bool:
        """Load ``path`` into a new document (offering a newer recovery copy); False on failure."""
        path = Path(path)
        source, recovered = path, False
        recovery = autosave_path(path)
        if recovery.exists() and (not path.exists() or recovery.stat().st_mtime > path.stat().st_mtime):
            if self.dialogs.ask_recover(path.name, str(recovery)):
                source, recovered = recovery, True
        try:
            project = load_project(source)
            document = Document(project.rig, editor_meta=project.editor_meta)
        except (RigError, OSError, MemoryError) as exc:
            log.error("cannot open %s: %s", source, exc)
            self.dialogs.error("Cannot open project", f"{source.name} could not be opened.", str(exc) or "out of memory")
            self.settings.remove_recent(str(path.resolve()))
            self.recent_changed.emit(self.settings.recent_files())
            return False
        except Exception as exc:  # noqa: BLE001 - a bug in reading must not take the editor down
            log.exception("cannot open %s", source)
            self.dialogs.error("Cannot open project", f"{source.name} could not be opened ({type(exc).__name__}: "
                               f"{exc}).", traceback.format_exc())  # fmt: skip
            self.settings.remove_recent(str(path.resolve()))
            self.recent_changed.emit(self.settings.recent_files())
            return False
        self.bridge.set_document(document)
        self.path, self.display_name = path, path.name
        self._recovered = recovered  # recovered work is not on disk yet: modified until saved
        self._remember(path)
        self.path_changed.emit()
        log.info("opened %s%s", path, " (recovered autosave)" if recovered else "")
        return True

    def offer_untitled_recovery(self) -> bool:
        """At start-up without a project: offer the autosave of an unsaved document, if any."""
        recovery = autosave_path(UNTITLED)
        if not recovery.exists() or not self.dialogs.ask_recover(UNTITLED, str(recovery)):
            return False
        try:
            project = load_project(recovery)
        except Exception as exc:  # noqa: BLE001 - a broken recovery file must not stop start-up
            log.error("cannot read the recovery file %s: %s", recovery, exc)
            return False
        self.bridge.set_document(Document(project.rig, editor_meta=project.editor_meta))
        self._recovered = True
        self.set_untitled(f"{UNTITLED} (recovered)")
        return True

    @property
    def is_modified(self) -> bool:
        return not self.bridge.is_clean or self._recovered

    # ---------------------------------------------------------------- save
    def save(self) -> bool:
        """Save to the current path (Save As when untitled); False when cancelled or failed."""
        if self.path is None:
            return self.save_as()
        return self.save_to(self.path)

    def save_as(self, path: str | Path | None = None) -> bool:
        if path is None:
            folder = Path(self.settings.last_folder("project"))
            stem = Path(self.display_name).stem.replace(" (recovered)", "")
            path = self.dialogs.save_project_path(str(folder / f"{stem}.kirie"))
            if path is None:
                return False
        return self.save_to(Path(path))

    def save_to(self, path: Path) -> bool:
        doc = self.bridge.document
        try:
            save_project(path, doc.rig, doc.editor_meta)
        except (RigError, OSError) as exc:
            log.error("cannot save %s: %s", path, exc)
            self.dialogs.error("Cannot save project", f"{path.name} could not be saved.", str(exc))
            return False
        old_recovery = self._recovery_path()
        self.path, self.display_name = path, path.name
        self._recovered = False
        doc.history.mark_clean()
        self._remove(old_recovery)
        self._remove(self._recovery_path())
        self._remember(path)
        self.path_changed.emit()
        log.info("saved %s", path)
        return True

    def maybe_save(self) -> bool:
        """Before discarding the document: True to go on (saved or discarded), False to cancel."""
        if not self.is_modified:
            return True
        answer = self.dialogs.ask_unsaved(self.display_name)
        if answer == "save":
            return self.save()
        return answer == "discard"

    # ---------------------------------------------------------------- autosave
    def _recovery_path(self) -> Path:
        """The autosave target: per saved file, one shared slot for unsaved documents."""
        return autosave_path(self.path if self.path is not None else UNTITLED)

    def autosave(self) -> Path | None:
        """Write the recovery copy if the document changed since the last autosave; return its path."""
        doc = self.bridge.document
        revision = (id(doc), doc.history.undo_count, doc.history.undo_label, id(doc.rig))
        if self.bridge.is_clean or revision == self._autosaved_revision:
            return None
        target = self._recovery_path()
        try:
            save_project(target, doc.rig, doc.editor_meta)
        except (RigError, OSError) as exc:
            log.warning("autosave to %s failed: %s", target, exc)
            return None
        self._autosaved_revision = revision
        self.autosaves += 1
        log.debug("autosaved to %s", target)
        return target

    def discard_recovery(self) -> None:
        """Delete the recovery copy (the user saved or deliberately discarded the changes)."""
        self._remove(self._recovery_path())

    @staticmethod
    def _remove(path: Path) -> None:
        try:
            os.remove(path)
        except FileNotFoundError:
            pass
        except OSError as exc:
            log.warning("cannot remove %s: %s", path, exc)

    def _remember(self, path: Path) -> None:
        self.settings.set_last_folder("project", path)
        self.recent_changed.emit(self.settings.add_recent(path))

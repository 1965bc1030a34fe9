"""The Document: one rig being edited, its undo history and editor-only metadata."""

from __future__ import annotations

from typing import Any

from psygnal import Signal

from rig.document.change import Change
from rig.document.history import Command, History
from rig.model import Rig


class Document:
    """A rig under edit. Only commands (through :attr:`history`) change :attr:`rig`.

    Parameters
    ----------
    rig : Rig
        The rig to edit; it is validated here (``Rig.validate``) and owned by the document from now on.
    history_limit : int or None
        Undo depth (see :class:`~rig.document.history.History`).
    editor_meta : dict, optional
        Editor-only metadata (PSD layer path, folding state, colour tags, keyed by object id or
        anything else). Saved with the ``.kirie`` project, never written by exporters, and not
        part of the undo history.

    Raises
    ------
    ValidationError, KeyformMismatchError
        If ``rig`` is not valid.

    Events
    ------
    changed : Signal(Change)
        Emitted after every push, undo and redo step (and rolled-back macro commands) with what
        the step changed. ``app.bridge.DocumentBridge`` relays it to Qt.
    """

    changed = Signal(Change)

    def __init__(
        self, rig: Rig, *, history_limit: int | None = 100, editor_meta: dict[str, Any] | None = None
    ) -> None:
        rig.validate()
        self._rig = rig
        self.editor_meta: dict[str, Any] = dict(editor_meta or {})
        self.history = History(self, limit=history_limit)

    @property
    def rig(self) -> Rig:
        """The rig. Read it freely; change it only by pushing commands."""
        return self._rig

    def push(self, command: Command) -> Change:
        """Shorthand for ``self.history.push(command)``."""
        return self.history.push(command)

    def _replace_rig(self, rig: Rig) -> None:
        """Swap the whole rig. For :class:`~rig.document.commands.ReplaceRig` only."""
        self._rig = rig

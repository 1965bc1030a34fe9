"""Undo history: History and LocalHistory (style.md section 3; Command lives in rig.document.command).

Qt-free, after ``glue-viz/glue : glue/core/command.py`` (a command stack that executes what it is
given) and ``QUndoStack`` semantics (``push`` executes, consecutive commands may merge, a clean index,
an undo limit). Macros group several commands into one undo step
(``biolab/orange-canvas-core : orangecanvas/document/commands.py``); local histories give a modal
editor its own undo levels that collapse into one step on exit
(``Inochi2D/inochi-creator : source/creator/core/actionstack.d``, nested levels).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from psygnal import Signal

from rig.document.change import Change
from rig.document.command import Command, CompoundCommand

if TYPE_CHECKING:
    from rig.document.document import Document


@dataclass(slots=True)
class _Level:
    """One history level: the root, or a local history opened by :meth:`History.local`."""

    undo: list[Command] = field(default_factory=list)
    redo: list[Command] = field(default_factory=list)
    groups: list[list[Command]] = field(default_factory=list)  # open macros, innermost last
    barrier: bool = True  # when True the next push does not merge with the top command
    discarded: bool = False

    def dirty(self) -> bool:
        """True when this level holds executed commands not yet recorded below it."""
        return bool(self.undo) or any(self.groups)


class History:
    """The undo/redo stacks of one document.

    Parameters
    ----------
    document : Document
        Whose rig the commands edit; ``document.changed`` is emitted with each step's Change.
    limit : int or None
        Most undo steps kept (oldest dropped first); None for no limit.

    Events
    ------
    changed : Signal()
        The stacks changed (push, undo, redo, macro or local closed, clean marker): refresh the
        Undo/Redo actions from :attr:`can_undo`, :attr:`undo_label` ...
    clean_changed : Signal(bool)
        :attr:`is_clean` flipped (title-bar "modified" marker).

    Notes
    -----
    While a local history is open (:meth:`local`) every call here (push, undo, redo, macro,
    can_undo, labels) acts on that innermost level.
    """

    changed = Signal()
    clean_changed = Signal(bool)

    def __init__(self, document: Document, limit: int | None = 100) -> None:
        if limit is not None and limit < 1:
            raise ValueError(f"history limit must be >= 1 or None, got {limit}")
        self._document = document
        self._limit = limit
        self._levels: list[_Level] = [_Level()]
        self._clean_index: int | None = 0
        self._was_clean = True

    # ----------------------------------------------------------------- queries
    @property
    def _top(self) -> _Level:
        return self._levels[-1]

    @property
    def limit(self) -> int | None:
        return self._limit

    @property
    def can_undo(self) -> bool:
        return bool(self._top.undo) and not self._top.groups

    @property
    def can_redo(self) -> bool:
        return bool(self._top.redo) and not self._top.groups

    @property
    def undo_label(self) -> str | None:
        """Label of the step :meth:`undo` would revert, or None."""
        return self._top.undo[-1].label if self._top.undo else None

    @property
    def redo_label(self) -> str | None:
        return self._top.redo[-1].label if self._top.redo else None

    @property
    def undo_count(self) -> int:
        """Undo steps on the current level."""
        return len(self._top.undo)

    @property
    def redo_count(self) -> int:
        return len(self._top.redo)

    @property
    def in_macro(self) -> bool:
        return bool(self._top.groups)

    @property
    def in_local(self) -> bool:
        return len(self._levels) > 1

    @property
    def is_clean(self) -> bool:
        """True when the rig is in the state last marked with :meth:`mark_clean` (e.g. saved)."""
        root = self._levels[0]
        if any(root.groups) or any(level.dirty() for level in self._levels[1:]):
            return False
        return self._clean_index == len(root.undo)

    # ---------------------------------------------------------------- editing
    def push(self, command: Command) -> Change:
        """Execute ``command`` and record it (merged into the previous step when it agrees).

        Returns
        -------
        Change
            What ``command.do`` reported (also emitted through ``document.changed``).

        Raises
        ------
        RuntimeError
            If the current local history was discarded.
        Exception
            Whatever ``command.do`` raises; nothing is recorded then.
        """
        level = self._top
        if level.discarded:
            raise RuntimeError("this local history was discarded; close its `with` block")
        change = command.do(self._document)
        self._emit(change)
        self._record(level, command, allow_merge=True)
        return change

    def undo(self) -> Change | None:
        """Revert the last step of the current level; None when there is nothing to undo.

        Raises
        ------
        RuntimeError
            Inside an open macro.
        """
        level = self._top
        if level.groups:
            raise RuntimeError("cannot undo while a macro is open")
        if not level.undo:
            return None
        command = level.undo.pop()
        try:
            change = command.undo(self._document)
        except BaseException:
            level.undo.append(command)
            raise
        level.redo.append(command)
        level.barrier = True
        self._emit(change)
        self._notify()
        return change

    def redo(self) -> Change | None:
        """Re-apply the last undone step of the current level; None when there is none."""
        level = self._top
        if level.groups:
            raise RuntimeError("cannot redo while a macro is open")
        if not level.redo:
            return None
        command = level.redo.pop()
        try:
            change = command.do(self._document)
        except BaseException:
            level.redo.append(command)
            raise
        level.undo.append(command)
        level.barrier = True
        self._emit(change)
        self._notify()
        return change

    def seal(self) -> None:
        """Stop the next push from merging into the current top step (e.g. a new gesture began)."""
        self._top.barrier = True

    def mark_clean(self) -> None:
        """Declare the current state clean (call after saving)."""
        if self.in_local or self.in_macro:
            raise RuntimeError("cannot mark clean while a macro or local history is open")
        self._clean_index = len(self._levels[0].undo)
        self._levels[0].barrier = True
        self._notify()

    def clear(self) -> None:
        """Forget every step and mark the current state clean."""
        if self.in_local or self.in_macro:
            raise RuntimeError("cannot clear while a macro or local history is open")
        self._levels = [_Level()]
        self._clean_index = 0
        self._notify()

    def set_limit(self, limit: int | None) -> None:
        """Change the undo limit, dropping the oldest steps beyond it."""
        if limit is not None and limit < 1:
            raise ValueError(f"history limit must be >= 1 or None, got {limit}")
        self._limit = limit
        for level in self._levels:
            self._trim(level)
        self._notify()

    # ----------------------------------------------------------------- macros
    @contextmanager
    def macro(self, label: str) -> Iterator[None]:
        """Group the commands pushed inside the block into one undo step named ``label``.

        Macros nest (an inner macro becomes one child of the outer). If the block raises, the
        commands it pushed are undone (newest first) and the exception propagates; nothing is
        recorded. An empty macro records nothing.
        """
        level = self._top
        level.groups.append([])
        try:
            yield
        except BaseException:
            self._rollback(level.groups.pop())
            self._notify()
            raise
        commands = level.groups.pop()
        if commands:
            self._record(level, CompoundCommand(label, commands), allow_merge=False)
            level.barrier = True
        else:
            self._notify()

    @contextmanager
    def local(self, label: str) -> Iterator[LocalHistory]:
        """Open a nested history level for a modal editor (mesh topology editing).

        Commands pushed while the level is open (through the yielded handle or this History)
        execute at once and can be undone/redone one by one inside the level. On a normal exit
        the level's executed commands are committed to the parent level as one
        :class:`CompoundCommand` named ``label`` (nothing when empty). On an exception, or after
        :meth:`LocalHistory.discard`, they are undone and nothing is committed.
        """
        level = _Level()
        self._levels.append(level)
        handle = LocalHistory(self, level, label)
        self._notify()
        try:
            yield handle
        except BaseException:
            self._close_local(level)
            self._rollback(level.undo)
            self._notify()
            raise
        self._close_local(level)
        if level.undo and not level.discarded:
            parent = self._top
            self._record(parent, CompoundCommand(label, level.undo), allow_merge=False)
            parent.barrier = True
        else:
            self._notify()

    # --------------------------------------------------------------- internals
    def _close_local(self, level: _Level) -> None:
        if self._levels[-1] is not level:
            raise RuntimeError("local histories must close innermost first")
        self._levels.pop()

    def _discard(self, level: _Level) -> None:
        if self._top is not level or level.groups:
            raise RuntimeError("discard the innermost local history outside any macro")
        self._rollback(level.undo)
        level.undo.clear()
        level.redo.clear()
        level.discarded = True
        self._notify()

    def _record(self, level: _Level, command: Command, allow_merge: bool) -> None:
        """Record an already executed ``command`` on ``level`` (or its innermost open macro)."""
        self._drop_redo(level)
        if level.groups:
            group = level.groups[-1]
            if not (allow_merge and group and group[-1].merge(command)):
                group.append(command)
        elif not (allow_merge and self._may_merge(level) and level.undo[-1].merge(command)):
            level.undo.append(command)
            self._trim(level)
        level.barrier = False
        self._notify()

    def _may_merge(self, level: _Level) -> bool:
        if level.barrier or not level.undo:
            return False
        # merging into the clean step would leave is_clean True for a changed rig
        return not (level is self._levels[0] and self._clean_index == len(level.undo))

    def _drop_redo(self, level: _Level) -> None:
        if level is self._levels[0] and self._clean_index is not None and self._clean_index > len(level.undo):
            self._clean_index = None  # the clean state was in the redo stack: unreachable now
        level.redo.clear()

    def _trim(self, level: _Level) -> None:
        if self._limit is None:
            return
        excess = len(level.undo) - self._limit
        if excess <= 0:
            return
        del level.undo[:excess]
        if level is self._levels[0] and self._clean_index is not None:
            self._clean_index = self._clean_index - excess if self._clean_index >= excess else None

    def _rollback(self, commands: Sequence[Command]) -> None:
        for command in reversed(commands):
            self._emit(command.undo(self._document))

    def _emit(self, change: Change) -> None:
        self._document.changed.emit(change)

    def _notify(self) -> None:
        self.changed.emit()
        clean = self.is_clean
        if clean != self._was_clean:
            self._was_clean = clean
            self.clean_changed.emit(clean)


class LocalHistory:
    """Handle of a local history level opened by :meth:`History.local`.

    ``push``, ``undo``, ``redo`` and ``macro`` act on this level (which must be the innermost);
    :meth:`discard` undoes everything pushed here and ends the level's editing.
    """

    def __init__(self, history: History, level: _Level, label: str) -> None:
        self._history = history
        self._level = level
        self.label = label

    def _check(self) -> History:
        if self._history._top is not self._level:
            raise RuntimeError(f"local history {self.label!r} is closed or not the innermost level")
        return self._history

    def push(self, command: Command) -> Change:
        return self._check().push(command)

    def undo(self) -> Change | None:
        return self._check().undo()

    def redo(self) -> Change | None:
        return self._check().redo()

    def macro(self, label: str):
        return self._check().macro(label)

    def discard(self) -> None:
        """Undo every command of this level; the block's exit then commits nothing."""
        self._check()._discard(self._level)

    @property
    def discarded(self) -> bool:
        return self._level.discarded

    @property
    def can_undo(self) -> bool:
        return bool(self._level.undo) and not self._level.groups

    @property
    def can_redo(self) -> bool:
        return bool(self._level.redo) and not self._level.groups

    @property
    def undo_label(self) -> str | None:
        return self._level.undo[-1].label if self._level.undo else None

    @property
    def redo_label(self) -> str | None:
        return self._level.redo[-1].label if self._level.redo else None

    @property
    def commands(self) -> tuple[Command, ...]:
        """The executed commands that a normal exit would commit, oldest first."""
        return tuple(self._level.undo)

"""DocumentBridge: the one place where the rig's psygnal events become Qt signals (style.md section 4).

The rig side (``rig.document``) is Qt-free and emits psygnal events; widgets listen to Qt signals
only. The bridge owns the *session* of one editor window: the :class:`~rig.document.Document`, the
current :class:`~rig.drive.ParameterValues` (slider positions, never in the history), the one
:class:`~rig.drive.ValueStack` that drives them (preview, tracking, physics; the bridge owns and stops it)
and the :class:`~rig.document.EditorState` (selection, edit mode). Opening another project swaps the
document, values and state with :meth:`DocumentBridge.set_document`, which emits
:attr:`DocumentBridge.document_replaced`; the value stack keeps running on the new values.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from PySide6.QtCore import QObject, Signal

from rig.document import Change, Document, EditorState
from rig.drive import ParameterValues, ValueStack
from rig.errors import RigError
from rig.model import Rig

log = logging.getLogger(__name__)


def empty_rig(width_px: int = 512, height_px: int = 512) -> Rig:
    """A valid rig with nothing in it (the document of a fresh window)."""
    return Rig(width_px, height_px, "Untitled")


class DocumentBridge(QObject):
    """Relays a document's, its history's, values' and selection's events as Qt signals.

    Parameters
    ----------
    document : Document, optional
        The document to start with; an empty one when None.

    Attributes
    ----------
    document : Document
    values : ParameterValues
        Current parameter values of ``document.rig`` (follow parameter-definition changes).
    drive : ValueStack
        The one value stack over :attr:`values` (preview < tracking < physics); told about rig
        changes here; :meth:`ValueStack.stop_all` stops every source.
    state : EditorState
        Selection and edit mode (the selection is pruned after structure changes).

    Signals
    -------
    document_replaced()
        A different Document (another file, a new window state) is now :attr:`document`; rebuild.
    changed(object)
        A :class:`~rig.document.Change` from a push, undo or redo.
    history_changed()
        The undo/redo stacks changed: read :attr:`can_undo`, :attr:`undo_label` ...
    clean_changed(bool)
        The document's "saved" state flipped (True: clean).
    values_changed(dict)
        ``{parameter_id: value}`` that changed (sliders, preview, physics; not document state).
    selection_changed()
        The selected ids or the active id changed.
    message(str)
        A short note for the status bar from :meth:`apply`: why an edit was refused, or that there was
        nothing to change.
    """

    document_replaced = Signal()
    changed = Signal(object)
    history_changed = Signal()
    clean_changed = Signal(bool)
    values_changed = Signal(dict)
    selection_changed = Signal()
    message = Signal(str)

    def __init__(self, document: Document | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document: Document | None = None
        self.values: ParameterValues | None = None
        self.drive: ValueStack | None = None
        self.state = EditorState()
        self.state.selection.changed.connect(self._on_selection)
        self.state.selection.active_changed.connect(self._on_active)
        self.set_document(document or Document(empty_rig()))

    # ----------------------------------------------------------------- session
    def set_document(self, document: Document) -> None:
        """Make ``document`` the edited one: new parameter values, selection cleared, signals rewired."""
        old = self.document
        if old is not None:
            old.changed.disconnect(self._on_changed)
            old.history.changed.disconnect(self._on_history)
            old.history.clean_changed.disconnect(self._on_clean)
            if self.values is not None:
                old.changed.disconnect(self.values._follow_slot)
                self.values.changed.disconnect(self._on_values)
            old.changed.disconnect(self._prune_selection)
        self.document = document
        self.values = ParameterValues(document.rig)
        self.values.follow(document)
        self.values.changed.connect(self._on_values)
        if self.drive is None:
            self.drive = ValueStack(self.values, document.rig)
        else:
            self.drive.attach(self.values, document.rig)
        document.changed.connect(self._prune_selection)
        document.changed.connect(self._on_changed)
        document.history.changed.connect(self._on_history)
        document.history.clean_changed.connect(self._on_clean)
        self.state.selection.clear()
        self.document_replaced.emit()
        self.history_changed.emit()
        self.clean_changed.emit(document.history.is_clean)

    @property
    def rig(self) -> Rig:
        return self.document.rig

    # ----------------------------------------------------------------- history
    @property
    def can_undo(self) -> bool:
        return self.document.history.can_undo

    @property
    def can_redo(self) -> bool:
        return self.document.history.can_redo

    @property
    def undo_label(self) -> str:
        """Label of the step Undo reverts ("" when none)."""
        return self.document.history.undo_label or ""

    @property
    def redo_label(self) -> str:
        return self.document.history.redo_label or ""

    @property
    def is_clean(self) -> bool:
        return self.document.history.is_clean

    def push(self, command) -> Change:
        """Push ``command`` onto the document's history (executes it)."""
        return self.document.history.push(command)

    def apply(self, build, label: str | None = None, *, macro: bool = False, context: str = "",
              nothing: str | None = None) -> list:
        """Build and push one undo step; the one place where a refused edit is reported.

        Parameters
        ----------
        build : Command, callable, or sequence of callables
            A command; or ``build(rig) -> Command | None``; or ``build(rig)`` returning a sequence of
            step builders ``step(rig) -> Command`` (each built on the rig the previous one left); or
            such a sequence itself.
        label : str, optional
            The undo label of a multi-step edit (default: the first command's label).
        macro : bool
            Push even a single command as its own sealed macro step (it never merges with the
            previous or the next push).
        context : str
            Prefix of the refusal message ("Mesh edit refused").
        nothing : str, optional
            Message when ``build`` gives None or no steps (default: none).

        Returns
        -------
        list of Command
            The commands pushed, in order; empty when there was nothing to do or a
            :class:`~rig.errors.RigError` refused the edit (logged once and emitted as :attr:`message`;
            a refused multi-step edit is rolled back).
        """
        pushed: list = []
        try:
            steps = build(self.rig) if callable(build) else build
            if steps is None or (isinstance(steps, Sequence) and not steps):
                if nothing:
                    self.message.emit(nothing)
                return []
            if not isinstance(steps, Sequence):
                if not macro:
                    self.push(steps)
                    return [steps]
                steps = [steps]
            pushed = self._push_steps(steps, label)
        except RigError as exc:
            text = f"{context}: {exc}" if context else str(exc)
            log.error("%s", text)
            self.message.emit(text)
            return []
        return pushed

    def _push_steps(self, steps: Sequence, label: str | None) -> list:
        """Push ``steps`` (commands or ``step(rig) -> Command``) as one sealed macro."""
        def built(step):
            return step(self.rig) if callable(step) else step

        history = self.document.history
        first = built(steps[0])
        pushed = [first]
        history.seal()
        with history.macro(label or first.label):
            self.push(first)
            for step in steps[1:]:
                pushed.append(built(step))
                self.push(pushed[-1])
        history.seal()
        return pushed

    def undo(self) -> None:
        if self.can_undo:
            self.document.history.undo()

    def redo(self) -> None:
        if self.can_redo:
            self.document.history.redo()

    # ----------------------------------------------------------------- relays
    def _on_changed(self, change: Change) -> None:
        if change.kind in ("structure", "parameter_definition"):
            self.drive.rig_changed(self.document.rig)
        self.changed.emit(change)

    def _prune_selection(self, change: Change) -> None:
        if change.kind == "structure":
            self.state.selection.prune(o.id for o in self.document.rig.objects())

    def _on_history(self) -> None:
        self.history_changed.emit()

    def _on_clean(self, clean: bool) -> None:
        self.clean_changed.emit(bool(clean))

    def _on_values(self, changed: dict) -> None:
        self.values_changed.emit(dict(changed))

    def _on_selection(self, added: frozenset, removed: frozenset) -> None:
        self.selection_changed.emit()

    def _on_active(self, active: object) -> None:
        self.selection_changed.emit()

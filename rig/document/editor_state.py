"""Qt-free editor state: the selection and the edit mode, shared by panels and the viewport.

After ``napari/napari : src/napari/utils/events/containers/_selection.py`` (a set of selected items
plus one ``active`` item, evented). Editor state is not document state: it is not undoable and
commands never read it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator

from psygnal import Signal

_KEEP = object()  # sentinel: keep the active id


class EditMode(enum.Enum):
    """What the viewport's tools edit."""

    MODEL = "model"  # select and arrange objects
    MESH = "mesh"  # edit ArtMesh topology (a local history is open)
    DEFORM = "deform"  # edit keyforms at the armed parameter values
    ANIMATION = "animation"  # drive parameters, record motions


class Selection:
    """A set of selected object ids with one optional ``active`` id.

    Events
    ------
    changed : Signal(frozenset, frozenset)
        ``(added, removed)`` ids, once per call that changed the set.
    active_changed : Signal(object)
        The new active id (str) or None.

    Notes
    -----
    The active id is always selected: setting :attr:`active` selects it (alone unless
    ``keep=True`` in :meth:`select`), and removing it from the set clears it.
    """

    changed = Signal(frozenset, frozenset)
    active_changed = Signal(object)

    def __init__(self, ids: Iterable[str] = ()) -> None:
        self._ids: set[str] = set(ids)
        self._active: str | None = None

    # ---------------------------------------------------------------- reading
    def __contains__(self, object_id: object) -> bool:
        return object_id in self._ids

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._ids))

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(self._ids)

    @property
    def active(self) -> str | None:
        return self._active

    @active.setter
    def active(self, object_id: str | None) -> None:
        if object_id is None:
            self._set_active(None)
        else:
            self.select(object_id)

    # ---------------------------------------------------------------- writing
    def select(self, object_id: str, keep: bool = False) -> None:
        """Make ``object_id`` active and selected; other ids stay selected only when ``keep``."""
        self._replace({object_id} | (self._ids if keep else set()), active=object_id)

    def toggle(self, object_id: str) -> None:
        """Add ``object_id`` to the selection, or remove it if it is selected."""
        if object_id in self._ids:
            self._replace(self._ids - {object_id})
        else:
            self._replace(self._ids | {object_id})

    def update(self, ids: Iterable[str]) -> None:
        """Add ``ids`` to the selection (the active id is unchanged)."""
        self._replace(self._ids | set(ids))

    def discard(self, ids: Iterable[str]) -> None:
        """Remove ``ids`` from the selection."""
        self._replace(self._ids - set(ids))

    def replace(self, ids: Iterable[str], active: str | None = None) -> None:
        """Select exactly ``ids``; ``active`` (added to the set) becomes the active id."""
        self._replace(set(ids) | ({active} if active is not None else set()), active=active)

    def clear(self) -> None:
        self._replace(set())

    def prune(self, valid_ids: Iterable[str]) -> None:
        """Drop ids that no longer exist (call after a structure change, e.g. an undone add)."""
        valid = set(valid_ids)
        self._replace({i for i in self._ids if i in valid})

    def _replace(self, ids: set[str], active: object = _KEEP) -> None:
        """Set the ids; ``active`` becomes the active id (default: kept while still selected)."""
        added, removed = frozenset(ids - self._ids), frozenset(self._ids - ids)
        self._ids = set(ids)
        if active is _KEEP:
            active = self._active if self._active in self._ids else None
        if added or removed:
            self.changed.emit(added, removed)
        self._set_active(active)

    def _set_active(self, object_id: str | None) -> None:
        if object_id != self._active:
            self._active = object_id
            self.active_changed.emit(object_id)


class EditorState:
    """Selection plus edit mode of one editor window.

    Parameters
    ----------
    mode : EditMode
        Initial mode (``MODEL``).

    Events
    ------
    mode_changed : Signal(EditMode)
        The edit mode changed.
    """

    mode_changed = Signal(EditMode)

    def __init__(self, mode: EditMode = EditMode.MODEL) -> None:
        self.selection = Selection()
        self._mode = EditMode(mode)

    @property
    def mode(self) -> EditMode:
        return self._mode

    @mode.setter
    def mode(self, mode: EditMode | str) -> None:
        mode = EditMode(mode)
        if mode != self._mode:
            self._mode = mode
            self.mode_changed.emit(mode)

    def follow(self, document) -> None:
        """Prune the selection whenever ``document`` reports a structure change."""

        def _on_change(change) -> None:
            if change.kind == "structure":
                self.selection.prune(o.id for o in document.rig.objects())

        document.changed.connect(_on_change)
        self._follow_slot = _on_change

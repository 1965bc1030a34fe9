"""Document, commands and undo history, Qt-free (style.md sections 2-4).

A :class:`Document` owns one ``Rig`` and its :class:`History`; every change goes through a
:class:`Command` (:mod:`rig.document.commands`) and is reported as a :class:`Change` (psygnal events).
:class:`EditorState` holds the selection and edit mode. Parameter *values* are not document state:
they live in :mod:`rig.drive`.

May import ``rig.model``, ``rig.evaluate``, ``rig.errors``, numpy, scipy and psygnal; never
``rig.drive``, ``rig.edit`` or ``rig.formats``.
"""

from rig.document.change import Change
from rig.document.document import Document
from rig.document.editor_state import EditMode, EditorState, Selection
from rig.document.history import Command, CompoundCommand, History, LocalHistory

__all__ = [
    "Change",
    "Command",
    "CompoundCommand",
    "Document",
    "EditMode",
    "EditorState",
    "History",
    "LocalHistory",
    "Selection",
]

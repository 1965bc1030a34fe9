"""Document, commands and undo history, Qt-free (style.md sections 2-4)."""

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

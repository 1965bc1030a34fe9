"""The Command protocol and CompoundCommand (style.md section 3).

Command shape after ``glue-viz/glue : glue/core/command.py``; compounds after
``biolab/orange-canvas-core : orangecanvas/document/commands.py`` (a command made of child commands).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from rig.document.change import Change

if TYPE_CHECKING:
    from rig.document.document import Document


@runtime_checkable
class Command(Protocol):
    """An undoable edit of a :class:`~rig.document.document.Document`.

    A command captures everything it needs when it is constructed (ids, old and new values,
    insertion indexes); ``do`` and ``undo`` never read UI state. ``undo`` after ``do`` restores a rig
    that is ``deep_equal`` to the one before; ``do`` after ``undo`` reproduces the state after.
    """

    label: str

    def do(self, doc: Document) -> Change:
        """Apply the edit; return what changed."""
        ...

    def undo(self, doc: Document) -> Change:
        """Revert the edit; return what changed."""
        ...

    def merge(self, other: Command) -> bool:
        """Absorb ``other`` (already executed, pushed right after this one); True if absorbed."""
        ...


class CompoundCommand:
    """Several commands as one undo step (macros, local histories, compound removals).

    ``do`` runs the children in order, ``undo`` in reverse; both report
    :meth:`Change.combine` of the children's changes. Never merges.
    """

    def __init__(self, label: str, commands: Sequence[Command]) -> None:
        self.label = label
        self.commands: tuple[Command, ...] = tuple(commands)

    def do(self, doc: Document) -> Change:
        return Change.combine([c.do(doc) for c in self.commands])

    def undo(self, doc: Document) -> Change:
        return Change.combine([c.undo(doc) for c in reversed(self.commands)])

    def merge(self, other: Command) -> bool:
        return False

    def __repr__(self) -> str:
        return f"CompoundCommand({self.label!r}, {len(self.commands)} commands)"

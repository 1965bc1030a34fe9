"""Replace the whole rig in one undoable step (a generated rig entering a document)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rig.document.change import Change
from rig.document.commands.base import BaseCommand
from rig.model import Rig

if TYPE_CHECKING:
    from rig.document.document import Document


class ReplaceRig(BaseCommand):
    """Swap the document's rig for ``new_rig`` ("Generate rig from image" is one undo step).

    Parameters
    ----------
    rig : Rig
        The document's current rig (kept for undo).
    new_rig : Rig
        The replacement; validated here and owned by the command from now on.
    label : str
        Undo label.

    Notes
    -----
    ``do`` makes ``new_rig`` the document's rig; undo puts the old object back. Reports
    ``Change("structure", ids of every object of both rigs)``.

    Raises
    ------
    ValidationError, KeyformMismatchError
        If ``new_rig`` is not valid.
    """

    def __init__(self, rig: Rig, new_rig: Rig, label: str = "Replace rig") -> None:
        new_rig.validate()
        self.old_rig, self.new_rig = rig, new_rig
        self.label = label
        self._ids = frozenset(o.id for r in (rig, new_rig) for o in r.objects())

    def do(self, doc: Document) -> Change:
        doc._replace_rig(self.new_rig)
        return Change("structure", self._ids)

    def undo(self, doc: Document) -> Change:
        doc._replace_rig(self.old_rig)
        return Change("structure", self._ids)

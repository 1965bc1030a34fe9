"""Change events: what a command changed, for panels and the viewport (style.md section 4).

``History.push/undo/redo`` emit one :class:`Change` per step through ``Document.changed``. The app's
``DocumentBridge`` relays them as Qt signals; panels refresh the rows whose ids are named, and the
viewport marks itself dirty on any change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

ChangeKind = Literal["topology", "keyform", "parameter_definition", "draw_order", "property", "structure"]

CHANGE_KINDS: frozenset[str] = frozenset(
    {"topology", "keyform", "parameter_definition", "draw_order", "property", "structure"}
)


@dataclass(frozen=True, slots=True)
class Change:
    """What one command (or one undo step) changed.

    Attributes
    ----------
    kind : {"topology", "keyform", "parameter_definition", "draw_order", "property", "structure"}
        ``topology``: an ArtMesh's uvs/triangles (GPU caches rebuild); ``keyform``: keyed values of
        objects (and, for key edits, a parameter's keys); ``parameter_definition``: a parameter was
        added, removed or its range/name changed; ``draw_order``: mesh order or draw-order keyforms;
        ``property``: a plain attribute (name, visible, blend mode, masks ...); ``structure``: objects
        were added, removed, reparented or the whole rig was replaced (rebuild everything).
    ids : frozenset of str
        Ids of the objects concerned (parameters included).

    Raises
    ------
    ValueError
        If ``kind`` is not one of the kinds above.
    """

    kind: ChangeKind
    ids: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.kind not in CHANGE_KINDS:
            raise ValueError(f"unknown change kind {self.kind!r}; expected one of {sorted(CHANGE_KINDS)}")
        if not isinstance(self.ids, frozenset):
            object.__setattr__(self, "ids", frozenset(self.ids))

    @staticmethod
    def combine(changes: Iterable[Change]) -> Change:
        """One change summarising several (a macro, a compound command).

        The kind is the common kind when all agree, else ``structure`` (the coarsest); ids are the
        union. An empty input gives ``Change("structure")`` with no ids.
        """
        changes = list(changes)
        kinds = {c.kind for c in changes}
        kind = kinds.pop() if len(kinds) == 1 else "structure"
        ids = frozenset().union(*(c.ids for c in changes))
        return Change(kind, ids)

"""The Deformers dock: the warp and rotation deformer tree (parents first) with the art meshes under them.

Drag a deformer onto another to reparent it (:class:`ReparentDeformer`; dropped on empty space it
goes to the canvas), rename in place (:class:`RenameObject`), add a warp or rotation deformer under
the selected deformer (:func:`rig.edit.deformers.add_deformer_command`), delete (:class:`RemoveDeformer`,
refused while it has children). Reparenting re-expresses the keyforms in the new parent's space
(:func:`rig.edit.deformers.reparent_command`), so the deformer stays where it is on screen.
The tree is an item model (:class:`~app.panels.tree_sync.ObjectTreeModel`) updated from each
change's ids: a rename rewrites one row, a structure change moves, inserts or takes out rows.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from app.bridge import DocumentBridge
from app.panels.tree_sync import ID_ROLE, Node, TreePanel
from rig.document.commands import RemoveDeformer, RenameObject
from rig.edit.deformers import add_deformer_command, reparent_command
from rig.errors import RigError
from rig.model import Rig, WarpDeformer

log = logging.getLogger(__name__)


def deformer_tree(rig: Rig) -> list[Node]:
    """Deformers nested by ``parent_deformer_id``, each followed by the art meshes it deforms."""
    nodes = {d.id: Node(d.id, "deformer") for d in rig.deformers}
    roots: list[Node] = []
    for d in rig.deformers:
        (nodes[d.parent_deformer_id].children if d.parent_deformer_id in nodes else roots).append(nodes[d.id])
    for m in rig.art_meshes:
        parent = nodes.get(m.parent_deformer_id)
        (parent.children if parent is not None else roots).append(Node(m.id, "art_mesh"))
    return roots


def _accepts(source: str | None, target: str | None) -> bool:
    """A deformer dropped onto another deformer or onto empty space (the canvas)."""
    return source == "deformer" and target in (None, "deformer")


class DeformersPanel(TreePanel):
    """Deformer tree of the current document.

    Attributes
    ----------
    model : ObjectTreeModel
        Columns "Deformer" (name) and "Type".
    tree : ObjectTreeView
    sync : TreeSelectionSync
    """

    def __init__(self, bridge: DocumentBridge, parent: QWidget | None = None) -> None:
        super().__init__(bridge, ["Deformer", "Type"], _accepts, parent)
        self.add_warp_button = QPushButton("Add warp")
        self.add_rotation_button = QPushButton("Add rotation")
        self.delete_button = QPushButton("Delete")
        self.add_warp_button.setToolTip("Add a warp deformer under the selected deformer")
        self.add_rotation_button.setToolTip("Add a rotation deformer under the selected deformer")
        row = QHBoxLayout()
        for button in (self.add_warp_button, self.add_rotation_button, self.delete_button):
            row.addWidget(button)
        self.tree.dropped.connect(lambda d, p, above: self.reparent(d, p or None))
        self.add_warp_button.clicked.connect(lambda: self.add("warp"))
        self.add_rotation_button.clicked.connect(lambda: self.add("rotation"))
        self.delete_button.clicked.connect(self.delete_selected)
        self._lay_out(row)

    def rebuild(self) -> None:
        """Bring the rows in line with the rig's deformers and art meshes (rows that stay are kept)."""
        self.tree.expand_placed(self.model.sync(deformer_tree(self.bridge.rig)))
        self.tree.resizeColumnToContents(0)
        self.sync.state_to_view()

    def _fill(self, row: list[QStandardItem], object_id: str, kind: str) -> None:
        try:
            obj = self.bridge.rig.find(object_id)
        except KeyError:
            return
        name, detail = row
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if kind == "deformer":
            name.setFlags(flags | Qt.ItemFlag.ItemIsEditable | Qt.ItemFlag.ItemIsDragEnabled
                          | Qt.ItemFlag.ItemIsDropEnabled)  # fmt: skip
            detail.setText(f"Warp {obj.rows}x{obj.cols}" if isinstance(obj, WarpDeformer) else "Rotation")
        else:
            name.setFlags(flags)
            detail.setText("Art mesh")
        detail.setFlags(flags)
        name.setText(obj.name)
        name.setToolTip(object_id)

    def _on_changed(self, change) -> None:
        if change.kind == "structure":
            self.rebuild()
        elif change.kind == "property":
            self.model.refresh(change.ids or None)

    # ---------------------------------------------------------------- commands
    def _item_changed(self, item: QStandardItem) -> None:
        if self.model.updating or item.column() != 0:
            return
        object_id, name = item.data(ID_ROLE), item.text().strip()
        try:
            obj = self.bridge.rig.find(object_id)
        except KeyError:
            return
        if name and name != obj.name:
            self._apply(lambda rig: RenameObject(rig, object_id, name), object_id)

    def reparent(self, deformer_id: str, new_parent_id: str | None) -> None:
        """Move ``deformer_id`` under ``new_parent_id`` (None: the canvas); one undoable command."""
        self._apply(lambda rig: reparent_command(rig, deformer_id, new_parent_id))

    def add(self, kind: str) -> str | None:
        """Add a ``"warp"`` or ``"rotation"`` deformer under the active deformer; return its id."""
        try:
            command = add_deformer_command(self.bridge.rig, kind, self.bridge.state.selection.active)
        except RigError as exc:  # no part yet, or a deformer that does not fit
            log.warning("%s", exc)
            return None
        self._apply(command)
        self.bridge.state.selection.select(command.obj.id)
        return command.obj.id

    def delete_selected(self) -> None:
        """Remove the selected deformers (one undo step each; refused while they have children)."""
        rig = self.bridge.rig
        ids = [d.id for d in rig.deformers if d.id in self.bridge.state.selection]
        for deformer_id in reversed(ids):
            self._apply(lambda rig, deformer_id=deformer_id: RemoveDeformer(rig, deformer_id))

    def _apply(self, build, object_id: str | None = None) -> None:
        """Push through :meth:`DocumentBridge.apply`; a refused rename puts the row back."""
        if not self.bridge.apply(build) and object_id is not None:
            self.model.refresh([object_id])

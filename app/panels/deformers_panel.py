"""The Deformers dock: the warp and rotation deformer tree (parents first) with the art meshes under them.

Drag a deformer onto another to reparent it (:class:`ReparentDeformer`; dropped on empty space it
goes to the canvas), rename in place (:class:`RenameObject`), add a warp or rotation deformer under
the selected deformer (:func:`rig.edit.deformers.add_deformer_command`), delete (:class:`RemoveDeformer`,
refused while it has children). Reparenting re-expresses the keyforms in the new parent's space
(:func:`rig.edit.deformers.reparent_command`), so the deformer stays where it is on screen.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.bridge import DocumentBridge
from app.panels.tree_sync import ID_ROLE, KIND_ROLE, TreeSelectionSync, item_id, item_kind, walk
from rig.document.commands import RemoveDeformer, RenameObject
from rig.edit.deformers import add_deformer_command, reparent_command
from rig.errors import RigError
from rig.model import WarpDeformer

log = logging.getLogger(__name__)


class DeformerTree(QTreeWidget):
    """Signals ``deformer_dropped(deformer_id, new_parent_id or "")`` instead of moving rows itself."""

    deformer_dropped = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)

    def dropEvent(self, event) -> None:
        source = self.currentItem()
        target = self.itemAt(event.position().toPoint())
        event.setDropAction(Qt.DropAction.IgnoreAction)
        event.accept()
        if item_kind(source) != "deformer" or source is target:
            return
        if target is not None and item_kind(target) != "deformer":
            return
        self.deformer_dropped.emit(item_id(source), item_id(target) or "")


class DeformersPanel(QWidget):
    """Deformer tree of the current document."""

    def __init__(self, bridge: DocumentBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.tree = DeformerTree()
        self.tree.setHeaderLabels(["Deformer", "Type"])
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.add_warp_button = QPushButton("Add warp")
        self.add_rotation_button = QPushButton("Add rotation")
        self.delete_button = QPushButton("Delete")
        self.add_warp_button.setToolTip("Add a warp deformer under the selected deformer")
        self.add_rotation_button.setToolTip("Add a rotation deformer under the selected deformer")
        row = QHBoxLayout()
        for button in (self.add_warp_button, self.add_rotation_button, self.delete_button):
            row.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tree, 1)
        layout.addLayout(row)
        self.sync = TreeSelectionSync(self.tree, bridge)
        self.tree.itemChanged.connect(self._item_changed)
        self.tree.deformer_dropped.connect(lambda d, p: self.reparent(d, p or None))
        self.add_warp_button.clicked.connect(lambda: self.add("warp"))
        self.add_rotation_button.clicked.connect(lambda: self.add("rotation"))
        self.delete_button.clicked.connect(self.delete_selected)
        bridge.document_replaced.connect(self.rebuild)
        bridge.changed.connect(self._on_changed)
        self.rebuild()

    def rebuild(self) -> None:
        rig = self.bridge.rig
        collapsed = {item_id(i) for i in walk(self.tree) if i.childCount() and not i.isExpanded()}
        self.tree.blockSignals(True)
        try:
            self.tree.clear()
            items = {}
            for d in rig.deformers:
                kind = "Warp" if isinstance(d, WarpDeformer) else "Rotation"
                detail = f"{kind} {d.rows}x{d.cols}" if isinstance(d, WarpDeformer) else kind
                items[d.id] = self._item("deformer", d.id, d.name, detail, editable=True)
            for d in rig.deformers:
                parent = items.get(d.parent_deformer_id)
                (parent.addChild if parent is not None else self.tree.addTopLevelItem)(items[d.id])
            for m in rig.art_meshes:
                parent = items.get(m.parent_deformer_id)
                item = self._item("art_mesh", m.id, m.name, "Art mesh", editable=False)
                (parent.addChild if parent is not None else self.tree.addTopLevelItem)(item)
            for item in walk(self.tree):
                item.setExpanded(item_id(item) not in collapsed)
        finally:
            self.tree.blockSignals(False)
        self.tree.resizeColumnToContents(0)
        self.sync.model_to_tree()

    @staticmethod
    def _item(kind: str, object_id: str, name: str, detail: str, editable: bool) -> QTreeWidgetItem:
        item = QTreeWidgetItem([name, detail])
        item.setData(0, ID_ROLE, object_id)
        item.setData(0, KIND_ROLE, kind)
        item.setToolTip(0, object_id)
        flags = item.flags()
        if editable:
            flags |= Qt.ItemFlag.ItemIsEditable | Qt.ItemFlag.ItemIsDragEnabled | Qt.ItemFlag.ItemIsDropEnabled
        else:
            flags &= ~(Qt.ItemFlag.ItemIsDragEnabled | Qt.ItemFlag.ItemIsDropEnabled)
        item.setFlags(flags)
        return item

    def _on_changed(self, change) -> None:
        if change.kind in ("structure", "property"):
            self.rebuild()

    # ---------------------------------------------------------------- commands
    def _item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        object_id, name = item_id(item), item.text(0).strip()
        try:
            obj = self.bridge.rig.find(object_id)
        except KeyError:
            return
        if column == 0 and name and name != obj.name:
            self._push(lambda: RenameObject(self.bridge.rig, object_id, name))

    def reparent(self, deformer_id: str, new_parent_id: str | None) -> None:
        """Move ``deformer_id`` under ``new_parent_id`` (None: the canvas); one undoable command."""
        self._push(lambda: reparent_command(self.bridge.rig, deformer_id, new_parent_id))

    def add(self, kind: str) -> str | None:
        """Add a ``"warp"`` or ``"rotation"`` deformer under the active deformer; return its id."""
        try:
            command = add_deformer_command(self.bridge.rig, kind, self.bridge.state.selection.active)
        except RigError as exc:  # no part yet, or a deformer that does not fit
            log.warning("%s", exc)
            return None
        self._push(lambda: command)
        self.bridge.state.selection.select(command.obj.id)
        return command.obj.id

    def delete_selected(self) -> None:
        """Remove the selected deformers (one undo step each; refused while they have children)."""
        rig = self.bridge.rig
        ids = [d.id for d in rig.deformers if d.id in self.bridge.state.selection]
        for deformer_id in reversed(ids):
            self._push(lambda deformer_id=deformer_id: RemoveDeformer(self.bridge.rig, deformer_id))

    def _push(self, build) -> None:
        try:
            self.bridge.push(build())
        except RigError as exc:
            log.error("%s", exc)
            self.rebuild()

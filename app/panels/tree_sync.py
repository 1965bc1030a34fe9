"""Shared plumbing of the tree docks: id-carrying items, selection sync with the EditorState."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem

from app.bridge import DocumentBridge

ID_ROLE = Qt.ItemDataRole.UserRole
KIND_ROLE = Qt.ItemDataRole.UserRole + 1


def item_id(item: QTreeWidgetItem | None) -> str | None:
    return None if item is None else item.data(0, ID_ROLE)


def item_kind(item: QTreeWidgetItem | None) -> str | None:
    return None if item is None else item.data(0, KIND_ROLE)


def walk(tree: QTreeWidget):
    """Every item of ``tree``, depth first."""
    stack = [tree.topLevelItem(i) for i in reversed(range(tree.topLevelItemCount()))]
    while stack:
        item = stack.pop()
        yield item
        stack.extend(item.child(i) for i in reversed(range(item.childCount())))


class TreeSelectionSync:
    """Keeps a tree's selected rows and the shared Selection in step (both ways, no echo).

    Parameters
    ----------
    tree : QTreeWidget
    bridge : DocumentBridge
    """

    def __init__(self, tree: QTreeWidget, bridge: DocumentBridge) -> None:
        self.tree, self.bridge = tree, bridge
        self._updating = False
        tree.itemSelectionChanged.connect(self._tree_to_model)
        bridge.selection_changed.connect(self.model_to_tree)

    def _tree_to_model(self) -> None:
        if self._updating:
            return
        ids = [item_id(i) for i in self.tree.selectedItems()]
        current = item_id(self.tree.currentItem())
        active = current if current in ids else (ids[0] if ids else None)
        self._updating = True
        try:
            self.bridge.state.selection.replace(ids, active=active)
        finally:
            self._updating = False

    def model_to_tree(self) -> None:
        if self._updating:
            return
        selection = self.bridge.state.selection
        self._updating = True
        self.tree.blockSignals(True)
        try:
            for item in walk(self.tree):
                item.setSelected(item_id(item) in selection)
                if item_id(item) == selection.active:
                    self.tree.setCurrentItem(item, 0, self.tree.selectionModel().SelectionFlag.NoUpdate)
                    self.tree.scrollToItem(item)
        finally:
            self.tree.blockSignals(False)
            self._updating = False
        self.tree.viewport().update()

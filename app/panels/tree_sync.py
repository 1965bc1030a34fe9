"""Shared plumbing of the tree docks: an item model keyed by object id, its view, and selection sync.

:class:`ObjectTreeModel` is a ``QStandardItemModel`` whose rows carry object ids. It is never cleared:
:meth:`ObjectTreeModel.sync` reconciles it with the wanted tree (rows are inserted, moved or taken
out; rows that stay keep their items), and :meth:`ObjectTreeModel.refresh` rewrites the data of the
rows a :class:`~rig.document.Change` names (``dataChanged`` only). The pattern is that of napari's
``napari/_qt/containers/_base_item_model.py``: the view never rebuilds, the model reports the
smallest change it can.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QStyledItemDelegate, QTreeView, QVBoxLayout, QWidget

from app.bridge import DocumentBridge

ID_ROLE = Qt.ItemDataRole.UserRole
KIND_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(slots=True)
class Node:
    """One wanted row: an object id, its kind ("part", "art_mesh", "deformer") and its child rows."""

    id: str
    kind: str
    children: list[Node] = field(default_factory=list)


def index_id(index: QModelIndex | None) -> str | None:
    return None if index is None or not index.isValid() else index.data(ID_ROLE)


def index_kind(index: QModelIndex | None) -> str | None:
    return None if index is None or not index.isValid() else index.data(KIND_ROLE)


def item_id(item: QStandardItem | None) -> str | None:
    return None if item is None else item.data(ID_ROLE)


def walk(model: QStandardItemModel) -> Iterator[QStandardItem]:
    """Every column-0 item of ``model``, depth first."""
    root = model.invisibleRootItem()
    stack = [root.child(i) for i in reversed(range(root.rowCount()))]
    while stack:
        item = stack.pop()
        yield item
        stack.extend(item.child(i) for i in reversed(range(item.rowCount())))


class ObjectTreeModel(QStandardItemModel):
    """Rows keyed by object id, filled from the rig by the owning panel.

    Parameters
    ----------
    headers : sequence of str
        Column titles.
    fill : callable(row, node_id, kind)
        Writes text, check states, icons and flags of ``row`` (one ``QStandardItem`` per column)
        from the rig; called for new rows and by :meth:`refresh`.

    Attributes
    ----------
    items : dict of str to QStandardItem
        Column-0 item of each object id in the model.
    updating : bool
        True while the model is written from the rig; ``itemChanged`` handlers must ignore those.
    """

    def __init__(self, headers: Iterable[str], fill: Callable[[list[QStandardItem], str, str], None]) -> None:
        super().__init__()
        self.setHorizontalHeaderLabels(list(headers))
        self.fill = fill
        self._root = self.invisibleRootItem()  # held, so the wrapper (and `is`) stays the same
        self.items: dict[str, QStandardItem] = {}
        self.updating = False

    def item_for(self, object_id: str, column: int = 0) -> QStandardItem | None:
        """The item of ``object_id``'s row in ``column`` (None when the id has no row)."""
        item = self.items.get(object_id)
        if item is None or column == 0:
            return item
        return self._parent_of(item).child(item.row(), column)

    def row_items(self, object_id: str) -> list[QStandardItem]:
        return [self.item_for(object_id, c) for c in range(self.columnCount())]

    # ---------------------------------------------------------------- rig -> model
    def refresh(self, ids: Iterable[str] | None = None) -> None:
        """Rewrite the rows of ``ids`` (every row when None) from the rig; no row is added or removed."""
        ids = list(self.items) if ids is None else [i for i in ids if i in self.items]
        self.updating = True
        try:
            for object_id in ids:
                self.fill(self.row_items(object_id), object_id, self.items[object_id].data(KIND_ROLE))
        finally:
            self.updating = False

    def sync(self, nodes: list[Node]) -> list[QStandardItem]:
        """Make the model's rows match ``nodes`` (top level first) with the fewest row moves.

        Returns the column-0 items that were inserted or moved (their expanded state is the view's
        to restore). Rows of ids no longer wanted are dropped; every remaining row is refilled.
        """
        placed: list[QStandardItem] = []
        self._taken: dict[str, list[QStandardItem]] = {}
        self.updating = True
        try:
            self._place(self._root, nodes, placed)
        finally:
            self.updating = False
        for object_id in self._taken:
            self.items.pop(object_id, None)
        for object_id in [i for i, item in self.items.items() if item.model() is not self]:
            del self.items[object_id]  # inside a dropped row
        self._taken = {}
        return placed

    def _parent_of(self, item: QStandardItem) -> QStandardItem | None:
        parent = item.parent()
        if parent is not None:
            return parent
        return self._root if item.model() is self else None

    def _place(self, parent: QStandardItem, nodes: list[Node], placed: list) -> None:
        for row, node in enumerate(nodes):
            item = self.items.get(node.id)
            if item is not None and self._parent_of(item) is parent and item.row() == row:
                self.fill(self.row_items(node.id), node.id, node.kind)
            else:
                if item is None:
                    cells = [QStandardItem() for _ in range(self.columnCount())]
                    for cell in cells:
                        cell.setData(node.id, ID_ROLE)
                        cell.setData(node.kind, KIND_ROLE)
                    item = self.items[node.id] = cells[0]
                else:
                    old = self._parent_of(item)
                    cells = old.takeRow(item.row()) if old is not None else self._taken.pop(node.id)
                self.fill(cells, node.id, node.kind)
                parent.insertRow(row, cells)
                placed.append(item)
            self._place(item, node.children, placed)
        while parent.rowCount() > len(nodes):
            cells = parent.takeRow(len(nodes))
            self._taken[cells[0].data(ID_ROLE)] = cells


class RowHeightDelegate(QStyledItemDelegate):
    """Every row at least as tall as the view's icon size (plus 4 px): a part row without a thumbnail, or
    a part with no children, is as tall as an art mesh row instead of squeezed between them."""

    def sizeHint(self, option, index):  # noqa: N802 - Qt's name
        hint = super().sizeHint(option, index)
        view = self.parent()
        if isinstance(view, QTreeView):
            hint.setHeight(max(hint.height(), view.iconSize().height() + 4))
        return hint


class ObjectTreeView(QTreeView):
    """A tree view that reports drops as ids instead of moving rows itself. Rows are at least the icon
    size tall (:class:`RowHeightDelegate`).

    Parameters
    ----------
    accepts : callable(source_kind, target_kind or None) -> bool
        Which drops mean something (a target of None: empty space).

    Signals
    -------
    dropped(str, str, bool)
        ``(source_id, target_id or "", above)``: ``above`` is False when dropped below the target row.
    """

    dropped = Signal(str, str, bool)

    def __init__(self, accepts: Callable[[str | None, str | None], bool], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.accepts = accepts
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.collapsed_ids: set[str] = set()
        self.setItemDelegate(RowHeightDelegate(self))
        self.collapsed.connect(lambda index: self.collapsed_ids.add(index_id(index)))
        self.expanded.connect(lambda index: self.collapsed_ids.discard(index_id(index)))

    def dropEvent(self, event) -> None:
        source = self.currentIndex()
        target = self.indexAt(event.position().toPoint())
        event.setDropAction(Qt.DropAction.IgnoreAction)
        event.accept()
        if not source.isValid() or index_id(source) == index_id(target):
            return
        if not self.accepts(index_kind(source), index_kind(target) if target.isValid() else None):
            return
        below = self.dropIndicatorPosition() == QAbstractItemView.DropIndicatorPosition.BelowItem
        self.dropped.emit(index_id(source), index_id(target) or "", not below)

    def expand_placed(self, items: Iterable[QStandardItem]) -> None:
        """Expand rows the model (re)inserted, unless the user had collapsed them."""
        for item in items:
            if item.rowCount() and item_id(item) not in self.collapsed_ids:
                self.expand(item.index())


class TreeSelectionSync:
    """Keeps a tree view's selected rows and the shared Selection in step (both ways, no echo).

    Parameters
    ----------
    view : QTreeView
    model : ObjectTreeModel
    bridge : DocumentBridge
    """

    def __init__(self, view: QTreeView, model: ObjectTreeModel, bridge: DocumentBridge) -> None:
        self.view, self.model, self.bridge = view, model, bridge
        self._updating = False
        view.selectionModel().selectionChanged.connect(self._view_to_state)
        bridge.selection_changed.connect(self.state_to_view)

    def is_selected(self, object_id: str) -> bool:
        item = self.model.items.get(object_id)
        return item is not None and self.view.selectionModel().isSelected(item.index())

    def _view_to_state(self, *_args) -> None:
        if self._updating or self.model.updating:
            return
        rows = self.view.selectionModel().selectedRows(0)
        ids = [index_id(i) for i in rows]
        current = index_id(self.view.currentIndex())
        active = current if current in ids else (ids[0] if ids else None)
        self._updating = True
        try:
            self.bridge.state.selection.replace(ids, active=active)
        finally:
            self._updating = False

    def state_to_view(self) -> None:
        if self._updating:
            return
        selection, model = self.bridge.state.selection, self.model
        chosen = QItemSelection()
        last = model.columnCount() - 1
        for object_id in selection:
            item = model.items.get(object_id)
            if item is not None:
                chosen.select(item.index(), item.index().siblingAtColumn(last))
        flags = QItemSelectionModel.SelectionFlag
        self._updating = True
        try:
            self.view.selectionModel().select(chosen, flags.ClearAndSelect | flags.Rows)
            active = model.items.get(selection.active) if selection.active is not None else None
            if active is not None:
                self.view.selectionModel().setCurrentIndex(active.index(), flags.NoUpdate)
                self.view.scrollTo(active.index())
        finally:
            self._updating = False


class TreePanel(QWidget):
    """Base of the tree docks: an :class:`ObjectTreeModel` in an :class:`ObjectTreeView` above a row of
    controls, selection kept in step, the document's changes routed to :meth:`_on_changed`.

    Subclasses implement ``_fill(row, object_id, kind)``, ``_on_changed(change)``,
    ``_item_changed(item)`` and :meth:`rebuild`, and call :meth:`_lay_out` with their control row.

    Attributes
    ----------
    model : ObjectTreeModel
    tree : ObjectTreeView
    sync : TreeSelectionSync
    """

    def __init__(self, bridge: DocumentBridge, headers: Iterable[str],
                 accepts: Callable[[str | None, str | None], bool], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.model = ObjectTreeModel(headers, self._fill)
        self.tree = ObjectTreeView(accepts)
        self.tree.setModel(self.model)
        self.sync = TreeSelectionSync(self.tree, self.model, bridge)
        self.model.itemChanged.connect(self._item_changed)
        bridge.document_replaced.connect(self.rebuild)
        bridge.changed.connect(self._on_changed)

    def _lay_out(self, controls) -> None:
        """The tree above ``controls`` (a layout); then the first :meth:`rebuild`."""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tree, 1)
        layout.addLayout(controls)
        self.rebuild()

    def rebuild(self) -> None:
        raise NotImplementedError

    def _fill(self, row: list[QStandardItem], object_id: str, kind: str) -> None:
        raise NotImplementedError

    def _on_changed(self, change) -> None:
        raise NotImplementedError

    def _item_changed(self, item: QStandardItem) -> None:
        raise NotImplementedError

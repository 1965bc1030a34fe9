"""The Parts & Layers dock: the part tree with its art meshes (layer thumbnails), topmost first.

Column 0 is the name (editable: :class:`RenameObject`) with a visibility checkbox
(:class:`SetObjectProperty` ``visible``); column 1 a lock checkbox (editor-only, kept in
``editor_meta["locked_ids"]``: locked meshes are not picked in the viewport). Below the tree: the
opacity of the active part or mesh (every keyform, :class:`SetKeyformValues`) and Raise / Lower.
Dragging an art mesh onto another one places it above (or below) that mesh in the draw order
(:mod:`rig.edit.draw_order`). Every edit is a command; the tree is rebuilt from the rig after changes.
"""

from __future__ import annotations

import logging

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.bridge import DocumentBridge
from app.panels.tree_sync import ID_ROLE, KIND_ROLE, TreeSelectionSync, item_id, item_kind, walk
from app.qt_images import thumbnail_icon
from rig.document.commands import RenameObject, SetKeyformValues, SetObjectProperty
from rig.edit import draw_order
from rig.errors import RigError

log = logging.getLogger(__name__)
LOCKED_KEY = "locked_ids"
CHECKED, UNCHECKED = Qt.CheckState.Checked, Qt.CheckState.Unchecked


class DrawOrderTree(QTreeWidget):
    """A tree whose art-mesh rows can be dragged onto other art-mesh rows.

    Signals
    -------
    mesh_dropped(str, str, bool)
        ``(mesh_id, target_id, above)``: place the mesh above (True) or below the target.
    """

    mesh_dropped = Signal(str, str, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)

    def dropEvent(self, event) -> None:
        source = self.currentItem()
        target = self.itemAt(event.position().toPoint())
        event.setDropAction(Qt.DropAction.IgnoreAction)
        event.accept()
        if item_kind(source) != "art_mesh" or item_kind(target) != "art_mesh" or source is target:
            return
        below = self.dropIndicatorPosition() == QAbstractItemView.DropIndicatorPosition.BelowItem
        self.mesh_dropped.emit(item_id(source), item_id(target), not below)


class PartsPanel(QWidget):
    """Parts and art meshes of the current document."""

    def __init__(self, bridge: DocumentBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self._icons: dict[tuple, object] = {}
        self.tree = DrawOrderTree()
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels(["Part / Art mesh", "Lock"])
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setStretchLastSection(False)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.tree.setIconSize(QSize(28, 28))
        self.opacity = QDoubleSpinBox()
        self.opacity.setRange(0.0, 1.0)
        self.opacity.setSingleStep(0.05)
        self.opacity.setKeyboardTracking(False)
        self.opacity.setToolTip("Opacity of the selected part or art mesh (every keyform)")
        self.raise_button = QPushButton("Raise")
        self.lower_button = QPushButton("Lower")
        self.raise_button.setToolTip("Draw the selected art mesh one step later (on top of the next one)")
        self.lower_button.setToolTip("Draw the selected art mesh one step earlier")
        row = QHBoxLayout()
        row.addWidget(QLabel("Opacity"))
        row.addWidget(self.opacity)
        row.addStretch(1)
        row.addWidget(self.raise_button)
        row.addWidget(self.lower_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tree, 1)
        layout.addLayout(row)
        self.sync = TreeSelectionSync(self.tree, bridge)
        self.tree.itemChanged.connect(self._item_changed)
        self.tree.mesh_dropped.connect(self.place)
        self.opacity.valueChanged.connect(self._opacity_edited)
        self.raise_button.clicked.connect(lambda: self.restack(up=True))
        self.lower_button.clicked.connect(lambda: self.restack(up=False))
        bridge.document_replaced.connect(self.rebuild)
        bridge.changed.connect(self._on_changed)
        bridge.selection_changed.connect(self._update_controls)
        self.rebuild()

    # ---------------------------------------------------------------- model -> tree
    def rebuild(self) -> None:
        """Recreate the tree from the rig (keeps the expanded state by id)."""
        collapsed = {item_id(i) for i in walk(self.tree) if i.childCount() and not i.isExpanded()}
        rig = self.bridge.rig
        locked = set(self.bridge.document.editor_meta.get(LOCKED_KEY, ()))
        self.tree.blockSignals(True)
        try:
            self.tree.clear()
            parts = {p.id: self._item("part", p.id, p.name, p.visible, p.id in locked) for p in rig.parts}
            for p in rig.parts:
                parent = parts.get(p.parent_part_id)
                (parent.addChild if parent is not None else self.tree.addTopLevelItem)(parts[p.id])
            for mesh_id in reversed(draw_order.stacking_order(rig)):
                m = rig.art_mesh(mesh_id)
                item = self._item("art_mesh", m.id, m.name, m.visible, m.id in locked)
                item.setIcon(0, self._icon(m.layer_id))
                parent = parts.get(m.part_id)
                (parent.addChild if parent is not None else self.tree.addTopLevelItem)(item)
            for item in walk(self.tree):
                item.setExpanded(item_id(item) not in collapsed)
        finally:
            self.tree.blockSignals(False)
        self.sync.model_to_tree()
        self._update_controls()

    def _item(self, kind: str, object_id: str, name: str, visible: bool, locked: bool) -> QTreeWidgetItem:
        item = QTreeWidgetItem([name, ""])
        item.setData(0, ID_ROLE, object_id)
        item.setData(0, KIND_ROLE, kind)
        item.setToolTip(0, object_id)
        flags = item.flags() | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEditable
        if kind == "art_mesh":
            flags |= Qt.ItemFlag.ItemIsDragEnabled | Qt.ItemFlag.ItemIsDropEnabled
        else:
            flags &= ~(Qt.ItemFlag.ItemIsDragEnabled | Qt.ItemFlag.ItemIsDropEnabled)
        item.setFlags(flags)
        item.setCheckState(0, CHECKED if visible else UNCHECKED)
        item.setCheckState(1, CHECKED if locked else UNCHECKED)
        return item

    def _icon(self, layer_id: str):
        try:
            layer = self.bridge.rig.layer(layer_id)
        except KeyError:
            return thumbnail_icon(np.zeros((1, 1, 4), np.uint8))
        key = (layer.id, layer.version, id(layer.image))
        if key not in self._icons:
            self._icons[key] = thumbnail_icon(layer.image)
        return self._icons[key]

    def _on_changed(self, change) -> None:
        if change.kind in ("structure", "property", "draw_order"):
            self.rebuild()
        elif change.kind == "keyform":
            self._update_controls()

    def _update_controls(self) -> None:
        active = self.bridge.state.selection.active
        obj = self._find(active)
        has_opacity = obj is not None and "opacity" in getattr(getattr(obj, "keyforms", None), "values", {})
        is_mesh = obj is not None and obj.__class__.__name__ == "ArtMesh"
        self.opacity.setEnabled(has_opacity and obj.__class__.__name__ in ("Part", "ArtMesh"))
        self.raise_button.setEnabled(is_mesh)
        self.lower_button.setEnabled(is_mesh)
        if has_opacity:
            self.opacity.blockSignals(True)
            self.opacity.setValue(float(obj.keyforms.values["opacity"].mean()))
            self.opacity.blockSignals(False)

    def _find(self, object_id: str | None):
        if object_id is None:
            return None
        try:
            return self.bridge.rig.find(object_id)
        except KeyError:
            return None

    # ---------------------------------------------------------------- tree -> commands
    def _item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        object_id = item_id(item)
        obj = self._find(object_id)
        if obj is None:
            return
        if column == 1:
            self.set_locked(object_id, item.checkState(1) == CHECKED)
            return
        visible = item.checkState(0) == CHECKED
        if visible != obj.visible:
            self._push(lambda: SetObjectProperty(self.bridge.rig, object_id, "visible", visible))
        elif item.text(0) != obj.name and item.text(0).strip():
            name = item.text(0).strip()
            self._push(lambda: RenameObject(self.bridge.rig, object_id, name))

    def set_visible(self, object_id: str, visible: bool) -> None:
        """Show or hide a part or art mesh (one undoable command)."""
        self._push(lambda: SetObjectProperty(self.bridge.rig, object_id, "visible", bool(visible)))

    def set_locked(self, object_id: str, locked: bool) -> None:
        """Lock or unlock an object (editor-only metadata, not in the history)."""
        meta = self.bridge.document.editor_meta
        ids = set(meta.get(LOCKED_KEY, ()))
        ids = ids | {object_id} if locked else ids - {object_id}
        meta[LOCKED_KEY] = sorted(ids)

    def _opacity_edited(self, value: float) -> None:
        obj = self._find(self.bridge.state.selection.active)
        if obj is None:
            return
        values = np.full(obj.keyforms.values["opacity"].shape, value, np.float32)
        self._push(lambda: SetKeyformValues(self.bridge.rig, obj.id, "opacity", values))

    def place(self, mesh_id: str, target_id: str, above: bool) -> None:
        """Draw ``mesh_id`` directly above (or below) ``target_id`` (one ReorderDrawOrder)."""
        fn = draw_order.place_above if above else draw_order.place_below
        self._push(lambda: fn(self.bridge.rig, mesh_id, target_id))

    def restack(self, up: bool, mesh_id: str | None = None) -> None:
        """Raise or lower ``mesh_id`` (default: the active mesh) by one step."""
        mesh_id = mesh_id or self.bridge.state.selection.active
        if mesh_id is None:
            return
        fn = draw_order.raise_command if up else draw_order.lower_command
        self._push(lambda: fn(self.bridge.rig, mesh_id))

    def _push(self, build) -> None:
        try:
            command = build()
            if command is not None:
                self.bridge.push(command)
        except RigError as exc:
            log.error("%s", exc)
            self.rebuild()

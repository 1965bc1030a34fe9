"""The Parts & Layers dock: the part tree with its art meshes (layer thumbnails), topmost first.

Column 0 is the name (editable: :class:`RenameObject`) with a visibility checkbox and an icon (a folder
for a part, the layer's thumbnail for an art mesh; every row as tall as a thumbnail, so empty parts are
not squeezed)
(:class:`SetObjectProperty` ``visible``); column 1 a lock checkbox (editor-only, kept in
``editor_meta["locked_ids"]``: locked meshes are not picked in the viewport). Below the tree: the
opacity of the active part or mesh (every keyform, :class:`SetKeyformValues`) and Raise / Lower.
Dragging an art mesh onto another one places it above (or below) that mesh in the draw order
(:mod:`rig.edit.draw_order`). Every edit is a command. The tree is an item model
(:class:`~app.panels.tree_sync.ObjectTreeModel`) updated from each change's ids: a rename or a
visibility change rewrites one row, a draw-order or structure change moves, inserts or takes out rows.
"""

from __future__ import annotations

import logging

import numpy as np
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QStandardItem
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyle,
    QWidget,
)

from app.bridge import DocumentBridge
from app.panels.tree_sync import ID_ROLE, KIND_ROLE, Node, TreePanel
from app.qt_images import thumbnail_icon
from rig.document.commands import RenameObject, SetKeyformValues, SetObjectProperty
from rig.edit import draw_order
from rig.model import Rig

log = logging.getLogger(__name__)
LOCKED_KEY = "locked_ids"
CHECKED, UNCHECKED = Qt.CheckState.Checked, Qt.CheckState.Unchecked
_MESH_FLAGS = Qt.ItemFlag.ItemIsDragEnabled | Qt.ItemFlag.ItemIsDropEnabled


def parts_tree(rig: Rig) -> list[Node]:
    """Parts nested by ``parent_part_id``, each followed by its art meshes topmost first."""
    parts = {p.id: Node(p.id, "part") for p in rig.parts}
    roots: list[Node] = []
    for p in rig.parts:
        (parts[p.parent_part_id].children if p.parent_part_id in parts else roots).append(parts[p.id])
    for mesh_id in reversed(draw_order.stacking_order(rig)):
        m = rig.art_mesh(mesh_id)
        (parts[m.part_id].children if m.part_id in parts else roots).append(Node(m.id, "art_mesh"))
    return roots


class PartsPanel(TreePanel):
    """Parts and art meshes of the current document.

    Attributes
    ----------
    model : ObjectTreeModel
        Columns "Part / Art mesh" (name, visibility check, thumbnail) and "Lock".
    tree : ObjectTreeView
    sync : TreeSelectionSync
    """

    def __init__(self, bridge: DocumentBridge, parent: QWidget | None = None) -> None:
        self._icons: dict[tuple, object] = {}
        super().__init__(bridge, ["Part / Art mesh", "Lock"], lambda source, target: source == target == "art_mesh",
                         parent)  # fmt: skip
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setStretchLastSection(False)
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
        self.tree.dropped.connect(self.place)
        self.opacity.valueChanged.connect(self._opacity_edited)
        self.raise_button.clicked.connect(lambda: self.restack(up=True))
        self.lower_button.clicked.connect(lambda: self.restack(up=False))
        bridge.selection_changed.connect(self._update_controls)
        self._lay_out(row)

    # ---------------------------------------------------------------- model -> tree
    def rebuild(self) -> None:
        """Bring the rows in line with the rig's parts, meshes and draw order (rows that stay are kept)."""
        self.tree.expand_placed(self.model.sync(parts_tree(self.bridge.rig)))
        self.sync.state_to_view()
        self._update_controls()

    def _fill(self, row: list[QStandardItem], object_id: str, kind: str) -> None:
        obj = self._find(object_id)
        if obj is None:
            return
        name, lock = row
        locked = object_id in self.bridge.document.editor_meta.get(LOCKED_KEY, ())
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable
        if kind == "art_mesh":
            flags |= _MESH_FLAGS
            name.setIcon(self._icon(obj.layer_id))
        else:  # a folder, so a part reads as one even with no children (no expand arrow)
            name.setIcon(self._part_icon())
        name.setFlags(flags | Qt.ItemFlag.ItemIsEditable)
        lock.setFlags(flags & ~_MESH_FLAGS)
        name.setText(obj.name)
        name.setToolTip(object_id)
        name.setCheckState(CHECKED if obj.visible else UNCHECKED)
        lock.setCheckState(CHECKED if locked else UNCHECKED)

    def _part_icon(self):
        if "part" not in self._icons:
            self._icons["part"] = self.style().standardIcon(QStyle.StandardPixmap.SP_DirIcon)
        return self._icons["part"]

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
        if change.kind in ("structure", "draw_order"):
            self.rebuild()
        elif change.kind in ("property", "topology"):  # a rename, visibility; a repainted layer's thumbnail
            self.model.refresh(self._rows_of(change.ids))
            self._update_controls()
        elif change.kind == "keyform":
            self._update_controls()

    def _rows_of(self, ids) -> set[str] | None:
        """The row ids a change names: its objects, and the art meshes of its layers (None: every row)."""
        if not ids:
            return None
        rows = set(ids)
        rows.update(m.id for m in self.bridge.rig.art_meshes if m.layer_id in ids)
        return rows

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
    def _item_changed(self, item: QStandardItem) -> None:
        if self.model.updating:
            return
        object_id = item.data(ID_ROLE)
        obj = self._find(object_id)
        if obj is None or item.data(KIND_ROLE) is None:
            return
        if item.column() == 1:
            self.set_locked(object_id, item.checkState() == CHECKED)
            return
        visible = item.checkState() == CHECKED
        if visible != obj.visible:
            self._apply(object_id, lambda rig: SetObjectProperty(rig, object_id, "visible", visible))
        elif item.text() != obj.name and item.text().strip():
            name = item.text().strip()
            self._apply(object_id, lambda rig: RenameObject(rig, object_id, name))

    def set_visible(self, object_id: str, visible: bool) -> None:
        """Show or hide a part or art mesh (one undoable command)."""
        self._apply(object_id, lambda rig: SetObjectProperty(rig, object_id, "visible", bool(visible)))

    def set_locked(self, object_id: str, locked: bool) -> None:
        """Lock or unlock an object (editor-only metadata, not in the history)."""
        meta = self.bridge.document.editor_meta
        ids = set(meta.get(LOCKED_KEY, ()))
        ids = ids | {object_id} if locked else ids - {object_id}
        meta[LOCKED_KEY] = sorted(ids)
        self.model.refresh([object_id])

    def _opacity_edited(self, value: float) -> None:
        obj = self._find(self.bridge.state.selection.active)
        if obj is None:
            return
        values = np.full(obj.keyforms.values["opacity"].shape, value, np.float32)
        if not self.bridge.apply(lambda rig: SetKeyformValues(rig, obj.id, "opacity", values)):
            self._update_controls()

    def place(self, mesh_id: str, target_id: str, above: bool) -> None:
        """Draw ``mesh_id`` directly above (or below) ``target_id`` (one ReorderDrawOrder)."""
        fn = draw_order.place_above if above else draw_order.place_below
        self.bridge.apply(lambda rig: fn(rig, mesh_id, target_id))

    def restack(self, up: bool, mesh_id: str | None = None) -> None:
        """Raise or lower ``mesh_id`` (default: the active mesh) by one step."""
        mesh_id = mesh_id or self.bridge.state.selection.active
        if mesh_id is None:
            return
        fn = draw_order.raise_command if up else draw_order.lower_command
        self.bridge.apply(lambda rig: fn(rig, mesh_id))

    def _apply(self, object_id: str, build) -> None:
        """Push through :meth:`DocumentBridge.apply`; a refused edit puts the row back."""
        if not self.bridge.apply(build):
            self.model.refresh([object_id])

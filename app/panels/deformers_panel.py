"""The Deformers dock: the warp and rotation deformer tree (parents first) with the art meshes under them.

Drag a deformer onto another to reparent it (:class:`ReparentDeformer`; dropped on empty space it
goes to the canvas), rename in place (:class:`RenameObject`), add a warp or rotation deformer under
the selected deformer (:class:`AddDeformer`), delete (:class:`RemoveDeformer`, refused while it
has children). Reparenting re-expresses the keyforms in the new parent's space
(:func:`rig.evaluate.reexpress.reexpress_keyforms`), so the deformer stays where it is on screen.
The tree is an item model (:class:`~app.panels.tree_sync.ObjectTreeModel`) updated from each
change's ids: a rename rewrites one row, a structure change moves, inserts or takes out rows.
"""

from __future__ import annotations

import logging

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from app.bridge import DocumentBridge
from app.panels.tree_sync import ID_ROLE, Node, TreePanel
from rig.document.commands import AddDeformer, RemoveDeformer, RenameObject, ReparentDeformer
from rig.evaluate.reexpress import reexpress_keyforms
from rig.model import KeyformGrid, Rig, RotationDeformer, WarpDeformer

log = logging.getLogger(__name__)


def new_warp(rig: Rig, parent_id: str | None, part_id: str, rows: int = 3, cols: int = 3) -> WarpDeformer:
    """A regular warp deformer at rest, half the size of its parent's space, centred in it."""
    box = _child_box(rig, parent_id)
    grid = WarpDeformer.rest_grid(rows, cols, *box)
    keyforms = KeyformGrid.constant(positions=grid, opacity=np.float32(1.0))
    n = rig.new_id("Warp")
    return WarpDeformer(n, n.replace("Warp", "Warp "), part_id, parent_id, rows, cols, keyforms)


def new_rotation(rig: Rig, parent_id: str | None, part_id: str) -> RotationDeformer:
    """A rotation deformer at rest, its origin at the centre of its parent's space."""
    x0, y0, x1, y1 = _child_box(rig, parent_id)
    keyforms = KeyformGrid.constant(**RotationDeformer.rest_values(((x0 + x1) / 2, (y0 + y1) / 2)))
    n = rig.new_id("Rotation")
    return RotationDeformer(n, n.replace("Rotation", "Rotation "), part_id, parent_id, keyforms)


def _child_box(rig: Rig, parent_id: str | None) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) of a new child in its parent's space: canvas px, warp [0, 1]^2 or rotation-local px."""
    if parent_id is None:
        w, h = rig.canvas_width_px, rig.canvas_height_px
        return (w * 0.25, h * 0.25, w * 0.75, h * 0.75)
    if isinstance(rig.deformer(parent_id), WarpDeformer):
        return (0.25, 0.25, 0.75, 0.75)
    return (-64.0, -64.0, 64.0, 64.0)


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
        def build(rig: Rig) -> ReparentDeformer:
            keyforms = reexpress_keyforms(rig, deformer_id, new_parent_id)
            return ReparentDeformer(rig, deformer_id, new_parent_id, keyforms=keyforms)

        self._apply(build)

    def add(self, kind: str) -> str | None:
        """Add a ``"warp"`` or ``"rotation"`` deformer under the active deformer; return its id."""
        rig = self.bridge.rig
        if not rig.parts:
            log.warning("add a part (or generate a rig) before adding deformers")
            return None
        active = self.bridge.state.selection.active
        parent = next((d for d in rig.deformers if d.id == active), None)
        part_id = parent.part_id if parent is not None else rig.parts[0].id
        parent_id = parent.id if parent is not None else None
        make = new_warp if kind == "warp" else new_rotation
        deformer = make(rig, parent_id, part_id)
        self._apply(lambda rig: AddDeformer(rig, deformer))
        self.bridge.state.selection.select(deformer.id)
        return deformer.id

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

"""Mesh mode: the Mesh Edit toggle, Auto-mesh and Re-triangulate actions, and the Mesh toolbar.

``MeshMode(window)`` adds to the window:

* **Edit > Mesh Edit** (``M``, checkable, also on the *Mesh* toolbar): sets ``EditorState.mode``
  to ``MESH`` and makes :class:`~app.viewport.tools.mesh_tool.MeshTool` the viewport's tool
  (leaving the mode, or another mode taking over, removes it);
* **Edit > Auto-mesh...** (``Ctrl+Shift+M``): a dialog with Cubism-like presets (standard / small
  deformation / large deformation, :data:`inference.meshing.automesh.PRESETS`) re-meshing every selected
  art mesh on a worker thread (:mod:`app.jobs.automesh`, progress and Cancel); all of them are
  **one** undo step and every keyform is remapped;
* **Edit > Re-triangulate Mesh**: Delaunay inside the outline of the selected meshes.

The tool's and the actions' messages go to the status bar.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QMenu, QToolBar

from app.jobs.automesh import AutoMeshRunner
from app.viewport.tools.mesh_tool import MeshTool
from inference.meshing.automesh import PRESETS
from rig.document.editor_state import EditMode
from rig.edit.mesh_ops import retriangulate_command
from rig.errors import RigError
from rig.model import ArtMesh

if TYPE_CHECKING:
    from app.editor.main_window import MainWindow

log = logging.getLogger(__name__)
STATUS_MS = 8000
PRESET_HELP = {
    "standard": "Standard vertex spacing (medium density)",
    "small deformation": "Fewer vertices, for parts that barely deform",
    "large deformation": "More vertices, for parts that bend a lot (mouth, eyes)",
}


class AutoMeshDialog(QDialog):
    """Choose an auto-mesh preset for the selected art meshes.

    Attributes
    ----------
    preset_combo : QComboBox
        The keys of :data:`inference.meshing.automesh.PRESETS`.
    """

    def __init__(self, mesh_ids: list[str], parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("AutoMeshDialog")
        self.setWindowTitle("Auto-mesh")
        self.preset_combo = QComboBox()
        for key in PRESETS:
            self.preset_combo.addItem(key)
            self.preset_combo.setItemData(self.preset_combo.count() - 1, PRESET_HELP.get(key, ""), 3)
        what = mesh_ids[0] if len(mesh_ids) == 1 else f"{len(mesh_ids)} art meshes"
        layout = QFormLayout(self)
        layout.addRow(QLabel(f"Re-mesh {what}; keyforms are carried over."))
        layout.addRow("Preset:", self.preset_combo)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addRow(buttons)

    @property
    def preset(self) -> str:
        return self.preset_combo.currentText()


class MeshMode:
    """Mesh-mode controller of one main window (module docstring).

    Attributes
    ----------
    tool : MeshTool
    toggle, auto_mesh_action, retriangulate_action : QAction
    toolbar : QToolBar
    dialog : AutoMeshDialog or None
        The open Auto-mesh dialog.
    automesh : AutoMeshRunner
        Runs Auto-mesh in the background (``automesh.running``, ``automesh.finished``).
    """

    def __init__(self, window: MainWindow) -> None:
        self.window, self.bridge, self.viewport = window, window.bridge, window.viewport
        self.tool = MeshTool(self.viewport, self.bridge)
        self.tool.status.connect(self.show_status)
        self.dialog: AutoMeshDialog | None = None
        self.automesh = AutoMeshRunner(self.bridge, window, self.show_status,
                                       lambda text, details: window.dialogs.error("Auto-mesh", text, details))
        self.toggle = self._action("&Mesh Edit", None, "M", "Edit the vertices of the selected art meshes")
        self.toggle.setCheckable(True)
        self.toggle.toggled.connect(self.set_enabled)
        self.auto_mesh_action = self._action("&Auto-mesh...", self.open_auto_mesh, "Ctrl+Shift+M",
                                             "New meshes for the selected art meshes (keyforms carried over)")
        self.retriangulate_action = self._action("Re-&triangulate Mesh", self.retriangulate, None,
                                                 "Delaunay triangulation inside the outline of the selected meshes")
        self._install_menu()
        self.toolbar = QToolBar("Mesh", window)
        self.toolbar.setObjectName("toolbar_mesh")
        for action in (self.toggle, self.auto_mesh_action, self.retriangulate_action):
            self.toolbar.addAction(action)
        window.addToolBar(self.toolbar)
        self.bridge.state.mode_changed.connect(self._on_mode)

    def _action(self, text: str, slot, shortcut: str | None, tip: str) -> QAction:
        action = QAction(text, self.window)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip)
        action.setToolTip(f"{text.replace('&', '')} ({shortcut})" if shortcut else tip)
        if slot is not None:
            action.triggered.connect(lambda checked=False: slot())
        return action

    def _install_menu(self) -> None:
        bar = self.window.menuBar()
        edit = next((a.menu() for a in bar.actions() if a.menu() is not None and a.text() == "&Edit"), None)
        if edit is None:
            edit = bar.addMenu("&Edit")
        self.menu: QMenu = edit
        edit.addSeparator()
        for action in (self.toggle, self.auto_mesh_action, self.retriangulate_action):
            edit.addAction(action)

    # ---------------------------------------------------------------- mode and tool
    @property
    def enabled(self) -> bool:
        return self.bridge.state.mode == EditMode.MESH

    def set_enabled(self, on: bool) -> None:
        """Enter (or leave, back to Model mode) mesh edit mode."""
        if on != self.enabled:
            self.bridge.state.mode = EditMode.MESH if on else EditMode.MODEL

    def _on_mode(self, mode) -> None:
        self.toggle.blockSignals(True)
        self.toggle.setChecked(mode == EditMode.MESH)
        self.toggle.blockSignals(False)
        if mode == EditMode.MESH:
            self.viewport.set_tool(self.tool)
            self.viewport.setFocus()
        elif self.viewport.tool is self.tool:
            self.viewport.set_tool(None)
            self.show_status("Mesh edit off")

    def show_status(self, text: str) -> None:
        self.window.statusBar().showMessage(text, STATUS_MS)

    # ---------------------------------------------------------------- actions
    def selected_meshes(self) -> list[str]:
        selected = self.bridge.state.selection.ids
        return [m.id for m in self.bridge.rig.art_meshes if m.id in selected and isinstance(m, ArtMesh)]

    def open_auto_mesh(self) -> AutoMeshDialog | None:
        """Show the Auto-mesh dialog (window-modal, not blocking); OK re-meshes the selection."""
        ids = self.selected_meshes()
        if not ids:
            self.show_status("Auto-mesh: select one or more art meshes first")
            return None
        self.dialog = AutoMeshDialog(ids, self.window)
        self.dialog.accepted.connect(lambda d=self.dialog: self.auto_mesh(d.preset))
        self.dialog.finished.connect(lambda result, d=self.dialog: d.deleteLater())
        self.dialog.open()
        return self.dialog

    def auto_mesh(self, preset: str = "standard", mesh_ids: list[str] | None = None) -> bool:
        """Start re-meshing ``mesh_ids`` (default the selected art meshes) in the background.

        Returns True when the worker started; its command arrives later as one undo step.
        """
        ids = self.selected_meshes() if mesh_ids is None else list(mesh_ids)
        if not ids:
            self.show_status("Auto-mesh: select one or more art meshes first")
            return False
        return self.automesh.start(ids, preset)

    def retriangulate(self) -> bool:
        return self._push(lambda: retriangulate_command(self.bridge.rig, self.selected_meshes()))

    def _push(self, build) -> bool:
        try:
            cmd = build()
            if cmd is None:
                self.show_status("Select one or more art meshes first")
                return False
            self.bridge.push(cmd)
        except RigError as exc:
            self.show_status(str(exc))
            log.error("%s", exc)
            return False
        n = sum(self.bridge.rig.art_mesh(c.mesh_id).vertex_count for c in cmd.commands)
        self.show_status(f"{cmd.label}: {n} vertices")
        return True

"""Mesh mode: the Mesh Edit toggle, Auto-mesh and Re-triangulate actions, and the Mesh toolbar.

``MeshMode(host, modes)`` builds the *Mesh* toolbar and these actions (the **Mesh** menu, placed by
:mod:`app.editor.actions`):

* **Mesh > Mesh Edit** (``M``, checkable, also on the toolbar): sets ``EditorState.mode`` to ``MESH``;
  :class:`app.editor.modes.ModeController` then gives the viewport the
  :class:`~app.viewport.tools.mesh_tool.MeshTool` (leaving the mode, or another mode taking over,
  removes it);
* **Mesh > Auto-mesh...** (``Ctrl+Shift+M``): a dialog with Cubism-like presets (standard / small
  deformation / large deformation, :data:`inference.meshing.automesh.PRESETS`) re-meshing every selected
  art mesh on a worker thread (:mod:`app.jobs.automesh`, progress and Cancel); all of them are
  **one** undo step and every keyform is remapped;
* **Mesh > Re-triangulate Mesh**: Delaunay inside the outline of the selected meshes.

The tool's and the actions' messages go to the status bar.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QToolBar

from app.editor.host import EditorHost
from app.editor.modes import ModeController, make_action
from app.jobs.automesh import AutoMeshRunner
from inference.meshing.automesh import PRESETS
from rig.document.editor_state import EditMode
from rig.edit.mesh_ops import retriangulate_command
from rig.model import ArtMesh

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
    """Mesh-mode controller of one editor (module docstring).

    Parameters
    ----------
    host : EditorHost
    modes : ModeController
        Owns the viewport tool; this mode only switches the edit mode.

    Attributes
    ----------
    tool : MeshTool
    toggle, auto_mesh_action, retriangulate_action : QAction
    actions : tuple of QAction
        The Mesh menu's actions (all need a rig to act on).
    toolbar : QToolBar
    dialog : AutoMeshDialog or None
        The open Auto-mesh dialog.
    automesh : AutoMeshRunner
        Runs Auto-mesh in the background (``automesh.running``, ``automesh.finished``).
    """

    def __init__(self, host: EditorHost, modes: ModeController) -> None:
        self.host, self.modes, self.bridge, self.viewport = host, modes, host.bridge, host.viewport
        self.tool = modes.mesh_tool
        self.dialog: AutoMeshDialog | None = None
        parent = host.dialog_parent()
        self.automesh = AutoMeshRunner(self.bridge, parent, self.show_status,
                                       lambda text, details: host.dialogs.error("Auto-mesh", text, details))
        self.toggle = modes.mode_toggle(EditMode.MESH, "&Mesh Edit", "M", "Edit the vertices of the selected art meshes",
                                        "Mesh Edit (M)")
        self.auto_mesh_action = self._action("&Auto-mesh...", self.open_auto_mesh, "Ctrl+Shift+M",
                                             "New meshes for the selected art meshes (keyforms carried over)")
        self.retriangulate_action = self._action("Re-&triangulate Mesh", self.retriangulate, None,
                                                 "Delaunay triangulation inside the outline of the selected meshes")
        self.actions = (self.toggle, self.auto_mesh_action, self.retriangulate_action)
        self.toolbar = QToolBar("Mesh", parent)
        self.toolbar.setObjectName("toolbar_mesh")
        for action in self.actions:
            self.toolbar.addAction(action)
        modes.tool_changed.connect(self._on_tool)

    def _action(self, text: str, slot, shortcut: str | None, tip: str):
        tool_tip = f"{text.replace('&', '')} ({shortcut})" if shortcut else tip
        return make_action(self.host.dialog_parent(), text, slot, shortcut, tip, tool_tip)

    # ---------------------------------------------------------------- mode and tool
    @property
    def enabled(self) -> bool:
        return self.modes.mode == EditMode.MESH

    def _on_tool(self, old, new) -> None:
        if new is self.tool:
            self.viewport.setFocus()
        elif old is self.tool:
            self.show_status("Mesh edit off")

    def show_status(self, text: str) -> None:
        self.host.show_status(text)

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
        self.dialog = AutoMeshDialog(ids, self.host.dialog_parent())
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
        """Re-triangulate the selected art meshes (one undo step through :meth:`DocumentBridge.apply`)."""
        pushed = self.bridge.apply(lambda rig: retriangulate_command(rig, self.selected_meshes()),
                                   nothing="Select one or more art meshes first")
        if not pushed:
            return False
        cmd = pushed[0]
        n = sum(self.bridge.rig.art_mesh(c.mesh_id).vertex_count for c in cmd.commands)
        self.show_status(f"{cmd.label}: {n} vertices")
        return True

"""The modes work on any EditorHost (no MainWindow), one controller owns the viewport tool, and the
window's menus come in the usual order with the rig actions disabled while nothing is loaded."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMainWindow

from app.bridge import DocumentBridge
from app.editor.deform_mode import DeformMode
from app.editor.mesh_mode import MeshMode
from app.editor.modes import ModeController
from app.editor.paint_mode import PaintMode
from app.viewport.tools.brush_tool import BrushTool
from app.viewport.tools.deformer_tool import DeformerTool
from app.viewport.tools.keyform_tool import KeyformTool
from app.viewport.tools.mesh_tool import MeshTool
from app.viewport.viewport import Viewport
from rig.document import Document
from rig.document.editor_state import EditMode
from rig.testing import tiny_rig
from tests.app.conftest import load_tiny

pytestmark = pytest.mark.qt


class SmallHost:
    """The least an EditorHost needs: a bridge, a viewport, dialogs, settings, a status line, a parent."""

    def __init__(self, dialogs) -> None:
        self.parent = QMainWindow()
        self.bridge = DocumentBridge(Document(tiny_rig()), parent=self.parent)
        self.viewport = Viewport(self.bridge)
        self.parent.setCentralWidget(self.viewport)
        self.dialogs, self.settings = dialogs, None
        self.messages: list[str] = []

    def show_status(self, text: str, timeout_ms: int = 0) -> None:
        self.messages.append(text)

    def dialog_parent(self):
        return self.parent


def test_modes_on_a_small_host_share_one_tool_owner(qtbot, dialogs):
    host = SmallHost(dialogs)
    qtbot.addWidget(host.parent)
    modes = ModeController(host)
    deform, mesh, paint = DeformMode(host, modes), MeshMode(host, modes), PaintMode(host, modes)
    vp, state = host.viewport, host.bridge.state
    assert vp.tool is None
    host.bridge.state.selection.select("ArtMesh1")
    deform.toggle.trigger()
    assert state.mode == EditMode.DEFORM and isinstance(vp.tool, KeyformTool) and deform.toggle.isChecked()
    state.selection.select("Warp1")
    assert isinstance(vp.tool, DeformerTool)
    assert any("Warp1" in m for m in host.messages)  # the tools report through the host
    mesh.toggle.trigger()
    assert isinstance(vp.tool, MeshTool) and mesh.toggle.isChecked() and not deform.toggle.isChecked()
    paint.toggle.trigger()
    assert state.mode == EditMode.MODEL and isinstance(vp.tool, BrushTool) and modes.painting
    assert paint.toggle.isChecked() and not mesh.toggle.isChecked()
    deform.toggle.trigger()  # another mode takes over: painting stops
    assert isinstance(vp.tool, DeformerTool) and not modes.painting and not paint.toggle.isChecked()
    deform.toggle.trigger()
    assert state.mode == EditMode.MODEL and vp.tool is None
    state.selection.select("ArtMesh1")
    assert mesh.retriangulate() and host.bridge.can_undo  # one step through DocumentBridge.apply, no window
    assert host.messages[-1].endswith("vertices")


def test_menus_in_the_usual_order_and_rig_actions_wait_for_a_rig(window):
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles == ["&File", "&Edit", "&View", "&Deform", "&Mesh", "&Help"]
    mesh_menu = [a.text() for a in window.editor_actions.mesh_menu.actions() if a.text()]
    assert mesh_menu == ["&Mesh Edit", "&Auto-mesh...", "Re-&triangulate Mesh", "&Paint Mask"]
    rig_actions = (window.deform.toggle, window.deform.add_key, window.mesh_mode.toggle,
                   window.mesh_mode.auto_mesh_action, window.paint_mode.toggle, window.editor_actions.save)
    assert not any(a.isEnabled() for a in rig_actions)  # an empty document: nothing to act on
    assert window.editor_actions.new_from_image.isEnabled() and window.editor_actions.open.isEnabled()
    load_tiny(window)
    assert all(a.isEnabled() for a in rig_actions)
    window.editor_actions.undo.trigger()  # back to the empty document
    assert not window.mesh_mode.toggle.isEnabled()

"""The one owner of the viewport tool: :class:`ModeController`.

Which tool the viewport has follows from the editor state alone, in :meth:`ModeController.tool_for_state`:

* ``EditMode.DEFORM``: the :class:`~app.viewport.tools.deformer_tool.DeformerTool` when the active
  object is a deformer, else the :class:`~app.viewport.tools.keyform_tool.KeyformTool`;
* ``EditMode.MESH``: the :class:`~app.viewport.tools.mesh_tool.MeshTool`;
* ``EditMode.MODEL`` while painting: the :class:`~app.viewport.tools.brush_tool.BrushTool`;
* otherwise none (a click selects).

The modes (:mod:`app.editor.deform_mode`, :mod:`app.editor.mesh_mode`, :mod:`app.editor.paint_mode`)
only change the edit mode or :attr:`ModeController.painting` and follow :attr:`ModeController.tool_changed`;
none of them calls ``viewport.set_tool``. Every tool's ``status`` goes to the host's status bar.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QSignalBlocker, Signal
from PySide6.QtGui import QAction, QKeySequence

from app.editor.host import EditorHost
from app.jobs.recut import RecutRunner
from app.viewport.tools.brush_tool import BrushTool
from app.viewport.tools.deformer_tool import DeformerTool
from app.viewport.tools.keyform_tool import KeyformTool
from app.viewport.tools.mesh_tool import MeshTool
from rig.document.editor_state import EditMode


def make_action(parent: QObject, text: str, slot=None, shortcut=None, tip: str | None = None,
                tool_tip: str | None = None) -> QAction:
    """A ``QAction`` of the editor: ``shortcut`` (a string or a ``QKeySequence.StandardKey``), status
    tip, tool tip, and ``slot()`` on trigger (called without the ``checked`` argument)."""
    action = QAction(text, parent)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    if tip:
        action.setStatusTip(tip)
    if tool_tip:
        action.setToolTip(tool_tip)
    if slot is not None:
        action.triggered.connect(lambda checked=False: slot())
    return action


class ModeController(QObject):
    """Chooses the viewport tool from the edit mode, painting and the active selection.

    Parameters
    ----------
    host : EditorHost

    Attributes
    ----------
    keyform_tool : KeyformTool
    deformer_tool : DeformerTool
    mesh_tool : MeshTool
    brush_tool : BrushTool
    painting : bool
        Mask painting is on (only in Model mode; any other mode turns it off).

    Signals
    -------
    tool_changed(object, object)
        ``(old, new)`` tools (either may be None) after the viewport switched.
    """

    tool_changed = Signal(object, object)

    def __init__(self, host: EditorHost) -> None:
        super().__init__(host.dialog_parent())
        self.host, self.bridge, self.viewport = host, host.bridge, host.viewport
        self.keyform_tool = KeyformTool(self.viewport, self.bridge)
        self.deformer_tool = DeformerTool(self.viewport, self.bridge)
        self.mesh_tool = MeshTool(self.viewport, self.bridge)
        self.brush_tool = BrushTool(self.viewport, self.bridge, RecutRunner(self))
        self.tools = (self.keyform_tool, self.deformer_tool, self.mesh_tool, self.brush_tool)
        for tool in self.tools:
            tool.status.connect(host.show_status)
        self._painting = False
        self.bridge.state.mode_changed.connect(self._on_mode)
        self.bridge.selection_changed.connect(self._on_selection)

    def shutdown(self) -> None:
        """Wait for a re-cut still running (the window is closing); its result is dropped."""
        self.brush_tool.recutter.shutdown()

    # ---------------------------------------------------------------- state
    @property
    def mode(self) -> EditMode:
        return self.bridge.state.mode

    def set_mode(self, mode: EditMode) -> None:
        """Switch the edit mode (the tool follows through ``mode_changed``)."""
        if mode != self.mode:
            self.bridge.state.mode = mode

    def mode_toggle(self, mode: EditMode, text: str, shortcut: str, tip: str, tool_tip: str | None = None) -> QAction:
        """A checkable action that enters ``mode`` (unchecking it goes back to Model mode) and stays
        checked exactly while ``mode`` is the edit mode."""
        action = make_action(self.host.dialog_parent(), text, None, shortcut, tip, tool_tip)
        action.setCheckable(True)

        def toggled(on: bool) -> None:
            if on != (self.mode == mode):
                self.set_mode(mode if on else EditMode.MODEL)

        def follow(current) -> None:
            with QSignalBlocker(action):
                action.setChecked(current == mode)

        action.toggled.connect(toggled)
        self.bridge.state.mode_changed.connect(follow)
        return action

    @property
    def painting(self) -> bool:
        return self._painting

    def set_painting(self, on: bool) -> None:
        """Start painting (back to Model mode, brush tool) or stop it."""
        self._painting = bool(on)
        if on and self.mode != EditMode.MODEL:
            self.set_mode(EditMode.MODEL)  # _on_mode syncs
        else:
            self.sync()

    # ---------------------------------------------------------------- the tool
    def tool_for_state(self):
        """The tool the current mode, painting flag and active selection call for (or None)."""
        mode = self.mode
        if mode == EditMode.DEFORM:
            active = self.bridge.state.selection.active
            is_deformer = any(d.id == active for d in self.bridge.rig.deformers)
            return self.deformer_tool if is_deformer else self.keyform_tool
        if mode == EditMode.MESH:
            return self.mesh_tool
        if mode == EditMode.MODEL and self._painting:
            return self.brush_tool
        return None

    def sync(self, refresh: bool = False) -> None:
        """Give the viewport :meth:`tool_for_state`; ``refresh`` re-activates an unchanged tool."""
        tool, old = self.tool_for_state(), self.viewport.tool
        if tool is not old:
            self.viewport.set_tool(tool)
            self.tool_changed.emit(old, tool)
        elif refresh and tool is not None:
            tool.activate()
        self.viewport.update()

    def _on_mode(self, mode) -> None:
        if mode != EditMode.MODEL:
            self._painting = False
        self.sync()

    def _on_selection(self) -> None:
        # the deform tools re-announce the key state of the new target; the others follow it themselves
        self.sync(refresh=self.mode == EditMode.DEFORM)

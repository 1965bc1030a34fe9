"""Deform mode: the mode toggle, the Deform menu and the keyform actions on the selection.

``DeformMode(window)`` adds a **Deform** menu to the window:

* **Deform Mode** (``D``, checkable): sets ``EditorState.mode`` to ``DEFORM``; the viewport tool
  follows the active selection: an art mesh gets the :class:`KeyformTool` (vertices), a warp or
  rotation deformer the :class:`DeformerTool` (lattice / origin and angle handles);
* **Add Key Here** / **Remove Key Here** (for the active object, at the current parameter values);
* **Copy Keyform** / **Paste Keyform** (the armed keyform; pasting onto another object transfers
  the displacement from rest);
* **Mirror Keyform to L/R Partner**;
* **Reset to Base** (the selected vertices or lattice points, or all of them).

The Parameters dock's row context menu (:meth:`parameter_menu`) offers the same key actions for one
parameter. Each action pushes one undo step; problems are reported in the status bar and the log.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QToolBar

from app.viewport.tools.deformer_tool import DeformerTool
from app.viewport.tools.keyform_tool import KeyformTool, describe_key_state
from rig.document.editor_state import EditMode
from rig.edit.keyforms import (
    KeyformClip,
    add_key_steps,
    key_state,
    keyform_values,
    mirror_command,
    paste_command,
    remove_key_steps,
    reset_to_base_command,
)
from rig.errors import RigError

if TYPE_CHECKING:
    from app.editor.main_window import MainWindow

log = logging.getLogger(__name__)
STATUS_MS = 8000


class DeformMode:
    """Deform-mode controller of one main window (module docstring).

    Attributes
    ----------
    keyform_tool : KeyformTool
    deformer_tool : DeformerTool
    clip : KeyformClip or None
        The copied keyform.
    toggle, add_key, remove_key, copy, paste, mirror, reset : QAction
    menu : QMenu
    toolbar : QToolBar
    """

    def __init__(self, window: MainWindow) -> None:
        self.window, self.bridge, self.viewport = window, window.bridge, window.viewport
        self.keyform_tool = KeyformTool(self.viewport, self.bridge)
        self.deformer_tool = DeformerTool(self.viewport, self.bridge)
        for tool in (self.keyform_tool, self.deformer_tool):
            tool.status.connect(self.show_status)
        self.clip: KeyformClip | None = None
        self.toggle = self._action("&Deform Mode", None, "D", "Edit keyforms: drag vertices, lattice points, origins")
        self.toggle.setCheckable(True)
        self.toggle.toggled.connect(self.set_enabled)
        self.add_key = self._action("&Add Key Here", self.add_key_here, "Ctrl+K",
                                    "Add a key at the current values for the selected object")
        self.remove_key = self._action("&Remove Key Here", self.remove_key_here, "Ctrl+Shift+K",
                                       "Remove the parameter keys at the current values")
        self.copy = self._action("&Copy Keyform", self.copy_keyform, "Ctrl+Alt+C")
        self.paste = self._action("&Paste Keyform", self.paste_keyform, "Ctrl+Alt+V")
        self.mirror = self._action("&Mirror Keyform to L/R Partner", self.mirror_keyform, "Ctrl+Alt+M")
        self.reset = self._action("Reset to &Base", self.reset_to_base, "Ctrl+Alt+B",
                                  "Set the selected points (or all) of this keyform to the rest keyform")
        self.menu = window.menuBar().addMenu("&Deform")
        self.menu.addAction(self.toggle)
        self.menu.addSeparator()
        for action in (self.add_key, self.remove_key, self.copy, self.paste, self.mirror, self.reset):
            self.menu.addAction(action)
        self.toolbar = QToolBar("Deform", window)
        self.toolbar.setObjectName("toolbar_deform")
        for action in (self.toggle, self.add_key, self.mirror, self.reset):
            self.toolbar.addAction(action)
        window.addToolBar(self.toolbar)
        self.bridge.state.mode_changed.connect(self._on_mode)
        self.bridge.selection_changed.connect(self.sync_tool)
        self.bridge.values_changed.connect(lambda changed: self._announce())
        self.bridge.document_replaced.connect(lambda: setattr(self, "clip", None))

    def _action(self, text: str, slot, shortcut: str, tip: str | None = None) -> QAction:
        action = QAction(text, self.window)
        action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
        if slot is not None:
            action.triggered.connect(lambda checked=False: slot())
        return action

    # ---------------------------------------------------------------- mode and tool
    @property
    def enabled(self) -> bool:
        return self.bridge.state.mode == EditMode.DEFORM

    def set_enabled(self, on: bool) -> None:
        """Enter (or leave, back to Model mode) Deform mode."""
        if on != self.enabled:
            self.bridge.state.mode = EditMode.DEFORM if on else EditMode.MODEL

    def _on_mode(self, mode) -> None:
        self.toggle.blockSignals(True)
        self.toggle.setChecked(mode == EditMode.DEFORM)
        self.toggle.blockSignals(False)
        self.sync_tool()

    def sync_tool(self) -> None:
        """Give the viewport the tool for the active selection (or take ours away outside Deform mode)."""
        mine = (self.keyform_tool, self.deformer_tool)
        if not self.enabled:
            if self.viewport.tool in mine:
                self.viewport.set_tool(None)
            return
        active = self.bridge.state.selection.active
        is_deformer = any(d.id == active for d in self.bridge.rig.deformers)
        tool = self.deformer_tool if is_deformer else self.keyform_tool
        if self.viewport.tool is not tool:
            self.viewport.set_tool(tool)
        else:
            tool.activate()
        self.viewport.update()

    def _announce(self) -> None:
        if self.enabled and self.viewport.tool is not None and self.viewport.tool.gesture is None:
            self.viewport.tool.activate()

    def show_status(self, text: str) -> None:
        self.window.statusBar().showMessage(text, STATUS_MS)

    # ---------------------------------------------------------------- actions
    def _active(self) -> str | None:
        active = self.bridge.state.selection.active
        if active is None or not any(o.id == active for o in (*self.bridge.rig.deformers, *self.bridge.rig.art_meshes)):
            self.show_status("Select an art mesh or a deformer first")
            return None
        return active

    def _armed(self, object_id: str) -> int | None:
        state = key_state(self.bridge.rig, object_id, self.bridge.values)
        if not state.on_key:
            self.show_status(describe_key_state(self.bridge.rig, object_id, self.bridge.values))
            return None
        return state.keyform_index

    def _push_steps(self, label: str, steps: list) -> bool:
        """Build and push ``steps`` (builders ``f(rig) -> Command``) as one undo step."""
        history = self.bridge.document.history
        try:
            history.seal()
            with history.macro(label):
                for build in steps:
                    self.bridge.push(build(self.bridge.rig))
            history.seal()
        except RigError as exc:
            self.show_status(str(exc))
            log.error("%s", exc)
            return False
        self.show_status(label)
        return True

    def _push(self, build) -> bool:
        try:
            cmd = build()
        except RigError as exc:
            self.show_status(str(exc))
            log.error("%s", exc)
            return False
        if cmd is None:
            self.show_status("Nothing to change")
            return False
        return self._push_steps(cmd.label, [lambda rig: cmd])

    def add_parameter_key(self, parameter_id: str, object_id: str | None = None) -> bool:
        """Give the active object (or ``object_id``) a key at ``parameter_id``'s current value."""
        object_id = object_id or self._active()
        if object_id is None:
            return False
        value = self.bridge.values[parameter_id]
        try:
            steps = add_key_steps(self.bridge.rig, object_id, parameter_id, value)
        except RigError as exc:
            self.show_status(str(exc))
            return False
        return self._push_steps(f"Add key {parameter_id} = {value:g} to {object_id}", steps)

    def remove_parameter_key(self, parameter_id: str) -> bool:
        """Remove ``parameter_id``'s key at its current value (from every keyed object)."""
        value = self.bridge.values[parameter_id]
        try:
            steps = remove_key_steps(self.bridge.rig, None, parameter_id, value)
        except RigError as exc:
            self.show_status(str(exc))
            return False
        return self._push_steps(f"Remove key {parameter_id} = {value:g}", steps)

    def add_key_here(self) -> bool:
        """Add keys at the current values for every parameter the active object is off a key on."""
        object_id = self._active()
        if object_id is None:
            return False
        state = key_state(self.bridge.rig, object_id, self.bridge.values)
        if state.on_key:
            self.show_status(f"{object_id} is already on a key")
            return False
        steps = []
        for pid, value in state.off_key:
            steps += add_key_steps(self.bridge.rig, object_id, pid, value)
        return self._push_steps(f"Add key to {object_id}", steps)

    def remove_key_here(self) -> bool:
        """Remove the keys the active object sits on for its bound parameters at non-default values."""
        object_id = self._active()
        if object_id is None:
            return False
        rig, values = self.bridge.rig, self.bridge.values
        params = {p.id: p for p in rig.parameters}
        pids = [pid for pid in rig.find(object_id).keyforms.parameter_ids if values[pid] != params[pid].default]
        steps = []
        for pid in pids:
            try:
                steps += remove_key_steps(rig, object_id, pid, values[pid])
            except RigError:
                continue
        if not steps:
            self.show_status(f"{object_id}: no key to remove at the current values (defaults are kept)")
            return False
        return self._push_steps(f"Remove keys at {', '.join(pids)}", steps)

    def copy_keyform(self) -> bool:
        object_id = self._active()
        index = None if object_id is None else self._armed(object_id)
        if index is None:
            return False
        self.clip = KeyformClip(object_id, keyform_values(self.bridge.rig, object_id, index))
        self.show_status(f"Copied keyform {index} of {object_id}")
        return True

    def paste_keyform(self) -> bool:
        object_id = self._active()
        index = None if object_id is None else self._armed(object_id)
        if index is None or self.clip is None:
            if self.clip is None:
                self.show_status("Copy a keyform first")
            return False
        clip = self.clip
        return self._push(lambda: paste_command(self.bridge.rig, clip, object_id, index))

    def mirror_keyform(self) -> bool:
        object_id = self._active()
        if object_id is None:
            return False
        return self._push(lambda: mirror_command(self.bridge.rig, object_id, self.bridge.values)[0])

    def reset_to_base(self) -> bool:
        object_id = self._active()
        index = None if object_id is None else self._armed(object_id)
        if index is None:
            return False
        tool = self.viewport.tool
        indices = None
        if tool in (self.keyform_tool, self.deformer_tool) and tool.target_id() == object_id and tool.selected:
            indices = sorted(tool.selected)
        return self._push(lambda: reset_to_base_command(self.bridge.rig, object_id, index, indices))

    # ---------------------------------------------------------------- parameters dock
    def parameter_menu(self, parameter_id: str, parent=None) -> QMenu:
        """Context menu of one parameter row: add or remove a key at its current value."""
        menu = QMenu(parent)
        value = self.bridge.values[parameter_id]
        active = self.bridge.state.selection.active
        add = menu.addAction(f"Add key at {value:g} for {active}" if active else "Add key (select an object)")
        add.setEnabled(active is not None)
        add.triggered.connect(lambda: self.add_parameter_key(parameter_id))
        remove = menu.addAction(f"Remove key at {value:g}")
        remove.setEnabled(any(abs(k - value) < 1e-3 for k in self.bridge.rig.parameter(parameter_id).keys))
        remove.triggered.connect(lambda: self.remove_parameter_key(parameter_id))
        return menu

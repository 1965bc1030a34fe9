"""Deform mode: the mode toggle, the Deform menu and the keyform actions on the selection.

``DeformMode(host, modes)`` builds the **Deform** menu (placed by :mod:`app.editor.actions`) and toolbar:

* **Deform Mode** (``D``, checkable): sets ``EditorState.mode`` to ``DEFORM``; the viewport tool
  (chosen by :class:`app.editor.modes.ModeController`) follows the active selection: an art mesh gets the :class:`KeyformTool` (vertices), a warp or
  rotation deformer the :class:`DeformerTool` (lattice / origin and angle handles);
* **Add Key Here** / **Remove Key Here** (for the active object, at the current parameter values);
* **Copy Keyform** / **Paste Keyform** (the armed keyform; pasting onto another object transfers
  the displacement from rest);
* **Mirror Keyform to L/R Partner**;
* **Reset to Base** (the selected vertices or lattice points, or all of them).

The Parameters dock's row context menu (:meth:`parameter_menu`) offers the same key actions for one
parameter. Each action pushes one undo step through :meth:`app.bridge.DocumentBridge.apply`, which
reports a refusal once (status bar and log).
"""

from __future__ import annotations

from PySide6.QtWidgets import QMenu, QToolBar

from app.editor.host import EditorHost
from app.editor.modes import ModeController, make_action
from app.viewport.tools.keyform_tool import describe_key_state
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


class DeformMode:
    """Deform-mode controller of one editor (module docstring).

    Parameters
    ----------
    host : EditorHost
    modes : ModeController
        Owns the viewport tool; this mode only switches the edit mode.

    Attributes
    ----------
    keyform_tool : KeyformTool
    deformer_tool : DeformerTool
    clip : KeyformClip or None
        The copied keyform.
    toggle, add_key, remove_key, copy, paste, mirror, reset : QAction
    actions : tuple of QAction
        The actions that need a rig to act on.
    menu : QMenu
        The Deform menu (the menu bar takes it in :mod:`app.editor.actions`).
    toolbar : QToolBar
    """

    def __init__(self, host: EditorHost, modes: ModeController) -> None:
        self.host, self.modes, self.bridge, self.viewport = host, modes, host.bridge, host.viewport
        self.keyform_tool, self.deformer_tool = modes.keyform_tool, modes.deformer_tool
        self.clip: KeyformClip | None = None
        parent = host.dialog_parent()
        self.toggle = modes.mode_toggle(EditMode.DEFORM, "&Deform Mode", "D",
                                        "Edit keyforms: drag vertices, lattice points, origins")
        self.add_key = self._action("&Add Key Here", self.add_key_here, "Ctrl+K",
                                    "Add a key at the current values for the selected object")
        self.remove_key = self._action("&Remove Key Here", self.remove_key_here, "Ctrl+Shift+K",
                                       "Remove the parameter keys at the current values")
        self.copy = self._action("&Copy Keyform", self.copy_keyform, "Ctrl+Alt+C")
        self.paste = self._action("&Paste Keyform", self.paste_keyform, "Ctrl+Alt+V")
        self.mirror = self._action("&Mirror Keyform to L/R Partner", self.mirror_keyform, "Ctrl+Alt+M")
        self.reset = self._action("Reset to &Base", self.reset_to_base, "Ctrl+Alt+B",
                                  "Set the selected points (or all) of this keyform to the rest keyform")
        self.actions = (self.toggle, self.add_key, self.remove_key, self.copy, self.paste, self.mirror, self.reset)
        self.menu = QMenu("&Deform", parent)
        self.menu.addAction(self.toggle)
        self.menu.addSeparator()
        for action in self.actions[1:]:
            self.menu.addAction(action)
        self.toolbar = QToolBar("Deform", parent)
        self.toolbar.setObjectName("toolbar_deform")
        for action in (self.toggle, self.add_key, self.mirror, self.reset):
            self.toolbar.addAction(action)
        self.bridge.values_changed.connect(lambda changed: self._announce())
        self.bridge.document_replaced.connect(lambda: setattr(self, "clip", None))

    def _action(self, text: str, slot, shortcut: str, tip: str | None = None):
        return make_action(self.host.dialog_parent(), text, slot, shortcut, tip)

    # ---------------------------------------------------------------- mode and tool
    @property
    def enabled(self) -> bool:
        return self.modes.mode == EditMode.DEFORM

    def _announce(self) -> None:
        if self.enabled and self.viewport.tool is not None and self.viewport.tool.gesture is None:
            self.viewport.tool.activate()

    def show_status(self, text: str) -> None:
        self.host.show_status(text)

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

    def _apply(self, build, label: str | None = None) -> bool:
        """Build and push ``build`` as one sealed undo step (:meth:`DocumentBridge.apply`); say what happened."""
        pushed = self.bridge.apply(build, label, macro=True, nothing="Nothing to change")
        if pushed:
            self.show_status(label or pushed[0].label)
        return bool(pushed)

    def add_parameter_key(self, parameter_id: str, object_id: str | None = None) -> bool:
        """Give the active object (or ``object_id``) a key at ``parameter_id``'s current value."""
        object_id = object_id or self._active()
        if object_id is None:
            return False
        value = self.bridge.values[parameter_id]
        return self._apply(lambda rig: add_key_steps(rig, object_id, parameter_id, value),
                           f"Add key {parameter_id} = {value:g} to {object_id}")

    def remove_parameter_key(self, parameter_id: str) -> bool:
        """Remove ``parameter_id``'s key at its current value (from every keyed object)."""
        value = self.bridge.values[parameter_id]
        return self._apply(lambda rig: remove_key_steps(rig, None, parameter_id, value),
                           f"Remove key {parameter_id} = {value:g}")

    def add_key_here(self) -> bool:
        """Add keys at the current values for every parameter the active object is off a key on."""
        object_id = self._active()
        if object_id is None:
            return False
        state = key_state(self.bridge.rig, object_id, self.bridge.values)
        if state.on_key:
            self.show_status(f"{object_id} is already on a key")
            return False
        def steps(rig) -> list:
            return [step for pid, value in state.off_key for step in add_key_steps(rig, object_id, pid, value)]

        return self._apply(steps, f"Add key to {object_id}")

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
        return self._apply(steps, f"Remove keys at {', '.join(pids)}")

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
        return self._apply(lambda rig: paste_command(rig, clip, object_id, index))

    def mirror_keyform(self) -> bool:
        object_id = self._active()
        if object_id is None:
            return False
        return self._apply(lambda rig: mirror_command(rig, object_id, self.bridge.values)[0])

    def reset_to_base(self) -> bool:
        object_id = self._active()
        index = None if object_id is None else self._armed(object_id)
        if index is None:
            return False
        tool = self.viewport.tool
        indices = None
        if tool in (self.keyform_tool, self.deformer_tool) and tool.target_id() == object_id and tool.selected:
            indices = sorted(tool.selected)
        return self._apply(lambda rig: reset_to_base_command(rig, object_id, index, indices))

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

"""Menus and actions of the main window, in the usual order: File, Edit, View, Deform, Mesh, Help (the
window puts Live, :mod:`app.editor.live_menu`, before Help).

Undo and Redo are driven by the history through :class:`~app.bridge.DocumentBridge`
(``can_undo``/``undo_label``): their text names the command ("Undo Rename ArtMeshFace to Face").
Actions that cannot act on an empty document (no parts and no art meshes: nothing loaded) are
disabled until a rig is there (:meth:`EditorActions.require_rig`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMessageBox

from app.editor.host import WindowCommands
from app.editor.modes import make_action

EXPORT_FORMATS = ("Cubism model (model3.json + moc3)...", "Inochi2D puppet (.inp)...", "Layered PSD...")


class EditorActions:
    """Creates the window's actions and menus and keeps Undo/Redo and Open Recent current.

    Attributes
    ----------
    new_from_image, open, save, save_as, quit, undo, redo, fit_view, zoom_in, zoom_out, wireframe,
    gizmos, checkerboard, reset_parameters, user_guide, keyboard_shortcuts, about : QAction
    recent_menu, export_menu, view_menu, mesh_menu, help_menu : QMenu
        ``export_menu`` holds the exporters' actions (:class:`app.editor.export_actions.ExportController`).

    Parameters
    ----------
    window : WindowCommands
        The host: its commands (New, Open, Save ...), bridge, viewport, settings and docks.
    deform_menu : QMenu, optional
        The Deform menu (:class:`app.editor.deform_mode.DeformMode`), placed after View.
    mesh_actions : iterable of QAction or None
        The Mesh menu (None: a separator), placed after Deform.
    """

    def __init__(self, window: WindowCommands, deform_menu: QMenu | None = None,
                 mesh_actions: Iterable[QAction] = ()) -> None:
        self.window = window
        w = window
        self._need_rig: list[QAction] = []
        self.new_from_image = self._action("&New from Image...", w.new_from_image, QKeySequence.StandardKey.New,
                                           "Generate a rig from one character image")
        self.generation_backends = self._action(
            "Generation &Backends...", self._edit_backends, None,
            "Choose classical or learned models (and CPU or GPU) for New from Image")
        self.open = self._action("&Open...", w.open_project, QKeySequence.StandardKey.Open)
        self.save = self._action("&Save", w.save, QKeySequence.StandardKey.Save)
        self.save_as = self._action("Save &As...", w.save_as, QKeySequence.StandardKey.SaveAs)
        self.quit = self._action("&Quit", w.close, QKeySequence.StandardKey.Quit)
        self.undo = self._action("&Undo", w.bridge.undo, QKeySequence.StandardKey.Undo)
        self.redo = self._action("&Redo", w.bridge.redo, QKeySequence.StandardKey.Redo)
        self.select_none = self._action("Select &None", w.bridge.state.selection.clear, QKeySequence("Ctrl+Shift+A"))
        self.fit_view = self._action("&Fit View", w.viewport.fit_view, QKeySequence("F"))
        self.zoom_in = self._action("Zoom &In", lambda: self.zoom_by(1.25), QKeySequence.StandardKey.ZoomIn)
        self.zoom_out = self._action("Zoom &Out", lambda: self.zoom_by(0.8), QKeySequence.StandardKey.ZoomOut)
        self.wireframe = self._toggle("&Wireframe of Selection", "wireframe", QKeySequence("W"))
        self.gizmos = self._toggle("Deformer &Gizmos", "show_gizmos", QKeySequence("G"))
        self.checkerboard = self._toggle("&Checkerboard Background", "checkerboard", None)
        self.reset_parameters = self._action("&Reset Parameters", self._reset_values, QKeySequence("Ctrl+R"))
        self.user_guide = self._action("&User Guide", self.show_user_guide, QKeySequence.StandardKey.HelpContents,
                                       "Read the user guide: first run, generating, editing, tracking, export")
        self.keyboard_shortcuts = self._action("&Keyboard Shortcuts", self.show_shortcuts, QKeySequence("Ctrl+/"),
                                               "Every action with a key, from the menus and toolbars")
        self.about = self._action("&About Kirie", self.show_about)
        self._build_menus(deform_menu, list(mesh_actions))
        w.bridge.history_changed.connect(self.update_undo)
        w.bridge.changed.connect(lambda change: self.update_enabled())
        w.bridge.document_replaced.connect(self.update_enabled)
        self.require_rig(self.save, self.save_as, self.select_none, self.fit_view, self.reset_parameters)
        self.update_undo()

    # ---------------------------------------------------------------- enabled state
    def require_rig(self, *actions: QAction) -> None:
        """Keep ``actions`` disabled while the document is empty (nothing loaded)."""
        self._need_rig.extend(actions)
        self.update_enabled()

    @property
    def has_rig(self) -> bool:
        rig = self.window.bridge.rig
        return bool(rig.art_meshes or rig.parts)

    def update_enabled(self) -> None:
        loaded = self.has_rig
        for action in self._need_rig:
            action.setEnabled(loaded)

    # ---------------------------------------------------------------- window commands
    def _reset_values(self) -> None:
        self.window.bridge.values.reset()

    def zoom_by(self, factor: float) -> None:
        """Zoom the viewport by ``factor`` about its centre."""
        vp = self.window.viewport
        w, h = vp.view.viewport_size_px
        vp.set_view(vp.view.zoomed_at(factor, (w / 2, h / 2)))

    def show_about(self) -> None:
        QMessageBox.about(self.window.dialog_parent(), "About Kirie",
                          "<b>Kirie</b><br>One character image in, a Live2D-style rig out.")

    def show_shortcuts(self) -> None:
        """Help > Keyboard Shortcuts (:class:`app.editor.help.ShortcutsDialog`), modeless; one at a time."""
        from app.editor.help import ShortcutsDialog

        self._show_once("shortcuts_dialog", ShortcutsDialog)

    def show_user_guide(self) -> None:
        """Help > User Guide (:class:`app.editor.help.UserGuideDialog`), modeless; one at a time."""
        from app.editor.help import UserGuideDialog

        self._show_once("guide_dialog", UserGuideDialog)

    def _show_once(self, attribute: str, factory) -> None:
        dialog = getattr(self, attribute, None)
        if dialog is None:
            dialog = factory(self.window.dialog_parent())
            setattr(self, attribute, dialog)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

    def clear_recent(self) -> None:
        self.window.settings.clear_recent()
        self.update_recent([])

    def _edit_backends(self) -> bool:
        from app.editor.backends_dialog import edit_backends

        return edit_backends(self.window.dialog_parent(), self.window.settings.qsettings)

    def _action(self, text: str, slot, shortcut=None, tip: str | None = None) -> QAction:
        return make_action(self.window.dialog_parent(), text, slot, shortcut, tip)

    def _toggle(self, text: str, attribute: str, shortcut) -> QAction:
        """A checkable action mirroring a boolean attribute of the viewport (saved in settings)."""
        viewport, settings = self.window.viewport, self.window.settings
        action = QAction(text, self.window.dialog_parent(), checkable=True)
        if shortcut is not None:
            action.setShortcut(shortcut)
        value = settings.view_flag(attribute, getattr(viewport, attribute))
        setattr(viewport, attribute, value)
        action.setChecked(value)

        def toggled(on: bool) -> None:
            setattr(viewport, attribute, on)
            settings.set_view_flag(attribute, on)
            viewport.update()

        action.toggled.connect(toggled)
        return action

    def _build_menus(self, deform_menu: QMenu | None, mesh_actions: list[QAction]) -> None:
        bar = self.window.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self.new_from_image)
        file_menu.addAction(self.generation_backends)
        file_menu.addAction(self.open)
        self.recent_menu = file_menu.addMenu("Open &Recent")
        file_menu.addSeparator()
        file_menu.addAction(self.save)
        file_menu.addAction(self.save_as)
        self.export_menu = file_menu.addMenu("&Export")  # filled by app.editor.export_actions.ExportController
        file_menu.addSeparator()
        file_menu.addAction(self.quit)
        edit = bar.addMenu("&Edit")
        edit.addAction(self.undo)
        edit.addAction(self.redo)
        edit.addSeparator()
        edit.addAction(self.select_none)
        edit.addAction(self.reset_parameters)
        self.view_menu = bar.addMenu("&View")
        for dock in self.window.docks.values():
            self.view_menu.addAction(dock.toggleViewAction())
        self.view_menu.addSeparator()
        for action in (self.wireframe, self.gizmos, self.checkerboard):
            self.view_menu.addAction(action)
        self.view_menu.addSeparator()
        for action in (self.fit_view, self.zoom_in, self.zoom_out):
            self.view_menu.addAction(action)
        if deform_menu is not None:
            bar.addMenu(deform_menu)
        self.mesh_menu = bar.addMenu("&Mesh")
        for action in mesh_actions:
            if action is None:
                self.mesh_menu.addSeparator()
            else:
                self.mesh_menu.addAction(action)
        self.mesh_menu.menuAction().setVisible(bool(mesh_actions))
        self.help_menu = bar.addMenu("&Help")
        self.help_menu.addAction(self.user_guide)
        self.help_menu.addAction(self.keyboard_shortcuts)
        self.help_menu.addSeparator()
        self.help_menu.addAction(self.about)

    def update_undo(self) -> None:
        """Enable and label Undo/Redo from the history ("Undo Rename ArtMeshFace to Face")."""
        bridge = self.window.bridge
        self.undo.setEnabled(bridge.can_undo)
        self.redo.setEnabled(bridge.can_redo)
        self.undo.setText(f"&Undo {bridge.undo_label}" if bridge.can_undo else "&Undo")
        self.redo.setText(f"&Redo {bridge.redo_label}" if bridge.can_redo else "&Redo")

    def update_recent(self, files: list[str]) -> None:
        """Refill Open Recent with ``files`` (most recent first)."""
        menu: QMenu = self.recent_menu
        menu.clear()
        for i, path in enumerate(files):
            action = menu.addAction(f"&{i + 1} {Path(path).name}")
            action.setToolTip(path)
            action.setData(path)
            action.triggered.connect(lambda checked=False, p=path: self.window.open_project(p))
        if files:
            menu.addSeparator()
            menu.addAction("Clear Menu", self.clear_recent)
        menu.setEnabled(bool(files))

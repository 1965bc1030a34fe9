"""The editor's main window: viewport in the middle, docks around it, menus, status bar.

``run_editor(project_path_or_None)`` is what ``kirie`` (no subcommand) calls. It sets the default
OpenGL surface format (3.3 core) **before** creating the ``QApplication`` (style.md section 5).

The window owns one :class:`~app.bridge.DocumentBridge`; every dock and the viewport listen to it.
File handling (open, save, recent, autosave, recovery) lives in :mod:`app.editor.project_files`, menus in
:mod:`app.editor.actions`, New from Image in :mod:`app.jobs.generation`, modal questions in :mod:`app.editor.dialogs`.
The window is the :class:`~app.editor.host.EditorHost` of the modes; :class:`~app.editor.modes.ModeController`
owns the viewport tool. This is the only module under ``app.editor`` that knows ``MainWindow``.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QSurfaceFormat
from PySide6.QtWidgets import QApplication, QDockWidget, QLabel, QMainWindow, QWidget

from app.bridge import DocumentBridge
from app.editor.actions import EditorActions
from app.editor.deform_mode import DeformMode
from app.editor.dialogs import IMAGE_SUFFIXES, Dialogs
from app.editor.export_actions import ExportController
from app.editor.host import STATUS_MS
from app.editor.live_menu import LiveMenu
from app.editor.mesh_mode import MeshMode
from app.editor.modes import ModeController
from app.editor.paint_mode import PaintMode
from app.editor.preview import PreviewAnimator
from app.editor.project_files import ProjectFiles
from app.editor.welcome import WelcomeView
from app.jobs.generation import GenerationController
from app.panels.deformers_panel import DeformersPanel
from app.panels.log_panel import LogPanel
from app.panels.parameters_panel import ParametersPanel
from app.panels.parts_panel import PartsPanel
from app.panels.properties_panel import PropertiesPanel
from app.panels.tracking_panel import TrackingPanel
from app.settings import EditorSettings
from app.viewport.viewport import Viewport, opengl_format
from rig.document.commands import ReplaceRig

log = logging.getLogger(__name__)
APP_NAME = "Kirie"


class MainWindow(QMainWindow):
    """One editor window.

    Parameters
    ----------
    settings : QSettings, optional
        Where to keep recent files, folders and the layout (default ``QSettings("Kirie", "Kirie")``).
    dialogs : Dialogs, optional
        The modal questions (tests pass scripted answers).

    Attributes
    ----------
    bridge : DocumentBridge
    viewport : Viewport
    panels : dict of str to QWidget
        ``parts``, ``deformers``, ``parameters``, ``properties``, ``tracking``, ``log``.
    docks : dict of str to QDockWidget
    preview : PreviewAnimator
        Breath, blinking and physics on a timer (the Parameters dock's Preview toggle).
    files : ProjectFiles
    generation : GenerationController
    editor_actions : EditorActions
    modes : ModeController
        The one owner of the viewport tool (:mod:`app.editor.modes`).
    deform : DeformMode
        Deform mode and the Deform menu (:mod:`app.editor.deform_mode`).
    mesh_mode : MeshMode
        Mesh edit mode, Auto-mesh and the Mesh toolbar (:mod:`app.editor.mesh_mode`).
    paint_mode : PaintMode
        Mask painting: the Paint Mask toggle, the brush and its toolbar (:mod:`app.editor.paint_mode`).
    exports : ExportController
        File > Export (:mod:`app.editor.export_actions`).
    live : LiveMenu
        Live > Stream Window, Virtual Camera (:mod:`app.editor.live_menu`).
    """

    def __init__(self, settings: QSettings | None = None, dialogs: Dialogs | None = None) -> None:
        super().__init__()
        self.setObjectName("KirieMainWindow")
        self.settings = EditorSettings(settings)
        self.dialogs = dialogs or Dialogs(self)
        self.bridge = DocumentBridge(parent=self)
        self.viewport = Viewport(self.bridge)
        self.setCentralWidget(self.viewport)
        self.preview = PreviewAnimator(self.bridge, self)  # the Parameters dock's Preview toggle runs it
        self.panels: dict[str, QWidget] = {}
        self.docks: dict[str, QDockWidget] = {}
        self._build_docks()
        self.panels["tracking"].project_folder = self.project_folder  # recorded motions go beside the project
        self.files = ProjectFiles(self.bridge, self.settings, lambda: self.dialogs, self)
        self.generation = GenerationController(self, self.apply_generation, self.show_generation_error)
        self.modes = ModeController(self)  # the viewport tool follows the mode and the selection
        self.deform = DeformMode(self, self.modes)  # Deform menu, mode toggle and keyform actions
        self.panels["parameters"].row_menu = self.deform.parameter_menu
        self.mesh_mode = MeshMode(self, self.modes)  # Mesh > Mesh Edit / Auto-mesh, Mesh toolbar
        self.paint_mode = PaintMode(self, self.modes)  # Mesh > Paint Mask, Paint toolbar
        mesh_actions = (*self.mesh_mode.actions, None, *self.paint_mode.actions)
        self.editor_actions = EditorActions(self, self.deform.menu, mesh_actions)
        self.editor_actions.require_rig(*self.deform.actions, *self.mesh_mode.actions, *self.paint_mode.actions)
        for mode in (self.deform, self.mesh_mode, self.paint_mode):
            self.addToolBar(mode.toolbar)
        self.exports = ExportController(self)
        self.exports.install(self.editor_actions.export_menu)
        self.live = LiveMenu(self)  # Live > Stream Window, Virtual Camera (app/editor/live_menu.py)
        self.menuBar().insertMenu(self.editor_actions.help_menu.menuAction(), self.live.menu)
        self.bridge.message.connect(self.show_status)
        self._build_status_bar()
        self.setAcceptDrops(True)
        self.files.path_changed.connect(self.update_title)
        self.files.recent_changed.connect(self.editor_actions.update_recent)
        self.bridge.clean_changed.connect(lambda clean: self.update_title())
        self.bridge.history_changed.connect(self.update_title)
        self.editor_actions.update_recent(self.settings.recent_files())
        self.welcome = WelcomeView(self)  # the empty viewport's start page (app/editor/welcome.py)
        self._restore_layout()
        self.update_title()

    # ---------------------------------------------------------------- layout
    def _build_docks(self) -> None:
        left, right, bottom = (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea,
                               Qt.DockWidgetArea.BottomDockWidgetArea)
        specs = (
            ("parts", "Parts && Layers", PartsPanel(self.bridge), left),
            ("deformers", "Deformers", DeformersPanel(self.bridge), left),
            ("parameters", "Parameters", ParametersPanel(self.bridge, self.preview), right),
            ("properties", "Properties", PropertiesPanel(self.bridge), right),
            ("tracking", "Tracking", TrackingPanel(self.bridge, self.settings.qsettings), right),
            ("log", "Log", LogPanel(), bottom),
        )
        for key, title, panel, area in specs:
            dock = QDockWidget(title, self)
            dock.setObjectName(f"dock_{key}")
            dock.setWidget(panel)
            self.addDockWidget(area, dock)
            self.panels[key], self.docks[key] = panel, dock
        self.tabifyDockWidget(self.docks["parts"], self.docks["deformers"])
        self.docks["parts"].raise_()
        self.tabifyDockWidget(self.docks["parameters"], self.docks["tracking"])
        self.docks["parameters"].raise_()
        self.resizeDocks([self.docks["parts"], self.docks["parameters"]], [280, 330], Qt.Orientation.Horizontal)
        self.resizeDocks([self.docks["log"]], [110], Qt.Orientation.Vertical)
        self.resizeDocks([self.docks["parameters"], self.docks["properties"]], [3, 2], Qt.Orientation.Vertical)

    def _build_status_bar(self) -> None:
        self.fps_label, self.zoom_label, self.selection_label = QLabel(), QLabel(), QLabel()
        for label in (self.selection_label, self.zoom_label, self.fps_label):
            self.statusBar().addPermanentWidget(label)
        self.viewport.zoom_changed.connect(lambda z: self.zoom_label.setText(f"Zoom {z * 100:.0f}%"))
        self.bridge.selection_changed.connect(self._update_selection_label)
        self._fps_timer = QTimer(self)
        self._fps_timer.timeout.connect(self._update_fps_label)
        self._fps_timer.start(500)
        self._update_selection_label()

    def _update_fps_label(self) -> None:
        vp = self.viewport
        self.fps_label.setText(f"{vp.fps} fps, last frame {vp.last_frame_s * 1000:.1f} ms")

    def _update_selection_label(self) -> None:
        sel = self.bridge.state.selection
        if not len(sel):
            self.selection_label.setText("No selection")
        elif len(sel) == 1:
            self.selection_label.setText(f"Selected: {sel.active or next(iter(sel))}")
        else:
            self.selection_label.setText(f"{len(sel)} selected (active: {sel.active})")

    def _restore_layout(self) -> None:
        geometry, state = self.settings.window_state()
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1400, 860)
        if state is not None:
            self.restoreState(state)

    # ---------------------------------------------------------------- EditorHost
    def show_status(self, text: str, timeout_ms: int = STATUS_MS) -> None:
        self.statusBar().showMessage(text, timeout_ms)

    def dialog_parent(self) -> QWidget:
        return self

    def project_folder(self) -> str | None:
        return str(self.files.path.parent) if self.files.path is not None else None

    def update_title(self) -> None:
        self.setWindowModified(self.files.is_modified)
        self.setWindowTitle(f"{self.files.display_name}[*] \u2014 {APP_NAME}")

    # ---------------------------------------------------------------- file commands
    def new_from_image(self, path: str | Path | None = None) -> bool:
        """Generate a rig from an image (asks for the file when ``path`` is None).

        Like Open and Quit, first offers to save unsaved work: the generated rig replaces the document.
        """
        if not self.files.maybe_save():
            return False
        if path is None:
            path = self.dialogs.open_image_path(self.settings.last_folder("image"))
            if path is None:
                return False
        self.settings.set_last_folder("image", path)
        from app.editor.backends_dialog import GenerationOptions

        return self.generation.start(path, **GenerationOptions(self.settings.qsettings).as_kwargs())

    def apply_generation(self, result, image_path: str) -> None:
        """Put a generated rig into the document as one undoable command (GUI thread)."""
        name = Path(image_path).name
        self.bridge.push(ReplaceRig(self.bridge.rig, result.rig, label=f"Generate rig from {name}"))
        self.bridge.state.selection.clear()
        self.files.set_untitled(Path(image_path).stem)
        self.viewport.fit_view()
        detection = getattr(result, "detection", "")
        log.info("landmarks: %s (tried: %s)", detection, "; ".join(getattr(result, "detectors_tried", ())))
        notices = list(getattr(result, "notices", ()))
        for notice in notices:
            log.warning("%s", notice)
        # the detector's caveat (a photo rigged as anime) outranks the plain line
        self.show_status(notices[-1] if notices else f"Generated {name}: {detection}", 30_000)

    def show_generation_error(self, message: str, details: str) -> None:
        self.dialogs.error("New from image", message, details)

    def open_project(self, path: str | Path | None = None) -> bool:
        if not self.files.maybe_save():
            return False
        if path is None:
            path = self.dialogs.open_project_path(self.settings.last_folder("project"))
            if path is None:
                return False
        self.files.discard_recovery()
        return self.files.open(path)

    def save(self) -> bool:
        return self.files.save()

    def save_as(self) -> bool:
        return self.files.save_as()

    # ---------------------------------------------------------------- drag and drop
    @staticmethod
    def _dropped_path(event) -> Path | None:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        paths = [Path(u.toLocalFile()) for u in urls if u.isLocalFile()]
        usable = [p for p in paths if p.suffix.lower() in (*IMAGE_SUFFIXES, ".kirie")]
        return usable[0] if usable else None

    def dragEnterEvent(self, event) -> None:
        if self._dropped_path(event) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        path = self._dropped_path(event)
        if path is None:
            return
        event.acceptProposedAction()
        # leave the drop handler first: the generation dialog must not open inside the drag loop
        if path.suffix.lower() == ".kirie":
            QTimer.singleShot(0, lambda: self.open_project(path))
        else:
            QTimer.singleShot(0, lambda: self.new_from_image(path))

    # ---------------------------------------------------------------- closing
    def closeEvent(self, event) -> None:
        if not self.files.maybe_save():
            event.ignore()
            return
        self.generation.shutdown()
        self.mesh_mode.automesh.shutdown()
        self.modes.shutdown()
        self.panels["tracking"].shutdown()
        self.exports.shutdown()
        self.live.close()
        self.files.discard_recovery()
        self.settings.save_window_state(self.saveGeometry(), self.saveState())
        self.settings.sync()
        self.bridge.drive.stop_all()  # preview, tracking and physics: the one owner of the value stack
        self.panels["log"].detach()
        self.viewport.release_gl()
        event.accept()


def run_editor(project_path: str | None = None) -> int:
    """Open the editor (optionally on ``project_path``) and run the Qt event loop; return its exit code.

    Returns 2 with a message, instead of letting Qt abort, when there is no display to open a window on.
    """
    if not _display_available():
        logging.getLogger("kirie").error(
            "no display to open the editor on (DISPLAY / WAYLAND_DISPLAY unset). On a headless machine use "
            "'kirie render PROJECT.kirie -o OUT.png' or 'kirie generate IMAGE -o OUT.kirie --preview OUT.png', "
            "or run the editor under 'xvfb-run -a kirie'."
        )
        return 2
    from rig.evaluate import kernel

    kernel.compile_in_background()  # a first compile after an install takes seconds: never freeze the window
    QSurfaceFormat.setDefaultFormat(opengl_format())
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName("Kirie")
    app.setApplicationName(APP_NAME)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    window = MainWindow()
    window.show()
    if project_path:
        window.open_project(project_path)
    else:
        window.files.offer_untitled_recovery()
    return app.exec()


def _display_available() -> bool:
    """A window system Qt can open a window on (X11, Wayland, or a platform chosen explicitly)."""
    if sys.platform in ("win32", "darwin") or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))

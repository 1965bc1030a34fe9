"""What the editor's modes, menus and exporters need of the window: the :class:`EditorHost` protocol.

The deform, mesh and paint modes (:mod:`app.editor.deform_mode`, :mod:`app.editor.mesh_mode`,
:mod:`app.editor.paint_mode`), the mode controller (:mod:`app.editor.modes`), the menus
(:mod:`app.editor.actions`) and File > Export (:mod:`app.editor.export_actions`) take an
:class:`EditorHost`, never the main window class: :class:`app.editor.main_window.MainWindow`
implements it, and a test can hand them any small object with these members.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from PySide6.QtWidgets import QDockWidget, QMenuBar, QWidget

    from app.bridge import DocumentBridge
    from app.editor.dialogs import Dialogs
    from app.settings import EditorSettings
    from app.viewport.viewport import Viewport

#: How long a status-bar message stays (ms) unless the caller says otherwise.
STATUS_MS = 8000


class EditorHost(Protocol):
    """The session a mode works on, and where it reports.

    Attributes
    ----------
    bridge : DocumentBridge
        The document, its history, the parameter values and the editor state (selection, mode).
    viewport : Viewport
        The canvas; its ``tool`` is chosen by :class:`app.editor.modes.ModeController` only.
    dialogs : Dialogs
        Modal questions and error boxes (tests pass scripted answers).
    settings : EditorSettings
        Recent files, last folders, view flags.
    """

    bridge: DocumentBridge
    viewport: Viewport
    dialogs: Dialogs
    settings: EditorSettings

    def show_status(self, text: str, timeout_ms: int = STATUS_MS) -> None:
        """Show ``text`` in the status bar for ``timeout_ms`` milliseconds."""

    def dialog_parent(self) -> QWidget:
        """The widget that parents actions, toolbars and dialogs (the window)."""

    def project_folder(self) -> str | None:
        """The folder of the saved project file; None while the document is untitled."""


class WindowCommands(EditorHost, Protocol):
    """An :class:`EditorHost` that also carries out the window's own commands (File menu, docks).

    Attributes
    ----------
    docks : dict of str to QDockWidget
        The docks whose toggle actions the View menu lists.
    """

    docks: dict[str, QDockWidget]

    def new_from_image(self, path: str | Path | None = None) -> bool: ...

    def open_project(self, path: str | Path | None = None) -> bool: ...

    def save(self) -> bool: ...

    def save_as(self) -> bool: ...

    def close(self) -> bool: ...

    def menuBar(self) -> QMenuBar: ...  # noqa: N802 - QMainWindow's name

"""The modal questions the editor asks, in one replaceable object (tests substitute answers).

Every method shows a standard Qt dialog and returns the user's answer; nothing else in ``app``
opens file dialogs or message boxes directly, so a test can drive the whole window by replacing
:attr:`MainWindow.dialogs` with an object that has the same methods.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

PROJECT_FILTER = "Kirie projects (*.kirie)"
IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.webp *.bmp *.tif *.tiff)"
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff")


class Dialogs:
    """Standard dialogs parented to ``parent``."""

    def __init__(self, parent: QWidget) -> None:
        self.parent = parent

    def open_project_path(self, folder: str) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self.parent, "Open project", folder, PROJECT_FILTER)
        return path or None

    def save_project_path(self, suggested: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self.parent, "Save project as", suggested, PROJECT_FILTER)
        if path and not path.endswith(".kirie"):
            path += ".kirie"
        return path or None

    def open_image_path(self, folder: str) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self.parent, "New from image", folder, IMAGE_FILTER)
        return path or None

    def export_path(self, title: str, suggested: str, file_filter: str | None) -> str | None:
        """A file to export to (``file_filter`` given), or the folder to export into (``file_filter`` None:
        :class:`FolderChooser`, which starts at ``suggested`` or, when that does not exist, in its parent
        with its name typed in, and creates a new folder name)."""
        if file_filter is None:
            chooser = FolderChooser(self.parent, title, suggested)
            path = chooser.selectedFiles()[0] if chooser.exec() and chooser.selectedFiles() else None
        else:
            path, _ = QFileDialog.getSaveFileName(self.parent, title, suggested, file_filter)
        return path or None

    def ask_unsaved(self, name: str) -> str:
        """"save", "discard" or "cancel" for a document with unsaved changes."""
        box = QMessageBox(QMessageBox.Icon.Warning, "Unsaved changes",
                          f"{name} has unsaved changes. Save them before closing?",
                          QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                          | QMessageBox.StandardButton.Cancel, self.parent)
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = box.exec()
        return {QMessageBox.StandardButton.Save: "save",
                QMessageBox.StandardButton.Discard: "discard"}.get(QMessageBox.StandardButton(answer), "cancel")

    def ask_recover(self, name: str, recovery_path: str) -> bool:
        """True to open the autosaved recovery file of ``name`` instead of the saved project."""
        answer = QMessageBox.question(
            self.parent, "Recover unsaved work",
            f"An autosaved version of {name} is newer than the saved project "
            f"(Kirie may have closed unexpectedly).\n\nRecover it?\n\n{recovery_path}",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes)
        return answer == QMessageBox.StandardButton.Yes

    def error(self, title: str, text: str, details: str | None = None) -> None:
        """A readable message; ``details`` (a traceback) behind "Show Details..."."""
        box = QMessageBox(QMessageBox.Icon.Critical, title, text, QMessageBox.StandardButton.Ok, self.parent)
        if details:
            box.setDetailedText(details)
        box.exec()


class FolderChooser(QFileDialog):
    """A folder chooser that also takes the name of a folder that does not exist yet and creates it
    (``QFileDialog.getExistingDirectory`` refuses one), as a save dialog takes a new file name.

    Parameters
    ----------
    parent : QWidget
    title : str
    suggested : str
        An existing folder to start in, or a path whose parent exists: the chooser starts in the parent
        with the new name typed in.
    """

    def __init__(self, parent: QWidget | None, title: str, suggested: str) -> None:
        path = Path(suggested)
        start, name = (path, "") if path.is_dir() or not path.parent.is_dir() else (path.parent, path.name)
        super().__init__(parent, title, str(start))
        self.setFileMode(QFileDialog.FileMode.Directory)
        self.setOption(QFileDialog.Option.ShowDirsOnly, True)
        self.setOption(QFileDialog.Option.DontUseNativeDialog, True)  # the native one refuses new names too
        self.setLabelText(QFileDialog.DialogLabel.FileName, "Folder:")
        self.setLabelText(QFileDialog.DialogLabel.Accept, "Export Here")
        if name:
            self.selectFile(name)

    def accept(self) -> None:
        """Create the typed folder when it does not exist (its parent must), then accept as usual."""
        chosen = self.selectedFiles()
        if chosen:
            target = Path(chosen[0])
            if not target.exists() and target.parent.is_dir():
                try:
                    target.mkdir()
                except OSError as exc:
                    QMessageBox.warning(self, self.windowTitle(), f"Cannot create {target}: {exc.strerror or exc}")
                    return
        super().accept()

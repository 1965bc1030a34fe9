"""Help > Keyboard Shortcuts and Help > User Guide.

:func:`shortcut_rows` reads the window's real actions (every ``QAction`` with a shortcut, found under
the window, named by the menu it sits in), so the list cannot drift from the key bindings.
:class:`ShortcutsDialog` shows them in a table; :class:`UserGuideDialog` shows ``resources/docs/user-guide.md``
(Markdown, rendered by ``QTextBrowser``) inside the editor.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMainWindow,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

#: The user guide, a Markdown file shipped with the package (``resources/docs/user-guide.md``), so an
#: installed Kirie (wheel, bundle) finds it as well as a clone does.
USER_GUIDE = Path(__file__).resolve().parents[2] / "resources" / "docs" / "user-guide.md"


def _plain(text: str) -> str:
    """Menu text without its mnemonic ampersands and trailing dots ("&Open..." -> "Open")."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip(".").rstrip("\u2026")


def _menu_paths(window: QMainWindow) -> dict[QAction, str]:
    """Each action reachable from the menu bar -> its menu path ("File > Export")."""
    paths: dict[QAction, str] = {}

    def walk(menu: QMenu, path: str) -> None:
        for action in menu.actions():
            if action.menu() is not None:
                walk(action.menu(), f"{path} > {_plain(action.text())}")
            elif not action.isSeparator():
                paths.setdefault(action, path)

    for top in window.menuBar().actions():
        if top.menu() is not None:
            walk(top.menu(), _plain(top.text()))
    return paths


def shortcut_rows(window: QMainWindow) -> list[tuple[str, str, str]]:
    """(menu or "Toolbar", action, shortcut) for every action of ``window`` that has a shortcut.

    Shortcuts are in the platform's native text ("Ctrl+Shift+Z"); an action with several shortcuts
    lists them joined by ", ". Rows are in menu-bar order, then toolbar-only actions; duplicates (one
    action in a menu and a toolbar) appear once.
    """
    paths = _menu_paths(window)
    rows: list[tuple[str, str, str]] = []
    seen: set[int] = set()
    ordered = list(paths) + [a for a in window.findChildren(QAction) if a not in paths]
    for action in ordered:
        keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts() if not k.isEmpty()]
        if not keys or id(action) in seen or not action.text():
            continue
        seen.add(id(action))
        rows.append((paths.get(action, "Toolbar"), _plain(action.text()), ", ".join(keys)))
    return rows


class ShortcutsDialog(QDialog):
    """Help > Keyboard Shortcuts: a read-only table of :func:`shortcut_rows`."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.setWindowTitle("Keyboard Shortcuts")
        self.rows = shortcut_rows(window)
        self.table = QTableWidget(len(self.rows), 3, self)
        self.table.setHorizontalHeaderLabels(["Menu", "Action", "Shortcut"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        for r, row in enumerate(self.rows):
            for c, text in enumerate(row):
                self.table.setItem(r, c, QTableWidgetItem(text))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        _with_close_button(self, self.table, 560, 520)


def _with_close_button(dialog: QDialog, body: QWidget, width: int, height: int) -> None:
    """Lay ``body`` out above a Close button that rejects ``dialog``, and size the dialog (px)."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(body)
    layout.addWidget(buttons)
    dialog.resize(width, height)


class UserGuideDialog(QDialog):
    """Help > User Guide: ``resources/docs/user-guide.md`` rendered as Markdown (links to other files open in it).

    Parameters
    ----------
    parent : QWidget
    path : Path, optional
        The guide (default :data:`USER_GUIDE`); a missing file shows where it was looked for.
    """

    def __init__(self, parent: QWidget | None, path: Path = USER_GUIDE) -> None:
        super().__init__(parent)
        self.setWindowTitle("Kirie User Guide")
        self.browser = QTextBrowser(self)
        self.browser.setOpenExternalLinks(True)
        if path.is_file():
            self.browser.setSearchPaths([str(path.parent)])
            self.browser.setMarkdown(path.read_text(encoding="utf-8"))
        else:
            self.browser.setMarkdown(f"# User guide not found\n\nKirie looked for it at `{path}`; it is "
                                     "`resources/docs/user-guide.md` in the Kirie source.")
        _with_close_button(self, self.browser, 760, 720)

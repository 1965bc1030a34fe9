"""The Log dock: Python ``logging`` records shown in the window (any thread, delivered on the GUI thread)."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QColor, QTextCharFormat
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

LEVELS = (("Debug", logging.DEBUG), ("Info", logging.INFO), ("Warning", logging.WARNING), ("Error", logging.ERROR))
COLORS = {logging.WARNING: QColor(170, 110, 0), logging.ERROR: QColor(190, 30, 30), logging.CRITICAL: QColor(190, 30, 30)}
MAX_BLOCKS = 5000


class _Emitter(QObject):
    record = Signal(int, str)


class QtLogHandler(logging.Handler):
    """A logging handler that forwards formatted records as a Qt signal (queued across threads).

    Signals (on :attr:`emitter`)
    ----------------------------
    record(int, str)
        ``(levelno, formatted message)``.
    """

    def __init__(self, level: int = logging.DEBUG) -> None:
        super().__init__(level)
        self.emitter = _Emitter()
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.emitter.record.emit(record.levelno, self.format(record))
        except RuntimeError:  # the emitter was deleted with the window
            pass
        except Exception:  # noqa: BLE001 - logging must never raise
            self.handleError(record)


class LogPanel(QWidget):
    """Messages at or above the chosen level; "Clear" empties the view.

    Parameters
    ----------
    logger : logging.Logger, optional
        Where to attach the handler (the root logger by default); :meth:`detach` removes it.
    """

    def __init__(self, logger: logging.Logger | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setMaximumBlockCount(MAX_BLOCKS)
        self.level = QComboBox()
        for name, level in LEVELS:
            self.level.addItem(name, level)
        self.level.setCurrentIndex(1)
        clear = QPushButton("Clear")
        row = QHBoxLayout()
        row.addWidget(self.level)
        row.addStretch(1)
        row.addWidget(clear)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(row)
        layout.addWidget(self.text, 1)
        clear.clicked.connect(self.text.clear)
        self.handler = QtLogHandler()
        self.handler.emitter.record.connect(self.append)
        self._logger = logger or logging.getLogger()
        self._logger.addHandler(self.handler)
        if self._logger.getEffectiveLevel() > logging.INFO:
            self._logger.setLevel(logging.INFO)

    def append(self, levelno: int, message: str) -> None:
        if levelno < int(self.level.currentData()):
            return
        fmt = QTextCharFormat()
        fmt.setForeground(COLORS.get(levelno, self.palette().text().color()))
        cursor = self.text.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        if not self.text.document().isEmpty():
            cursor.insertBlock()
        cursor.insertText(message, fmt)
        self.text.ensureCursorVisible()

    def detach(self) -> None:
        """Remove the handler from the logger (the window is closing)."""
        self._logger.removeHandler(self.handler)

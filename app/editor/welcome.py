"""The welcome view: what the empty viewport shows on first start.

A panel centred over the viewport (a child widget of the QOpenGLWidget, composited on top of it) with
"New from Image…", "Open…", "Try the sample" and the recent projects. It is shown while the document
has no art meshes and no layers, and hides as soon as a rig is generated or opened. It does not accept
drops itself, so a file dragged onto it reaches the main window's drop handler as before.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QVBoxLayout, QWidget

log = logging.getLogger(__name__)

MAX_SHOWN_RECENT = 6


class WelcomeView(QFrame):
    """The welcome panel of ``window`` (an :class:`app.editor.main_window.MainWindow`).

    Attributes
    ----------
    new_button, open_button, sample_button : QPushButton
    recent_buttons : list of QPushButton
        One per recent project shown (at most :data:`MAX_SHOWN_RECENT`), its tooltip the full path.
    """

    def __init__(self, window) -> None:
        super().__init__(window.viewport)
        self.window = window
        self.setObjectName("KirieWelcome")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setStyleSheet(
            "#KirieWelcome { background: palette(window); border: 1px solid palette(mid); border-radius: 8px; }"
            "#KirieWelcome QPushButton { padding: 6px 18px; text-align: left; }"
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 22, 28, 22)
        layout.setSpacing(8)
        title = QLabel("<h2>Welcome to Kirie</h2>One character image in, a moving rig out.")
        title.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(title)
        self.new_button = self._button(layout, "New from Image\u2026", lambda: window.new_from_image())
        self.open_button = self._button(layout, "Open\u2026", lambda: window.open_project())
        self.sample_button = self._button(layout, "Try the sample", self.try_sample)
        self.sample_button.setToolTip("Generate a rig from the sample character shipped with Kirie")
        hint = QLabel("or drop an image or a .kirie project here")
        hint.setEnabled(False)
        layout.addWidget(hint)
        self._recent_title = QLabel("<b>Recent</b>")
        layout.addWidget(self._recent_title)
        self._recent_layout = QVBoxLayout()
        self._recent_layout.setSpacing(2)
        layout.addLayout(self._recent_layout)
        self.recent_buttons: list[QPushButton] = []
        self.set_recent(window.settings.recent_files())
        window.files.recent_changed.connect(self.set_recent)
        window.bridge.document_replaced.connect(self.update_visibility)
        window.bridge.changed.connect(lambda change: self.update_visibility())
        window.viewport.installEventFilter(self)
        self.update_visibility()

    @staticmethod
    def _button(layout: QVBoxLayout, text: str, slot) -> QPushButton:
        button = QPushButton(text)
        button.clicked.connect(slot)
        layout.addWidget(button)
        return button

    def try_sample(self) -> bool:
        """Generate a rig from the shipped sample character (:func:`resources.sample.sample_image`)."""
        from resources.sample import sample_image

        try:
            path = sample_image()
        except FileNotFoundError as exc:
            self.window.dialogs.error("Try the sample", str(exc), "")
            return False
        return self.window.new_from_image(path)

    def set_recent(self, files: list[str]) -> None:
        """Show the first :data:`MAX_SHOWN_RECENT` of ``files`` (paths, most recent first)."""
        for button in self.recent_buttons:
            self._recent_layout.removeWidget(button)
            button.deleteLater()
        self.recent_buttons = []
        for path in files[:MAX_SHOWN_RECENT]:
            button = QPushButton(Path(path).name)
            button.setFlat(True)
            button.setToolTip(path)
            button.clicked.connect(lambda checked=False, p=path: self.window.open_project(p))
            self._recent_layout.addWidget(button)
            self.recent_buttons.append(button)
        self._recent_title.setVisible(bool(files))
        self._place()

    def is_document_empty(self) -> bool:
        rig = self.window.bridge.rig
        return not rig.art_meshes and not rig.layers

    def update_visibility(self) -> None:
        """Show while the document is empty, hide otherwise (cheap when nothing flips: every edit calls it)."""
        empty = self.is_document_empty()
        if empty == self.isHidden():
            self.setVisible(empty)
            self._place()

    def _place(self) -> None:
        self.adjustSize()
        parent: QWidget = self.parentWidget()
        x = max(0, (parent.width() - self.width()) // 2)
        y = max(0, (parent.height() - self.height()) // 2)
        self.move(x, y)
        self.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self._place()
        return False

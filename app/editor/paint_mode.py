"""Paint mode: the Paint Mask toggle and the brush options (size, hardness, add/erase) toolbar.

``PaintMode(host, modes)`` builds:

* **Mesh > Paint Mask** (``B``, checkable, also on the *Paint* toolbar): turns
  :attr:`app.editor.modes.ModeController.painting` on, which puts the editor in Model mode (so the
  mesh and deform tools step aside) and gives the viewport the
  :class:`~app.viewport.tools.brush_tool.BrushTool`; another mode taking over unchecks it;
* the *Paint* toolbar: brush size (diameter, canvas px; ``[`` / ``]``), hardness (%), Add / Erase
  (``X``; Alt inverts one stroke) and the layer being painted. The options are enabled only while
  painting.

The brush's messages go to the status bar.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QLabel, QSpinBox, QToolBar

from app.editor.host import EditorHost
from app.editor.modes import ModeController

STATUS_MS = 6000


class PaintMode:
    """Paint-mode controller of one editor (module docstring).

    Parameters
    ----------
    host : EditorHost
    modes : ModeController
        Owns the viewport tool; this mode only turns painting on and off.

    Attributes
    ----------
    tool : BrushTool
    toggle : QAction
    actions : tuple of QAction
        ``(toggle,)``, for the Mesh menu.
    toolbar : QToolBar
    size_spin, hardness_spin : QSpinBox
        Brush diameter (px) and hardness (%).
    mode_combo : QComboBox
        "Add" / "Erase".
    target_label : QLabel
    """

    def __init__(self, host: EditorHost, modes: ModeController) -> None:
        self.host, self.modes, self.bridge, self.viewport = host, modes, host.bridge, host.viewport
        self.tool = modes.brush_tool
        self.toggle = QAction("&Paint Mask", host.dialog_parent(), checkable=True)
        self.toggle.setShortcut(QKeySequence("B"))
        self.toggle.setToolTip("Paint Mask (B): paint the visible pixels of the selected layer, then re-cut it")
        self.toggle.setStatusTip("Paint the selected layer's mask over the source image; release re-cuts the layer")
        self.toggle.toggled.connect(self.set_enabled)
        self.actions = (self.toggle,)
        modes.tool_changed.connect(self._on_tool)
        self._build_toolbar()
        self.tool.settings_changed.connect(self._sync_widgets)
        self.tool.target_changed.connect(self._show_target)
        self._sync_widgets()
        self._set_options_enabled(False)

    # ---------------------------------------------------------------- widgets
    def _build_toolbar(self) -> None:
        bar = self.toolbar = QToolBar("Paint", self.host.dialog_parent())
        bar.setObjectName("toolbar_paint")
        bar.addAction(self.toggle)
        self.size_spin = QSpinBox(minimum=1, maximum=800, suffix=" px")
        self.size_spin.setToolTip("Brush diameter in canvas pixels ([ and ])")
        self.size_spin.valueChanged.connect(lambda d: self.tool.set_radius(d / 2.0))
        self.hardness_spin = QSpinBox(minimum=0, maximum=100, suffix=" %")
        self.hardness_spin.setToolTip("Hardness: share of the radius painted fully (the soft rim shows in the preview)")
        self.hardness_spin.valueChanged.connect(lambda h: self.tool.set_hardness(h / 100.0))
        self.mode_combo = QComboBox()
        self.mode_combo.addItems(["Add", "Erase"])
        self.mode_combo.setToolTip("Add pixels to the layer or erase them (X toggles; Alt inverts one stroke)")
        self.mode_combo.currentIndexChanged.connect(lambda i: self.tool.set_erase(i == 1))
        self.target_label = QLabel()
        for text, widget in (("Size", self.size_spin), ("Hardness", self.hardness_spin), (None, self.mode_combo),
                             (None, self.target_label)):  # fmt: skip
            if text:
                bar.addWidget(QLabel(f" {text} "))
            bar.addWidget(widget)

    def _sync_widgets(self) -> None:
        """Show the tool's settings without the widgets echoing them back (style.md 4)."""
        with QSignalBlocker(self.size_spin), QSignalBlocker(self.hardness_spin), QSignalBlocker(self.mode_combo):
            self.size_spin.setValue(max(1, round(2 * self.tool.radius_px)))
            self.hardness_spin.setValue(round(100 * self.tool.hardness))
            self.mode_combo.setCurrentIndex(1 if self.tool.erase else 0)

    def _show_target(self, name: str) -> None:
        self.target_label.setText(f"  Painting: {name}" if name else "  Select a layer's art mesh to paint")

    def _set_options_enabled(self, on: bool) -> None:
        for widget in (self.size_spin, self.hardness_spin, self.mode_combo, self.target_label):
            widget.setEnabled(on)

    def _set_checked(self, on: bool) -> None:
        with QSignalBlocker(self.toggle):
            self.toggle.setChecked(on)
        self._set_options_enabled(on)

    # ---------------------------------------------------------------- mode
    @property
    def enabled(self) -> bool:
        return self.viewport.tool is self.tool

    def set_enabled(self, on: bool) -> None:
        """Start or stop painting (Model mode, brush tool)."""
        if on or self.modes.painting:
            self.modes.set_painting(on)
        self._set_checked(self.modes.painting)

    def _on_tool(self, old, new) -> None:
        if new is self.tool:
            self.viewport.setFocus()
            self.host.show_status("Paint mask: drag over the canvas; release re-cuts the layer", STATUS_MS)
        self._set_checked(new is self.tool)

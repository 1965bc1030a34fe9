"""The Parameters dock: a slider and spin box per parameter, grouped by parameter group.

Moving a slider writes :class:`~rig.drive.ParameterValues` (no history); double-click resets
one parameter, "Reset all" every one. The "Preview" toggle runs the preview animation it is given
(the window's :class:`~app.editor.preview.PreviewAnimator`: breath, blinking and physics on a timer). Rows are rebuilt when parameter definitions change and
updated (signals blocked) when values change elsewhere (preview, tracking, undo of a range change).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.bridge import DocumentBridge
from app.panels.parameter_slider import ParameterRow
from rig.model import Parameter

OTHER_GROUP = "Other"


class ParametersPanel(QWidget):
    """Sliders for the current document's parameters.

    Attributes
    ----------
    rows : dict of str to ParameterRow
        One row per parameter id, in ``rig.parameters`` order.
    preview : object or None
        The preview animation (``set_running(bool)``, signal ``running_changed(bool)``); None hides the
        Preview toggle.
    row_menu : callable or None
        ``row_menu(parameter_id, parent) -> QMenu``: a row's context menu (Deform mode's key actions).
    """

    def __init__(self, bridge: DocumentBridge, preview=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.rows: dict[str, ParameterRow] = {}
        self.row_menu = None  # callable(parameter_id, parent) -> QMenu for a row's context menu
        self.preview = preview
        self.filter_edit = QLineEdit(placeholderText="Filter parameters")
        self.filter_edit.setClearButtonEnabled(True)
        self.reset_button = QPushButton("Reset all")
        self.reset_button.setToolTip("Return every parameter to its default value")
        self.preview_check = QCheckBox("Preview")
        self.preview_check.setToolTip("Animate breath and blinking and run the physics")
        top = QHBoxLayout()
        top.addWidget(self.filter_edit, 1)
        top.addWidget(self.preview_check)
        top.addWidget(self.reset_button)
        self._body = QWidget()
        self._body_layout = QVBoxLayout(self._body)
        self._body_layout.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self._body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(scroll, 1)
        self.reset_button.clicked.connect(self.reset_all)
        if preview is not None:
            self.preview_check.toggled.connect(preview.set_running)
            preview.running_changed.connect(self._sync_preview_check)
        else:
            self.preview_check.hide()
        self.filter_edit.textChanged.connect(self._apply_filter)
        bridge.document_replaced.connect(self.rebuild)
        bridge.changed.connect(self._on_changed)
        bridge.values_changed.connect(self._on_values)
        self.rebuild()

    # ---------------------------------------------------------------- building
    def rebuild(self) -> None:
        """Recreate every row from the rig's parameter definitions."""
        while self._body_layout.count():
            widget = self._body_layout.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        self.rows.clear()
        rig, values = self.bridge.rig, self.bridge.values
        for title, params in self._grouped(rig.parameters, {g.id: g.name for g in rig.parameter_groups}):
            box = QGroupBox(title)
            box_layout = QVBoxLayout(box)
            box_layout.setContentsMargins(4, 4, 4, 4)
            box_layout.setSpacing(0)
            for p in params:
                row = ParameterRow(p, values[p.id])
                row.value_edited.connect(self._row_edited)
                row.reset_requested.connect(self.reset_parameter)
                row.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
                row.customContextMenuRequested.connect(lambda pos, r=row: self._row_context_menu(r, pos))
                box_layout.addWidget(row)
                self.rows[p.id] = row
            self._body_layout.addWidget(box)
        self._body_layout.addStretch(1)
        self._apply_filter(self.filter_edit.text())

    @staticmethod
    def _grouped(parameters: list[Parameter], names: dict[str, str]) -> list[tuple[str, list[Parameter]]]:
        """Parameters by group, groups in order of first appearance, ungrouped last."""
        groups: dict[str, list[Parameter]] = {}
        for p in parameters:
            groups.setdefault(p.group, []).append(p)
        ordered = [g for g in groups if g] + ([""] if "" in groups else [])

        def title(group_id: str) -> str:
            if not group_id:
                return OTHER_GROUP
            return names.get(group_id) or group_id.removeprefix("ParamGroup") or group_id

        return [(title(g), groups[g]) for g in ordered]

    def _apply_filter(self, text: str) -> None:
        needle = text.strip().lower()
        for pid, row in self.rows.items():
            row.setVisible(not needle or needle in pid.lower() or needle in row.parameter.name.lower())

    def _row_context_menu(self, row: ParameterRow, pos) -> None:
        """Show ``row_menu(parameter_id, parent)`` (set by the window: key actions) at ``pos``."""
        if self.row_menu is not None:
            self.row_menu(row.parameter.id, self).exec(row.mapToGlobal(pos))

    # ---------------------------------------------------------------- widget -> values
    def _row_edited(self, parameter_id: str, value: float) -> None:
        self.bridge.values.set(parameter_id, value)

    def reset_parameter(self, parameter_id: str) -> None:
        self.bridge.values.reset([parameter_id])

    def reset_all(self) -> None:
        self.bridge.values.reset()

    def set_value(self, parameter_id: str, value: float) -> None:
        """Move one slider as a user would (the row emits its edit)."""
        row = self.rows[parameter_id]
        row.slider.setValue(row.to_steps(value))

    # ---------------------------------------------------------------- model -> widget
    def _on_values(self, changed: dict) -> None:
        for pid, value in changed.items():
            row = self.rows.get(pid)
            if row is not None:
                row.set_value(value)

    def _on_changed(self, change) -> None:
        if change.kind in ("parameter_definition", "structure") or (
            change.kind == "keyform" and change.ids & self.rows.keys()
        ):
            self.rebuild()

    def _sync_preview_check(self, running: bool) -> None:
        self.preview_check.blockSignals(True)
        self.preview_check.setChecked(running)
        self.preview_check.blockSignals(False)

"""The Properties dock: fields of the active object, each edit pushed as a command.

Shown per type: id and type (read only); name (:class:`RenameObject`); visible
(:class:`SetObjectProperty`); opacity of every keyform (:class:`SetKeyformValues`); for art meshes
blend mode, culling, invert mask and draw order (:class:`ReorderDrawOrder`) plus vertex and
triangle counts; the base angle of rotation deformers; range and default of parameters
(:class:`SetParameterDefinition`). The form is rebuilt when the active object or its properties
change; widgets are filled with their signals blocked, so filling them never pushes a command.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.bridge import DocumentBridge
from rig.document.commands import (
    RenameObject,
    ReorderDrawOrder,
    SetKeyformValues,
    SetObjectProperty,
    SetParameterDefinition,
)
from rig.model import ArtMesh, BlendMode, Layer, Parameter, Part, RotationDeformer, WarpDeformer


def _spin(lo: float, hi: float, value: float, step: float = 0.05, decimals: int = 2) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(lo, hi)
    box.setDecimals(decimals)
    box.setSingleStep(step)
    box.setKeyboardTracking(False)
    box.setValue(value)
    return box


class PropertiesPanel(QWidget):
    """A form over the active selection.

    Attributes
    ----------
    fields : dict of str to QWidget
        The editors of the current form by field name (``name``, ``visible``, ``opacity`` ...).
    """

    def __init__(self, bridge: DocumentBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.fields: dict[str, QWidget] = {}
        self._object_id: str | None = None
        self._form_host = QWidget()
        self._form = QFormLayout(self._form_host)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self._form_host)
        layout.addStretch(1)
        bridge.selection_changed.connect(self.rebuild)
        bridge.document_replaced.connect(self.rebuild)
        bridge.changed.connect(self._on_changed)
        self.rebuild()

    def _on_changed(self, change) -> None:
        if self._object_id is None or change.kind == "structure" or self._object_id in change.ids:
            self.rebuild()

    # ---------------------------------------------------------------- building
    def rebuild(self) -> None:
        while self._form.rowCount():
            self._form.removeRow(0)
        self.fields = {}
        active = self.bridge.state.selection.active
        try:
            obj = self.bridge.rig.find(active) if active else None
        except KeyError:
            obj = None
        self._object_id = None if obj is None else obj.id
        if obj is None:
            self._form.addRow(QLabel("Nothing selected. Click an art mesh in the viewport or a row in a tree."))
            return
        self._form.addRow("Id", QLabel(obj.id))
        self._form.addRow("Type", QLabel(type(obj).__name__))
        self._add("name", "Name", self._name_field(obj))
        if isinstance(obj, Part | WarpDeformer | RotationDeformer | ArtMesh):
            self._add("visible", "Visible", self._check(obj, "visible"))
            self._add("opacity", "Opacity", self._opacity_field(obj))
        if isinstance(obj, ArtMesh):
            self._mesh_fields(obj)
        elif isinstance(obj, RotationDeformer):
            box = _spin(-360.0, 360.0, obj.base_angle_deg, 1.0, 1)
            box.valueChanged.connect(lambda v: self._set(obj.id, "base_angle_deg", v))
            self._add("base_angle_deg", "Base angle (deg)", box)
        elif isinstance(obj, WarpDeformer):
            self._form.addRow("Grid", QLabel(f"{obj.rows} x {obj.cols} cells"))
        elif isinstance(obj, Parameter):
            self._parameter_fields(obj)
        elif isinstance(obj, Layer):
            self._form.addRow("Size", QLabel("{} x {} px".format(*obj.size_px)))
        if hasattr(obj, "keyforms"):
            bound = ", ".join(obj.keyforms.parameter_ids) or "none"
            self._form.addRow("Keyforms", QLabel(f"{obj.keyforms.count} on {bound}"))

    def _add(self, key: str, label: str, widget: QWidget) -> None:
        widget.setObjectName(f"property_{key}")
        self.fields[key] = widget
        self._form.addRow(label, widget)

    def _name_field(self, obj) -> QLineEdit:
        edit = QLineEdit(obj.name)

        def commit() -> None:
            name = edit.text().strip()
            if name and name != obj.name:
                self._apply(lambda rig: RenameObject(rig, obj.id, name))

        edit.editingFinished.connect(commit)
        return edit

    def _check(self, obj, attribute: str) -> QCheckBox:
        box = QCheckBox()
        box.setChecked(bool(getattr(obj, attribute)))
        box.toggled.connect(lambda v: self._set(obj.id, attribute, v))
        return box

    def _opacity_field(self, obj) -> QDoubleSpinBox:
        current = obj.keyforms.values["opacity"]
        box = _spin(0.0, 1.0, float(current.mean()))
        box.setToolTip("Sets the opacity of every keyform")

        def commit(v: float) -> None:
            values = np.full(current.shape, v, np.float32)
            self._apply(lambda rig: SetKeyformValues(rig, obj.id, "opacity", values))

        box.valueChanged.connect(commit)
        return box

    def _mesh_fields(self, mesh: ArtMesh) -> None:
        combo = QComboBox()
        for mode in BlendMode:
            combo.addItem(mode.value.capitalize(), mode.value)
        combo.setCurrentIndex([m for m in BlendMode].index(mesh.blend_mode))
        combo.currentIndexChanged.connect(
            lambda i: self._set(mesh.id, "blend_mode", combo.itemData(i)))
        self._add("blend_mode", "Blend mode", combo)
        self._add("culling", "Culling", self._check(mesh, "culling"))
        self._add("invert_mask", "Invert mask", self._check(mesh, "invert_mask"))
        order = _spin(0.0, 1000.0, float(mesh.keyforms.values["draw_order"].mean()), 10.0, 0)

        def commit(v: float) -> None:
            self._apply(lambda rig: ReorderDrawOrder(rig, mesh.id, draw_order=v))

        order.valueChanged.connect(commit)
        self._add("draw_order", "Draw order", order)
        self._form.addRow("Layer", QLabel(mesh.layer_id))
        self._form.addRow("Masks", QLabel(", ".join(mesh.mask_ids) or "none"))
        self._form.addRow("Mesh", QLabel(f"{mesh.vertex_count} vertices, {len(mesh.triangles)} triangles"))

    def _parameter_fields(self, p: Parameter) -> None:
        for key, label in (("min", "Minimum"), ("default", "Default"), ("max", "Maximum")):
            box = _spin(-1000.0, 1000.0, getattr(p, key), 0.1, 2)

            def commit(v: float, key: str = key) -> None:
                self._apply(lambda rig: SetParameterDefinition(rig, p.id, **{key: v}))

            box.valueChanged.connect(commit)
            self._add(key, label, box)
        self._form.addRow("Keys", QLabel(", ".join(f"{k:g}" for k in p.keys) or "none"))

    # ---------------------------------------------------------------- commands
    def _set(self, object_id: str, attribute: str, value) -> None:
        self._apply(lambda rig: SetObjectProperty(rig, object_id, attribute, value))

    def _apply(self, build) -> None:
        """Push through :meth:`DocumentBridge.apply`; a refused edit puts the fields back."""
        if not self.bridge.apply(build):
            self.rebuild()

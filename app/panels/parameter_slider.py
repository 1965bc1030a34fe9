"""One parameter row: a slider with key markers and a spin box, both editing ParameterValues.

Values are not document state (style.md section 2): moving a slider writes
:class:`~rig.drive.ParameterValues` only and never touches the history.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPolygonF
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QStyle,
    QStyleOptionSlider,
    QWidget,
)

from rig.model import Parameter

SLIDER_STEPS = 1000
KEY_COLOR = QColor(230, 140, 40)


class KeyedSlider(QSlider):
    """A horizontal slider over ``SLIDER_STEPS`` steps that marks a parameter's keys below its groove.

    Signals
    -------
    reset_requested()
        The slider was double-clicked (reset the parameter to its default).
    """

    reset_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setRange(0, SLIDER_STEPS)
        self.key_fractions: tuple[float, ...] = ()
        self.setMinimumHeight(22)

    def mouseDoubleClickEvent(self, event) -> None:
        self.reset_requested.emit()
        event.accept()

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if not self.key_fractions:
            return
        opt = QStyleOptionSlider()
        self.initStyleOption(opt)
        groove = self.style().subControlRect(QStyle.ComplexControl.CC_Slider, opt,
                                             QStyle.SubControl.SC_SliderGroove, self)
        handle = self.style().subControlRect(QStyle.ComplexControl.CC_Slider, opt,
                                             QStyle.SubControl.SC_SliderHandle, self)
        x0 = groove.left() + handle.width() / 2
        span = max(groove.width() - handle.width(), 1)
        y = self.height() - 1
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(KEY_COLOR)
        for f in self.key_fractions:
            x = x0 + f * span
            painter.drawPolygon(QPolygonF([QPointF(x, y - 5), QPointF(x - 3.5, y), QPointF(x + 3.5, y)]))
        painter.end()


class ParameterRow(QWidget):
    """Label, keyed slider and spin box for one parameter.

    Signals
    -------
    value_edited(str, float)
        The user moved the slider or the spin box: ``(parameter_id, value)``.
    reset_requested(str)
        The user double-clicked the slider or the label.
    """

    value_edited = Signal(str, float)
    reset_requested = Signal(str)

    def __init__(self, parameter: Parameter, value: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.parameter = parameter
        self.label = QLabel(parameter.name or parameter.id)
        self.label.setToolTip(f"{parameter.id}  [{parameter.min:g}, {parameter.max:g}], default {parameter.default:g}"
                              "\nDouble-click to reset")
        self.label.setMinimumWidth(96)
        self.label.installEventFilter(self)
        self.slider = KeyedSlider()
        self.slider.setObjectName(f"slider_{parameter.id}")
        span = parameter.max - parameter.min
        self.slider.key_fractions = tuple((k - parameter.min) / span for k in parameter.keys)
        self.spin = QDoubleSpinBox()
        self.spin.setRange(parameter.min, parameter.max)
        self.spin.setDecimals(2 if span <= 10 else 1)
        self.spin.setSingleStep(span / 100.0)
        self.spin.setKeyboardTracking(False)
        self.spin.setFixedWidth(70)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 0, 2, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.spin)
        self.set_value(value)
        self.slider.valueChanged.connect(self._slider_moved)
        self.spin.valueChanged.connect(self._spin_changed)
        self.slider.reset_requested.connect(lambda: self.reset_requested.emit(parameter.id))

    def to_steps(self, value: float) -> int:
        p = self.parameter
        return round((value - p.min) / (p.max - p.min) * SLIDER_STEPS)

    def from_steps(self, steps: int) -> float:
        p = self.parameter
        return p.min + (p.max - p.min) * steps / SLIDER_STEPS

    def set_value(self, value: float) -> None:
        """Show ``value`` without emitting :attr:`value_edited` (model -> widget)."""
        self.slider.blockSignals(True)
        self.spin.blockSignals(True)
        try:
            self.slider.setValue(self.to_steps(value))
            self.spin.setValue(value)
        finally:
            self.slider.blockSignals(False)
            self.spin.blockSignals(False)

    def _slider_moved(self, steps: int) -> None:
        value = self.from_steps(steps)
        self.spin.blockSignals(True)
        self.spin.setValue(value)
        self.spin.blockSignals(False)
        self.value_edited.emit(self.parameter.id, value)

    def _spin_changed(self, value: float) -> None:
        self.slider.blockSignals(True)
        self.slider.setValue(self.to_steps(value))
        self.slider.blockSignals(False)
        self.value_edited.emit(self.parameter.id, value)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.label and event.type() == QEvent.Type.MouseButtonDblClick:
            self.reset_requested.emit(self.parameter.id)
            return True
        return super().eventFilter(watched, event)

"""The Tracking dock's widgets: the mapping table (editable ranges, live value bars), the pyqtgraph
plots and the source picker.

Ranges are tracking *settings* (QSettings), never document state: editing them pushes nothing onto
the history. Both views are refreshed by the dock's ~15 fps timer, not on every tracked frame.
"""

from __future__ import annotations

import collections
import copy
import math
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QDoubleSpinBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

BROWSE = "__browse__"
RANGE_FIELDS = ("in_min", "in_max", "out_min", "out_max")
HEADERS = ("Parameter", "In min", "In max", "Out min", "Out max", "Value")
PLOT_WINDOW_S = 5.0
MAX_SAMPLES = 600


def _spin(value: float) -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setRange(-360.0, 360.0)
    spin.setDecimals(2)
    spin.setSingleStep(1.0 if abs(value) > 2.0 else 0.05)
    spin.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.NoButtons)
    spin.setKeyboardTracking(False)
    spin.setFrame(False)
    spin.setValue(value)
    return spin


def ranges_of(rules: list) -> dict[str, dict[str, float]]:
    """``{parameter id: {"in_min", "in_max", "out_min", "out_max"}}`` of ``rules``."""
    return {r.parameter_id: {f: float(getattr(r, f)) for f in RANGE_FIELDS} for r in rules}


class ValueBar(QWidget):
    """A bar from the range's zero (or its low end) to the value, with the value as text.

    Painted directly: moving it costs a repaint of one cell, never a relayout of the table
    (a QProgressBar with a changing format re-measured the whole table, ~10 ms per bar).
    """

    FILL = QColor(66, 133, 214)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.value: float | None = None
        self._t0, self._t1 = 0.0, 0.0

    def set_value(self, value: float | None, out_min: float, out_max: float) -> None:
        """Show ``value`` within ``[min(out), max(out)]`` (None or nan: empty)."""
        if value is None or not math.isfinite(value):
            self.value = None
        else:
            lo, hi = sorted((float(out_min), float(out_max)))
            span = hi - lo if hi > lo else 1.0
            frac = lambda x: min(max((x - lo) / span, 0.0), 1.0)  # noqa: E731
            self.value = float(value)
            self._t0, self._t1 = sorted((frac(min(max(0.0, lo), hi)), frac(value)))
        self.update()

    def text(self) -> str:
        return "-" if self.value is None else f"{self.value:+.2f}"

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        r = QRectF(self.rect()).adjusted(2, 3, -2, -3)
        painter.fillRect(r, QColor(235, 235, 238))
        if self.value is not None:
            painter.fillRect(QRectF(r.left() + self._t0 * r.width(), r.top(),
                                    max((self._t1 - self._t0) * r.width(), 1.0), r.height()), self.FILL)
        painter.setPen(QColor(20, 20, 20))
        painter.drawText(r, Qt.AlignmentFlag.AlignCenter, self.text())
        painter.end()


class MappingTable(QTableWidget):
    """One row per mapping rule: parameter id, input range, output range (spin boxes), value bar.

    Signals
    -------
    range_edited(str, dict)
        A parameter id and its four range fields after the user changed one (an empty input range is refused).
    """

    range_edited = Signal(str, dict)

    def __init__(self, rules: list, parent=None) -> None:
        super().__init__(len(rules), len(HEADERS), parent)
        self.setHorizontalHeaderLabels(HEADERS)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(22)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        for col in range(1, 5):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Fixed)
            self.setColumnWidth(col, 54)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.spins: dict[str, dict[str, QDoubleSpinBox]] = {}
        self.bars: dict[str, ValueBar] = {}
        self.rows: dict[str, int] = {}
        self._ranges: dict[str, dict[str, float]] = {}
        self._rules = [copy.copy(rule) for rule in rules]
        for row, rule in enumerate(rules):
            self._add_row(row, rule)
        self.resizeColumnToContents(0)  # once: measuring on every update would relayout the table

    def _add_row(self, row: int, rule) -> None:
        pid = rule.parameter_id
        item = QTableWidgetItem(pid)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled)
        item.setToolTip(f"{pid} from the tracked '{rule.source}'")
        self.setItem(row, 0, item)
        self.rows[pid] = row
        self._ranges[pid] = {f: float(getattr(rule, f)) for f in RANGE_FIELDS}
        self.spins[pid] = {}
        for col, field in enumerate(RANGE_FIELDS, start=1):
            spin = _spin(float(getattr(rule, field)))
            spin.valueChanged.connect(lambda v, p=pid, f=field: self._edited(p, f, v))
            self.setCellWidget(row, col, spin)
            self.spins[pid][field] = spin
        bar = ValueBar()
        self.setCellWidget(row, 5, bar)
        self.bars[pid] = bar

    def _edited(self, pid: str, field: str, value: float) -> None:
        fields = dict(self._ranges[pid], **{field: float(value)})
        if fields["in_min"] == fields["in_max"]:  # refuse an empty input range: put the spin box back
            spin = self.spins[pid][field]
            spin.blockSignals(True)
            spin.setValue(self._ranges[pid][field])
            spin.blockSignals(False)
            return
        self._ranges[pid] = fields
        self.range_edited.emit(pid, dict(fields))

    def ranges(self) -> dict[str, dict[str, float]]:
        """Current ``{parameter id: {field: value}}``."""
        return {pid: dict(fields) for pid, fields in self._ranges.items()}

    def rules(self) -> list:
        """Copies of the rules the table was built from, with the ranges it shows."""
        rules = [copy.copy(rule) for rule in self._rules]
        for rule in rules:
            for field, value in self._ranges.get(rule.parameter_id, {}).items():
                setattr(rule, field, float(value))
        return rules

    def set_ranges(self, ranges: dict[str, dict[str, float]]) -> None:
        """Show ``ranges`` (unknown ids ignored) without emitting :attr:`range_edited`."""
        for pid, fields in ranges.items():
            if pid not in self.spins:
                continue
            for field, spin in self.spins[pid].items():
                if field in fields:
                    spin.blockSignals(True)
                    spin.setValue(float(fields[field]))
                    spin.blockSignals(False)
                    self._ranges[pid][field] = float(fields[field])

    def mark_available(self, parameter_ids) -> None:
        """Grey out the rows whose parameter the rig lacks."""
        available = set(parameter_ids)
        for pid, row in self.rows.items():
            ok = pid in available
            self.item(row, 0).setForeground(QColor(0, 0, 0) if ok else QColor(150, 150, 150))
            self.item(row, 0).setToolTip(pid if ok else f"{pid}: not a parameter of this rig")

    def show_values(self, values: dict[str, float]) -> None:
        """Move the bars: each spans its rule's output range; the text is the value."""
        for pid, bar in self.bars.items():
            fields = self._ranges[pid]
            bar.set_value(values.get(pid), fields["out_min"], fields["out_max"])


class TrackingPlots(pg.GraphicsLayoutWidget):
    """The last :data:`PLOT_WINDOW_S` seconds of every mapped parameter: raw (thin grey) and smoothed (thick, coloured).

    Attributes
    ----------
    curves : dict of str to (PlotDataItem, PlotDataItem)
        ``(raw, smoothed)`` per parameter id.
    """

    ROW_HEIGHT_PX = 58

    def __init__(self, rules: list, parent=None) -> None:
        super().__init__(parent)
        self.setBackground("w")
        self.ci.layout.setSpacing(0)
        self.ci.setContentsMargins(0, 0, 0, 0)
        self._samples: collections.deque = collections.deque(maxlen=MAX_SAMPLES)
        self.ids = [rule.parameter_id for rule in rules]
        self.curves: dict[str, tuple[pg.PlotDataItem, pg.PlotDataItem]] = {}
        first = None
        for i, rule in enumerate(rules):
            plot = self.addPlot(row=i, col=0)
            plot.setMenuEnabled(False)
            plot.setMouseEnabled(False, False)
            plot.hideButtons()
            plot.setXRange(-PLOT_WINDOW_S, 0.0, padding=0)
            lo, hi = sorted((rule.out_min, rule.out_max))
            plot.setYRange(lo, hi, padding=0.08)
            plot.getAxis("left").setWidth(34)
            plot.getAxis("left").setStyle(tickFont=None, tickLength=3)
            plot.showAxis("bottom", i == len(rules) - 1)
            label = pg.TextItem(rule.parameter_id, color=(60, 60, 60), anchor=(0, 0))
            label.setParentItem(plot.getViewBox())
            if first is None:
                first = plot
            else:
                plot.setXLink(first)
            color = pg.intColor(i, hues=len(rules), values=1, maxValue=200)
            smooth = plot.plot(pen=pg.mkPen(color, width=2))
            raw = plot.plot(pen=pg.mkPen((90, 90, 90, 170), width=1))  # on top: thin, translucent
            self.curves[rule.parameter_id] = (raw, smooth)
        self.setMinimumHeight(self.ROW_HEIGHT_PX * len(rules))

    def add(self, timestamp_ms: int, raw: dict[str, float], values: dict[str, float]) -> None:
        """Append one frame (cheap; call :meth:`redraw` to show it)."""
        self._samples.append((timestamp_ms, raw, values))
        while self._samples and timestamp_ms - self._samples[0][0] > PLOT_WINDOW_S * 1000.0:
            self._samples.popleft()

    def clear_samples(self) -> None:
        self._samples.clear()
        self.redraw()

    def sample_count(self) -> int:
        return len(self._samples)

    def redraw(self) -> None:
        """Update every curve from the kept samples (x: seconds before the newest frame)."""
        if not self._samples:
            for raw, smooth in self.curves.values():
                raw.setData([], [])
                smooth.setData([], [])
            return
        t = np.array([s[0] for s in self._samples], np.float64)
        x = (t - t[-1]) / 1000.0
        for pid, (raw_curve, smooth_curve) in self.curves.items():
            raw = np.array([s[1].get(pid, np.nan) for s in self._samples], np.float64)
            smooth = np.array([s[2].get(pid, np.nan) for s in self._samples], np.float64)
            raw_curve.setData(x, raw, connect="finite")
            smooth_curve.setData(x, smooth, connect="finite")


class SourcePicker(QComboBox):
    """Cameras found by the probe, video files chosen so far, and "Video file..." (data :data:`BROWSE`).

    Item data: a camera index (int) or a video path (str); ``None`` for the informational items.
    """

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setToolTip("Camera or video file to track")
        self.cameras: list[int] | None = None  # None: not probed yet
        self.fill()

    def spec(self) -> int | str | None:
        """The selected camera index or video path, or None."""
        data = self.currentData()
        return None if data in (None, BROWSE) else data

    def fill(self, cameras: list[int] | None = None) -> None:
        """Rebuild the list from a probe result, keeping the selection."""
        current = self.spec()
        self.cameras = self.cameras if cameras is None else [int(i) for i in cameras]
        self.blockSignals(True)
        self.clear()
        for i in self.cameras or []:
            self.addItem(f"Camera {i}", i)
        if self.cameras is None:
            self.addItem("Looking for cameras...", None)
        elif not self.cameras:
            self.addItem("No camera found", None)
        self.addItem("Video file...", BROWSE)
        self.blockSignals(False)
        if current is not None:
            self.select(current)

    def select(self, spec: int | str) -> int | str:
        """Select a camera index or a video path (added when new); returns the normalised spec."""
        spec = int(spec) if isinstance(spec, int) or str(spec).strip().isdigit() else str(spec)
        index = next((i for i in range(self.count()) if self.itemData(i) == spec), -1)
        if index < 0:
            if isinstance(spec, int):
                found = self.cameras is None or spec in self.cameras
                text = f"Camera {spec}" + ("" if found else " (not found)")
            else:
                text = f"Video: {Path(spec).name}"
            index = self.count() - 1  # before "Video file..."
            self.insertItem(index, text, spec)
            self.setItemData(index, str(spec), Qt.ItemDataRole.ToolTipRole)
        self.setCurrentIndex(index)
        return spec

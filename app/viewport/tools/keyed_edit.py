"""Shared machinery of the Deform-mode tools: arming a keyform, point handles, preview, one push.

A Deform-mode gesture edits the **armed keyform** of one object (:func:`rig.edit.keyforms.key_state`),
captured at press time. Off a key the tool asks (``confirm_add_key``) whether to add a key at the
current values; yes pushes the key edits as one undo step ("Add key ...") and the gesture goes on.

Point handles (art-mesh vertices, warp lattice points) are *free* handles (style.md 5):

* drag a handle: move it, or every selected handle when it is selected (Shift+press adds it first);
* drag from empty space: box-select (Shift adds to the selection); a click without a drag selects
  the art mesh under the cursor, as the viewport does without a tool;
* **Ctrl+drag** anywhere: translate the selected handles (all of them when none is selected);
  **Ctrl+Shift+drag** scales and **Ctrl+Alt+drag** rotates them about their centroid.

While dragging only a preview changes (the rig evaluated with the edited keyform swapped in); the
release pushes one :class:`~rig.document.commands.SetKeyformValues` (history sealed first, so two
gestures never merge into one undo step). Esc or a right click restores the preview, pushes
nothing, and undoes the keys this gesture added.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QMessageBox

from app.render.shapes import OverlayShapes, polyline_segments
from app.viewport.tools.base import Tool
from rig.edit.keyforms import ParentMap, add_key_steps, key_state, set_fields_command, transform_points
from rig.evaluate import evaluate
from rig.evaluate.types import EvaluatedRig
from rig.model import KeyformGrid, Rig

HIT_RADIUS_PX = 8.0  # viewport px
CLICK_SLOP_PX = 3.0  # viewport px a press may move and still be a click
HANDLE_COLOR = (1.0, 1.0, 1.0, 0.75)
HANDLE_SIZE_PX = 4.0  # viewport px; dense meshes stay readable
SELECTED_COLOR = (1.0, 0.55, 0.1, 1.0)
BOX_COLOR = (1.0, 1.0, 1.0, 0.8)
Mod = Qt.KeyboardModifier


@dataclass(slots=True)
class PointHandles:
    """Editable points of one object: a keyform field of shape (N, 2)."""

    object_id: str
    field: str
    canvas_px: np.ndarray  # (N, 2) float64, at the current pose
    parent_map: ParentMap


@dataclass(slots=True)
class Gesture:
    """A drag in progress (everything captured at press time)."""

    kind: str  # "points", "box" or a subclass's own kind
    press_px: np.ndarray
    object_id: str = ""
    keyform_index: int = -1
    added_keys: bool = False
    mode: str = "translate"
    indices: np.ndarray = field(default_factory=lambda: np.zeros(0, np.intp))
    start_canvas: np.ndarray | None = None
    start_fields: dict = field(default_factory=dict)
    parent_map: ParentMap | None = None
    fields: dict | None = None  # previewed field values of the armed keyform
    pos_px: np.ndarray | None = None


def evaluate_with(rig: Rig, values, object_id: str, keyform_index: int, fields: dict) -> EvaluatedRig:
    """``evaluate`` with ``fields`` of one keyform replaced (the document is not touched)."""
    obj = rig.find(object_id)
    grid = obj.keyforms
    new_values = dict(grid.values)
    for name, value in fields.items():
        arr = grid.values[name].copy()
        arr[keyform_index] = value
        new_values[name] = arr
    clone = copy.copy(obj)
    clone.keyforms = KeyformGrid(grid.bindings, new_values)
    shallow = copy.copy(rig)
    for attr in ("deformers", "art_meshes"):
        items = getattr(rig, attr)
        setattr(shallow, attr, [clone if o is obj else o for o in items])
    return evaluate(shallow, values)


def ask_add_key(parent, object_id: str, off_key: tuple[tuple[str, float], ...]) -> bool:
    """Default ``confirm_add_key``: a Yes/No question naming the parameters off their keys."""
    where = ", ".join(f"{pid} = {value:g}" for pid, value in off_key)
    answer = QMessageBox.question(
        parent, "Add key", f"{object_id} has no keyform at {where}.\nAdd a key there and edit it?",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes)
    return answer == QMessageBox.StandardButton.Yes


class KeyedEditTool(Tool):
    """Base of :class:`KeyformTool` and :class:`DeformerTool` (module docstring).

    Attributes
    ----------
    selected : set of int
        Selected point handles of the current object.
    confirm_add_key : callable(object_id, off_key) -> bool
        Asked when a gesture starts off a key (tests replace it).
    """

    name = "keyed_edit"

    def __init__(self, viewport, bridge) -> None:
        super().__init__(viewport, bridge)
        self.selected: set[int] = set()
        self._selected_for: str | None = None
        self.gesture: Gesture | None = None
        self._preview: EvaluatedRig | None = None
        self.confirm_add_key: Callable[[str, tuple], bool] = lambda oid, off: ask_add_key(viewport, oid, off)

    # ---------------------------------------------------------------- subclass hooks
    def target_id(self) -> str | None:
        """The object this tool edits (the active selection when it has the right class)."""
        return None

    def point_handles(self, evaluated: EvaluatedRig) -> PointHandles | None:
        return None

    def press_special(self, pos: np.ndarray, evaluated: EvaluatedRig, modifiers) -> Gesture | None:
        """A subclass's own handles (rotation origin/tip); None when nothing was hit."""
        return None

    def move_special(self, g: Gesture, pos: np.ndarray, modifiers) -> dict:
        return {}

    # ---------------------------------------------------------------- helpers
    def hit_radius_px(self) -> float:
        """Hit radius in canvas px."""
        return HIT_RADIUS_PX / max(self.pixels_per_canvas_px(), 1e-9)

    def _current_selection(self) -> set[int]:
        tid = self.target_id()
        if tid != self._selected_for:
            self.selected, self._selected_for = set(), tid
        return self.selected

    def select_points(self, indices, add: bool = False) -> None:
        """Select point handles ``indices`` of the current object (replacing the selection unless ``add``)."""
        selected = self._current_selection()
        if not add:
            selected.clear()
        selected.update(int(i) for i in indices)
        self.overlay_changed.emit()

    def arm(self, object_id: str) -> tuple[int, bool] | None:
        """The keyform to edit, adding keys when off a key and the user agrees; None to abort."""
        rig, values = self.bridge.rig, self.bridge.values
        state = key_state(rig, object_id, values)
        if state.on_key:
            return state.keyform_index, False
        if not self.confirm_add_key(object_id, state.off_key):
            self.status.emit(f"{object_id} is not on a key: nothing edited")
            return None
        where = ", ".join(f"{pid} = {v:g}" for pid, v in state.off_key)

        def steps(rig) -> list:
            return [step for pid, value in state.off_key for step in add_key_steps(rig, object_id, pid, value)]

        if not self.bridge.apply(steps, f"Add key {where} to {object_id}"):  # a refusal is reported there
            return None
        state = key_state(self.bridge.rig, object_id, values)
        return (state.keyform_index, True) if state.on_key else None

    def _start_points(self, pos: np.ndarray, mode: str, indices: np.ndarray) -> Gesture | None:
        handles = self.point_handles(self.viewport.evaluated())
        armed = self.arm(handles.object_id)
        if armed is None:
            return None
        handles = self.point_handles(self.viewport.evaluated())  # keys may have changed the rig
        index, added = armed
        if handles is None:
            return None
        values = self.bridge.rig.find(handles.object_id).keyforms.values[handles.field][index]
        return Gesture("points", pos, handles.object_id, index, added, mode, indices,
                       handles.canvas_px.copy(), {handles.field: np.array(values, np.float64)}, handles.parent_map)

    # ---------------------------------------------------------------- events
    def press_event(self, pos_px, button, modifiers) -> bool:
        if self.gesture is not None and button == Qt.MouseButton.RightButton:
            self.cancel_gesture()
            self.overlay_changed.emit()
            return True
        if button != Qt.MouseButton.LeftButton or self.target_id() is None:
            return False
        pos = np.asarray(pos_px, np.float64)
        evaluated = self.viewport.evaluated()
        self.bridge.document.history.seal()
        special = self.press_special(pos, evaluated, modifiers)
        if special is not None:
            self.gesture = special if special.kind != "abort" else None
            return True
        handles = self.point_handles(evaluated)
        if handles is None:
            return False
        selected = self._current_selection()
        if modifiers & Mod.ControlModifier:
            mode = "scale" if modifiers & Mod.ShiftModifier else "rotate" if modifiers & Mod.AltModifier else "translate"
            idx = np.array(sorted(selected) or range(len(handles.canvas_px)), np.intp)
            self.gesture = self._start_points(pos, mode, idx)
            return True
        d = np.hypot(*(handles.canvas_px - pos).T)
        hit = int(d.argmin()) if len(d) and d.min() <= self.hit_radius_px() else None
        if hit is None:
            self.gesture = Gesture("box", pos, pos_px=pos)
            return True
        if hit not in selected:
            if not modifiers & Mod.ShiftModifier:
                selected.clear()
            selected.add(hit)
        self.gesture = self._start_points(pos, "translate", np.array(sorted(selected), np.intp))
        self.overlay_changed.emit()
        return True

    def move_event(self, pos_px, buttons, modifiers) -> bool:
        g = self.gesture
        if g is None:
            return False
        pos = np.asarray(pos_px, np.float64)
        g.pos_px = pos
        if g.kind == "box":
            self.overlay_changed.emit()
            return True
        if g.kind == "points":
            (name, start), = g.start_fields.items()
            moved = transform_points(g.start_canvas[g.indices], g.mode, g.press_px, pos)
            new = start.copy()
            new[g.indices] = g.parent_map.to_parent(moved, guess=start[g.indices])
            fields = {name: new}
        else:
            fields = self.move_special(g, pos, modifiers)
        g.fields = {k: np.asarray(v, np.float32) for k, v in fields.items()}
        self._preview = evaluate_with(self.bridge.rig, self.bridge.values, g.object_id, g.keyform_index, g.fields)
        self.overlay_changed.emit()
        return True

    def release_event(self, pos_px, button, modifiers) -> bool:
        g = self.gesture
        if g is None or button != Qt.MouseButton.LeftButton:
            return g is not None
        self.gesture = None
        if g.kind == "box":
            self._finish_box(g, np.asarray(pos_px, np.float64), modifiers)
        elif g.fields is not None:
            self._commit(g)
        self._preview = None
        self.overlay_changed.emit()
        return True

    def _commit(self, g: Gesture) -> None:
        label = f"Edit keyform {g.keyform_index} of {g.object_id}"
        self.bridge.document.history.seal()
        if self.bridge.apply(lambda rig: set_fields_command(rig, g.object_id, g.keyform_index, g.fields, label)):
            self.status.emit(f"Edited keyform {g.keyform_index} of {g.object_id}")

    def _finish_box(self, g: Gesture, pos: np.ndarray, modifiers) -> None:
        slop = CLICK_SLOP_PX / max(self.pixels_per_canvas_px(), 1e-9)
        selected = self._current_selection()
        if np.hypot(*(pos - g.press_px)) <= slop:
            selected.clear()
            view = self.viewport.view
            widget = view.canvas_to_viewport(pos[None])[0] / self.viewport.devicePixelRatioF()
            self.viewport.select_at(QPointF(float(widget[0]), float(widget[1])), modifiers)
            return
        handles = self.point_handles(self.viewport.evaluated())
        if handles is None:
            return
        lo, hi = np.minimum(g.press_px, pos), np.maximum(g.press_px, pos)
        inside = np.flatnonzero(((handles.canvas_px >= lo) & (handles.canvas_px <= hi)).all(1))
        if not modifiers & Mod.ShiftModifier:
            selected.clear()
        selected.update(inside.tolist())

    def cancel_gesture(self) -> None:
        g, self.gesture, self._preview = self.gesture, None, None
        if g is not None and g.added_keys and self.bridge.can_undo:
            self.bridge.undo()

    # ---------------------------------------------------------------- drawing
    def preview(self, evaluated: EvaluatedRig) -> EvaluatedRig:
        return self._preview if self._preview is not None else evaluated

    def overlay_shapes(self, evaluated: EvaluatedRig) -> OverlayShapes | None:
        shapes = OverlayShapes()
        handles = self.point_handles(evaluated) if self.target_id() is not None else None
        if handles is not None:
            selected = sorted(i for i in self._current_selection() if i < len(handles.canvas_px))
            shapes = OverlayShapes.build(handles.canvas_px, HANDLE_COLOR, point_size_px=HANDLE_SIZE_PX)
            if selected:
                shapes = shapes + OverlayShapes.build(handles.canvas_px[selected], SELECTED_COLOR, point_size_px=HANDLE_SIZE_PX)
        g = self.gesture
        if g is not None and g.kind == "box" and g.pos_px is not None:
            (x0, y0), (x1, y1) = g.press_px, g.pos_px
            box = polyline_segments(np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]]))
            shapes = shapes + OverlayShapes.build(lines=box, line_color=BOX_COLOR)
        return shapes

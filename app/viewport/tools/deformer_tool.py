"""DeformerTool: edit the armed keyform of the selected warp or rotation deformer (Deform mode).

Warp deformer: its lattice points are free handles (drag one, box-select several, Ctrl+drag
translates the selection or the whole grid, Ctrl+Shift+drag scales and Ctrl+Alt+drag rotates it
about its centroid; :class:`~app.viewport.tools.keyed_edit.KeyedEditTool`). The lattice's keyform
``positions`` live in the warp's parent space; drags are mapped back exactly
(:class:`~rig.edit.keyforms.ParentMap`).

Rotation deformer (handle roles of style.md 5, as its gizmo draws them):

* the **origin** is a *translate* handle: dragging it moves keyform ``origin`` (parent space);
* the **tip** is a *rotate* handle: dragging it turns keyform ``angle_deg`` by the angle the pointer
  turned about the canvas origin (degrees, clockwise on screen); with **Shift** the drag also scales
  keyform ``scale`` by the ratio of the pointer's distances from the origin.

Each release pushes one command (a :class:`~rig.document.commands.CompoundCommand` of
``SetKeyformValues`` when angle and scale both change).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from app.render.shapes import OverlayShapes
from app.viewport.tools.keyed_edit import SELECTED_COLOR, Gesture, KeyedEditTool, PointHandles
from app.viewport.tools.keyform_tool import describe_key_state
from rig.edit.keyforms import ParentMap
from rig.evaluate.types import EvaluatedRig
from rig.model import RotationDeformer, WarpDeformer

TRANSLATE_COLOR = (1.0, 0.85, 0.2, 1.0)
ROTATE_COLOR = (1.0, 0.45, 0.1, 1.0)


class DeformerTool(KeyedEditTool):
    """Lattice handles of a warp deformer; origin and angle handles of a rotation deformer."""

    name = "deformer"

    def target_id(self) -> str | None:
        active = self.bridge.state.selection.active
        return active if any(d.id == active for d in self.bridge.rig.deformers) else None

    def _gizmo(self, evaluated: EvaluatedRig):
        tid = self.target_id()
        return next((g for g in evaluated.gizmos if g.deformer_id == tid), None)

    def _parent_map(self, evaluated: EvaluatedRig) -> ParentMap:
        return ParentMap.of_object(self.bridge.rig, evaluated, self.target_id(), self.bridge.values)

    # ---------------------------------------------------------------- warp: point handles
    def point_handles(self, evaluated: EvaluatedRig) -> PointHandles | None:
        gizmo = self._gizmo(evaluated)
        if gizmo is None or gizmo.kind != "warp":
            return None
        pts = np.asarray(gizmo.points_px, np.float64).reshape(-1, 2)
        return PointHandles(gizmo.deformer_id, "positions", pts, self._parent_map(evaluated))

    # ---------------------------------------------------------------- rotation: origin and tip
    def press_special(self, pos: np.ndarray, evaluated: EvaluatedRig, modifiers) -> Gesture | None:
        gizmo = self._gizmo(evaluated)
        if gizmo is None or gizmo.kind != "rotation":
            return None
        origin, tip = np.asarray(gizmo.points_px, np.float64)
        r = self.hit_radius_px()
        if np.hypot(*(tip - pos)) <= r:
            kind = "angle"
        elif np.hypot(*(origin - pos)) <= r:
            kind = "origin"
        else:
            return Gesture("box", pos, pos_px=pos)  # a click selects the mesh below
        armed = self.arm(gizmo.deformer_id)
        if armed is None:
            return Gesture("abort", pos)
        evaluated = self.viewport.evaluated()
        origin = np.asarray(self._gizmo(evaluated).points_px, np.float64)[0]
        index, added = armed
        values = self.bridge.rig.deformer(gizmo.deformer_id).keyforms.values
        start = {f: np.array(values[f][index], np.float64) for f in ("origin", "angle_deg", "scale")}
        mode = "scale" if modifiers & Qt.KeyboardModifier.ShiftModifier else "rotate"
        return Gesture(kind, pos, gizmo.deformer_id, index, added, mode, start_canvas=origin[None],
                       start_fields=start, parent_map=self._parent_map(evaluated))

    def move_special(self, g: Gesture, pos: np.ndarray, modifiers) -> dict:
        origin = g.start_canvas[0]
        if g.kind == "origin":
            new = g.parent_map.to_parent((origin + pos - g.press_px)[None], guess=g.start_fields["origin"][None])
            return {"origin": new[0]}
        a, b = g.press_px - origin, pos - origin
        turn = np.rad2deg(np.arctan2(b[1], b[0]) - np.arctan2(a[1], a[0]))
        turn = (turn + 180.0) % 360.0 - 180.0
        fields = {"angle_deg": g.start_fields["angle_deg"] + turn}
        if g.mode == "scale":
            fields["scale"] = g.start_fields["scale"] * np.hypot(*b) / max(np.hypot(*a), 1e-6)
        return fields

    # ---------------------------------------------------------------- status and drawing
    def activate(self) -> None:
        tid = self.target_id()
        if tid is None:
            return
        kind = "warp lattice" if isinstance(self.bridge.rig.deformer(tid), WarpDeformer) else "rotation origin/angle"
        self.status.emit(f"{describe_key_state(self.bridge.rig, tid, self.bridge.values)} ({kind})")

    def overlay_shapes(self, evaluated: EvaluatedRig) -> OverlayShapes | None:
        shapes = super().overlay_shapes(evaluated)
        gizmo = self._gizmo(evaluated)
        tid = self.target_id()
        if gizmo is not None and isinstance(self.bridge.rig.deformer(tid), RotationDeformer):
            origin, tip = np.asarray(gizmo.points_px, np.float64)
            g = self.gesture
            active = g.kind if g is not None else None
            shapes = shapes + OverlayShapes.build([origin], SELECTED_COLOR if active == "origin" else TRANSLATE_COLOR,
                                                  point_size_px=9.0)
            shapes = shapes + OverlayShapes.build([tip], SELECTED_COLOR if active == "angle" else ROTATE_COLOR,
                                                  lines=[[origin, tip]], line_color=ROTATE_COLOR, point_size_px=9.0)
        return shapes

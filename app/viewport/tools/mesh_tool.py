"""MeshTool: mesh edit mode - select, move, add and delete vertices of the selected art meshes.

The tool shows and edits the **rest pose** (every parameter at its default, whatever the sliders
say). Gestures (style.md 3): a drag changes only the preview; the release pushes **one**
:class:`~rig.document.commands.EditMeshes`; Esc or a right click during a drag restores the
preview and pushes nothing. Arrow-key nudges of one selection merge into one undo step.

=====================  =================================================================
Click a vertex         select it (Shift: add, Ctrl: toggle); drag it to move the selection
Drag on empty canvas   box selection (Shift: add, Ctrl: toggle); with Alt: lasso
Click on empty canvas  clear the vertex selection; on an unselected art mesh: edit that one
Double-click in mesh   add a vertex there (uv and keyforms interpolated) and re-triangulate
Delete / Backspace     delete the selected vertices (keyforms remapped, re-triangulated)
Ctrl+A                 select every vertex of the edited meshes
Arrows (Shift)         nudge the selection by 1 (10) canvas px
T                      re-triangulate the edited meshes (Delaunay inside their outline)
=====================  =================================================================
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import Qt

from app.render.shapes import OverlayShapes, polyline_segments
from app.viewport.evaluator import RigEvaluator
from app.viewport.hit_test import pick
from app.viewport.tools.base import Tool
from app.viewport.tools.mesh_selection import (
    VertexSelection,
    nearest_vertex,
    unique_edges,
    vertices_in_box,
    vertices_in_lasso,
)
from rig.edit.mesh_ops import (
    MoveSession,
    add_vertex_command,
    delete_command,
    mesh_under,
    rest_items,
    retriangulate_command,
)
from rig.evaluate.types import EvaluatedRig

HIT_RADIUS_PX = 7.0  # widget px around a vertex that grab it
DRAG_THRESHOLD_PX = 3.0  # widget px before a press becomes a drag
NUDGE_PX, NUDGE_BIG_PX = 1.0, 10.0  # canvas px per arrow key (Shift: big)
VERTEX_PX, RING_PX = 6.0, 6.0  # vertex square side, half side of the selected-vertex outline (screen px)
EDGE_RGBA = (0.25, 0.75, 1.0, 0.85)
VERTEX_RGBA = (0.1, 0.45, 1.0, 1.0)
SELECTED_RGBA = (1.0, 0.35, 0.05, 1.0)
MARQUEE_RGBA, MARQUEE_SHADOW_RGBA = (1.0, 0.9, 0.2, 1.0), (0.05, 0.05, 0.1, 1.0)
_ARROWS = {Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0), Qt.Key.Key_Up: (0, -1), Qt.Key.Key_Down: (0, 1)}
_SHIFT, _CTRL, _ALT = (Qt.KeyboardModifier.ShiftModifier, Qt.KeyboardModifier.ControlModifier,
                       Qt.KeyboardModifier.AltModifier)


@dataclass(slots=True)
class _Gesture:
    kind: str  # "move", "box" or "lasso"
    start_px: tuple[float, float]
    current_px: tuple[float, float]
    mode: str = "replace"  # how a box/lasso combines with the selection
    session: MoveSession | None = None
    path: list[tuple[float, float]] = field(default_factory=list)
    dragging: bool = False  # moved past the drag threshold


def selection_mode(modifiers) -> str:
    if modifiers & _CTRL:
        return "toggle"
    return "add" if modifiers & _SHIFT else "replace"


class MeshTool(Tool):
    """Mesh edit mode tool (see the module docstring for the gestures).

    Attributes
    ----------
    vertices : VertexSelection
        Selected vertices per art mesh (editor state, not in the history).
    """

    name = "mesh"
    _nudge_serials = itertools.count(1)

    def __init__(self, viewport, bridge) -> None:
        super().__init__(viewport, bridge)
        self.vertices = VertexSelection()
        self._rest = RigEvaluator()
        self._gesture: _Gesture | None = None
        self._nudge_key: tuple | None = None
        self._pushing = False
        self._counts: dict[str, int] = {}
        bridge.changed.connect(self._on_changed)
        bridge.document_replaced.connect(self._on_replaced)
        bridge.selection_changed.connect(self._on_mesh_selection)

    # ---------------------------------------------------------------- state
    def rest(self) -> EvaluatedRig:
        """The rig at every parameter's default (what mesh mode shows and edits)."""
        rig = self.bridge.rig
        return self._rest.evaluated(rig, rig.default_values())

    def edited_ids(self) -> tuple[str, ...]:
        """Selected art meshes that are drawn at rest, in draw order (none while the rig cannot evaluate)."""
        selected = self.bridge.state.selection.ids
        ids = {m.id for m in self.bridge.rig.art_meshes if m.id in selected}
        if not ids:
            return ()
        try:
            rest = self.rest()
        except Exception:  # noqa: BLE001 - a broken rig: nothing to edit (the viewport logs the error)
            return ()
        return tuple(i.art_mesh_id for i in rest.items if i.art_mesh_id in ids)

    @property
    def active(self) -> bool:
        return self.viewport.tool is self

    def _radius_px(self) -> float:
        return HIT_RADIUS_PX * self.viewport.devicePixelRatioF() / max(self.pixels_per_canvas_px(), 1e-9)

    def _vertex_counts(self) -> dict[str, int]:
        edited = set(self.edited_ids())
        return {m.id: m.vertex_count for m in self.bridge.rig.art_meshes if m.id in edited}

    # ---------------------------------------------------------------- life cycle
    def activate(self) -> None:
        self._counts = {m.id: m.vertex_count for m in self.bridge.rig.art_meshes}
        self.vertices.prune(self._vertex_counts())
        self.announce()

    def announce(self, prefix: str = "") -> None:
        ids = self.edited_ids()
        if not ids:
            text = "Mesh edit: click an art mesh to edit its vertices (rest pose shown)"
        else:
            what = ids[0] if len(ids) == 1 else f"{len(ids)} meshes"
            text = (f"Mesh edit {what} (rest pose): {len(self.vertices)} vertices selected. "
                    "Double-click adds, Del deletes, T re-triangulates")
        self.status.emit(prefix + text)

    def cancel_gesture(self) -> None:
        self._gesture = None

    def _on_changed(self, change) -> None:
        self._rest.invalidate(change)
        if not self.active:
            self.vertices.clear()
            return
        if not self._pushing:
            self._nudge_key, self._gesture = None, None
            # someone else changed these meshes (undo, auto-mesh): their old indices mean nothing now
            counts = {m.id: m.vertex_count for m in self.bridge.rig.art_meshes if m.id in change.ids}
            stale = {k: self.vertices.indices(k) for k, n in counts.items() if n != self._counts.get(k, n)}
            self.vertices.set(stale, "remove")
        self._counts = {m.id: m.vertex_count for m in self.bridge.rig.art_meshes}
        self.vertices.prune(self._vertex_counts())
        self.overlay_changed.emit()

    def _on_replaced(self) -> None:
        self._rest.invalidate()
        self._counts = {}
        self._gesture, self._nudge_key = None, None
        self.vertices.clear()

    def _on_mesh_selection(self) -> None:
        self._nudge_key = None
        if self.active:
            self.vertices.prune(self._vertex_counts())
            self.announce()
            self.overlay_changed.emit()

    # ---------------------------------------------------------------- mouse
    def press_event(self, pos_px, button, modifiers) -> bool:
        if self._gesture is not None and button == Qt.MouseButton.RightButton:
            self.cancel_gesture()
            self.overlay_changed.emit()
            return True
        if button != Qt.MouseButton.LeftButton or not self.edited_ids():
            return False  # the viewport selects the art mesh under the cursor
        rest = self.rest()
        hit = nearest_vertex(rest_items(rest, self.edited_ids()).values(), pos_px, self._radius_px())
        if hit is None:
            kind = "lasso" if modifiers & _ALT else "box"
            self._gesture = _Gesture(kind, pos_px, pos_px, selection_mode(modifiers), path=[pos_px])
        elif modifiers & _CTRL:
            self.vertices.set({hit[0]: [hit[1]]}, "toggle")
        else:
            if hit not in self.vertices:
                self.vertices.set({hit[0]: [hit[1]]}, "add" if modifiers & _SHIFT else "replace")
            session = MoveSession.start(self.bridge.rig, rest, self.vertices.as_dict())
            self._gesture = _Gesture("move", pos_px, pos_px, session=session)
        self._nudge_key = None
        self.overlay_changed.emit()
        return True

    def move_event(self, pos_px, buttons, modifiers) -> bool:
        g = self._gesture
        if g is None:
            return False
        g.current_px = pos_px
        if not g.dragging:
            dist_widget = np.hypot(*np.subtract(pos_px, g.start_px)) * self.pixels_per_canvas_px()
            g.dragging = dist_widget / self.viewport.devicePixelRatioF() >= DRAG_THRESHOLD_PX
        if g.kind == "lasso":
            g.path.append(pos_px)
        if g.kind == "move" and g.dragging:
            dx, dy = np.subtract(pos_px, g.start_px)
            self.status.emit(f"Move vertices by ({dx:+.1f}, {dy:+.1f}) px - Esc cancels")
        self.overlay_changed.emit()
        return True

    def release_event(self, pos_px, button, modifiers) -> bool:
        g, self._gesture = self._gesture, None
        if g is None or button != Qt.MouseButton.LeftButton:
            return g is not None
        g.current_px = pos_px
        if g.kind == "move":
            if g.dragging and g.session is not None:
                self._push(lambda rig: g.session.command(rig, np.subtract(pos_px, g.start_px)))
        elif g.dragging:
            items = rest_items(self.rest(), self.edited_ids()).values()
            picks = (vertices_in_box(items, g.start_px, pos_px) if g.kind == "box"
                     else vertices_in_lasso(items, np.array(g.path + [pos_px])))
            self.vertices.set(picks, g.mode)
        else:
            self._click_empty(pos_px, g.mode)
        self.overlay_changed.emit()
        self.announce()
        return True

    def _click_empty(self, pos_px, mode: str) -> None:
        """A click on no vertex: clear the vertex selection, or switch to the art mesh clicked."""
        rest = self.rest()
        if mesh_under(rest, self.edited_ids(), pos_px) is None:
            locked = frozenset(self.bridge.document.editor_meta.get("locked_ids", ()))
            hit = pick(rest, pos_px, skip=locked)
            if hit is not None and mode == "replace":
                self.bridge.state.selection.select(hit)
            elif hit is not None:
                self.bridge.state.selection.toggle(hit)
        if mode == "replace":
            self.vertices.clear()

    def double_click_event(self, pos_px, button, modifiers) -> bool:
        if button != Qt.MouseButton.LeftButton or not self.edited_ids():
            return False
        self.cancel_gesture()
        rest = self.rest()
        mesh_id = mesh_under(rest, self.edited_ids(), pos_px)
        if mesh_id is None:
            self.status.emit("Double-click inside an edited art mesh to add a vertex")
            return True
        n = self.bridge.rig.art_mesh(mesh_id).vertex_count
        if self._push(lambda rig: add_vertex_command(rig, rest, mesh_id, pos_px)):
            self.vertices.set({mesh_id: [n]})
        self.overlay_changed.emit()
        return True

    # ---------------------------------------------------------------- keys
    def key_event(self, key, modifiers) -> bool:
        if key == Qt.Key.Key_Escape:
            if self._gesture is None:
                self.vertices.clear()
            self.cancel_gesture()
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.delete_selected()
        elif key == Qt.Key.Key_A and modifiers & _CTRL:
            self.select_all()
        elif key == Qt.Key.Key_T and not modifiers & (_CTRL | _ALT):
            self.retriangulate()
        elif key in _ARROWS and self._gesture is None:
            step = NUDGE_BIG_PX if modifiers & _SHIFT else NUDGE_PX
            self.nudge(np.multiply(_ARROWS[key], step))
        else:
            return False
        self.overlay_changed.emit()
        return True

    # ---------------------------------------------------------------- operations
    def select_all(self) -> None:
        counts = self._vertex_counts()
        self.vertices.set({k: np.arange(n) for k, n in counts.items()})
        self.announce()

    def delete_selected(self) -> bool:
        def build(rig):
            cmd = delete_command(rig, self.vertices.as_dict())
            if cmd is not None:
                self.vertices.clear()  # the indices mean nothing once the command runs
            return cmd

        return self._push(build)

    def retriangulate(self) -> bool:
        return self._push(lambda rig: retriangulate_command(rig, self.edited_ids()))

    def nudge(self, delta_px) -> bool:
        """Move the selection by ``delta_px`` canvas px; consecutive nudges are one undo step."""
        session = MoveSession.start(self.bridge.rig, self.rest(), self.vertices.as_dict())
        if session is None:
            return False
        if self._nudge_key is None:
            self._nudge_key = ("nudge", next(self._nudge_serials))
        return self._push(lambda rig: session.command(rig, delta_px, "Nudge vertices", self._nudge_key))

    def _push(self, build) -> bool:
        """Build and push through :meth:`DocumentBridge.apply` (a refusal is reported there)."""
        self._pushing = True
        try:
            pushed = self.bridge.apply(build, context="Mesh edit refused")
        finally:
            self._pushing = False
        if pushed:
            self.announce(prefix=f"{pushed[0].label}. ")
        return bool(pushed)

    # ---------------------------------------------------------------- drawing
    def preview(self, evaluated: EvaluatedRig) -> EvaluatedRig:
        try:
            rest = self.rest()
        except Exception:  # noqa: BLE001 - shown as is; the viewport reports evaluation errors
            return evaluated
        g = self._gesture
        if g is not None and g.kind == "move" and g.dragging and g.session is not None:
            return g.session.preview(rest, np.subtract(g.current_px, g.start_px))
        return rest

    def overlay_shapes(self, evaluated: EvaluatedRig) -> OverlayShapes | None:
        items = rest_items(evaluated, self.edited_ids())
        if not items:
            return None
        lines, points, colors = [], [], []
        for mesh_id, item in items.items():
            v = np.asarray(item.vertices_px, np.float32)
            lines.append(v[unique_edges(item.triangles)])
            sel = np.zeros(len(v), bool)
            sel[self._selected_in(mesh_id, len(v))] = True
            points.append(np.concatenate([v[~sel], v[sel]]))
            colors += [VERTEX_RGBA] * int((~sel).sum()) + [SELECTED_RGBA] * int(sel.sum())
        edges = np.concatenate(lines).reshape(-1, 2, 2)
        shapes = OverlayShapes(np.concatenate(points), np.asarray(colors, np.float32).reshape(-1, 4), VERTEX_PX,
                               edges, np.tile(np.asarray(EDGE_RGBA, np.float32), (len(edges), 1)))
        return shapes + self._rings(items) + self._marquee()

    def _rings(self, items) -> OverlayShapes:
        """Square outlines around the selected vertices (fixed size on screen)."""
        half = RING_PX * self.viewport.devicePixelRatioF() / max(self.pixels_per_canvas_px(), 1e-9)
        corners = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], np.float32) * half
        segs = [polyline_segments(corners + p) for mesh_id, item in items.items()
                for p in np.asarray(item.vertices_px, np.float32)[self._selected_in(mesh_id, len(item.vertices_px))]]
        if not segs:
            return OverlayShapes()
        return OverlayShapes.build(lines=np.concatenate(segs), line_color=SELECTED_RGBA, point_size_px=0.0)

    def _selected_in(self, mesh_id: str, n: int) -> np.ndarray:
        idx = self.vertices.indices(mesh_id)
        return idx[idx < n]

    def _marquee(self) -> OverlayShapes:
        g = self._gesture
        if g is None or not g.dragging or g.kind == "move":
            return OverlayShapes()
        if g.kind == "box":
            (x0, y0), (x1, y1) = g.start_px, g.current_px
            segs = polyline_segments(np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]]))
        else:
            segs = polyline_segments(np.array(g.path + [g.current_px]))
        # dark line with a light one beside it (one screen px away): visible on any art
        offset = self.viewport.devicePixelRatioF() / max(self.pixels_per_canvas_px(), 1e-9)
        return (OverlayShapes.build(lines=segs, line_color=MARQUEE_RGBA, point_size_px=0.0)
                + OverlayShapes.build(lines=segs + offset, line_color=MARQUEE_SHADOW_RGBA, point_size_px=0.0))


"""BrushTool: paint the visible mask of one layer over the source image, then re-cut it (touch-up tools).

The target is the layer of the **active art mesh** (select it first; a click on the canvas with no
usable target selects as usual). A left drag paints a stroke (``brush_stroke.Stroke``) that only
changes the preview: the layer's visible pixels are tinted blue, pixels the stroke adds green, pixels
it erases red (``preview``), and the brush outline follows the cursor (``overlay_shapes``). On
release the edited mask goes to :func:`inference.layers.recut.recut_layer` and **one**
:class:`~rig.document.commands.RepaintLayer` is pushed. Esc or a right click during the drag drops
the stroke.

Keys: ``[`` / ``]`` shrink / grow the brush, ``X`` toggles add/erase; Alt inverts the mode for one
stroke. The mask lives in the canvas frame at rest: paint with the parameters at their defaults
(deformed art does not follow the tint).

Re-cutting (cut, completion, mesh, and locating the new vertices in the old mesh) is the job of the
``recutter`` the tool is given (:class:`app.jobs.recut.RecutRunner`; this module imports no
inference). It runs on the GUI thread with a busy cursor when it is expected to take at most
``SYNC_LIMIT_S`` (the estimate is seconds per pixel of the layer's box, learnt from the last re-cut);
longer ones run on its worker thread, and the command is built and pushed on the GUI thread when it finishes, unless the source,
the layer or its mesh was replaced meanwhile (the stroke is then dropped). Measured
(``benchmarks/bench_recut.py``): median 8 / 17 / 39 ms per layer at 256 / 512 / 1145 px, the
largest layers (back hair, body) up to ~0.2 s.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QApplication

from app.render.shapes import OverlayShapes, circle_segments
from app.viewport.tools.base import Tool
from app.viewport.tools.brush_stroke import Stroke, mask_box, tint_image
from rig.document.commands import RepaintLayer
from rig.document.commands.repaint import mesh_of_layer
from rig.evaluate.types import DrawItem, EvaluatedRig, LayerTexture
from rig.model import SourceImage

log = logging.getLogger(__name__)

PREVIEW_ID = "__brush_preview__"
SYNC_LIMIT_S = 0.1
"""Re-cuts expected to take longer than this run on a worker thread."""
INITIAL_S_PER_PX = 2.5e-6
"""Guess of re-cut seconds per pixel of the layer's box before anything was measured."""
MIN_RADIUS_PX, MAX_RADIUS_PX = 0.5, 400.0
_QUAD_UVS = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], np.float32)
_QUAD_TRIS = np.array([[0, 1, 2], [0, 2, 3]], np.uint16)


@dataclass(slots=True)
class RecutRequest:
    """A re-cut in flight: what it was computed from, so a stale result can be recognised.

    ``mask`` is the layer's new visible mask, (H, W) bool, canvas frame; ``area_px`` the pixel area
    of the box the re-cut covers (for the duration estimate).
    """

    rig: object
    source: SourceImage
    layer: object  # the Layer and ArtMesh objects the vertex map was computed on
    mesh: object
    layer_id: str
    mask: np.ndarray
    area_px: int

    def stale(self, rig) -> bool:
        """True when ``rig`` is not what the job started from (other document, source, layer or mesh)."""
        if rig is not self.rig or rig.source is not self.source:
            return True
        layer = next((la for la in rig.layers if la.id == self.layer_id), None)
        meshes = [m for m in rig.art_meshes if m.layer_id == self.layer_id]
        return layer is not self.layer or len(meshes) != 1 or meshes[0] is not self.mesh


class BrushTool(Tool):
    """Mask-painting brush (see the module docstring).

    Attributes
    ----------
    radius_px : float
        Brush radius, canvas px.
    hardness : float
        Fraction of the radius painted at full coverage, [0, 1].
    erase : bool
        Erase instead of add (Alt inverts it for one stroke).
    busy : bool
        A re-cut is running on the worker thread.
    last_recut_s : float or None
        Seconds the last re-cut took.

    Signals
    -------
    settings_changed()
        Size, hardness or mode changed (the options bar follows).
    busy_changed(bool)
    deactivated()
        Another tool (or none) took over.
    target_changed(str)
        Name of the layer the brush paints ("" when none).
    """

    name = "brush"
    settings_changed = Signal()
    busy_changed = Signal(bool)
    deactivated = Signal()
    target_changed = Signal(str)

    def __init__(self, viewport, bridge, recutter) -> None:
        super().__init__(viewport, bridge)
        self.recutter = recutter
        self.radius_px, self.hardness, self.erase = 6.0, 0.8, False
        self.busy = False
        self.last_recut_s: float | None = None
        self.sync_limit_s = SYNC_LIMIT_S
        self._s_per_px = INITIAL_S_PER_PX
        self._stroke: Stroke | None = None
        self._stroke_erase = False
        self._layer_id: str | None = None
        self._before: np.ndarray | None = None
        self._hover: tuple[float, float] | None = None
        self._tint_key: tuple | None = None
        self._tint: tuple[np.ndarray, tuple[int, int, int, int]] | None = None
        self._tint_version = 0
        recutter.finished.connect(self._finish)
        bridge.selection_changed.connect(self._emit_target)
        bridge.changed.connect(lambda change: self._emit_target())

    # ---------------------------------------------------------------- settings
    def set_radius(self, radius_px: float) -> None:
        self.radius_px = float(min(MAX_RADIUS_PX, max(MIN_RADIUS_PX, radius_px)))
        self.settings_changed.emit()
        self.overlay_changed.emit()

    def set_hardness(self, hardness: float) -> None:
        self.hardness = float(min(1.0, max(0.0, hardness)))
        self.settings_changed.emit()
        self.overlay_changed.emit()

    def set_erase(self, erase: bool) -> None:
        self.erase = bool(erase)
        self.settings_changed.emit()
        self.overlay_changed.emit()

    # ---------------------------------------------------------------- target
    def target_layer_id(self) -> str | None:
        """The layer the brush paints: the active art mesh's, if the rig's source can re-cut it."""
        rig = self.bridge.rig
        source, active = rig.source, self.bridge.state.selection.active
        if source is None or active is None:
            return None
        mesh = next((m for m in rig.art_meshes if m.id == active), None)
        layer_id = mesh.layer_id if mesh is not None else active
        if layer_id not in source.layer_ids or source.layer_kinds[source.label_of(layer_id) - 1] not in self.recutter.cut_kinds:
            return None
        if sum(1 for m in rig.art_meshes if m.layer_id == layer_id) != 1:
            return None
        return layer_id

    def _emit_target(self) -> None:
        layer_id = self.target_layer_id()
        self.target_changed.emit(self.bridge.rig.layer(layer_id).name if layer_id else "")
        self.overlay_changed.emit()

    # ---------------------------------------------------------------- life cycle
    def activate(self) -> None:
        self._emit_target()

    def deactivate(self) -> None:
        super().deactivate()
        self._hover = None
        self.deactivated.emit()

    def cancel_gesture(self) -> None:
        self._stroke = self._before = None
        self.overlay_changed.emit()

    @property
    def painting(self) -> bool:
        """A stroke is in progress."""
        return self._stroke is not None

    # ---------------------------------------------------------------- events
    def press_event(self, pos_px, button, modifiers) -> bool:
        if button == Qt.MouseButton.RightButton and self.painting:
            self.cancel_gesture()
            return True
        if button != Qt.MouseButton.LeftButton:
            return False
        layer_id = self.target_layer_id()
        if layer_id is None:
            self.status.emit("Paint mask: select the art mesh of a layer cut from the image first")
            return False
        if self.busy:
            self.status.emit("Paint mask: still re-cutting the last stroke")
            return True
        source = self.bridge.rig.source
        self._layer_id, self._before = layer_id, source.visible_mask(layer_id)
        self._stroke_erase = self.erase != bool(modifiers & Qt.KeyboardModifier.AltModifier)
        self._stroke = Stroke(source.labels.shape, self.radius_px, self.hardness)
        self._stroke.dab(pos_px)
        self._hover = pos_px
        self.overlay_changed.emit()
        return True

    def move_event(self, pos_px, buttons, modifiers) -> bool:
        self._hover = pos_px
        if self._stroke is not None:
            self._stroke.drag_to(pos_px)
        self.overlay_changed.emit()
        return self._stroke is not None

    def release_event(self, pos_px, button, modifiers) -> bool:
        if button != Qt.MouseButton.LeftButton or self._stroke is None:
            return False
        self._stroke.drag_to(pos_px)
        edited = self._stroke.apply(self._before, self._stroke_erase)
        changed = not np.array_equal(edited, self._before)
        layer_id = self._layer_id
        self.cancel_gesture()
        if changed:
            self.commit(layer_id, edited)
        else:
            self.status.emit("Paint mask: the stroke changed no pixel")
        return True

    def key_event(self, key: int, modifiers) -> bool:
        if key == Qt.Key.Key_BracketLeft:
            self.set_radius(self.radius_px / 1.25)
        elif key == Qt.Key.Key_BracketRight:
            self.set_radius(self.radius_px * 1.25)
        elif key == Qt.Key.Key_X:
            self.set_erase(not self.erase)
        else:
            return super().key_event(key, modifiers)
        return True

    # ---------------------------------------------------------------- re-cut and commit
    def commit(self, layer_id: str, mask: np.ndarray) -> None:
        """Re-cut ``layer_id`` with visible ``mask`` (H, W) bool and push one RepaintLayer."""
        rig = self.bridge.rig
        box = mask_box(mask | rig.source.visible_mask(layer_id), None)
        area = 0 if box is None else (box[2] - box[0]) * (box[3] - box[1])
        request = RecutRequest(rig, rig.source, rig.layer(layer_id), mesh_of_layer(rig, layer_id), layer_id, mask,
                               area)  # fmt: skip
        if area * self._s_per_px <= self.sync_limit_s:
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                self.recutter.run_now(request)
            finally:
                QApplication.restoreOverrideCursor()
            return
        self._set_busy(True)
        self.status.emit("Paint mask: re-cutting...")
        self.recutter.start(request)

    def _finish(self, request: RecutRequest, result, seconds: float) -> None:
        """The re-cut's outcome (GUI thread): ``result`` is ``(Recut, vertex_map)`` or a message."""
        self._set_busy(False)
        self.last_recut_s = seconds
        if request.area_px:
            self._s_per_px = max(1e-9, seconds / request.area_px)
        if isinstance(result, str):
            log.warning("paint mask of %s failed: %s", request.layer_id, result)
            self.status.emit(f"Paint mask: {result}")
            return
        rig = self.bridge.rig
        if request.stale(rig):
            self.status.emit("Paint mask: the document changed while re-cutting; the stroke was dropped")
            return
        cut, vmap = result
        if self.bridge.apply(lambda rig: RepaintLayer(rig, request.layer_id, cut.layer.image, cut.layer.origin_px,
                                                      cut.mesh.uvs, cut.mesh.triangles, cut.labels, vertex_map=vmap)):
            self.status.emit(f"Paint mask: re-cut {rig.layer(request.layer_id).name} in {seconds * 1000:.0f} ms")

    def _set_busy(self, busy: bool) -> None:
        if busy != self.busy:
            self.busy = busy
            self.busy_changed.emit(busy)

    def wait(self, timeout_s: float = 30.0) -> None:
        """Block until a worker re-cut finished (its result is delivered by the event loop)."""
        self.recutter.wait_done(timeout_s)

    # ---------------------------------------------------------------- drawing
    def preview(self, evaluated: EvaluatedRig) -> EvaluatedRig:
        """The rig plus a tinted quad showing the target's visible mask and the stroke."""
        tint = self._current_tint()
        if tint is None:
            return evaluated
        image, (x0, y0, x1, y1) = tint
        verts = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float32)
        item = DrawItem(PREVIEW_ID, verts, _QUAD_UVS, _QUAD_TRIS, PREVIEW_ID, 1.0, (1.0, 1.0, 1.0),
                        (0.0, 0.0, 0.0), "normal", (), False, 1e9, 0)  # fmt: skip
        textures = dict(evaluated.textures)
        textures[PREVIEW_ID] = LayerTexture(PREVIEW_ID, image, self._tint_version)
        return EvaluatedRig(evaluated.canvas_size_px, (*evaluated.items, item), textures, evaluated.masks,
                            evaluated.gizmos)  # fmt: skip

    def _current_tint(self):
        source = self.bridge.rig.source
        layer_id = self._layer_id if self._stroke is not None else self.target_layer_id()
        if source is None or layer_id is None:
            return None
        stroke = self._stroke
        key = (id(source), layer_id, id(stroke), None if stroke is None else stroke.box, self._stroke_erase,
               None if stroke is None else stroke.last)  # fmt: skip
        if key != self._tint_key:
            mask = self._before if stroke is not None else source.visible_mask(layer_id)
            box = mask_box(mask, stroke)
            self._tint_key = key
            self._tint = None if box is None else (tint_image(mask, stroke, self._stroke_erase, box), box)
            self._tint_version += 1
        return self._tint

    def overlay_shapes(self, evaluated: EvaluatedRig) -> OverlayShapes | None:
        """The brush outline (and its hard core, dimmer) at the cursor."""
        if self._hover is None:
            return None
        erase = self._stroke_erase if self.painting else self.erase
        color = (1.0, 0.45, 0.45, 0.95) if erase else (1.0, 1.0, 1.0, 0.95)
        outline = OverlayShapes.build(lines=circle_segments(self._hover, self.radius_px, 64), line_color=color)
        if 0.0 < self.hardness < 1.0:
            core = circle_segments(self._hover, self.hardness * self.radius_px, 48)
            outline = outline + OverlayShapes.build(lines=core, line_color=(*color[:3], 0.4))
        return outline

"""KeyformTool: drag the vertices of the selected art mesh to edit its armed keyform (Deform mode).

The vertices of the active art mesh are free handles; gestures, modifiers, off-key handling and
Esc are those of :class:`~app.viewport.tools.keyed_edit.KeyedEditTool`. A drag moves vertices in
canvas px; the tool maps the new positions back into the mesh's parent-deformer space
(:class:`~rig.edit.keyforms.ParentMap`, exact inverse at the current pose), so the vertex lands under
the cursor, and the release pushes one ``SetKeyformValues(mesh, "positions", ..., keyform_index)``.
"""

from __future__ import annotations

import numpy as np

from app.viewport.tools.keyed_edit import KeyedEditTool, PointHandles
from rig.edit.keyforms import ParentMap, key_state
from rig.evaluate.types import EvaluatedRig
from rig.model import ArtMesh


class KeyformTool(KeyedEditTool):
    """Edit the armed keyform of the active art mesh by dragging its vertices."""

    name = "keyform"

    def target_id(self) -> str | None:
        active = self.bridge.state.selection.active
        if active is None:
            return None
        try:
            obj = self.bridge.rig.find(active)
        except KeyError:
            return None
        return active if isinstance(obj, ArtMesh) else None

    def point_handles(self, evaluated: EvaluatedRig) -> PointHandles | None:
        mesh_id = self.target_id()
        item = next((i for i in evaluated.items if i.art_mesh_id == mesh_id), None)
        if item is None:  # hidden meshes are not drawn, so not edited
            return None
        pm = ParentMap.of_object(self.bridge.rig, evaluated, mesh_id, self.bridge.values)
        return PointHandles(mesh_id, "positions", np.asarray(item.vertices_px, np.float64), pm)

    def activate(self) -> None:
        self.announce()

    def announce(self) -> None:
        """Say in the status bar which keyform a drag would edit."""
        mesh_id = self.target_id()
        if mesh_id is None:
            self.status.emit("Deform: select an art mesh (click it) or a deformer (Deformers dock)")
            return
        self.status.emit(describe_key_state(self.bridge.rig, mesh_id, self.bridge.values))


def describe_key_state(rig, object_id: str, values) -> str:
    """One status-bar line: the armed keyform, or which parameters are off their keys."""
    state = key_state(rig, object_id, values)
    grid = rig.find(object_id).keyforms
    if state.on_key:
        at = ", ".join(f"{b.parameter_id} = {b.keys[i]:g}"
                       for b, i in zip(grid.bindings, grid.key_indices(state.keyform_index)))
        text = f"Deform {object_id}: keyform {state.keyform_index}" + (f" ({at})" if at else " (not keyed)")
    else:
        off = ", ".join(f"{pid} = {v:g}" for pid, v in state.off_key)
        text = f"Deform {object_id}: off a key at {off}; a drag offers to add a key there"
    if state.unbound:
        text += f"; not keyed on {', '.join(state.unbound[:3])}{'...' if len(state.unbound) > 3 else ''}"
    return text

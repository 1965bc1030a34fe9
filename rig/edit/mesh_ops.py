"""Commands of mesh edit mode, built from the rest-pose evaluation (Qt-free).

Mesh mode edits the **rest geometry**: the rig evaluated at every parameter's default. A drag of
``d`` canvas px moves a vertex's uv by ``A_uv d`` and **every keyform** of it by the same
parent-space offset ``A_xy d``, where ``A_uv`` and ``A_xy`` are the local linear maps canvas ->
uv and canvas -> parent space fitted on the vertex's one-ring at rest
(:func:`rig.document.commands.mesh_edit.local_linear_maps`; exact for canvas and rotation parents
and for warps at their regular rest lattice). So the vertex follows the cursor at rest, the texture
stays put on the canvas (Cubism's mesh edit), and every pose keeps its displacement from rest.

Each function returns one :class:`~rig.document.commands.EditMeshes` (one undo step) or None.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from rig.document.commands import EditMeshes
from rig.document.commands.mesh_edit import (
    add_vertices,
    delete_vertices,
    inside_mesh,
    local_linear_maps,
    move_vertices,
    retriangulate,
)
from rig.document.commands.topology import locate_points, rest_positions
from rig.evaluate.types import DrawItem, EvaluatedRig
from rig.model import Rig


def rest_items(rest: EvaluatedRig, mesh_ids) -> dict[str, DrawItem]:
    """The rest-pose draw items of ``mesh_ids`` that are drawn (hidden meshes are not edited)."""
    wanted = set(mesh_ids)
    return {i.art_mesh_id: i for i in rest.items if i.art_mesh_id in wanted}


@dataclass(frozen=True, slots=True, eq=False)
class MoveSession:
    """What a vertex drag captured at its start.

    Attributes
    ----------
    indices : dict of str to (n,) intp ndarray
        Moved vertices per mesh.
    uv_maps, xy_maps : dict of str to (n, 2, 2) float64 ndarray
        Canvas px -> uv and canvas px -> parent space linear maps per moved vertex.
    """

    indices: dict[str, np.ndarray]
    uv_maps: dict[str, np.ndarray]
    xy_maps: dict[str, np.ndarray]

    @staticmethod
    def start(rig: Rig, rest: EvaluatedRig, selection: Mapping[str, np.ndarray]) -> MoveSession | None:
        """Capture the selected vertices of the drawn meshes; None when nothing can move."""
        items = rest_items(rest, selection.keys())
        idx, uv_maps, xy_maps = {}, {}, {}
        for mesh_id, item in items.items():
            sel = np.asarray(selection[mesh_id], np.intp)
            mesh = rig.art_mesh(mesh_id)
            canvas = np.asarray(item.vertices_px, np.float64)
            idx[mesh_id] = sel
            uv_maps[mesh_id] = local_linear_maps(canvas, mesh.uvs, mesh.triangles, sel)
            xy_maps[mesh_id] = local_linear_maps(canvas, rest_positions(rig, mesh), mesh.triangles, sel)
        return MoveSession(idx, uv_maps, xy_maps) if idx else None

    def deltas(self, mesh_id: str, delta_px) -> tuple[np.ndarray, np.ndarray]:
        """(uv offsets (n, 2), parent-space offsets (n, 2)) of one mesh for a canvas drag ``delta_px``."""
        d = np.asarray(delta_px, np.float64)
        return self.uv_maps[mesh_id] @ d, self.xy_maps[mesh_id] @ d

    def preview(self, rest: EvaluatedRig, delta_px) -> EvaluatedRig:
        """``rest`` with the moved vertices (and their uvs) shifted by ``delta_px``."""
        d = np.asarray(delta_px, np.float32)

        def moved(item: DrawItem) -> DrawItem:
            if item.art_mesh_id not in self.indices:
                return item
            idx = self.indices[item.art_mesh_id]
            verts, uvs = item.vertices_px.copy(), item.uvs.copy()
            verts[idx] += d
            uvs[idx] += self.deltas(item.art_mesh_id, delta_px)[0].astype(np.float32)
            return dataclasses.replace(item, vertices_px=verts, uvs=uvs)

        return dataclasses.replace(rest, items=tuple(moved(i) for i in rest.items),
                                   masks={k: moved(v) for k, v in rest.masks.items()})

    def command(self, rig: Rig, delta_px, label: str | None = None, merge_key=None) -> EditMeshes:
        """One command moving every captured vertex by ``delta_px`` canvas px."""
        cmds = []
        for mesh_id, idx in self.indices.items():
            duv, dxy = self.deltas(mesh_id, delta_px)
            cmds.append(move_vertices(rig, mesh_id, idx, duv, dxy, merge_key=merge_key))
        n = sum(len(i) for i in self.indices.values())
        return EditMeshes(label or f"Move {n} vert{'ices' if n != 1 else 'ex'}", cmds, merge_key=merge_key)


def mesh_under(rest: EvaluatedRig, mesh_ids, point_px) -> str | None:
    """The topmost of ``mesh_ids`` whose rest triangles contain canvas ``point_px``."""
    wanted = set(mesh_ids)
    for item in reversed(rest.items):
        if (item.art_mesh_id in wanted and len(item.triangles)
                and inside_mesh(np.asarray(point_px, np.float64)[None], item.vertices_px, item.triangles)[0]):
            return item.art_mesh_id
    return None


def add_vertex_command(rig: Rig, rest: EvaluatedRig, mesh_id: str, point_px) -> EditMeshes:
    """Insert a vertex at canvas ``point_px`` (rest pose) into ``mesh_id`` and re-triangulate.

    Its uv and every keyform position interpolate the rest triangle containing the point.
    """
    item = rest_items(rest, [mesh_id])[mesh_id]
    located = locate_points(np.asarray(point_px, np.float64)[None], item.vertices_px, item.triangles)
    cmd = add_vertices(rig, mesh_id, located, label=f"Add vertex to {mesh_id}")
    return EditMeshes(cmd.label, [cmd])


def delete_command(rig: Rig, selection: Mapping[str, np.ndarray]) -> EditMeshes | None:
    """Delete the selected vertices of every mesh (one step); None when nothing is selected."""
    cmds = [delete_vertices(rig, mesh_id, idx) for mesh_id, idx in selection.items() if len(idx)]
    if not cmds:
        return None
    n = sum(len(i) for i in selection.values())
    return EditMeshes(f"Delete {n} vert{'ices' if n != 1 else 'ex'}", cmds)


def retriangulate_command(rig: Rig, mesh_ids) -> EditMeshes | None:
    """Delaunay re-triangulation of each mesh inside its outline (one step)."""
    cmds = [retriangulate(rig, mesh_id) for mesh_id in mesh_ids]
    if not cmds:
        return None
    return EditMeshes(cmds[0].label if len(cmds) == 1 else f"Re-triangulate {len(cmds)} meshes", cmds)

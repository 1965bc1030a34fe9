"""Random command sequences interleaved with undo/redo keep every history step exact.

A hypothesis ``RuleBasedStateMachine`` pushes commands (refused ones are skipped), opens macros and
local histories, and undoes/redoes at random. It keeps a deep copy of the rig after every undo
step; the invariant is that the rig always equals the snapshot at the history's position and
always validates.
"""

from __future__ import annotations

import copy

import numpy as np
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from rig.document.commands import (
    AddArtMesh,
    AddParameterKey,
    AddPart,
    MoveVertices,
    RemoveArtMesh,
    RemoveParameterKey,
    RemovePart,
    RenameObject,
    ReorderDrawOrder,
    ReparentArtMesh,
    ReparentDeformer,
    ReplaceMeshTopology,
    SetKeyformValues,
    SetObjectProperty,
    SetParameterDefinition,
)
from rig.errors import RigError
from rig.model import ArtMesh, KeyformGrid, Part, deep_equal
from tests.rig.document.rigs import QUAD_TRIS, QUAD_UVS, small_document

pick = st.integers(0, 10_000)
small = st.floats(-3, 3, allow_nan=False).map(np.float32)


def _choose(items, i):
    return items[i % len(items)] if items else None


class DocumentMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.doc = small_document(history_limit=None)
        self.snapshots = [copy.deepcopy(self.doc.rig)]
        self.pos = 0

    # ------------------------------------------------------------- helpers
    @property
    def rig(self):
        return self.doc.rig

    def push(self, make) -> None:
        """Build a command from the current rig and push it; skip refused edits."""
        try:
            command = make(self.rig)
        except RigError:
            return
        count = self.doc.history.undo_count
        self.doc.push(command)
        self._recorded(count)

    def _recorded(self, count_before: int) -> None:
        count = self.doc.history.undo_count
        if count == count_before:  # merged into the top step (or an empty group)
            if count:
                self.snapshots[self.pos] = copy.deepcopy(self.rig)
            return
        assert count == count_before + 1
        self.pos += 1
        del self.snapshots[self.pos :]
        self.snapshots.append(copy.deepcopy(self.rig))

    # --------------------------------------------------------------- edits
    @rule(
        m=pick,
        v=st.lists(pick, min_size=1, max_size=3),
        d=st.tuples(small, small),
        k=st.one_of(st.none(), pick),
    )
    def move_vertices(self, m, v, d, k):
        mesh = _choose(self.rig.art_meshes, m)
        if mesh is None:
            return
        idx = sorted({i % mesh.vertex_count for i in v})
        kf = None if k is None else k % mesh.keyforms.count
        self.push(lambda rig: MoveVertices.by(rig, mesh.id, idx, d, kf))

    @rule(o=pick, value=st.floats(0, 1), k=pick)
    def set_opacity(self, o, value, k):
        obj = _choose([*self.rig.parts, *self.rig.deformers, *self.rig.art_meshes], o)
        if obj is not None:
            self.push(lambda rig: SetKeyformValues(rig, obj.id, "opacity", value, k % obj.keyforms.count))

    @rule(p=pick, t=st.floats(0, 1))
    def add_key(self, p, t):
        param = _choose(self.rig.parameters, p)
        value = round(param.min + t * (param.max - param.min), 3)
        self.push(lambda rig: AddParameterKey(rig, param.id, value))

    @rule(p=pick, k=pick)
    def remove_key(self, p, k):
        param = _choose(self.rig.parameters, p)
        if param.keys:
            self.push(lambda rig: RemoveParameterKey(rig, param.id, param.keys[k % len(param.keys)]))

    @rule(p=pick, grow=st.floats(0, 5))
    def widen_parameter(self, p, grow):
        param = _choose(self.rig.parameters, p)
        self.push(
            lambda rig: SetParameterDefinition(rig, param.id, max=param.max + grow, name=f"p{grow:.1f}")
        )

    @rule(o=pick, attr=st.sampled_from(["visible", "blend_mode", "invert_mask", "name"]), flag=st.booleans())
    def set_property(self, o, attr, flag):
        mesh = _choose(self.rig.art_meshes, o)
        if mesh is None:
            return
        value = {"visible": flag, "invert_mask": flag, "name": f"n{flag}"}.get(
            attr, "additive" if flag else "normal"
        )
        self.push(lambda rig: SetObjectProperty(rig, mesh.id, attr, value))

    @rule(o=pick, name=st.text("abc", min_size=1, max_size=3))
    def rename(self, o, name):
        obj = _choose(list(self.rig.objects()), o)
        self.push(lambda rig: RenameObject(rig, obj.id, name))

    @rule(m=pick, i=pick, order=st.one_of(st.none(), st.floats(0, 1000)))
    def reorder(self, m, i, order):
        mesh = _choose(self.rig.art_meshes, m)
        if mesh is not None:
            self.push(lambda rig: ReorderDrawOrder(rig, mesh.id, i % len(rig.art_meshes), order))

    @rule(c=pick, p=st.one_of(st.none(), pick))
    def reparent(self, c, p):
        child = _choose([*self.rig.deformers, *self.rig.art_meshes], c)
        parent = None if p is None else _choose(self.rig.deformers, p)
        if child is None or (p is not None and parent is None):
            return
        cls = ReparentArtMesh if isinstance(child, ArtMesh) else ReparentDeformer
        self.push(lambda rig: cls(rig, child.id, parent.id if parent else None))

    @rule(p=pick, la=pick, d=st.one_of(st.none(), pick))
    def add_art_mesh(self, p, la, d):
        part, layer = _choose(self.rig.parts, p), _choose(self.rig.layers, la)
        parent = None if d is None else _choose(self.rig.deformers, d)
        if part is None or layer is None:
            return
        pos = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], np.float32)
        grid = KeyformGrid.constant(**ArtMesh.rest_values(pos))
        mesh_id = self.rig.new_id("ArtMesh")
        mesh = ArtMesh(
            mesh_id,
            "m",
            part.id,
            parent.id if parent else None,
            layer.id,
            QUAD_UVS.copy(),
            QUAD_TRIS.copy(),
            grid,
        )
        self.push(lambda rig: AddArtMesh(rig, mesh))

    @rule(m=pick)
    def remove_art_mesh(self, m):
        mesh = _choose(self.rig.art_meshes, m)
        if mesh is not None:
            self.push(lambda rig: RemoveArtMesh(rig, mesh.id))

    @rule(p=pick)
    def add_part(self, p):
        parent = _choose(self.rig.parts, p)
        part = Part(self.rig.new_id("Part"), "p", parent.id if parent else None)
        self.push(lambda rig: AddPart(rig, part, 0))

    @rule(p=pick)
    def remove_part(self, p):
        part = _choose(self.rig.parts, p)
        if part is not None:
            self.push(lambda rig: RemovePart(rig, part.id))

    @rule(m=pick)
    def flip_triangles(self, m):
        mesh = _choose(self.rig.art_meshes, m)
        if mesh is not None:
            self.push(lambda rig: ReplaceMeshTopology(rig, mesh.id, mesh.uvs, mesh.triangles[:, ::-1]))

    @rule(m=pick, n=st.integers(1, 3), d=st.tuples(small, small))
    def macro_of_moves(self, m, n, d):
        mesh = _choose(self.rig.art_meshes, m)
        if mesh is None:
            return
        count = self.doc.history.undo_count
        with self.doc.history.macro("Moves"):
            for i in range(n):
                self.doc.push(MoveVertices.by(self.rig, mesh.id, [i % mesh.vertex_count], d))
        self._recorded(count)

    @rule(m=pick, n=st.integers(0, 3), undos=st.integers(0, 2), commit=st.booleans())
    def local_edit(self, m, n, undos, commit):
        mesh = _choose(self.rig.art_meshes, m)
        if mesh is None:
            return
        count = self.doc.history.undo_count
        with self.doc.history.local("Edit mesh") as local:
            for i in range(n):
                local.push(MoveVertices.by(self.rig, mesh.id, [i % mesh.vertex_count], (1, 0), 0))
                local.push(
                    ReplaceMeshTopology(
                        self.rig, mesh.id, mesh.uvs, self.rig.art_mesh(mesh.id).triangles[:, ::-1]
                    )
                )
            for _ in range(undos):
                local.undo()
            if not commit:
                local.discard()
        if not commit:
            assert deep_equal(self.rig, self.snapshots[self.pos])
        self._recorded(count)

    # -------------------------------------------------------------- history
    @rule()
    def undo(self):
        if self.doc.history.undo() is not None:
            self.pos -= 1

    @rule()
    def redo(self):
        if self.doc.history.redo() is not None:
            self.pos += 1

    @invariant()
    def rig_matches_the_snapshot_at_the_history_position(self):
        assert self.doc.history.undo_count == self.pos
        assert self.doc.history.redo_count == len(self.snapshots) - 1 - self.pos
        self.rig.validate()
        assert deep_equal(self.rig, self.snapshots[self.pos])


DocumentMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)
test_document_history = DocumentMachine.TestCase

"""History semantics: push executes, undo/redo, macros, merging, clean marker, limit, local levels."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from rig.document import Change, Command, CompoundCommand
from rig.document.commands import MoveVertices, RenameObject, SetKeyformValues, SetObjectProperty
from rig.model import deep_equal
from tests.rig.document.rigs import small_document


def rename(doc, name, object_id="ArtMesh1"):
    return RenameObject(doc.rig, object_id, name)


def mesh_name(doc, object_id="ArtMesh1"):
    return doc.rig.find(object_id).name


class Boom:
    """A command whose do fails before changing anything."""

    label = "Boom"

    def do(self, doc):
        raise RuntimeError("boom")

    def undo(self, doc):
        raise AssertionError("never executed, never undone")

    def merge(self, other):
        return False


def test_push_executes_and_emits():
    doc = small_document()
    changes, stack_events = [], []
    doc.changed.connect(changes.append)
    doc.history.changed.connect(lambda: stack_events.append(doc.history.undo_label))
    change = doc.history.push(rename(doc, "a"))
    assert mesh_name(doc) == "a"
    assert change == Change("property", frozenset({"ArtMesh1"})) and changes == [change]
    assert stack_events == ["Rename ArtMesh1 to a"]
    assert doc.history.can_undo and not doc.history.can_redo


def test_undo_redo_labels_and_empty_stacks():
    doc = small_document()
    h = doc.history
    assert h.undo() is None and h.redo() is None and h.undo_label is None
    h.push(rename(doc, "a"))
    h.push(rename(doc, "b"))
    assert h.undo().ids == {"ArtMesh1"}
    assert mesh_name(doc) == "a" and h.redo_label == "Rename ArtMesh1 to b"
    h.push(rename(doc, "c"))  # new branch drops the redo stack
    assert not h.can_redo and h.undo_count == 2


def test_failing_do_records_nothing():
    doc = small_document()
    with pytest.raises(RuntimeError, match="boom"):
        doc.history.push(Boom())
    assert doc.history.undo_count == 0


def test_every_command_satisfies_the_protocol():
    doc = small_document()
    assert isinstance(rename(doc, "x"), Command)
    assert isinstance(CompoundCommand("c", []), Command)


def test_macro_is_one_step_and_nests():
    doc = small_document()
    before = copy.deepcopy(doc.rig)
    with doc.history.macro("Outer"):
        doc.push(rename(doc, "a"))
        with doc.history.macro("Inner"):
            doc.push(rename(doc, "b", "ArtMesh2"))
            doc.push(SetObjectProperty(doc.rig, "ArtMesh2", "visible", False))
        assert doc.history.in_macro and not doc.history.can_undo
        with pytest.raises(RuntimeError):
            doc.history.undo()
    assert doc.history.undo_count == 1 and doc.history.undo_label == "Outer"
    changes = []
    doc.changed.connect(changes.append)
    doc.history.undo()
    assert deep_equal(doc.rig, before)
    assert changes == [Change("property", frozenset({"ArtMesh1", "ArtMesh2"}))]  # one combined event
    doc.history.redo()
    assert mesh_name(doc) == "a" and mesh_name(doc, "ArtMesh2") == "b"


def test_macro_exception_rolls_back_and_propagates():
    doc = small_document()
    doc.push(rename(doc, "kept"))
    before = copy.deepcopy(doc.rig)
    with pytest.raises(ValueError, match="stop"), doc.history.macro("M"):
        doc.push(rename(doc, "a"))
        doc.push(rename(doc, "b", "ArtMesh2"))
        raise ValueError("stop")
    assert deep_equal(doc.rig, before) and doc.history.undo_count == 1 and not doc.history.in_macro


def test_inner_macro_exception_rolls_back_only_the_inner_part():
    doc = small_document()
    with doc.history.macro("Outer"):
        doc.push(rename(doc, "a"))
        with pytest.raises(ValueError), doc.history.macro("Inner"):
            doc.push(rename(doc, "b", "ArtMesh2"))
            raise ValueError
    assert mesh_name(doc) == "a" and mesh_name(doc, "ArtMesh2") == "artmesh2"
    doc.history.undo()
    assert mesh_name(doc) == "artmesh1"


def test_empty_macro_records_nothing():
    doc = small_document()
    with doc.history.macro("Nothing"):
        pass
    assert doc.history.undo_count == 0


def test_merge_only_between_consecutive_pushes():
    doc = small_document()
    h = doc.history

    def nudge():
        h.push(MoveVertices.by(doc.rig, "ArtMesh1", [0], (1, 0), keyform_index=0))

    nudge()
    nudge()
    assert h.undo_count == 1
    h.seal()
    nudge()
    assert h.undo_count == 2
    h.undo()
    h.redo()
    nudge()  # after undo/redo: a new step
    assert h.undo_count == 3
    h.mark_clean()
    nudge()  # never merge into the clean step
    assert h.undo_count == 4 and not h.is_clean
    h.undo()
    assert h.is_clean


def test_merge_inside_a_macro():
    doc = small_document()
    with doc.history.macro("Drag"):
        for v in (0.5, 0.4):
            doc.push(SetKeyformValues(doc.rig, "ArtMesh1", "opacity", v, keyform_index=0))
    compound = doc.history._top.undo[-1]
    assert len(compound.commands) == 1


def test_clean_marker():
    doc = small_document()
    h = doc.history
    flips = []
    h.clean_changed.connect(flips.append)
    assert h.is_clean
    h.push(rename(doc, "a"))
    h.push(rename(doc, "b"))
    assert not h.is_clean
    h.mark_clean()
    assert h.is_clean
    h.undo()
    assert not h.is_clean
    h.redo()
    assert h.is_clean
    h.undo()
    h.push(rename(doc, "c"))  # the clean state was in the redo stack: unreachable
    assert not h.is_clean
    h.undo()
    assert not h.is_clean
    assert flips == [False, True, False, True, False]
    h.clear()
    assert h.is_clean and h.undo_count == 0


def test_depth_limit_drops_oldest_steps():
    doc = small_document(history_limit=3)
    h = doc.history
    for name in "abcde":
        h.push(rename(doc, name))
    assert h.undo_count == 3
    while h.can_undo:
        h.undo()
    assert mesh_name(doc) == "b"
    assert not h.is_clean  # the clean state (before "a") was dropped
    h.set_limit(1)
    assert h.redo_count == 3 and h.undo_count == 0
    with pytest.raises(ValueError):
        h.set_limit(0)


def test_local_commits_one_step():
    doc = small_document()
    before = copy.deepcopy(doc.rig)
    with doc.history.local("Edit mesh") as local:
        local.push(rename(doc, "a"))
        doc.history.push(rename(doc, "b"))  # the History routes to the open local level
        local.push(rename(doc, "c"))
        assert doc.history.in_local and local.undo_label == "Rename ArtMesh1 to c"
        local.undo()
        assert mesh_name(doc) == "b" and local.can_redo
        assert not doc.history.is_clean
    assert not doc.history.in_local
    assert doc.history.undo_count == 1 and doc.history.undo_label == "Edit mesh"
    doc.history.undo()
    assert deep_equal(doc.rig, before) and doc.history.is_clean
    doc.history.redo()
    assert mesh_name(doc) == "b"


def test_local_discard_and_exception_restore_the_state():
    doc = small_document()
    doc.push(rename(doc, "kept"))
    before = copy.deepcopy(doc.rig)
    with doc.history.local("Edit mesh") as local:
        local.push(MoveVertices.by(doc.rig, "ArtMesh1", [1], (5, 5), keyform_index=0))
        local.discard()
        assert deep_equal(doc.rig, before)
        with pytest.raises(RuntimeError, match="discarded"):
            local.push(rename(doc, "x"))
    assert doc.history.undo_count == 1 and doc.history.undo_label == "Rename ArtMesh1 to kept"
    with pytest.raises(KeyError), doc.history.local("Edit mesh") as local:
        local.push(rename(doc, "y"))
        raise KeyError("cancelled")
    assert deep_equal(doc.rig, before) and doc.history.undo_count == 1
    with pytest.raises(RuntimeError, match="closed"):
        local.push(rename(doc, "z"))


def test_nested_local_levels_and_local_inside_macro():
    doc = small_document()
    with doc.history.macro("Outer"):
        doc.push(rename(doc, "a"))
        with doc.history.local("L1") as l1:
            l1.push(rename(doc, "b", "ArtMesh2"))
            with doc.history.local("L2") as l2:
                l2.push(rename(doc, "c", "ArtMesh3"))
                with pytest.raises(RuntimeError):
                    l1.push(rename(doc, "no"))  # not the innermost level
            assert l1.undo_label == "L2" and len(l1.commands) == 2
    assert doc.history.undo_count == 1
    doc.history.undo()
    assert [mesh_name(doc, m) for m in ("ArtMesh1", "ArtMesh2", "ArtMesh3")] == [
        "artmesh1",
        "artmesh2",
        "artmesh3",
    ]


def test_empty_local_commits_nothing():
    doc = small_document()
    with doc.history.local("Edit mesh"):
        pass
    with doc.history.local("Edit mesh") as local:
        local.push(rename(doc, "a"))
        local.undo()
    assert doc.history.undo_count == 0 and doc.history.is_clean and mesh_name(doc) == "artmesh1"


def test_compound_change_combines_kinds():
    doc = small_document()
    pos = doc.rig.art_mesh("ArtMesh1").keyforms.values["positions"][0, :1].copy()
    cmd = CompoundCommand(
        "two", [rename(doc, "a"), MoveVertices("ArtMesh1", 0, [0], pos, pos + np.float32(1))]
    )
    assert doc.push(cmd) == Change("structure", frozenset({"ArtMesh1"}))

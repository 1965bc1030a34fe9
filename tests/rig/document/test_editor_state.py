"""EditorState and Selection: evented, Qt-free, independent of the history."""

from __future__ import annotations

import pytest

from rig.document import EditMode, EditorState, Selection
from rig.document.commands import RemoveArtMesh
from tests.rig.document.rigs import small_document


def test_select_sets_active_and_replaces_unless_keep():
    sel = Selection()
    events, actives = [], []
    sel.changed.connect(lambda added, removed: events.append((set(added), set(removed))))
    sel.active_changed.connect(actives.append)
    sel.select("ArtMesh1")
    sel.select("ArtMesh2", keep=True)
    assert sel.ids == {"ArtMesh1", "ArtMesh2"} and sel.active == "ArtMesh2"
    sel.select("Warp1")
    assert list(sel) == ["Warp1"]
    assert events == [({"ArtMesh1"}, set()), ({"ArtMesh2"}, set()), ({"Warp1"}, {"ArtMesh1", "ArtMesh2"})]
    assert actives == ["ArtMesh1", "ArtMesh2", "Warp1"]


def test_active_is_cleared_when_deselected():
    sel = Selection()
    sel.active = "A"
    sel.update(["B", "C"])
    assert sel.active == "A" and len(sel) == 3
    sel.toggle("A")
    assert sel.active is None and "A" not in sel
    sel.toggle("A")
    assert "A" in sel and sel.active is None
    sel.replace(["X"], active="Y")
    assert sel.ids == {"X", "Y"} and sel.active == "Y"
    sel.discard(["Y"])
    assert sel.active is None
    sel.clear()
    assert len(sel) == 0


def test_no_event_when_nothing_changes():
    sel = Selection(["A"])
    events = []
    sel.changed.connect(lambda *a: events.append(a))
    sel.update(["A"])
    sel.discard(["B"])
    assert events == []


def test_edit_mode_events():
    state = EditorState()
    modes = []
    state.mode_changed.connect(modes.append)
    assert state.mode is EditMode.MODEL
    state.mode = "mesh"
    state.mode = EditMode.MESH
    state.mode = EditMode.ANIMATION
    assert modes == [EditMode.MESH, EditMode.ANIMATION]
    with pytest.raises(ValueError):
        state.mode = "sculpt"


def test_follow_prunes_removed_objects_and_undo_does_not_touch_selection():
    doc = small_document()
    state = EditorState()
    state.follow(doc)
    state.selection.select("ArtMesh1")
    state.selection.update(["Warp1"])
    doc.push(RemoveArtMesh(doc.rig, "ArtMesh1"))
    assert state.selection.ids == {"Warp1"} and state.selection.active is None
    doc.history.undo()
    assert state.selection.ids == {"Warp1"}

"""DocumentBridge relays psygnal events of the document, history, values and selection as Qt signals."""

from __future__ import annotations

import pytest

from app.bridge import DocumentBridge
from rig.document import Document
from rig.document.commands import RenameObject, SetObjectProperty
from rig.testing import tiny_rig

pytestmark = pytest.mark.qt


def test_push_undo_redo_are_relayed(qtbot):
    bridge = DocumentBridge(Document(tiny_rig()))
    changes = []
    bridge.changed.connect(changes.append)
    with qtbot.waitSignals([bridge.changed, bridge.history_changed, bridge.clean_changed]):
        bridge.push(RenameObject(bridge.rig, "ArtMesh1", "Cheek"))
    (change,) = changes
    assert change.kind == "property" and change.ids == {"ArtMesh1"}
    assert bridge.can_undo and bridge.undo_label == "Rename ArtMesh1 to Cheek" and not bridge.is_clean
    with qtbot.waitSignal(bridge.changed):
        bridge.undo()
    assert bridge.rig.art_mesh("ArtMesh1").name == "Face" and bridge.redo_label == "Rename ArtMesh1 to Cheek"
    assert bridge.is_clean
    bridge.redo()
    assert bridge.rig.art_mesh("ArtMesh1").name == "Cheek"


def test_values_and_selection_are_relayed(qtbot):
    bridge = DocumentBridge(Document(tiny_rig()))
    with qtbot.waitSignal(bridge.values_changed) as blocker:
        bridge.values.set("ParamAngleX", 12.5)
    assert blocker.args == [{"ParamAngleX": 12.5}]
    with qtbot.waitSignal(bridge.selection_changed):
        bridge.state.selection.select("ArtMesh2")
    assert not bridge.can_undo  # neither values nor selection are document state


def test_set_document_rewires_and_prunes(qtbot):
    first = Document(tiny_rig())
    bridge = DocumentBridge(first)
    bridge.state.selection.select("ArtMesh1")
    second = Document(tiny_rig())
    with qtbot.waitSignal(bridge.document_replaced):
        bridge.set_document(second)
    assert bridge.document is second and len(bridge.state.selection) == 0
    with qtbot.assertNotEmitted(bridge.changed):
        first.push(SetObjectProperty(first.rig, "ArtMesh1", "visible", False))  # the old document is muted
    with qtbot.waitSignal(bridge.changed):
        bridge.push(SetObjectProperty(second.rig, "ArtMesh1", "visible", False))


def test_selection_is_pruned_after_removal(qtbot):
    from rig.document.commands import RemoveArtMesh

    bridge = DocumentBridge(Document(tiny_rig()))
    bridge.state.selection.replace(["ArtMesh3", "ArtMesh1"], active="ArtMesh3")
    bridge.push(RemoveArtMesh(bridge.rig, "ArtMesh3"))
    assert bridge.state.selection.ids == {"ArtMesh1"} and bridge.state.selection.active is None


def test_apply_pushes_one_step_and_reports_a_refusal_once(qtbot, caplog):
    import logging

    from rig.document.commands import RemoveDeformer

    bridge = DocumentBridge(Document(tiny_rig()))
    messages = []
    bridge.message.connect(messages.append)
    pushed = bridge.apply(lambda rig: RenameObject(rig, "ArtMesh1", "Cheek"))
    assert [c.label for c in pushed] == ["Rename ArtMesh1 to Cheek"] and bridge.rig.art_mesh("ArtMesh1").name == "Cheek"
    steps = [lambda rig: RenameObject(rig, "ArtMesh2", "Pupil"), lambda rig: RenameObject(rig, "ArtMesh3", "Shine")]
    assert len(bridge.apply(steps, "Rename eyes")) == 2
    assert bridge.undo_label == "Rename eyes" and bridge.document.history.undo_count == 2
    depth = bridge.document.history.undo_count
    with caplog.at_level(logging.ERROR, logger="app.bridge"):
        refused = bridge.apply([lambda rig: RenameObject(rig, "ArtMesh2", "Iris"),
                                lambda rig: RemoveDeformer(rig, "Warp1")], "Rename and remove", context="Refused")
    assert refused == [] and bridge.document.history.undo_count == depth
    assert bridge.rig.art_mesh("ArtMesh2").name == "Pupil"  # the first step was rolled back
    assert len(messages) == 1 and messages[0].startswith("Refused: ") and "Warp1" in messages[0]
    assert len([r for r in caplog.records if r.name == "app.bridge"]) == 1
    assert bridge.apply(lambda rig: None, nothing="Nothing to change") == [] and messages[-1] == "Nothing to change"

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

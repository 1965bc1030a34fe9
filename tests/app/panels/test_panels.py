"""The docks edit the document only through commands, and follow undo/redo."""

from __future__ import annotations

import logging

import pytest
from PySide6.QtCore import Qt

from app.bridge import DocumentBridge
from app.panels.deformers_panel import DeformersPanel
from app.panels.log_panel import LogPanel
from app.panels.parameters_panel import ParametersPanel
from app.panels.parts_panel import PartsPanel
from app.panels.properties_panel import PropertiesPanel
from app.panels.tree_sync import ID_ROLE, item_id
from rig.document import Document
from rig.document.commands import RenameObject, SetObjectProperty
from rig.model import RotationDeformer, WarpDeformer
from rig.testing import tiny_rig

pytestmark = pytest.mark.qt


@pytest.fixture()
def bridge():
    return DocumentBridge(Document(tiny_rig()))


def _item(panel, object_id, column=0):
    """The model item of ``object_id``'s row in ``column`` (what a click on that cell edits)."""
    return panel.model.item_for(object_id, column)


def test_parameters_panel_groups_sliders_reset(qtbot, bridge):
    panel = ParametersPanel(bridge)
    qtbot.addWidget(panel)
    assert list(panel.rows) == ["ParamAngleX", "ParamAngleZ"]
    row = panel.rows["ParamAngleX"]
    assert row.slider.key_fractions == (0.0, 0.5, 1.0)
    row.slider.setValue(750)  # user drag
    assert bridge.values["ParamAngleX"] == pytest.approx(15.0) and row.spin.value() == pytest.approx(15.0)
    bridge.values.set("ParamAngleX", -30.0)  # model -> widget
    assert row.slider.value() == 0
    qtbot.mouseDClick(row.slider, Qt.MouseButton.LeftButton)
    assert bridge.values["ParamAngleX"] == 0.0
    bridge.values.set("ParamAngleZ", 20.0)
    panel.reset_button.click()
    assert bridge.values.is_default() and not bridge.can_undo


def test_parts_panel_visibility_rename_opacity_lock_through_commands(qtbot, bridge):
    panel = PartsPanel(bridge)
    qtbot.addWidget(panel)
    item = _item(panel, "ArtMesh2")
    item.setCheckState(Qt.CheckState.Unchecked)
    assert not bridge.rig.art_mesh("ArtMesh2").visible and bridge.undo_label == "Set visible of ArtMesh2"
    bridge.undo()
    assert _item(panel, "ArtMesh2").checkState() == Qt.CheckState.Checked
    _item(panel, "ArtMesh2").setText("Pupil")
    assert bridge.rig.art_mesh("ArtMesh2").name == "Pupil"
    bridge.state.selection.select("ArtMesh2")
    assert panel.sync.is_selected("ArtMesh2")
    panel.opacity.setValue(0.25)
    assert float(bridge.rig.art_mesh("ArtMesh2").keyforms.values["opacity"][0]) == 0.25
    bridge.undo()
    assert panel.opacity.value() == 1.0
    _item(panel, "ArtMesh1", 1).setCheckState(Qt.CheckState.Checked)
    assert bridge.document.editor_meta["locked_ids"] == ["ArtMesh1"]


def test_parts_panel_tree_is_topmost_first_and_restacks(qtbot, bridge):
    panel = PartsPanel(bridge)
    qtbot.addWidget(panel)
    face = _item(panel, "PartFace")
    assert [item_id(face.child(i)) for i in range(face.rowCount())] == ["ArtMesh3", "ArtMesh2", "ArtMesh1"]
    panel.tree.setCurrentIndex(_item(panel, "ArtMesh1").index())
    assert bridge.state.selection.active == "ArtMesh1"
    panel.raise_button.click()
    face = _item(panel, "PartFace")
    assert [item_id(face.child(i)) for i in range(face.rowCount())] == ["ArtMesh3", "ArtMesh1", "ArtMesh2"]
    bridge.undo()
    face = _item(panel, "PartFace")
    assert [item_id(face.child(i)) for i in range(face.rowCount())] == ["ArtMesh3", "ArtMesh2", "ArtMesh1"]


def test_deformers_panel_add_delete_reparent(qtbot, bridge, caplog):
    panel = DeformersPanel(bridge)
    qtbot.addWidget(panel)
    assert _item(panel, "Rotation1").parent() is _item(panel, "Warp1")
    bridge.state.selection.select("Warp1")
    warp_id = panel.add("warp")
    warp = bridge.rig.deformer(warp_id)
    assert isinstance(warp, WarpDeformer) and warp.parent_deformer_id == "Warp1"
    assert bridge.state.selection.active == warp_id
    rotation_id = panel.add("rotation")
    assert isinstance(bridge.rig.deformer(rotation_id), RotationDeformer)
    assert bridge.rig.deformer(rotation_id).parent_deformer_id == warp_id
    panel.reparent(rotation_id, None)
    assert bridge.rig.deformer(rotation_id).parent_deformer_id is None
    assert _item(panel, rotation_id).parent() is None
    bridge.undo()
    assert bridge.rig.deformer(rotation_id).parent_deformer_id == warp_id
    bridge.state.selection.select("Warp1")
    with caplog.at_level(logging.ERROR):
        panel.delete_selected()  # Warp1 has children: refused, logged, nothing changed
    assert "Warp1" in caplog.text and bridge.rig.deformer("Warp1")
    bridge.state.selection.select(rotation_id)
    panel.delete_selected()
    assert rotation_id not in {d.id for d in bridge.rig.deformers}


def test_properties_panel_edits_are_commands(qtbot, bridge):
    panel = PropertiesPanel(bridge)
    qtbot.addWidget(panel)
    assert not panel.fields
    bridge.state.selection.select("ArtMesh3")
    name = panel.fields["name"]
    name.setText("Shine")
    name.editingFinished.emit()
    assert bridge.rig.art_mesh("ArtMesh3").name == "Shine"
    assert bridge.undo_label == "Rename ArtMesh3 to Shine"
    panel.fields["blend_mode"].setCurrentIndex(1)
    assert bridge.rig.art_mesh("ArtMesh3").blend_mode.value == "additive"
    bridge.undo()
    assert panel.fields["blend_mode"].currentData() == "normal"
    bridge.undo()
    assert panel.fields["name"].text() == "Eye highlight"
    bridge.state.selection.select("Rotation1")
    panel.fields["base_angle_deg"].setValue(15.0)
    assert bridge.rig.deformer("Rotation1").base_angle_deg == 15.0
    bridge.state.selection.select("ParamAngleX")
    panel.fields["max"].setValue(45.0)
    assert bridge.rig.parameter("ParamAngleX").max == 45.0


def test_log_panel_shows_records_from_any_logger(qtbot):
    panel = LogPanel()
    qtbot.addWidget(panel)
    try:
        logging.getLogger("kirie.test").warning("something to see")
        assert "something to see" in panel.text.toPlainText()
        logging.getLogger("kirie.test").debug("hidden at the Info level")
        assert "hidden" not in panel.text.toPlainText()
    finally:
        panel.detach()


class ModelSignals:
    """Counts an item model's reset, row and data signals (which rows a change touched)."""

    def __init__(self, model) -> None:
        self.resets, self.inserted, self.removed, self.changed_rows = 0, 0, 0, []
        model.modelReset.connect(lambda: setattr(self, "resets", self.resets + 1))
        model.rowsInserted.connect(lambda *a: setattr(self, "inserted", self.inserted + 1))
        model.rowsRemoved.connect(lambda *a: setattr(self, "removed", self.removed + 1))
        model.dataChanged.connect(lambda top, bottom, roles=(): self.changed_rows.append(top.data(ID_ROLE)))


@pytest.mark.parametrize("panel_class", [PartsPanel, DeformersPanel])
def test_rename_and_visibility_update_one_row_without_resetting_the_model(qtbot, bridge, panel_class):
    panel = panel_class(bridge)
    qtbot.addWidget(panel)
    before = {object_id: item for object_id, item in panel.model.items.items()}
    old_name = _item(panel, "ArtMesh2").text()
    seen = ModelSignals(panel.model)
    bridge.push(RenameObject(bridge.rig, "ArtMesh2", "Pupil"))
    assert _item(panel, "ArtMesh2").text() == "Pupil"
    if panel_class is PartsPanel:
        bridge.push(SetObjectProperty(bridge.rig, "ArtMesh2", "visible", False))
        assert _item(panel, "ArtMesh2").checkState() == Qt.CheckState.Unchecked
        bridge.undo()
        assert _item(panel, "ArtMesh2").checkState() == Qt.CheckState.Checked
    bridge.undo()
    assert _item(panel, "ArtMesh2").text() == old_name != "Pupil"
    assert seen.resets == seen.inserted == seen.removed == 0
    assert seen.changed_rows and set(seen.changed_rows) == {"ArtMesh2"}
    assert panel.model.items == before and all(panel.model.items[k] is v for k, v in before.items())


def test_draw_order_and_structure_changes_move_rows_without_a_reset(qtbot, bridge):
    parts, deformers = PartsPanel(bridge), DeformersPanel(bridge)
    qtbot.addWidget(parts)
    qtbot.addWidget(deformers)
    kept = _item(parts, "ArtMesh3")
    seen_parts, seen_deformers = ModelSignals(parts.model), ModelSignals(deformers.model)
    bridge.state.selection.select("ArtMesh1")
    parts.restack(up=True)
    face = _item(parts, "PartFace")
    assert [item_id(face.child(i)) for i in range(face.rowCount())] == ["ArtMesh3", "ArtMesh1", "ArtMesh2"]
    assert parts.sync.is_selected("ArtMesh1")  # the moved row keeps its selection
    deformers.reparent("Rotation1", None)
    assert _item(deformers, "Rotation1").parent() is None
    assert seen_parts.resets == seen_deformers.resets == 0
    assert _item(parts, "ArtMesh3") is kept  # rows that stay keep their items


def test_dropping_a_mesh_row_on_another_places_it_above_through_one_command(qtbot, bridge):
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QDropEvent

    panel = PartsPanel(bridge)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    source, target = _item(panel, "ArtMesh1").index(), _item(panel, "ArtMesh3").index()
    panel.tree.setCurrentIndex(source)
    depth = bridge.document.history.undo_count
    event = QDropEvent(QPointF(panel.tree.visualRect(target).center()), Qt.DropAction.MoveAction,
                       panel.model.mimeData([source]), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    panel.tree.dropEvent(event)
    face = _item(panel, "PartFace")
    assert [item_id(face.child(i)) for i in range(face.rowCount())] == ["ArtMesh1", "ArtMesh3", "ArtMesh2"]
    assert bridge.document.history.undo_count == depth + 1
    assert bridge.rig.art_meshes and len(panel.model.items) == 5  # no row was lost or doubled by the drop

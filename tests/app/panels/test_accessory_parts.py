"""Glasses and hair ornaments of a generated rig appear in the Parts & Layers panel, named."""

from __future__ import annotations

import pytest

from app.bridge import DocumentBridge
from app.panels.parts_panel import PartsPanel
from app.panels.tree_sync import item_id
from rig.document import Document

pytestmark = pytest.mark.qt


def test_glasses_and_ornaments_are_named_parts(qtbot, shared_data):
    from inference.pipeline import generate

    rig = generate(shared_data / "anime" / "lambda_00.png").rig
    panel = PartsPanel(DocumentBridge(Document(rig)))
    qtbot.addWidget(panel)
    for part, name, mesh in (("PartGlasses", "Glasses", "ArtMeshGlasses"),
                             ("PartHairAccessory", "Hair ornaments", "ArtMeshHairAccessory")):
        item = panel.model.item_for(part)
        assert item.text() == name
        assert mesh in [item_id(item.child(k)) for k in range(item.rowCount())]

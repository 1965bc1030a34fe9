"""The mouth pieces of a generated rig appear in Parts & Layers under the Mouth part (issue 10)."""

from __future__ import annotations

import pytest

from app.bridge import DocumentBridge
from app.panels.parts_panel import PartsPanel
from app.panels.tree_sync import item_id
from rig.document import Document

pytestmark = pytest.mark.qt


def test_mouth_pieces_are_listed_topmost_first(qtbot):
    from inference.layers.cut import cut_layers
    from inference.meshing.meshes import mesh_layers
    from inference.rigging import build_rig, load_template
    from tests.inference.character import synthetic_character

    img, fg, face, parts = synthetic_character(512, mouth="chibi")
    layers = cut_layers(img, fg, face, parts)
    rig = build_rig(load_template(), face, layers, mesh_layers(layers, face_width_px=face.face_width_px), img.size_px)
    panel = PartsPanel(DocumentBridge(Document(rig)))
    qtbot.addWidget(panel)
    mouth = panel.model.item_for("PartMouth", 0)
    children = [mouth.child(i) for i in range(mouth.rowCount())]
    assert [item_id(c) for c in children] == [
        "ArtMeshLipUpper", "ArtMeshLipLower", "ArtMeshMouthTeeth", "ArtMeshMouthTongue", "ArtMeshMouthInterior",
    ]
    assert [c.text() for c in children] == ["LipUpper", "LipLower", "MouthTeeth", "MouthTongue", "MouthInterior"]

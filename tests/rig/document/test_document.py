"""Document: validates its rig, owns history and editor metadata, emits Change events."""

from __future__ import annotations

import pytest

from rig.document import Change, Document
from rig.document.commands import RenameObject
from rig.errors import ValidationError
from tests.rig.document.rigs import small_document, small_rig


def test_document_validates_the_rig():
    rig = small_rig()
    rig.art_meshes[0].part_id = "PartNope"
    with pytest.raises(ValidationError, match="PartNope"):
        Document(rig)


def test_document_changed_carries_each_steps_change():
    doc = small_document()
    got = []
    doc.changed.connect(got.append)
    doc.push(RenameObject(doc.rig, "Warp1", "w"))
    doc.history.undo()
    doc.history.redo()
    assert got == [Change("property", frozenset({"Warp1"}))] * 3


def test_editor_meta_is_separate_from_rig_and_history():
    meta = {"ArtMesh1": {"psd_path": "face/skin"}}
    doc = Document(small_rig(), editor_meta=meta)
    doc.editor_meta["folded"] = ["PartHair"]
    assert "folded" not in meta  # copied, not aliased
    assert doc.history.undo_count == 0 and doc.history.is_clean
    assert not hasattr(doc.rig, "editor_meta")


def test_rig_is_read_only_attribute():
    doc = small_document()
    with pytest.raises(AttributeError):
        doc.rig = small_rig()

"""Change: a frozen, hashable description of what a step changed."""

from __future__ import annotations

import dataclasses

import pytest

from rig.document import Change


def test_change_is_frozen_and_normalises_ids():
    c = Change("keyform", {"ArtMesh1"})
    assert c.ids == frozenset({"ArtMesh1"}) and isinstance(c.ids, frozenset)
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.kind = "structure"
    assert hash(c) == hash(Change("keyform", frozenset({"ArtMesh1"})))


def test_unknown_kind_is_rejected():
    with pytest.raises(ValueError, match="unknown change kind"):
        Change("geometry")


def test_combine():
    a, b = Change("keyform", {"A"}), Change("keyform", {"B"})
    assert Change.combine([a, b]) == Change("keyform", {"A", "B"})
    assert Change.combine([a, Change("property", {"C"})]) == Change("structure", {"A", "C"})
    assert Change.combine([]) == Change("structure")

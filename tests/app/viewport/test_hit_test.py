"""Picking the topmost art mesh under a canvas point, with the texture's alpha."""

from __future__ import annotations

from app.viewport.hit_test import pick
from rig.evaluate import evaluate
from rig.testing import tiny_rig


def test_pick_topmost_first_and_alpha():
    evaluated = evaluate(tiny_rig(), {})
    assert pick(evaluated, (64.0, 64.0)) in ("ArtMesh2", "ArtMesh3")  # the eye is over the face
    assert pick(evaluated, (64.0, 90.0)) == "ArtMesh1"  # face only
    assert pick(evaluated, (2.0, 2.0)) is None  # empty canvas
    # the face quad's corner is outside the skin disc: transparent, so nothing is hit there
    assert pick(evaluated, (37.0, 37.0)) is None
    assert pick(evaluated, (37.0, 37.0), alpha_test=False) == "ArtMesh1"


def test_pick_skips_locked_meshes():
    evaluated = evaluate(tiny_rig(), {})
    hit = pick(evaluated, (64.0, 64.0))
    below = pick(evaluated, (64.0, 64.0), skip=frozenset({"ArtMesh2", "ArtMesh3"}))
    assert hit != below == "ArtMesh1"

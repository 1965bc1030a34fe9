"""The blink keyforms of the upper lash (inference.rigging.recipes_eyes.lash) on a known eye shape."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from inference.layers.eyes import EyeShape
from inference.rigging.recipes_eyes import LASH_INSIDE, LASH_SQUEEZE, lash


def _closed(shape: EyeShape, pts: np.ndarray) -> np.ndarray:
    a = SimpleNamespace(eyes={"L": shape}, face=SimpleNamespace(kind="anime"))
    _, forms = lash(a, {}, SimpleNamespace(side="L"), pts)
    d, _ = forms[0]  # EyeLOpen 0, EyeLSmile 0 (the first binding varies fastest)
    return pts + d


def test_lash_inside_the_opening_closes_onto_the_line():
    """An upper-lash pixel drawn inside the opening (a corner's outline labelled lash, tadne_r5c3 R)
    ends on the closed line with ``LASH_INSIDE`` of its depth, instead of hanging below the line by
    all of it; the lash above the top edge keeps ``LASH_SQUEEZE`` of its height above the line."""
    shape = EyeShape(100.0, 140.0, (0.0, 0.0, 200.0), (0.0, 0.0, 220.0), 4.0)  # flat: top 200, bottom 220
    x = np.array([120.0, 120.0, 120.0, 120.0])
    y = np.array([196.0, 200.0, 210.0, 226.0])  # above the top edge, on it, half-way down, below the bottom
    meet = float(shape.meet_y(120.0))
    new_y = _closed(shape, np.stack([x, y], 1).astype(np.float32))[:, 1]
    np.testing.assert_allclose(new_y[0], meet - LASH_SQUEEZE * 4.0, atol=1e-3)
    np.testing.assert_allclose(new_y[1], meet, atol=1e-3)
    np.testing.assert_allclose(new_y[2], meet + LASH_INSIDE * 10.0, atol=1e-3)
    np.testing.assert_allclose(new_y[3], meet + LASH_INSIDE * 20.0 + 6.0, atol=1e-3)  # beyond: as the edge
    assert np.all(np.diff(new_y) > 0)  # the mesh does not fold

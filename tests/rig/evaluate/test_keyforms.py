"""Multilinear keyform interpolation: corners, midpoints, clamping, defaults, index order."""

from __future__ import annotations

import numpy as np
import pytest

from rig.errors import KeyformMismatchError
from rig.evaluate.keyforms import interpolate_keyforms, keyform_weights
from rig.model import KeyformBinding, KeyformGrid, Parameter

PARAMS = {
    "ParamAngleX": Parameter("ParamAngleX", "X", -30, 0, 30, keys=(-30, 0, 30)),
    "ParamEyeLOpen": Parameter("ParamEyeLOpen", "Eye", 0, 1, 1, keys=(0, 1)),
}


def _grid() -> KeyformGrid:
    """X keys (-30, 0, 30) x Eye keys (0, 1); keyform value = 10 * (x key index) + 100 * (eye key index)."""
    bindings = (KeyformBinding("ParamAngleX", (-30, 0, 30)), KeyformBinding("ParamEyeLOpen", (0, 1)))
    values = np.array([10 * i0 + 100 * i1 for i1 in range(2) for i0 in range(3)], np.float32)
    return KeyformGrid(bindings, {"v": values})


def _at(x: float | None, eye: float | None) -> float:
    values = {k: v for k, v in (("ParamAngleX", x), ("ParamEyeLOpen", eye)) if v is not None}
    return float(interpolate_keyforms(_grid(), values, PARAMS)["v"])


@pytest.mark.parametrize(
    ("x", "eye", "expected"),
    [(-30, 0, 0), (0, 0, 10), (30, 0, 20), (-30, 1, 100), (0, 1, 110), (30, 1, 120)],
)
def test_corners_give_the_keyforms(x, eye, expected):
    assert _at(x, eye) == pytest.approx(expected)


def test_first_binding_varies_fastest():
    idx, w = keyform_weights(_grid(), {"ParamAngleX": 30, "ParamEyeLOpen": 0}, PARAMS)
    assert idx[np.argmax(w)] == 2  # i0 = 2, i1 = 0
    idx, w = keyform_weights(_grid(), {"ParamAngleX": -30, "ParamEyeLOpen": 1}, PARAMS)
    assert idx[np.argmax(w)] == 3  # i0 = 0, i1 = 1 -> 0 + 3 * 1


def test_midpoints_blend_multilinearly():
    assert _at(-15, 0) == pytest.approx(5)
    assert _at(15, 0.5) == pytest.approx(15 + 50)
    assert _at(7.5, 0.25) == pytest.approx(12.5 + 25)


def test_values_outside_the_key_range_are_clamped():
    assert _at(45, 1) == pytest.approx(120)
    assert _at(-100, -3) == pytest.approx(0)
    assert _at(0, 2) == pytest.approx(110)


def test_missing_values_use_parameter_defaults():
    assert _at(None, None) == pytest.approx(110)  # defaults: AngleX 0, EyeLOpen 1


def test_weights_sum_to_one_and_unbound_grid_has_one_keyform():
    _, w = keyform_weights(_grid(), {"ParamAngleX": 12.3, "ParamEyeLOpen": 0.7}, PARAMS)
    assert w.sum() == pytest.approx(1.0)
    idx, w = keyform_weights(KeyformGrid.constant(v=np.float32(4)), {}, PARAMS)
    assert idx.tolist() == [0] and w.tolist() == [1.0]


def test_single_key_binding_is_constant():
    grid = KeyformGrid((KeyformBinding("ParamAngleX", (10,)),), {"v": np.array([7.0], np.float32)})
    for x in (-30, 10, 30):
        assert float(interpolate_keyforms(grid, {"ParamAngleX": x}, PARAMS)["v"]) == pytest.approx(7)


def test_unknown_parameter_raises():
    grid = KeyformGrid((KeyformBinding("ParamNope", (0, 1)),), {"v": np.zeros(2, np.float32)})
    with pytest.raises(KeyformMismatchError):
        keyform_weights(grid, {}, PARAMS)

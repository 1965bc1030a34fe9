"""Keyform-grid resampling used to bake part opacity into art meshes."""

from __future__ import annotations

import numpy as np

from rig.formats.cubism.moc3.grids import interpolation_matrix, with_opacity_factors
from rig.model import KeyformBinding, KeyformGrid


def test_refined_grid_reproduces_values_at_old_keys():
    old = (KeyformBinding("A", (-1.0, 1.0)), KeyformBinding("B", (0.0, 1.0)))
    new = (KeyformBinding("A", (-1.0, 0.0, 1.0)), KeyformBinding("C", (0.0, 1.0)), KeyformBinding("B", (0.0, 1.0)))
    m = interpolation_matrix(old, new)
    assert m.shape == (12, 4)
    values = np.array([1.0, 2.0, 3.0, 4.0])  # (A-,B0) (A+,B0) (A-,B1) (A+,B1)
    got = (m @ values).reshape(2, 2, 3)  # [B][C][A], first binding fastest
    assert got[0, 0].tolist() == [1.0, 1.5, 2.0] and got[1, 1].tolist() == [3.0, 3.5, 4.0]


def test_opacity_factor_on_another_parameter_multiplies_exactly():
    mesh = KeyformGrid((KeyformBinding("A", (0.0, 1.0)),), {"opacity": np.array([1.0, 0.5], np.float32),
                                                            "draw_order": np.array([500, 600], np.float32)})
    part = KeyformGrid((KeyformBinding("B", (0.0, 1.0)),), {"opacity": np.array([1.0, 0.2], np.float32)})
    out = with_opacity_factors(mesh, [part, KeyformGrid.constant(opacity=np.float32(0.5))])
    assert out.parameter_ids == ("A", "B")
    np.testing.assert_allclose(out.values["opacity"], [0.5, 0.25, 0.1, 0.05], rtol=1e-6)
    np.testing.assert_array_equal(out.values["draw_order"], [500, 600, 500, 600])

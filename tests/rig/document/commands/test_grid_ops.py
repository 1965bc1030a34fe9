"""insert_key / remove_key on KeyformGrids: the pose is unchanged by an insert; layout is first-fastest."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from rig.document.commands.grid_ops import insert_key, remove_key
from rig.model import deep_equal
from tests.rig.document.rigs import interpolate, small_rig

SAMPLES = [-30, -22.5, -15, -7, 0, 4, 12.5, 30]


@pytest.mark.parametrize("value", [-20.0, -0.5, 7.0, 29.0])
def test_insert_key_keeps_pose_of_a_2d_grid(value):
    grid = small_rig().art_mesh("ArtMesh2").keyforms  # bindings: EyeLOpen (fast), AngleX
    new = insert_key(grid, "ParamAngleX", value)
    assert new.bindings[1].keys == tuple(sorted((-30.0, 0.0, 30.0, value)))
    assert new.count == 8
    new.check("ArtMesh2", small_rig().art_mesh("ArtMesh2").keyform_fields())
    for a in SAMPLES:
        for e in (0, 0.3, 1):
            want = interpolate(grid, {"ParamAngleX": a, "ParamEyeLOpen": e})
            got = interpolate(new, {"ParamAngleX": a, "ParamEyeLOpen": e})
            for name in want:
                np.testing.assert_allclose(got[name], want[name], atol=1e-4, err_msg=f"{name} at {a}, {e}")


def test_insert_key_on_fastest_axis_and_outside_the_key_range():
    rig = small_rig()
    grid = copy.deepcopy(rig.art_mesh("ArtMesh2").keyforms)
    grid.bindings = (type(grid.bindings[0])("ParamEyeLOpen", (0.5, 1.0)), grid.bindings[1])
    new = insert_key(grid, "ParamEyeLOpen", 0.0)  # below the first key: copy of the end keyform
    assert new.bindings[0].keys == (0.0, 0.5, 1.0)
    pos, old = new.values["positions"], grid.values["positions"]
    for j in range(3):  # AngleX index
        assert np.array_equal(pos[new.flat_index((0, j))], old[grid.flat_index((0, j))])
        assert np.array_equal(pos[new.flat_index((1, j))], old[grid.flat_index((0, j))])
        assert np.array_equal(pos[new.flat_index((2, j))], old[grid.flat_index((1, j))])


def test_insert_key_bool_field_takes_nearer_key():
    rig = small_rig()
    grid = rig.deformer("Rotation1").keyforms
    grid.values["reflect_x"][:] = [False, True, True]
    new = insert_key(grid, "ParamAngleX", -10.0)  # 2/3 of the way from -30 to 0: nearer to 0
    assert new.values["reflect_x"].tolist() == [False, True, True, True]
    new = insert_key(grid, "ParamAngleX", -25.0)
    assert new.values["reflect_x"].tolist() == [False, False, True, True]


def test_insert_existing_or_unbound_returns_none():
    grid = small_rig().art_mesh("ArtMesh2").keyforms
    assert insert_key(grid, "ParamAngleX", 0.0) is None
    assert insert_key(grid, "ParamBreath", 0.5) is None
    assert remove_key(grid, "ParamAngleX", 5.0) is None
    assert remove_key(grid, "ParamBreath", 0.0) is None


def test_remove_key_inverts_insert_key():
    grid = small_rig().art_mesh("ArtMesh2").keyforms
    for pid, v in (("ParamAngleX", 12.0), ("ParamEyeLOpen", 0.25)):
        assert deep_equal(remove_key(insert_key(grid, pid, v), pid, v), grid)


def test_remove_key_drops_the_slice_and_a_last_key_drops_the_binding():
    grid = small_rig().art_mesh("ArtMesh2").keyforms
    new = remove_key(grid, "ParamAngleX", 0.0)
    assert new.bindings[1].keys == (-30.0, 30.0) and new.count == 4
    pos = grid.values["positions"]
    assert np.array_equal(new.values["positions"][new.flat_index((1, 1))], pos[grid.flat_index((1, 2))])
    one = remove_key(remove_key(new, "ParamAngleX", -30.0), "ParamAngleX", 30.0)
    assert one.parameter_ids == ("ParamEyeLOpen",) and one.count == 2
    assert np.array_equal(one.values["positions"][1], pos[grid.flat_index((1, 2))])
    none = remove_key(remove_key(one, "ParamEyeLOpen", 0.0), "ParamEyeLOpen", 1.0)
    assert none.bindings == () and none.values["positions"].shape == (1, 4, 2)

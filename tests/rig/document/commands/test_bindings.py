"""SetKeyformGrid (bind an object to a parameter, add one binding key): round trips, pose kept, refusals."""

from __future__ import annotations

import numpy as np
import pytest

from rig.document import Document
from rig.document.commands.bindings import SetKeyformGrid, add_binding
from rig.errors import KeyformMismatchError, ValidationError
from rig.evaluate import evaluate
from rig.model import KeyformBinding, KeyformGrid
from rig.testing import tiny_rig
from tests.rig.document.rigs import round_trip


def _vertices(rig, values):
    return {i.art_mesh_id: np.array(i.vertices_px) for i in evaluate(rig, values).items}


def test_bind_keeps_the_pose_and_round_trips():
    doc = Document(tiny_rig())
    poses = [{}, {"ParamAngleX": 30}, {"ParamAngleX": -12, "ParamAngleZ": 20}]
    before = [_vertices(doc.rig, v) for v in poses]
    _, after = round_trip(doc, SetKeyformGrid.bind(doc.rig, "ArtMesh1", "ParamAngleX"), "keyform")
    grid = after.art_mesh("ArtMesh1").keyforms
    assert grid.parameter_ids == ("ParamAngleX",) and grid.count == 3
    for values, old in zip(poses, before):
        new = _vertices(after, values)
        assert all(np.allclose(new[k], old[k]) for k in old)


def test_add_binding_appends_the_slowest_axis():
    grid = KeyformGrid((KeyformBinding("A", (0, 1)),), {"x": np.array([1.0, 2.0], np.float32)})
    out = add_binding(grid, "B", (-1, 0, 1))
    assert out.shape == (2, 3)
    assert out.values["x"].tolist() == [1, 2, 1, 2, 1, 2]
    with pytest.raises(KeyformMismatchError):
        add_binding(out, "A", (0,))


def test_add_key_to_one_binding_only():
    rig = tiny_rig()
    rig.deformers[1].keyforms = KeyformGrid(  # Rotation1 keyed on ParamAngleX at -30 and 30 only
        (KeyformBinding("ParamAngleX", (-30, 30)),),
        {k: np.stack([v, v]) for k, v in {k: a[0] for k, a in rig.deformers[1].keyforms.values.items()}.items()},
    )
    doc = Document(rig)
    _, after = round_trip(doc, SetKeyformGrid.add_key(doc.rig, "Rotation1", "ParamAngleX", 0.0), "keyform")
    assert after.deformer("Rotation1").keyforms.bindings[0].keys == (-30.0, 0.0, 30.0)
    assert after.deformer("Warp1").keyforms.bindings[0].keys == (-30.0, 0.0, 30.0)  # untouched
    with pytest.raises(ValidationError):
        SetKeyformGrid.add_key(doc.rig, "Rotation1", "ParamAngleX", 0.0)
    with pytest.raises(ValidationError):
        SetKeyformGrid.bind(doc.rig, "ArtMesh1", "ParamNope")

"""reexpress_keyforms: reparenting with re-expressed keyforms keeps canvas geometry; undo is exact."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from rig.document import Document
from rig.edit.deformers import reparent_command
from rig.errors import ValidationError
from rig.evaluate.evaluate import evaluate
from rig.evaluate.reexpress import invert_warp, key_values, reexpress_keyforms
from rig.evaluate.warp import evaluate_warp
from rig.model import deep_equal
from rig.testing import synthetic_rig, tiny_rig

TOL_PX = 1e-3


def _geometry(rig, values) -> dict[str, np.ndarray]:
    ev = evaluate(rig, values)
    out = {i.art_mesh_id: np.asarray(i.vertices_px, np.float64) for i in ev.items}
    for g in ev.gizmos:
        out[g.deformer_id] = np.asarray(g.points_px, np.float64).reshape(-1, 2)
        out[g.deformer_id + ":angle"] = np.array([g.angle_deg])
    return out


def _reparent(rig, object_id, new_parent_id):
    """Reparent with re-expressed keyforms in a Document; check undo; return (before, after) rigs."""
    doc = Document(copy.deepcopy(rig))
    before = copy.deepcopy(doc.rig)
    doc.history.push(reparent_command(doc.rig, object_id, new_parent_id))
    doc.rig.validate()
    after = copy.deepcopy(doc.rig)
    assert after.find(object_id).parent_deformer_id == new_parent_id
    doc.history.undo()
    assert deep_equal(doc.rig, before)
    return before, after


def _assert_in_place(before, after, object_id, rest=True):
    """Every mesh and gizmo unchanged at each keyform of the object and (``rest``) at rest.

    Between keys the blend of re-expressed keyforms is only close (a warp parent's map is not
    affine), so the rest pose is held to 1e-3 px only when it is one of the object's keys. With
    ``rest=False`` a rest pose between keys is not checked: when the new parent moves on the
    object's own parameters (a rotation parent turning with Param1), the linear blend of the
    re-expressed keyforms between keys is off by tens of px (reexpress module docstring).
    """
    grid = before.find(object_id).keyforms
    rest_values = {p.id: float(p.default) for p in before.parameters}
    keys = [key_values(before, grid, k) for k in range(grid.count)]
    probes = [rest_values, *keys] if rest or rest_values in keys else keys
    for values in probes:
        tol = TOL_PX if values in keys else 0.5
        old, new = _geometry(before, values), _geometry(after, values)
        assert old.keys() == new.keys()
        for key in old:
            err = np.abs(old[key] - new[key]).max()
            assert err < tol, (object_id, key, values, err)


@pytest.mark.parametrize(
    ("object_id", "new_parent"),
    [
        ("ArtMesh1", None),  # warp -> canvas
        ("ArtMesh1", "Rotation1"),  # warp -> rotation
        ("ArtMesh2", "Warp1"),  # rotation -> warp
        ("ArtMesh2", None),  # rotation -> canvas
        ("Rotation1", None),  # rotation deformer: origin, angle (and its children) kept
        ("Warp1", "Rotation1"),
    ],
)
def test_tiny_rig_reparent_keeps_geometry(object_id, new_parent):
    rig = tiny_rig()
    if object_id == "Warp1":
        # Warp1 -> Rotation1 is a cycle; move Rotation1 to the canvas first (in place)
        _, rig = _reparent(rig, "Rotation1", None)
    before, after = _reparent(rig, object_id, new_parent)
    _assert_in_place(before, after, object_id)


def test_root_mesh_into_a_warp_keeps_geometry():
    _, rig = _reparent(tiny_rig(), "ArtMesh2", None)
    before, after = _reparent(rig, "ArtMesh2", "Warp1")
    _assert_in_place(before, after, "ArtMesh2")
    # without re-expression the mesh would jump (the test can fail)
    naive = copy.deepcopy(rig)
    naive.find("ArtMesh2").parent_deformer_id = "Warp1"
    assert np.abs(_geometry(naive, {})["ArtMesh2"] - _geometry(rig, {})["ArtMesh2"]).max() > 10


def _descendants(rig, deformer_id):
    out, frontier = set(), {deformer_id}
    while frontier:
        frontier = {d.id for d in rig.deformers if d.parent_deformer_id in frontier} - out
        out |= frontier
    return out


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_synthetic_rig_reparent_keeps_geometry(seed):
    """Seeds 1 and 2 move ArtMesh1 ~10 units outside Warp7's unit square (extrapolation region)."""
    rig = synthetic_rig(12, 400, 8, 4, seed=seed)
    rng = np.random.default_rng(seed)
    warps = [d.id for d in rig.deformers if d.__class__.__name__ == "WarpDeformer"]
    rotations = [d.id for d in rig.deformers if d.__class__.__name__ == "RotationDeformer"]
    keyed = [m for m in rig.art_meshes if m.keyforms.count > 1]
    assert keyed and warps
    mesh = keyed[0]
    targets = [None, warps[-1]] + rotations[:1]
    for target in targets:
        if target == mesh.parent_deformer_id:
            continue
        before, after = _reparent(rig, mesh.id, target)
        _assert_in_place(before, after, mesh.id, rest=False)
    for d in rng.permutation(rig.deformers)[:3]:
        options = [x.id for x in rig.deformers if x.id not in _descendants(rig, d.id) | {d.id}]
        if d.parent_deformer_id is None and not options:
            continue  # a root every other deformer hangs from: nowhere to move it
        target = None if d.parent_deformer_id is not None else options[0]
        before, after = _reparent(rig, d.id, target)
        _assert_in_place(before, after, d.id, rest=False)


def test_invert_warp_round_trips_inside_and_outside():
    rng = np.random.default_rng(3)
    lattice = (np.stack(np.meshgrid(np.linspace(0, 300, 4), np.linspace(0, 200, 3)), -1).reshape(-1, 2)
               + rng.normal(0, 12, (12, 2)))
    uv = rng.uniform(-0.5, 1.5, (200, 2))
    canvas = evaluate_warp(lattice, 2, 3, uv).astype(np.float64)
    back = invert_warp(lattice, 2, 3, canvas)
    assert np.abs(evaluate_warp(lattice, 2, 3, back) - canvas).max() < 1e-3


def test_invert_warp_round_trips_far_outside_a_folded_warp():
    """Band (-2, 3) triangles and the affine far field beyond; noise 80 px folds some cells."""
    rng = np.random.default_rng(4)
    lattice = (np.stack(np.meshgrid(np.linspace(0, 300, 5), np.linspace(0, 200, 4)), -1).reshape(-1, 2)
               + rng.normal(0, 80, (20, 2)))
    uv = rng.uniform(-12, 12, (1000, 2))
    canvas = evaluate_warp(lattice, 3, 4, uv).astype(np.float64)
    back = invert_warp(lattice, 3, 4, canvas)
    assert np.abs(evaluate_warp(lattice, 3, 4, back) - canvas).max() < 1e-3


def test_invert_warp_warns_when_no_preimage(caplog):
    lattice = np.stack(np.meshgrid(np.linspace(0, 300, 3), np.zeros(3)), -1).reshape(-1, 2)  # flat: y = 0
    with caplog.at_level("WARNING", logger="rig.evaluate.warp_inverse"):
        back = invert_warp(lattice, 2, 2, np.array([[100.0, 50.0]]), context="ArtMesh9")
    assert np.isfinite(back).all()
    assert "ArtMesh9" in caplog.text and "not converged" in caplog.text


def test_reexpress_rejects_bad_ids():
    rig = tiny_rig()
    with pytest.raises(ValidationError):
        reexpress_keyforms(rig, "PartFace", None)
    with pytest.raises(ValidationError):
        reexpress_keyforms(rig, "ArtMesh1", "Warp9")

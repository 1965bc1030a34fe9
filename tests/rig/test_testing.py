"""The rig builders used by tests and benchmarks make valid rigs of the requested shape."""

from __future__ import annotations

import numpy as np
import pytest

from rig.model import RotationDeformer, WarpDeformer, deep_equal
from rig.testing import BENCHMARK_SIZES, benchmark_rig, synthetic_rig, tiny_rig


def test_tiny_rig_is_valid_and_has_the_documented_contents():
    rig = tiny_rig()
    rig.validate()
    assert [m.id for m in rig.art_meshes] == ["ArtMesh1", "ArtMesh2", "ArtMesh3"]
    assert rig.art_mesh("ArtMesh3").mask_ids == ("ArtMesh2",)
    assert rig.deformer("Rotation1").parent_deformer_id == "Warp1"
    assert [p.id for p in rig.parameters] == ["ParamAngleX", "ParamAngleZ"]
    for layer in rig.layers:  # real pixel content: opaque and transparent pixels, more than one colour
        alpha = layer.image[..., 3]
        assert alpha.min() == 0 and alpha.max() == 255
        assert len(np.unique(layer.image[alpha > 0][:, :3], axis=0)) > 1


@pytest.mark.parametrize("size", list(BENCHMARK_SIZES))
def test_benchmark_rigs_are_valid_and_sized(size):
    spec = BENCHMARK_SIZES[size]
    rig = benchmark_rig(size)
    rig.validate()
    assert len(rig.art_meshes) == spec["n_meshes"]
    assert sum(m.vertex_count for m in rig.art_meshes) == spec["n_vertices_total"]
    assert len(rig.deformers) == spec["n_deformers"] and len(rig.parameters) == spec["n_parameters"]


def test_synthetic_rig_tree_is_realistic_and_seeded():
    rig = synthetic_rig(60, 1500, 30, 20, seed=7)
    by_id = {d.id: d for d in rig.deformers}

    def depth(d):
        return 0 if d.parent_deformer_id is None else 1 + depth(by_id[d.parent_deformer_id])

    depths = [depth(d) for d in rig.deformers]
    assert 3 <= max(depths) <= 3  # four levels: 0..3
    assert any(isinstance(d, WarpDeformer) for d in rig.deformers)
    assert any(isinstance(d, RotationDeformer) and d.parent_deformer_id for d in rig.deformers)
    counts = {len(o.keyforms.bindings) for o in [*rig.deformers, *rig.art_meshes]}
    assert counts == {1, 2, 3}
    assert all(2 <= len(b.keys) <= 3 for o in rig.art_meshes for b in o.keyforms.bindings)
    assert sum(m.parent_deformer_id is not None for m in rig.art_meshes) > 50
    assert deep_equal(rig, synthetic_rig(60, 1500, 30, 20, seed=7))
    assert not deep_equal(rig, synthetic_rig(60, 1500, 30, 20, seed=8))

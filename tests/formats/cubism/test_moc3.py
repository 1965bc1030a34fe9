"""Structure of the ``.moc3`` writer's output, read back with an independent reader; validator refusals."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from rig.errors import CubismFormatError
from rig.formats.cubism.moc3 import default_canvas, encode_moc3
from rig.formats.cubism.moc3.arrays import build_arrays
from rig.formats.cubism.moc3.validate import validate
from rig.testing import synthetic_rig, tiny_rig
from tests.formats.cubism.moc3_reader import ART_MESHES, DEFORMERS, PARAMETERS, PARTS, read_moc3


def _inputs(rig):
    uvs = {m.id: m.uvs.copy() for m in rig.art_meshes}
    return uvs, {m.id: 0 for m in rig.art_meshes}


def _encode(rig, texture_count=1):
    uvs, tex = _inputs(rig)
    return encode_moc3(rig, uvs, tex, texture_count)


@pytest.fixture(scope="module")
def synthetic():
    return synthetic_rig(30, 1700, 12, 30, seed=3)


def test_header_offsets_and_alignment(synthetic):
    data = _encode(synthetic)
    f = read_moc3(data)
    assert f.version == 4 and len(data) % 64 == 0 and len(data) >= 4096
    assert data[6:0x40] == bytes(0x40 - 6)
    assert data[0x2C0:0x7C0] == bytes(0x500), "runtime area must be zero"
    used = f.offsets[:137]
    assert all(o % 64 == 0 and 1984 <= o <= len(data) for o in used)
    assert used == sorted(used), "section offsets ascend"
    assert f.offsets[137:] == [0] * 23
    assert f.counts[DEFORMERS] == f.counts[2] + f.counts[3]


def test_counts_and_ids_match_rig(synthetic):
    f = read_moc3(_encode(synthetic))
    assert f.counts[PARTS] == len(synthetic.parts)
    assert f.counts[ART_MESHES] == len(synthetic.art_meshes)
    assert f.counts[PARAMETERS] == len(synthetic.parameters)
    assert f.array("mesh.id") == [m.id for m in synthetic.art_meshes]
    assert f.array("param.id") == [p.id for p in synthetic.parameters]
    assert sorted(f.array("deformer.id")) == sorted(d.id for d in synthetic.deformers)
    assert f.array("mesh.vertex_count").tolist() == [m.vertex_count for m in synthetic.art_meshes]
    assert f.array("param.min").tolist() == [p.min for p in synthetic.parameters]
    assert f.array("param.default").tolist() == [p.default for p in synthetic.parameters]
    assert (f.array("warp.quad_source") == 1).all()
    assert f.counts[23] == f.counts[24] == f.counts[7] + f.counts[8] + f.counts[9]


def test_parents_are_written_first():
    rig = tiny_rig()
    rig.deformers.reverse()  # Rotation1 (child of Warp1) first in the rig
    rig.parts.reverse()
    f = read_moc3(_encode(rig))
    assert f.array("deformer.id") == ["Warp1", "Rotation1"]
    assert f.array("deformer.parent_deformer").tolist() == [-1, 0]
    assert f.array("part.id") == ["PartRoot", "PartFace"] and f.array("part.parent").tolist() == [-1, 0]


def test_geometry_round_trips():
    rig = tiny_rig()
    f = read_moc3(_encode(rig))
    ppu, ox, oy, w, h = f.canvas
    assert (ppu, ox, oy, w, h) == (128.0, 64.0, 64.0, 128.0, 128.0) and f.flags == 0
    uvs, idx, pos = f.array("uvs"), f.array("indices"), f.array("positions")
    for i, m in enumerate(rig.art_meshes):
        ub = f.array("mesh.uv_begin")[i]
        np.testing.assert_array_equal(uvs[ub : ub + 2 * m.vertex_count].reshape(-1, 2), m.uvs)
        ib, ic = f.array("mesh.index_begin")[i], f.array("mesh.index_count")[i]
        np.testing.assert_array_equal(idx[ib : ib + ic], m.triangles.reshape(-1))
        kb = f.array("mesh.kf_begin")[i]
        pb = f.array("meshkf.position_begin")[kb]
        np.testing.assert_array_equal(pos[pb : pb + 2 * m.vertex_count].reshape(-1, 2), m.keyforms.values["positions"][0])
    assert f.array("mesh.flags").tolist() == [4, 4, 4]  # normal blend, double-sided
    assert f.array("masks").tolist() == [1] and f.array("mesh.mask_count").tolist() == [0, 0, 1]
    keys = f.array("keys")
    kb, kc = f.array("param.keys_begin"), f.array("param.keys_count")
    assert [keys[b : b + c].tolist() for b, c in zip(kb, kc)] == [[-30, 0, 30], [-30, 30]]


def test_root_positions_are_model_units():
    rig = tiny_rig()
    f = read_moc3(_encode(rig))
    # Warp1 has no parent and is written first: its three keyforms, in model units (px - 64) / 128
    lattice = rig.deformer("Warp1").keyforms.values["positions"]
    written = f.array("positions")[: lattice.size].reshape(lattice.shape)
    np.testing.assert_allclose(written, (lattice - 64.0) / 128.0, atol=1e-7)
    # Rotation1 (under Warp1, no rotation ancestor): origin stays normalised, scale becomes 1 / ppu
    rot_scale = np.frombuffer(f.data[f.offsets[65] : f.offsets[65] + 8], "<f4")
    rot_origin_x = np.frombuffer(f.data[f.offsets[63] : f.offsets[63] + 8], "<f4")
    assert rot_scale.tolist() == [1 / 128, 1 / 128] and rot_origin_x.tolist() == [0.5, 0.5]


def test_deterministic(synthetic):
    assert _encode(synthetic) == _encode(copy.deepcopy(synthetic))


# ------------------------------------------------------------------------------------- refusals
def _refused(rig, match, texture_count=1):
    with pytest.raises(CubismFormatError, match=match):
        _encode(rig, texture_count)


def test_refuses_long_id():
    rig = tiny_rig()
    rig.art_meshes[0].id = "A" * 64
    rig.art_meshes[2].mask_ids = ()
    _refused(rig, "63 UTF-8 bytes")


def test_refuses_missing_texture():
    _refused(tiny_rig(), "texture 0 does not exist", texture_count=0)


def test_refuses_draw_order_outside_group_range():
    rig = tiny_rig()
    rig.art_meshes[1].keyforms.values["draw_order"][:] = 1200
    _refused(rig, "draw order")


def test_refuses_opacity_above_one():
    rig = tiny_rig()
    rig.deformers[0].keyforms.values["opacity"][1] = 1.5
    _refused(rig, "opacity")


def test_refuses_invalid_rig():
    rig = tiny_rig()
    rig.art_meshes[0].triangles[0, 0] = 9
    _refused(rig, "not valid")


def test_refuses_rig_without_meshes():
    rig = tiny_rig()
    rig.art_meshes.clear()
    _refused(rig, "no art meshes")


@pytest.mark.parametrize(
    ("mutate", "match"),
    [
        (lambda a: a.arrays["keys"].__setitem__(1, 50.0), "strictly ascending|outside"),
        (lambda a: a.arrays["deformer.parent_deformer"].__setitem__(0, 1), "not written first"),
        (lambda a: a.counts.__setitem__("parts", 3), "count table"),
        (lambda a: a.arrays["warp.rows"].__setitem__(0, 3), r"\(rows \+ 1\)"),
        (lambda a: a.arrays["art_mesh.keyform_count"].__setitem__(0, 2), "keyform count"),
        (lambda a: a.arrays["drawable_masks"].__setitem__(0, 2), "mask source"),
        (lambda a: a.arrays["parameter.default"].__setitem__(0, 99.0), "min <= default"),
    ],
)
def test_validator_catches_corrupt_arrays(mutate, match):
    rig = tiny_rig()
    uvs, tex = _inputs(rig)
    arrays = build_arrays(rig, uvs, tex, 1, default_canvas(rig))
    validate(arrays)  # the untouched arrays pass
    for k, v in list(arrays.arrays.items()):
        if isinstance(v, list):
            arrays.arrays[k] = list(v)
    mutate(arrays)
    with pytest.raises(CubismFormatError, match=match):
        validate(arrays)

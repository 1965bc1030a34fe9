"""Inochi2D INP1 export, checked with the independent reader in ``tests/formats/inp_reader.py``."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from rig.errors import ValidationError
from rig.evaluate import evaluate
from rig.evaluate.physics import PhysicsSimulator
from rig.formats.inochi import export_inp, inp_bytes
from rig.formats.inochi.physics import oscillator
from rig.model import KeyformGrid, PhysicsSource
from rig.testing import tiny_rig
from tests.formats.inp_reader import Puppet, inochi_values, read_inp
from tests.formats.rigs import format_test_rig


def _export(rig, tmp_path):
    path = export_inp(rig, tmp_path / "model.inp")
    f = read_inp(path.read_bytes())
    return f, Puppet(f.puppet, (rig.canvas_width_px, rig.canvas_height_px))


@pytest.fixture(scope="module")
def generated_rig(shared_data):
    pipeline = pytest.importorskip("inference.pipeline")
    image = shared_data / "anime" / "waifu_00.png"
    if not image.is_file():
        pytest.skip(f"{image} missing")
    return pipeline.generate(image, seed=0).rig


def _errors(rig, pup: Puppet, values: dict[str, float]) -> np.ndarray:
    """Per-vertex distance (px) between Inochi2D's positions and ``rig.evaluate`` at ``values``."""
    ev = evaluate(rig, values)
    iv = inochi_values(pup, values)
    return np.concatenate([
        np.linalg.norm(pup.positions(pup.part(rig.art_mesh(it.art_mesh_id).name), iv) - it.vertices_px, axis=1)
        for it in ev.items
    ])


# ------------------------------------------------------------------------------------------ container
def test_container_layout_and_textures(tmp_path):
    rig = tiny_rig()
    f, _ = _export(rig, tmp_path)
    assert f.trailing == b""
    assert [enc for enc, _ in f.textures] == [0, 0]  # PNG
    for i, layer in enumerate(rig.layers):
        np.testing.assert_array_equal(f.texture_rgba(i), layer.image)  # straight alpha, exact


def test_meta_physics_and_top_level(tmp_path):
    f, _ = _export(tiny_rig(), tmp_path)
    p = f.puppet
    assert list(p) == ["meta", "physics", "nodes", "param", "automation", "animations"]
    assert p["meta"]["name"] == "tiny" and p["meta"]["version"] == "v0.8.7"
    assert p["physics"] == {"pixelsPerMeter": 1000.0, "gravity": 9.8}
    assert p["automation"] == [] and p["animations"] == {}


def test_output_is_deterministic_and_atomic(tmp_path):
    rig = tiny_rig()
    assert inp_bytes(rig) == inp_bytes(tiny_rig())
    path = export_inp(rig, tmp_path / "a.inp")
    before = path.read_bytes()
    broken = tiny_rig()
    broken.art_meshes[0].layer_id = "Missing"
    with pytest.raises(ValidationError):
        export_inp(broken, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["a.inp"]  # no temporary left behind


# -------------------------------------------------------------------------------------------- nodes
def test_nodes_represent_every_art_mesh(tmp_path):
    rig = format_test_rig()
    f, pup = _export(rig, tmp_path)
    parts = pup.parts()
    assert len(parts) == len(rig.art_meshes)
    uuids = [n["uuid"] for n, *_ in pup.nodes.values()] + [q["uuid"] for q in f.puppet["param"]]
    assert len(set(uuids)) == len(uuids)
    groups = {n["name"] for n, *_ in pup.nodes.values() if n["type"] == "Node"}
    assert {p.name for p in rig.parts} <= groups
    used = [la for la in rig.layers if any(m.layer_id == la.id for m in rig.art_meshes)]
    for m in rig.art_meshes:
        part = pup.part(m.name)
        assert len(part["mesh"]["verts"]) == 2 * m.vertex_count
        np.testing.assert_allclose(np.reshape(part["mesh"]["uvs"], (-1, 2)), m.uvs, atol=1e-6)
        assert part["mesh"]["indices"] == m.triangles.reshape(-1).tolist()
        tex = part["textures"][0]
        np.testing.assert_array_equal(f.texture_rgba(tex), used[[la.id for la in used].index(m.layer_id)].image)
        assert part["textures"][1:] == [0xFFFFFFFF, 0xFFFFFFFF]


def test_masks_point_at_the_mask_parts(tmp_path):
    rig = tiny_rig()
    _, pup = _export(rig, tmp_path)
    highlight = pup.part("Eye highlight")
    assert highlight["masks"] == [{"source": pup.part("Eye")["uuid"], "mode": "Mask"}]
    assert "masks" not in pup.part("Face")


def test_hidden_mesh_is_a_disabled_part_with_its_geometry(tmp_path):
    rig = tiny_rig()
    rig.art_meshes[2].visible = False
    shown = tiny_rig()
    _, pup = _export(rig, tmp_path)
    part = pup.part("Eye highlight")
    assert part["enabled"] is False and pup.part("Eye")["enabled"] is True
    rest = {it.art_mesh_id: it for it in evaluate(shown, shown.default_values()).items}
    np.testing.assert_allclose(pup.positions(part, inochi_values(pup, {})), rest["ArtMesh3"].vertices_px, atol=1e-3)


def test_draw_order_is_zsort_descending(tmp_path):
    rig = format_test_rig()
    _, pup = _export(rig, tmp_path)
    values = rig.default_values()
    kirie = [rig.art_mesh(it.art_mesh_id).name for it in evaluate(rig, values).items]
    iv = inochi_values(pup, values)
    inochi = sorted((p for p in pup.parts() if pup.nodes[p["uuid"]][3]), key=lambda p: -pup.zsort(p, iv))
    assert [p["name"] for p in inochi] == kirie


# --------------------------------------------------------------------------------------- parameters
def test_parameters_axis_points_and_pairs(tmp_path):
    rig = format_test_rig()
    f, pup = _export(rig, tmp_path)
    names = [q["name"] for q in f.puppet["param"]]
    assert names == [p.id for p in rig.parameters]  # no X/Y pair in this rig
    for p in rig.parameters:
        q = pup.param(p.id)
        assert q["min"][0] == p.min and q["max"][0] == p.max and q["defaults"][0] == p.default
        xs = q["axis_points"][0]
        assert xs[0] == 0.0 and xs[-1] == 1.0 and xs == sorted(xs)
        assert any(abs(x - (p.default - p.min) / (p.max - p.min)) < 1e-12 for x in xs)
        assert q["axis_points"][1] == [0.0]
        for b in q["bindings"]:  # the v0.8.7 deserializer enforces these counts
            assert len(b["values"]) == len(xs) and all(len(col) == 1 for col in b["values"])
            assert len(b["isSet"]) == len(xs)


def test_xy_pairs_become_vec2_parameters(generated_rig, tmp_path):
    f, pup = _export(generated_rig, tmp_path)
    q = pup.param("ParamAngleXY")
    assert q["is_vec2"] and q["min"] == [-30.0, -30.0] and q["max"] == [30.0, 30.0]
    assert len(q["axis_points"][1]) == 3
    names = {p["name"] for p in f.puppet["param"]}
    assert {"ParamAngleX", "ParamAngleY"}.isdisjoint(names) and "ParamAngleZ" in names
    assert "ParamEyeBallXY" in names and "ParamHairFront" in names
    for b in q["bindings"]:
        assert len(b["values"]) == 3 and all(len(col) == 3 for col in b["values"])


@pytest.mark.parametrize("make", [tiny_rig, format_test_rig], ids=["tiny", "format"])
def test_rest_pose_and_single_parameter_keys_are_exact(make, tmp_path):
    rig = make()
    _, pup = _export(rig, tmp_path)
    assert _errors(rig, pup, rig.default_values()).max() < 1e-3
    for p in rig.parameters:
        for k in {*p.keys, p.min, p.max}:
            values = {**rig.default_values(), p.id: k}
            assert _errors(rig, pup, values).max() < 2e-3, (p.id, k)


def test_binding_values_are_offsets_from_rest(tmp_path):
    rig = tiny_rig()
    _, pup = _export(rig, tmp_path)
    (b,) = [b for b in pup.param("ParamAngleX")["bindings"] if b["node"] == pup.part("Face")["uuid"]]
    assert b["param_name"] == "deform" and b["interpolate_mode"] == "Linear"
    values = np.asarray(b["values"])  # (3 keys, 1, 4 vertices, 2)
    assert values.shape == (3, 1, 4, 2)
    np.testing.assert_allclose(values[1], 0.0)
    # Warp1 moves by 8 px (16 px on its top row) at +-30; the quad's top is at v = 0.05 (16 - 0.1 * 8)
    np.testing.assert_allclose(values[2, 0, :, 0], [15.2, 15.2, 8.0, 8.0], atol=1e-3)
    np.testing.assert_allclose(values[0, 0, :, 0], [-15.2, -15.2, -8.0, -8.0], atol=1e-3)


def test_opacity_bindings_reproduce_keyed_opacity(tmp_path):
    rig = tiny_rig()
    eye = rig.art_meshes[1]
    values = {k: np.repeat(v, 2, axis=0) for k, v in eye.keyforms.values.items()}
    values["opacity"] = np.array([0.0, 1.0], np.float32)
    eye.keyforms = KeyformGrid((dataclasses.replace(rig.deformers[1].keyforms.bindings[0]),), values)
    _, pup = _export(rig, tmp_path)
    part = pup.part("Eye")
    for z in (-30.0, 0.0, 15.0, 30.0):
        v = {**rig.default_values(), "ParamAngleZ": z}
        (item,) = [it for it in evaluate(rig, v).items if it.art_mesh_id == eye.id]
        assert pup.opacity(part, inochi_values(pup, v)) == pytest.approx(item.opacity, abs=1e-5)


def test_random_poses_error_is_small(tmp_path):
    """Additive combination error on random full poses, against doing nothing (the rest pose)."""
    rig = tiny_rig()
    _, pup = _export(rig, tmp_path)
    rng = np.random.default_rng(1)
    errs, motion = [], []
    for _ in range(20):
        values = {p.id: float(rng.uniform(p.min, p.max)) for p in rig.parameters}
        errs.append(_errors(rig, pup, values))
        rest = {it.art_mesh_id: it.vertices_px for it in evaluate(rig, rig.default_values()).items}
        motion.append(np.concatenate([np.linalg.norm(it.vertices_px - rest[it.art_mesh_id], axis=1)
                                      for it in evaluate(rig, values).items]))
    err, move = np.concatenate(errs), np.concatenate(motion)
    assert err.mean() < 0.2 and err.max() < 1.0  # measured: mean 0.10 px, max 0.48 px
    assert err.mean() < move.mean() / 20


def test_generated_rig_random_poses(generated_rig, tmp_path):
    rig = generated_rig
    _, pup = _export(rig, tmp_path)
    assert len(pup.parts()) == len(rig.art_meshes)
    assert _errors(rig, pup, rig.default_values()).max() < 1e-3
    rng = np.random.default_rng(0)
    err = np.concatenate([
        _errors(rig, pup, {p.id: float(rng.uniform(p.min, p.max)) for p in rig.parameters}) for _ in range(10)
    ])
    assert err.mean() < 2.0 and np.percentile(err, 95) < 6.0  # measured: mean 0.76 px, p95 2.3 px (256 px canvas)


# ------------------------------------------------------------------------------------------ physics
def test_physics_nodes_drive_output_parameters(generated_rig, tmp_path):
    rig = generated_rig
    f, pup = _export(rig, tmp_path)
    phys = [n for n, *_ in pup.nodes.values() if n["type"] == "SimplePhysics"]
    outputs = [o for s in rig.physics.settings for o in s.outputs if o.kind is not PhysicsSource.Y]
    assert len(phys) == len(outputs) > 0
    by_uuid = {q["uuid"]: q for q in f.puppet["param"]}
    assert sorted(by_uuid[n["param"]]["name"] for n in phys) == sorted(o.parameter_id for o in outputs)
    for n in phys:
        assert n["model_type"] == "Pendulum" and n["map_mode"] == "AngleLength"
        assert 10 < n["length"] < 10000 and 0 < n["angle_damping"] <= 1
        moved = {b["param_name"] for q in f.puppet["param"] for b in q["bindings"] if b["node"] == n["uuid"]}
        assert moved == {"transform.t.x", "transform.r.z"}  # X and Angle inputs


def test_oscillator_matches_kirie_physics_period(generated_rig):
    """Frequency and damping given to SimplePhysics match Kirie's simulated chain (period, decay)."""
    rig = generated_rig
    s = rig.physics.settings[0]
    w_n, zeta = oscillator(s, 1, rig.physics.fps)
    sim = PhysicsSimulator(rig.physics, rig.parameters)
    out_id = s.outputs[0].parameter_id
    x_in = s.inputs[0].parameter_id
    trace = []
    for step in range(240):  # kick the root for 0.1 s, then let it swing
        values = {**rig.default_values(), x_in: rig.parameter(x_in).max if step < 6 else 0.0}
        trace.append(sim.step(values, 1 / 60)[out_id])
    tail = np.asarray(trace[10:130])
    down = np.flatnonzero((tail[:-1] > 0) & (tail[1:] <= 0))  # one downward zero crossing per period
    period_s = np.mean(np.diff(down)) / 60
    w_d = w_n * math.sqrt(1 - zeta * zeta)
    assert len(down) >= 3 and period_s == pytest.approx(2 * math.pi / w_d, rel=0.05)
    peaks = [tail[a:b].max() for a, b in zip(down[:-1], down[1:])]  # one positive lobe per period
    decay = math.log(peaks[0] / peaks[1]) / period_s  # 1/s
    assert decay == pytest.approx(zeta * w_n, rel=0.15)

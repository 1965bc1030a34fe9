"""Depth stage (inference.segmentation.depth): Depth Anything V2's pre-processing numbers, the draw-order
swaps and parallax factors a known depth map calls for, and the pipeline through a stand-in model."""

from __future__ import annotations

import numpy as np
import pytest

from inference.load import load_image
from inference.models import cache
from inference.pipeline import generate
from inference.rigging import load_template
from inference.segmentation import depth as D
from tests.inference.learned.tiny_models import depth_map, install

pytestmark = pytest.mark.learned


@pytest.mark.parametrize(("hw", "want"), [
    ((768, 1024), (518, 686)),    # scale 518/768; 1024 * 0.6745 = 690.7 -> 49 * 14
    ((1000, 500), (1036, 518)),   # scale 518/500; 1000 * 1.036 = 1036 = 74 * 14
    ((512, 512), (518, 518)),
    ((300, 1000), (518, 1722)),   # 1726.7 / 14 = 123.3 -> 123 * 14
    ((519, 700), (518, 700)),     # scale < 1: 518 stays, 700 * 0.998 = 698.6 -> 700 (50 * 14)
])
def test_resize_follows_the_lower_bound_multiple_of_14_rule(hw, want):
    assert D.resized_shape(*hw) == want
    assert all(v % 14 == 0 and v >= 518 for v in want)


def test_preprocess_normalises_with_imagenet_statistics():
    rgb = np.zeros((300, 400, 3), np.uint8)
    rgb[..., 0], rgb[..., 1], rgb[..., 2] = 200, 100, 0
    x = D.preprocess(rgb)
    assert x.shape == (1, 3, 518, 686) and x.dtype == np.float32
    want = [(200 / 255 - 0.485) / 0.229, (100 / 255 - 0.456) / 0.224, (0 - 0.406) / 0.225]
    np.testing.assert_allclose(x[0, :, 100, 100], want, rtol=1e-5)


def test_postprocess_resizes_and_normalises_over_the_foreground():
    raw = np.linspace(0.0, 10.0, 14 * 28, dtype=np.float32).reshape(1, 14, 28)
    fg = np.zeros((70, 140), bool)
    fg[:, 70:] = True
    d = D.postprocess(raw, (70, 140), fg)
    assert d.shape == (70, 140) and d.min() == 0.0 and d.max() == 1.0
    assert d[:, 80:].mean() > d[:, :60].mean()  # order kept; the background half clips to 0


def test_plan_swaps_only_inside_groups_and_beyond_the_margin():
    tpl = load_template("default")
    orders = {n: s.order for n, s in tpl.layers.items()}
    depths = {"Face": 0.5, "Body": 0.3, "Accessory": 0.2, "FrontHair": 0.4, "HairAccessory": 0.45,
              "Glasses": 0.9, "BackHair": 0.5, "HairAccessoryBack": 0.1, "Nose": 0.9, "Mouth": 0.6,
              "BrowL": 0.5, "BrowR": 0.5, "EyeWhiteL": 0.55, "EyeWhiteR": 0.55}
    report = D.plan(orders, tpl.motion, depths)
    # the template draws Accessory (210) over Body (200), but Body is nearer by more than the margin:
    # they swap; the back-hair ornament likewise; glasses (0.9) end in front of both hair layers
    assert report.orders == {"Body": 210, "Accessory": 200, "BackHair": 110, "HairAccessoryBack": 100,
                             "FrontHair": 650, "HairAccessory": 700, "Glasses": 710}
    assert report.parallax["nose"] > 1.0 > report.parallax["front_hair"]
    assert all(0.75 <= f <= 1.25 for f in report.parallax.values())
    new = D.apply_to_template(tpl, report)
    assert new.layers["Accessory"].order == 200 and tpl.layers["Accessory"].order == 210  # a copy
    np.testing.assert_allclose(new.motion["angle_x_fw"]["nose"], tpl.motion["angle_x_fw"]["nose"] * report.parallax["nose"])
    assert new.motion["angle_x_fw"]["face_centre"] == tpl.motion["angle_x_fw"]["face_centre"]


def test_plan_keeps_the_template_within_the_margin():
    tpl = load_template("default")
    orders = {n: s.order for n, s in tpl.layers.items()}
    report = D.plan(orders, tpl.motion, {"Body": 0.30, "Accessory": 0.25, "Face": 0.5})
    assert report.orders == {} and report.parallax == {}


@pytest.fixture
def image(shared_data):
    return shared_data / "anime" / "crypko_00.png"


def ramp(shape, top_far=True):
    """(h, w) depth rising from the top (far) to the bottom (near)."""
    h, w = shape
    r = np.repeat(np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None], w, axis=1)
    return r if top_far else r[::-1].copy()


def turn_amplitude(rig, deformer_id):
    """Largest lattice displacement of ``deformer_id`` at AngleX = +30 from rest (AngleY = AngleZ = 0)."""
    d = next(d for d in rig.deformers if d.id == deformer_id)
    kf = d.keyforms
    assert kf.parameter_ids[0] == "ParamAngleX"
    index = {b.parameter_id: list(b.keys).index(0.0) for b in kf.bindings}
    rest = kf.flat_index(tuple(index[p] for p in kf.parameter_ids))
    index["ParamAngleX"] = list(kf.bindings[0].keys).index(30.0)
    turned = kf.flat_index(tuple(index[p] for p in kf.parameter_ids))
    pos = np.asarray(kf.values["positions"])
    return float(np.abs(pos[turned] - pos[rest]).max())


def test_pipeline_scales_parallax_with_a_known_depth_map(image, tmp_path, monkeypatch):
    root = tmp_path / "models"
    monkeypatch.setenv(cache.CACHE_ENV, str(root))
    base = generate(image, backend="auto")
    assert base.backends["depth"].backend == "classical" and "depth" not in base.methods
    h, w = load_image(image).rgba.shape[:2]
    install(monkeypatch, root, "depth_anything_v2_small", depth_map(tmp_path / "d.onnx", ramp((64, 64))))
    result = generate(image, backend="auto")
    assert result.backends["depth"].backend == "learned"
    note = result.methods["depth"]
    factors = dict(item.split("x") for item in note.split("parallax ")[1].split(", "))
    # the top of the image is far: the fringe turns less than the template says, the mouth more
    assert float(factors["front_hair"]) < 1.0 < float(factors["mouth"])
    ratio = turn_amplitude(result.rig, "WarpFrontHair") / turn_amplitude(base.rig, "WarpFrontHair")
    assert ratio == pytest.approx(float(factors["front_hair"]), abs=0.01)
    orders = {m.id: float(m.keyforms.values["draw_order"][0]) for m in result.rig.art_meshes}
    assert orders == {m.id: float(m.keyforms.values["draw_order"][0]) for m in base.rig.art_meshes}  # no group swapped here


def test_optional_depth_never_stops_a_learned_run(tmp_path, monkeypatch):
    from inference import backends as B

    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "empty"))
    got = B.resolve("depth", B.BackendChoice("learned"))
    assert got.backend == "classical" and "kirie models pull depth_anything_v2_small" in got.reason


def test_pipeline_reorders_layers_with_a_known_depth_map(shared_data, tmp_path, monkeypatch):
    """lambda_00 wears glasses and a hair ornament: a depth map that puts the ornament behind the
    fringe and the glasses in front of both reorders those three layers, and nothing else."""
    import cv2

    image = shared_data / "anime" / "lambda_00.png"
    root = tmp_path / "models"
    monkeypatch.setenv(cache.CACHE_ENV, str(root))
    base = generate(image, backend="auto")
    src = base.rig.source
    want = {"Glasses": 0.95, "Face": 0.6, "FrontHair": 0.5, "HairAccessory": 0.2}
    known = np.full(src.labels.shape, 0.4, np.float32)
    for v, kind in enumerate(src.layer_kinds, start=1):
        if kind in want:
            known[src.labels == v] = want[kind]
    small = cv2.resize(known, (256, 256), interpolation=cv2.INTER_NEAREST)
    install(monkeypatch, root, "depth_anything_v2_small", depth_map(tmp_path / "d.onnx", small))
    result = generate(image, backend="auto")

    def orders(rig):
        by_layer = {la.id: la.name for la in rig.layers}
        return {by_layer[m.layer_id]: float(m.keyforms.values["draw_order"][0]) for m in rig.art_meshes}

    before, after = orders(base.rig), orders(result.rig)
    assert before["Glasses"] < before["FrontHair"] < before["HairAccessory"]  # the template's order
    assert after["HairAccessory"] < after["FrontHair"] < after["Glasses"]  # the depth map's
    unchanged = set(before) - {"Glasses", "FrontHair", "HairAccessory"}
    assert {n: after[n] for n in unchanged} == {n: before[n] for n in unchanged}


@pytest.mark.parametrize("stage", ["depth", "completion"])
def test_a_corrupt_depth_or_migan_file_falls_back_in_auto_and_stops_learned(image, tmp_path, monkeypatch, stage):
    from inference.backends import LearnedBackendError

    name = {"depth": "depth_anything_v2_small", "completion": "migan"}[stage]
    root = tmp_path / "models"
    root.mkdir()
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"\0" * 4096)
    install(monkeypatch, root, name, bad)
    result = generate(image, backend="auto", device="cpu" if stage == "depth" else "auto")
    used = result.backends[stage]
    assert used.backend == "classical" and "learned backend failed" in used.reason
    assert stage != "depth" or "depth" not in result.methods
    from inference.backends import BackendChoice, resolve, run_stage
    from inference.layers.inpaint_learned import load_inpainter
    from inference.segmentation.depth import estimate_depth

    strict = BackendChoice("learned")
    chosen = resolve(stage, strict)
    assert chosen.models == (name,)
    load = (lambda: estimate_depth(np.zeros((64, 64, 3), np.uint8))) if stage == "depth" else (lambda: load_inpainter(name))
    with pytest.raises(LearnedBackendError, match=f"kirie models pull {name}"):
        run_stage(chosen, strict, load, lambda: None)

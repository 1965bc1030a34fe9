"""The mouth opens like an artist's rig (issue 10; shared rigging.md 1 and 7), judged on renders.

At MouthOpenY 1 a dark interior at least 0.075 face widths (FW) high shows in the mouth window (0.05
FW of it newly revealed), the chin band does not change and nothing changes outside the lower face;
at MouthForm +1 the corners rise; an input whose mouth is already open closes at MouthOpenY 0 and is reproduced at the default.
What the contact sheets showed is asserted too: the open interior is one dark region, not a stripe
between two pulled-apart halves of the input's opening (at least ``MIN_DARK_THICK_FW`` thick), and an
open input closes to one connected line without ticks or fangs at its corners.
Measures: ``tests.inference.mouth_metrics``.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from app.render.offscreen import render_to_array
from inference.layers.cut import cut_layers
from inference.meshing.meshes import mesh_layers
from inference.rigging import build_rig, load_template
from rig.evaluate import evaluate
from tests.conftest import SHARED_DATA
from tests.inference.character import synthetic_character
from tests.inference.mouth_metrics import measure, shape_measures

ANIME = sorted(p.name for p in (SHARED_DATA / "anime").glob("*.png")) if SHARED_DATA.is_dir() else []
PORTRAITS = sorted(p.name for p in (SHARED_DATA / "portraits").glob("*.jpg") if p.stem != "s30") if SHARED_DATA.is_dir() else []
KNOWN_BAD: dict[str, str] = {}
"""Images where the mouth still fails (issue 10's closing note); strict, so a fix shows up."""
CASES = [
    pytest.param(c, marks=pytest.mark.xfail(reason=KNOWN_BAD[c], strict=True)) if c in KNOWN_BAD else c
    for c in [f"anime/{n}" for n in ANIME] + [f"portraits/{n}" for n in PORTRAITS]
]
MIN_OPEN_FW = 0.075
"""Dark opening at MouthOpenY 1 (rigging.md 7: an artist's open mouth is 0.121 [0.08 - 0.15] FW high)."""
MIN_NEW_FW = 0.05
"""Of the dark region at MouthOpenY 1, at least this much (FW) must be newly revealed (not static art)."""
MIN_CORNER_RISE_FW = 0.004
MAX_CLOSED_SHARE = 0.25
"""An open input's opening (interior, teeth, tongue) at MouthOpenY 0 shows at most this share of its
rest area."""
MIN_DARK_THICK_FW = 0.04
"""The dark interior at MouthOpenY 1 is at least this thick over its middle half (a stripe between the
halves of an input's opening pulled apart was 0.028 FW on tadne_r1c4)."""
MIN_LINE_SHARE = 0.95
MAX_SPIKE_SHARE = 0.03
"""An open input at MouthOpenY 0: the lips are one connected line (its largest piece holds this share of
their pixels) with at most this share of columns thicker than twice its median plus 0.012 FW (the ticks
and fangs the outline's corners left: 0.04 - 0.12 on crypko_00/02, tadne_r1c4, waifu_02/03)."""
MAX_LINE_THICK_FW = 0.06
"""A drawn open input at MouthOpenY 0: the lips' line is at most this thick (median over its columns; a
thick outline corner and the vertical sides folded onto themselves made crypko_00 close to a blob 0.074
FW thick, crypko_06 0.078)."""
MAX_DARK_ASPECT = 0.9
"""An open input at MouthOpenY 1: the dark interior is at most this many mouth widths high (an artist's is
about 0.6; tadne_r4c3 opened to a round dark blob 0.97 high, its own tongue bent into a V out of sight)."""
MIN_HALF_DARK_FW = 0.03
HALF_REST_BELOW = 0.4
"""An input resting under ``HALF_REST_BELOW`` open shows at MouthOpenY 0.5 a dark interior at least this thick
over its middle half (opening linearly from the rest it showed a slit under the upper lip: waifu_02 0.027,
waifu_03 0.029, tadne_r3c0 0.021 FW)."""
SHAPE_KNOWN_BAD: dict[str, str] = {
    "anime/tadne_r1c4.png": "drawn open at the mascot size (0.23 FW) just under the nose: its rest is MouthOpenY 0.9, so "
                            "MouthOpenY 1 adds only a crescent 0.019 FW thick under the upper lip (closed, it is one "
                            "line now: largest piece 0.98 -> 1.0)",
}
"""Images whose mouth shapes still fail (non-strict: the measured reason)."""
SHAPE_CASES = [
    pytest.param(c, marks=pytest.mark.xfail(reason=SHAPE_KNOWN_BAD[c], strict=False)) if c in SHAPE_KNOWN_BAD else c
    for c in [f"anime/{n}" for n in ANIME] + [f"portraits/{n}" for n in PORTRAITS]
]


def _psnr(render: np.ndarray, source: np.ndarray) -> float:
    fg = source[..., 3] > 128
    a_r, a_s = render[..., 3:4] / 255.0, source[..., 3:4] / 255.0
    mse = ((render[..., :3] * a_r - source[..., :3] * a_s) ** 2)[fg].mean()
    return float(10 * np.log10(255.0**2 / max(mse, 1e-12)))


@pytest.fixture(scope="module", params=["line", "chibi"])
def synthetic(request):
    img, fg, face, parts = synthetic_character(512, mouth=request.param)
    layers = cut_layers(img, fg, face, parts)
    meshes = mesh_layers(layers, face_width_px=face.face_width_px)
    rig = build_rig(load_template(), face, layers, meshes, img.size_px, name=request.param)
    return request.param, img, face, rig


def test_mouth_pieces_are_named_parts_with_clip_masks(synthetic):
    kind, _, _, rig = synthetic
    meshes = {m.id: m for m in rig.art_meshes}
    expected = {"ArtMeshLipUpper", "ArtMeshMouthInterior", "ArtMeshMouthTongue"}
    if kind == "chibi":
        expected |= {"ArtMeshLipLower", "ArtMeshMouthTeeth"}  # the input's own opening, split at the lips' meeting line
    assert expected <= set(meshes)
    assert "ArtMeshMouth" not in meshes
    for name in ("ArtMeshMouthTongue", "ArtMeshMouthTeeth"):
        if name in meshes:
            assert meshes[name].mask_ids == ("ArtMeshMouthInterior",)
    assert {meshes[n].part_id for n in expected} == {"PartMouth"}
    default = rig.parameter("ParamMouthOpenY").default
    assert (default > 0.2) if kind == "chibi" else default == 0.0


def test_mouth_opens_closes_and_forms_on_renders(synthetic):
    kind, img, face, rig = synthetic
    rest = render_to_array(evaluate(rig, rig.default_values()))
    assert _psnr(rest, img.rgba) >= 30.0
    m = measure(rig, face, render_to_array)
    assert m["dark_open_fw"] >= MIN_OPEN_FW and m["dark_new_fw"] >= MIN_NEW_FW, m
    assert m["chin_changed_px"] == 0, m
    assert m["outside_changed_px"] == 0, m
    assert m["corner_rise_fw"] >= MIN_CORNER_RISE_FW, m
    if kind == "chibi":  # already open: MouthOpenY 0 closes it
        assert m["dark_rest_fw"] >= MIN_OPEN_FW
        assert m["opening_closed_px"] <= MAX_CLOSED_SHARE * m["opening_rest_px"], m
    shape = shape_measures(rig, face, render_to_array)
    assert shape["dark_thick_fw"] >= MIN_DARK_THICK_FW, shape
    if kind == "chibi":
        assert shape["line_share"] >= MIN_LINE_SHARE and shape["line_spike_share"] <= MAX_SPIKE_SHARE, shape
        assert shape["line_thick_fw"] <= MAX_LINE_THICK_FW, shape


def test_open_input_keeps_its_interior_whole_and_splits_only_teeth():
    """An open input's opening drawn without teeth is all MouthTongue (split in two and pulled apart, it
    showed a dark stripe between its halves); with teeth, they are MouthTeeth."""
    from inference.layers.mouth import split_mouth
    from inference.types import PartLabel

    img, fg, face, parts = synthetic_character(512, mouth="chibi")
    rgb = img.rgba[..., :3].copy()
    mouth, skin = parts.labels == int(PartLabel.MOUTH), parts.labels == int(PartLabel.FACE)
    with_teeth = split_mouth(mouth, face, rgb, skin)
    assert with_teeth["MouthTeeth"].sum() >= 20 and with_teeth["MouthTongue"].any()
    teeth_rgb = rgb[with_teeth["MouthTeeth"]].astype(int)
    assert (teeth_rgb.min(axis=1) > 200).mean() > 0.5  # the white teeth, not the red interior
    light = mouth & (rgb.min(axis=2) > 200)
    rgb[light] = (150, 40, 60)  # the same mouth without teeth
    without = split_mouth(mouth, face, rgb, skin)
    assert not without["MouthTeeth"].any()
    assert without["MouthTongue"].sum() >= with_teeth["MouthTongue"].sum() + with_teeth["MouthTeeth"].sum() - 4


@functools.cache
def _generated_measures(path) -> tuple[dict, dict, float]:
    """(measure, shape_measures, default MouthOpenY) of one generated image (generated once for both
    slow tests; only the numbers are kept)."""
    from inference.pipeline import generate

    result = generate(path)
    return (measure(result.rig, result.face, render_to_array), shape_measures(result.rig, result.face, render_to_array),
            float(result.rig.parameter("ParamMouthOpenY").default))


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES)
def test_generated_mouth_opens_on_every_shared_image(case, shared_data):
    m, _, default = _generated_measures(shared_data / case)
    assert m["dark_open_fw"] >= MIN_OPEN_FW and m["dark_new_fw"] >= MIN_NEW_FW, m
    assert m["chin_changed_px"] == 0, m
    assert m["outside_changed_px"] == 0, m
    assert m["corner_rise_fw"] >= MIN_CORNER_RISE_FW, m
    if default > 0:  # an open input closes at 0
        assert m["opening_closed_px"] <= MAX_CLOSED_SHARE * m["opening_rest_px"], m


@pytest.mark.slow
@pytest.mark.parametrize("case", SHAPE_CASES)
def test_generated_mouth_shapes_on_every_shared_image(case, shared_data):
    """The open interior is one dark region (no stripe), an open input closes to one clean line."""
    _, shape, default = _generated_measures(shared_data / case)
    assert shape["dark_thick_fw"] >= MIN_DARK_THICK_FW, shape
    if 0 < default < HALF_REST_BELOW:
        assert shape["half_dark_thick_fw"] >= MIN_HALF_DARK_FW, shape
    if default > 0:
        assert shape["dark_aspect"] <= MAX_DARK_ASPECT, shape
        assert shape["line_share"] >= MIN_LINE_SHARE, shape
        assert shape["line_spike_share"] <= MAX_SPIKE_SHARE, shape
        if "portraits" not in case:  # a photo's closed lips are lips, not a line
            assert shape["line_thick_fw"] <= MAX_LINE_THICK_FW, shape


def test_exports_carry_the_mouth_pieces(synthetic, tmp_path):
    """PSD: one layer per piece, a closed mouth's interior/tongue hidden at rest, an open input's own
    teeth/tongue shown; Cubism .moc3 and Inochi2D .inp name every piece."""
    from psd_tools import PSDImage

    from rig.formats.cubism.export import export_cubism
    from rig.formats.inochi.export import export_inp
    from rig.formats.psd import export_psd
    from tests.formats.inp_reader import read_inp, walk

    kind, _, _, rig = synthetic
    pieces = [m.name for m in rig.art_meshes if m.part_id == "PartMouth"]
    psd = PSDImage.open(export_psd(rig, tmp_path / "m.psd"))
    shown = {la.name: la.visible for la in psd.descendants() if not la.is_group()}
    assert set(pieces) <= set(shown)
    if kind == "line":
        assert not shown["MouthInterior"] and not shown["MouthTongue"]  # collapsed / clipped at rest
        assert shown["LipUpper"]
    else:
        assert shown["MouthTeeth"] and shown["MouthTongue"] and shown["LipLower"]
    files = export_cubism(rig, tmp_path / "cubism", name="m")
    moc3 = next(f for f in files if f.suffix == ".moc3").read_bytes()
    assert all(f"ArtMesh{p}".encode() in moc3 for p in pieces)
    inp = read_inp(export_inp(rig, tmp_path / "m.inp").read_bytes())
    names = {node["name"] for node, *_ in walk(inp.puppet["nodes"])}
    assert set(pieces) <= names


def test_mouth_bays_are_the_mouths_when_not_skin_coloured():
    """A light tongue tip the part map called face, in a bay of the mouth, is the mouth's (tadne_r3c3:
    cut as lip it stayed as a pink block on the closed line); bare skin in the same bay stays face."""
    from inference.layers.mouth_skin import mouth_bays

    h = w = 120
    rgb = np.zeros((h, w, 3), np.uint8)
    rgb[:] = (245, 215, 200)  # skin
    yy, xx = np.mgrid[:h, :w]
    ellipse = ((xx - 60) / 30.0) ** 2 + ((yy - 60) / 16.0) ** 2 <= 1.0
    rgb[ellipse] = (230, 150, 150)  # the open mouth's pink tongue
    bay = ellipse & (np.abs(xx - 60) <= 4) & (yy >= 66)  # its tip, labelled face by the part map
    mouth, skin = ellipse & ~bay, ~ellipse | bay
    got = mouth_bays(mouth, skin, rgb, face_width_px=200.0)
    assert got[bay].mean() > 0.8 and not (got & ~bay).any()  # all but its open end
    rgb[bay] = (245, 215, 200)  # the same bay in skin colour: bare skin, the face's
    assert not mouth_bays(mouth, skin, rgb, face_width_px=200.0).any()


def test_a_faint_line_found_only_at_its_tip_is_followed():
    """waifu_06: the part map labelled 7 px at the left tip of its faint 18 px line mouth, so the rig
    opened only that tip. The line is followed across its faint middle (a one-column gap too) to its
    end; a whole mouth is not extended."""
    from inference.layers.mouth_skin import line_run

    h, w, fw = 60, 120, 200.0
    rgb = np.full((h, w, 3), 235, np.uint8)
    ys = (30 + 2 * np.sin(np.linspace(0, np.pi, 36))).astype(int)  # a wavy line, x 40..75
    for x, y in zip(range(40, 76), ys):
        if x != 58:  # a gap in the faint middle
            rgb[y, x] = 150 if x < 46 or x > 70 else 205
    mouth = np.zeros((h, w), bool)
    mouth[28:33, 40:46] = (rgb[28:33, 40:46, 0] < 200)  # only its tip
    skin = ~mouth
    got = line_run(mouth, skin, rgb, fw)
    cols = np.flatnonzero((got | mouth).any(axis=0))
    assert cols[0] == 40 and cols[-1] == 75, cols
    assert not (got & (rgb[..., 0] == 235)).any()  # skin stays skin
    whole = mouth.copy()
    whole[28:33, 40:76] = rgb[28:33, 40:76, 0] < 235
    assert not line_run(whole, ~whole, rgb, fw).any()  # 0.18 FW wide: not a fragment


MIN_TEETH_FW2 = 2e-4
"""A photo open at rest shows, at MouthOpenY 1, upper teeth of at least this area (face widths squared)
under its upper lip (s1: 0 px before, its own teeth a 2 px sliver glued to the lip, the rest dark;
599 px after, at least 22; s10 311, at least 19)."""


@pytest.mark.slow
@pytest.mark.parametrize("case", ["portraits/s1.jpg", "portraits/s10.jpg"])
def test_open_photo_shows_its_teeth_when_opened(case, shared_data):
    from inference.pipeline import generate
    from tests.inference.mouth_metrics import MouthFrame, mouth_only

    result = generate(shared_data / case)
    rig, face = result.rig, result.face
    assert rig.parameter("ParamMouthOpenY").default > 0  # open at rest
    render = render_to_array(mouth_only(rig, {"ParamMouthOpenY": 1.0}))
    frame = MouthFrame.of(face)
    win = render[frame.window(render.shape)]
    rgb = win[..., :3].astype(int)
    teeth = (win[..., 3] > 200) & (rgb.min(axis=-1) > 170) & (rgb.max(axis=-1) - rgb.min(axis=-1) < 60)
    assert teeth.sum() >= MIN_TEETH_FW2 * frame.fw**2, (int(teeth.sum()), frame.fw)

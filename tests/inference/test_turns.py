"""Head turns uncover hair and neck that look like the hair and the neck (issue 14, lambda_00's side hair).

Measured on renders of the generated rig (canvas px, straight-alpha RGBA over white, luma 0..255):

- **side hair**: the pixels where the back hair shows at AngleX ±30 but not at rest (the side lock and
  the cheek moved away) are as light as the visible back hair around them, and carry no new long
  axis-aligned edges (the straight cut of a geometric front-hair zone, the cells of a coarse fill);
- **neck under the jaw**: the neck completed under the face is shaded like the visible neck's top (the
  chin's shadow), not the paler median of throat and collar, and keeps to the neck's top columns;
- **body under the jaw** (waifu_00): the body's completion a turn shows beside the neck is no lighter
  than the hair and neck around it (not the body's pale median);
- **the neck in shadow** (waifu_02: a neck all in the chin's shadow is still a neck) and **the chin's
  shadow** (lambda_00: hair-coloured shading on the neck is the neck's, no back hair shows through it).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from tests.conftest import SHARED_DATA

TURNS = ({"ParamAngleX": 30.0}, {"ParamAngleX": -30.0})
STEP = 24.0
"""Luma step (0..255) between neighbouring pixels from which a pixel lies on an edge."""
STRAIGHT_FW = 0.08
"""An axis-aligned edge run at least this long (face widths) is a straight cut."""
RING_FW = 0.15


def _luma(rgba: np.ndarray) -> np.ndarray:
    a = rgba[..., 3:4].astype(np.float32) / 255.0
    return (rgba[..., :3].astype(np.float32) * a + 255.0 * (1.0 - a)) @ np.array([0.299, 0.587, 0.114], np.float32)


def _runs(edge: np.ndarray, min_len: int) -> np.ndarray:
    """Pixels of ``edge`` in vertical runs (one column) of at least ``min_len``."""
    out = np.zeros_like(edge)
    for x in np.flatnonzero(edge.any(axis=0)):
        d = np.diff(np.concatenate([[0], edge[:, x].astype(np.int8), [0]]))
        for s, e in zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1), strict=True):
            if e - s >= min_len:
                out[s:e, x] = True
    return out


def straight_edges(luma: np.ndarray, min_len: int) -> np.ndarray:
    """(H, W) bool: edge pixels on straight vertical or horizontal runs of at least ``min_len`` px."""
    gx = np.zeros_like(luma)
    gx[:, 1:] = np.abs(np.diff(luma, axis=1))
    gy = np.zeros_like(luma)
    gy[1:] = np.abs(np.diff(luma, axis=0))
    return _runs(gx >= STEP, min_len) | _runs((gy >= STEP).T, min_len).T


def _only(ev, keep):
    return dataclasses.replace(ev, items=tuple(it for it in ev.items if keep(it.art_mesh_id)))


def _top(ev, render, mesh: str, above_of: set[str] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(mesh alpha >= 128, mesh alpha >= 128 and nothing drawn above it >= 128)."""
    ids = [it.art_mesh_id for it in ev.items]
    above = set(ids[ids.index(mesh) + 1 :]) if above_of is None else above_of
    own = render(_only(ev, lambda n: n == mesh))[..., 3] >= 128
    over = render(_only(ev, lambda n: n in above))[..., 3] >= 128
    return own, own & ~over


def side_hair_uncovered(rig, render) -> list[tuple[int, float, int]]:
    """Per turn of ``TURNS``: (uncovered px, how much darker (luma) they are than the visible back hair
    within ``RING_FW`` of them at rest, new straight edge px on and beside them)."""
    import cv2

    from rig.evaluate import compile_plan, evaluate

    plan = compile_plan(rig)
    values = rig.default_values()
    ev0 = evaluate(rig, values, plan, gizmos=False)
    face = next(it for it in ev0.items if it.art_mesh_id == "ArtMeshFace").vertices_px
    fw, chin = float(np.ptp(face[:, 0])), int(face[:, 1].max())
    rest = render(ev0)
    luma0 = _luma(rest)
    min_len = max(6, int(round(STRAIGHT_FW * fw)))
    at_rest = cv2.dilate(straight_edges(luma0, min_len).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    hair0 = _top(ev0, render, "ArtMeshBackHair")[1]
    out = []
    for pose in TURNS:
        ev = evaluate(rig, values | pose, plan, gizmos=False)
        luma = _luma(render(ev))
        shown = _top(ev, render, "ArtMeshBackHair")[1] & ~hair0 & (rest[..., 3] >= 200)
        shown[chin:] = False
        near = cv2.dilate(shown.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
        k = 1 + 2 * int(RING_FW * fw)
        ring = (cv2.dilate(shown.astype(np.uint8), np.ones((k, k), np.uint8)) > 0) & hair0
        darker = float(luma0[ring].mean() - luma[shown].mean()) if shown.any() and ring.any() else 0.0
        straight = int((straight_edges(luma, min_len) & near & ~at_rest).sum())
        out.append((int(shown.sum()), darker, straight))
    return out


def neck_under_jaw(rig, render) -> tuple[float, int]:
    """(how much lighter (luma) the neck completed under the face is than the visible neck's top
    ``0.12`` FW, completed px outside the columns of the visible neck's top rows)."""
    from rig.evaluate import compile_plan, evaluate

    ev = evaluate(rig, rig.default_values(), compile_plan(rig), gizmos=False)
    face = next(it for it in ev.items if it.art_mesh_id == "ArtMeshFace").vertices_px
    fw = float(np.ptp(face[:, 0]))
    own, vis = _top(ev, render, "ArtMeshNeck")
    hidden = own & ~vis
    ys = np.flatnonzero(vis.any(axis=1))
    top = vis.copy()
    top[ys[0] + int(round(0.12 * fw)) :] = False
    luma = _luma(render(_only(ev, lambda n: n == "ArtMeshNeck")))
    under = hidden.copy()
    under[ys[0] :] = False  # completed above the visible neck: under the jaw
    band = top[ys[0] : ys[0] + max(3, int(0.05 * 1.16 * fw))].any(axis=0)
    xs = np.flatnonzero(band)
    outside = under.copy()
    outside[:, xs[0] - 1 : xs[-1] + 2] = False
    return float(luma[under].mean() - luma[top].mean()), int(outside.sum())


COMBO = {"ParamAngleX": 30.0, "ParamAngleY": 30.0, "ParamAngleZ": 30.0, "ParamBodyAngleX": 10.0}


def _completion_only(ev, mesh: str, shown_at_rest: np.ndarray):
    """``ev`` with ``mesh``'s texture cut to its completed pixels: those not shown at rest (a layer's
    image is in the canvas frame at rest, offset by its origin)."""
    item = next(it for it in ev.items if it.art_mesh_id == mesh)
    tex = ev.textures[item.layer_id]
    layer_x0, layer_y0 = _origin[item.layer_id]
    h, w = tex.image.shape[:2]
    image = tex.image.copy()
    pad = max(h, w)  # a layer may reach past the canvas by its margin
    shown = np.pad(shown_at_rest, pad)[layer_y0 + pad : layer_y0 + pad + h, layer_x0 + pad : layer_x0 + pad + w]
    image[shown, 3] = 0
    textures = dict(ev.textures) | {item.layer_id: dataclasses.replace(tex, image=image, version=tex.version + 10**6)}
    return dataclasses.replace(ev, textures=textures)


_origin: dict[str, tuple[int, int]] = {}


def body_under_jaw(rig, render, poses=(TURNS[0], TURNS[1], COMBO)) -> list[tuple[int, float, int]]:
    """Per pose: (px where the body's completion shows above the neck's visible top, how much lighter
    (luma) they are than the pose's render within ``RING_FW`` around them, new straight edge px on and
    beside them): the body completed under the jaw and the hair beside the neck."""
    import cv2

    from rig.evaluate import compile_plan, evaluate

    _origin.update({layer.id: tuple(int(round(v)) for v in layer.origin_px) for layer in rig.layers})
    plan = compile_plan(rig)
    values = rig.default_values()
    ev0 = evaluate(rig, values, plan, gizmos=False)
    face = next(it for it in ev0.items if it.art_mesh_id == "ArtMeshFace").vertices_px
    fw = float(np.ptp(face[:, 0]))
    rest = render(ev0)
    min_len = max(6, int(round(STRAIGHT_FW * fw)))
    at_rest = cv2.dilate(straight_edges(_luma(rest), min_len).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    ids = [it.art_mesh_id for it in ev0.items]
    body0 = _top(ev0, render, "ArtMeshBody")[1]
    neck0 = _top(ev0, render, "ArtMeshNeck")[1] if "ArtMeshNeck" in ids else body0
    y_neck = int(np.flatnonzero(neck0.any(axis=1))[0])
    above = set(ids[ids.index("ArtMeshBody") + 1 :])
    head = set(ids[ids.index("ArtMeshFace") :])
    k = 1 + 2 * int(RING_FW * fw)
    out = []
    for pose in poses:
        ev = evaluate(rig, values | pose, plan, gizmos=False)
        img = render(ev)
        luma = _luma(img)
        shown = _top(_completion_only(ev, "ArtMeshBody", body0), render, "ArtMeshBody", above)[1]
        shown[y_neck:] = False
        near = cv2.dilate(shown.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
        ring = (cv2.dilate(shown.astype(np.uint8), np.ones((k, k), np.uint8)) > 0) & ~shown & (img[..., 3] >= 200)
        ring &= render(_only(ev, lambda n: n in head))[..., 3] < 128  # beside it: hair, neck, body; not the face
        lighter = float(luma[shown].mean() - luma[ring].mean()) if shown.any() and ring.any() else 0.0
        straight = int((straight_edges(luma, min_len) & near & ~at_rest).sum())
        out.append((int(shown.sum()), lighter, straight))
    return out


def hair_in_the_neck(rig, render, poses=({}, COMBO)) -> list[int]:
    """Per pose: px where the back hair shows through a hole of the neck (the neck's alpha >= 128 with
    its holes filled, minus the neck): hair-coloured shading on the neck taken for back hair."""
    from inference.masks import fill_holes
    from rig.evaluate import compile_plan, evaluate

    plan = compile_plan(rig)
    out = []
    for pose in poses:
        ev = evaluate(rig, rig.default_values() | pose, plan, gizmos=False)
        neck = render(_only(ev, lambda n: n == "ArtMeshNeck"))[..., 3] >= 128
        hair = _top(ev, render, "ArtMeshBackHair")[1]
        out.append(int((fill_holes(neck) & ~neck & hair).sum()))
    return out


def test_crown_cut_moves_onto_the_strand_lines():
    """A geometric cut through the middle of a strand moves onto the dark line beside it."""
    from inference.masks import snap_to_strands

    h, w = 40, 60
    rgb = np.full((h, w, 3), (240, 200, 120), np.uint8)
    lines = np.arange(w) % 10 == 4  # dark lines between 10 px strands at x = 4, 14, 24, ...
    rgb[:, lines] = (90, 60, 30)
    region = np.ones((h, w), bool)
    inside = np.zeros((h, w), bool)
    inside[:, :27] = True  # cut through the strand x 25..33, 2 px from its line at x = 24
    assert snap_to_strands(inside, region, rgb, 0.0) is inside
    out = snap_to_strands(inside, region, rgb, 4.0)
    edge = out.sum(axis=1)  # the first back-hair column of each row
    assert set(edge.tolist()) <= {24, 25}, sorted(set(edge.tolist()))
    assert out[:, :20].all() and not out[:, 32:].any()


def test_mirror_copy_continues_stripes_at_full_resolution():
    from inference.layers.patchfill import mirror_copy

    h, w = 30, 40
    yy, xx = np.mgrid[:h, :w]
    rgb = np.zeros((h, w, 3), np.uint8)
    rgb[..., 0] = np.where((xx + yy) % 8 < 4, 200, 60)  # diagonal stripes
    source = xx < 20
    target = ~source
    colors, weight = mirror_copy(rgb, source, target, reach_px=16.0, skip_px=2.0)
    ys, xs = np.nonzero(target)
    want = rgb[ys, 38 - xs, 0]  # reflected across the last source column, x = 19
    near = (xs >= 24) & (xs < 28)
    assert np.all(weight[near] == 1.0) and np.all(weight[xs < 24] == 1.0)
    assert np.array_equal(colors[near, 0], want[near].astype(np.float32))
    band = xs < 23  # within 2 skip_px of the edge: the source 4 px deep along the row, x = 15
    assert np.array_equal(colors[band, 0], rgb[ys[band], 15, 0].astype(np.float32))


@pytest.fixture(scope="module")
def lambda_rig():
    if not (SHARED_DATA / "anime" / "lambda_00.png").is_file():
        pytest.skip("../shared/data/anime/lambda_00.png is missing")
    from inference.pipeline import generate

    return generate(SHARED_DATA / "anime" / "lambda_00.png", backend="classical").rig


def test_side_hair_a_turn_uncovers_continues_the_hair(lambda_rig, gl):
    from app.render.offscreen import render_to_array

    rows = side_hair_uncovered(lambda_rig, lambda ev: render_to_array(ev, ctx=gl))
    assert all(n > 200 for n, _, _ in rows), rows  # the turn does uncover side hair
    # before (the crown's ellipse cut through the side lock, the back hair beneath a shaded coarse fill):
    # 26.0 / 14.9 luma darker, 87 / 71 straight px
    assert max(d for _, d, _ in rows) < 8.0, rows
    assert sum(s for _, _, s in rows) < 110, rows


def test_neck_under_the_jaw_is_shaded_like_the_neck_top(lambda_rig, gl):
    from app.render.offscreen import render_to_array

    lighter, outside = neck_under_jaw(lambda_rig, lambda ev: render_to_array(ev, ctx=gl))
    assert lighter < 6.0 and outside == 0, (lighter, outside)


def test_the_chin_shadow_on_the_neck_is_neck_not_back_hair(lambda_rig, gl):
    """lambda_00: the orange-brown shadow under the chin (hair by colour) is the neck's, so no back hair
    shows through the neck (an orange triangle in the combination pose)."""
    from app.render.offscreen import render_to_array

    holes = hair_in_the_neck(lambda_rig, lambda ev: render_to_array(ev, ctx=gl))
    assert max(holes) < 5, holes  # before: 69 / 65 px at rest / in the combination


@pytest.fixture(scope="module")
def waifu_rig():
    if not (SHARED_DATA / "anime" / "waifu_00.png").is_file():
        pytest.skip("../shared/data/anime/waifu_00.png is missing")
    from inference.pipeline import generate

    return generate(SHARED_DATA / "anime" / "waifu_00.png", backend="classical").rig


def test_body_under_the_jaw_continues_the_colours_beside_it(waifu_rig, gl):
    """waifu_00: the body completed under the jaw beside the neck shows at AngleX +30 and in the
    combination pose; it takes the colour of the body art around it (hair strands on the shoulders,
    collar), not the pale median of shirt, jacket and strands."""
    from app.render.offscreen import render_to_array

    rows = body_under_jaw(waifu_rig, lambda ev: render_to_array(ev, ctx=gl))
    assert rows[0][0] > 5 and rows[2][0] > 5, rows  # the turn does uncover it
    # before (faded to the body's median): 85.2 / 1.3 / 72.7 luma lighter than the hair and neck beside it
    assert max(d for _, d, _ in rows) < 40.0, rows


def test_a_neck_all_in_shadow_is_found_and_shaded_under_the_jaw(gl):
    """waifu_02's neck is all in the chin's shadow (L* 54-71, redder than the lit skin): it was labelled
    body, so a turn showed the body's completion under the chin with a hard line; now it is the neck."""
    if not (SHARED_DATA / "anime" / "waifu_02.png").is_file():
        pytest.skip("../shared/data/anime/waifu_02.png is missing")
    from app.render.offscreen import render_to_array
    from inference.pipeline import generate
    from rig.evaluate import compile_plan, evaluate

    rig = generate(SHARED_DATA / "anime" / "waifu_02.png", backend="classical").rig
    ev = evaluate(rig, rig.default_values(), compile_plan(rig), gizmos=False)
    ids = [it.art_mesh_id for it in ev.items]
    assert "ArtMeshNeck" in ids, ids  # before: no neck layer
    render = lambda e: render_to_array(e, ctx=gl)  # noqa: E731
    fw = float(np.ptp(next(it for it in ev.items if it.art_mesh_id == "ArtMeshFace").vertices_px[:, 0]))
    visible = _top(ev, render, "ArtMeshNeck")[1].sum()
    assert visible > 0.06 * fw * fw, (visible, fw)  # 0.12 FW² of skin between the jaw and the collar
    lighter, outside = neck_under_jaw(rig, render)
    assert lighter < 10.0 and outside == 0, (lighter, outside)


def test_back_hair_shadow_keeps_the_hue_of_pale_hair():
    """The back hair behind the face is darkened (``Fill.shade``) in the hair's own hue, not toward grey:
    tadne_r4c3's pale mint hair was completed as (162, 176, 166) grey blocks that every head turn showed
    (a uniform x0.8 shrinks the chroma with the luminance)."""
    from inference.layers.completion import Fill, fill_region

    shape = (200, 200)
    rgb = np.zeros(shape + (3,), np.uint8)
    rgb[:] = (222, 244, 228)  # pale mint hair
    source = np.zeros(shape, bool)
    source[:, :30] = True
    target = np.zeros(shape, bool)
    target[:, 60:] = True
    far = fill_region(rgb, source, target, Fill(96, 20.0, 0.8), (90, 60, 50)).astype(float)
    far = far.reshape(200, 140, 3)[:, 40:].reshape(-1, 3)  # over 20 px from the visible hair: the shaded median
    hair = rgb[0, 0].astype(float)
    luma = np.array([0.299, 0.587, 0.114])
    assert np.median(far @ luma) == pytest.approx(0.8 * (hair @ luma), rel=0.05)  # darker by the shade
    chroma = np.median(far.max(axis=1) - far.min(axis=1))
    assert chroma >= hair.max() - hair.min()  # not greyer than the visible hair
    assert np.argmax(np.median(far, axis=0)) == 1  # still green

"""The artefact check (issue 14): the metric on known masks, and the tear bar on every shared image."""

from __future__ import annotations

import numpy as np
import pytest

from inference.rigging.artefacts import STANDARD_POSES, TEAR_BAR, ghost_mask, measure_rig, tear_mask
from tests.conftest import SHARED_DATA

ANIME = sorted(p.name for p in (SHARED_DATA / "anime").glob("*.png")) if SHARED_DATA.is_dir() else []
PORTRAITS = sorted(p.name for p in (SHARED_DATA / "portraits").glob("*.jpg") if p.stem != "s30") if SHARED_DATA.is_dir() else []
CASES = [f"anime/{n}" for n in ANIME] + [f"portraits/{n}" for n in PORTRAITS]


def _disc(shape, c, r):
    yy, xx = np.mgrid[: shape[0], : shape[1]]
    return (xx - c[0]) ** 2 + (yy - c[1]) ** 2 <= r * r


def test_tear_mask_counts_holes_and_slits_not_a_moved_outline():
    rest = np.where(_disc((200, 200), (100, 100), 60), 255, 0).astype(np.uint8)
    moved = np.where(_disc((200, 200), (108, 100), 60), 255, 0).astype(np.uint8)
    # the whole figure moving 8 px leaves its old outline transparent: not a tear
    assert tear_mask(rest, moved, 3).sum() == 0
    holed = rest.copy()
    holed[90:100, 90:100] = 0  # a hole inside the figure
    holed[40:160, 150:152] = 0  # a 2 px seam opening to the outside
    t = tear_mask(rest, holed, 3)
    assert t[90:100, 90:100].all()
    assert t[75:125, 150:152].all()
    assert t.sum() <= 100 + 2 * 122


def test_tear_mask_a_stroke_over_a_pocket_moving_on_is_no_tear_a_seam_is():
    """Two pre-images (the nearest opaque pixel's shift and the rest owner's): a strand that moves on
    over a pocket beside a body that stays is no tear; a slit opening between two solid parts is."""
    shape = (120, 160)
    rows = np.arange(shape[0])[:, None] + np.zeros(shape, int)
    still = (rows >= 60) | (np.arange(shape[1])[None, :] < 10) | (np.arange(shape[1])[None, :] >= 150)
    hair, strand = rows < 30, (rows >= 52) & (rows < 58)  # a 6 px strand over the pocket, above the body
    rest = np.where(still | hair | strand, 255, 0).astype(np.uint8)
    down = np.array([0.0, 12.0], np.float32)  # hair and strand move 12 px down, the strand over the body
    moved = np.roll(hair | strand, 12, axis=0) & ~still
    pose = np.where(still | moved | np.roll(strand, 12, axis=0), 255, 0).astype(np.uint8)
    near = np.zeros(shape + (2,), np.float32)
    near[moved] = down  # the nearest opaque pixel of the strand's rest place: the body, which stayed
    owner = np.zeros(shape + (2,), np.float32)
    owner[(hair | strand) & ~still] = down
    # (rows < 30: the hair's top pulling away from the frame is a gap for both)
    assert tear_mask(rest, pose, 4, near)[30:].sum() > 300  # the nearest pixel alone counts the strand's rest place
    assert tear_mask(rest, pose, 4, near, owner)[30:].sum() == 0  # its owner's shift: it came from the pocket
    # the hair over the body's top moving 6 px up: a slit opens between them
    rest2 = np.full(shape, 255, np.uint8)
    pose2 = np.where((rows < 54) | (rows >= 60), 255, 0).astype(np.uint8)
    near2 = np.zeros(shape + (2,), np.float32)
    near2[rows < 54] = (0.0, -6.0)
    owner2 = np.zeros(shape + (2,), np.float32)
    owner2[rows < 60] = (0.0, -6.0)
    torn = tear_mask(rest2, pose2, 4, near2, owner2)
    assert torn[54:60, 10:150].all() and not torn[:54].any() and not torn[60:].any()


def test_ghost_mask_finds_a_line_left_on_the_lower_layer():
    shape = (120, 120)
    line = np.zeros(shape, bool)
    line[40:44, 30:90] = True  # a brow at rest
    moved = np.roll(line, 12, axis=1)  # the brow 12 px to the right in the pose
    skin = np.zeros(shape, bool)
    skin[10:110, 10:110] = True

    def rgba(mask_dark, ghost=False):
        img = np.zeros(shape + (4,), np.uint8)
        img[skin] = (240, 210, 200, 255)
        if ghost:
            img[line & ~mask_dark] = (120, 90, 80, 255)  # the skin still shows the brow's line
        img[mask_dark] = (40, 30, 30, 255)
        return img

    alone = {"Skin": np.where(skin, 255, 0).astype(np.uint8)}
    rest_alone = alone | {"Brow": np.where(line, 255, 0).astype(np.uint8)}
    pose_alone = alone | {"Brow": np.where(moved, 255, 0).astype(np.uint8)}
    shift = {"Skin": np.zeros(2), "Brow": np.array([12.0, 0.0])}
    args = (rest_alone, pose_alone, shift, ["Skin", "Brow"], 2.0)
    clean, outlines, _ = ghost_mask(rgba(line), rgba(moved), *args)
    dirty, _, per_mesh = ghost_mask(rgba(line), rgba(moved, ghost=True), *args)
    assert outlines.sum() > 100
    assert clean.sum() == 0
    assert dirty[38:46, 28:40].sum() > 10 and per_mesh["Brow"] > 10


# Images whose worst pose still tears over TEAR_BAR (measured with benchmarks/bench_artefacts.py); they must
# stay under KNOWN_TORN_CEILING (main before the seam work reached 0.98 %, and 6.8 % before that).
# - s7 (photo) passes since its shaded ear bowls are ear, not back hair (parts._ear_bowls): worst 0.188 % ->
#   0.045 % by the nearest-pixel pre-image alone (AngleZ -30 0.188 -> 0.020, combination 0.066 -> 0.015).
# - tadne_r1c4 (AngleZ +30 0.159 %, combination 0.088 % by the nearest-pixel pre-image alone) and tadne_r5c3
#   (AngleZ +30 0.052 %) were strands moving on over a pocket of background beside the body that stays, and
#   the head's outline moving into such a pocket: no gap on screen; with both pre-images (artefacts.pose_tears)
#   0.007 % and 0.029 %.
# - tadne_r1c2 (AngleZ -30 0.07 % by the nearest-pixel pre-image, since it is rigged as anime: two slits at
#   its left shoulder where the strand over it turns away) passes with both pre-images and the glasses and
#   mouth work (branch r1c2): worst AngleZ -30 0.011 %, AngleZ +30 0.002 %, the rest 0.
# - tadne_r0c3 (combination 0.123 %, the rest under 0.05 %) since its background pockets between the outer
#   strands are dropped (drop_background_pockets, branch leftbehind): a 10 x 42 px slit at x 82-92, y 296-349
#   where the left outer strand (back hair) turns away from the strands beside it, which the parser labels
#   body and which stay; before, the white pocket (body below, back hair above) filled it and showed as a
#   white "ribbon" that stayed behind on AngleZ. The cause left is those body-labelled hair strands.
KNOWN_TORN: set[str] = {"anime/tadne_r0c3.png"}
KNOWN_TORN_CEILING = 0.0025


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES)
def test_no_tears_at_standard_poses(case, shared_data):
    from app.render.offscreen import render_to_array
    from inference.pipeline import generate

    rig = generate(shared_data / case).rig
    rows = measure_rig(rig, render_to_array, ghosts=False)
    assert [r.pose for r in rows] == [p for p, _ in STANDARD_POSES]
    bar = KNOWN_TORN_CEILING if case in KNOWN_TORN else TEAR_BAR
    torn = {r.pose: round(100 * r.tear_fraction, 3) for r in rows if r.tear_fraction >= bar}
    assert not torn, f"tears over {100 * bar} % of the character (pose: %): {torn}"


def test_flat_colour_chibi_turns_without_tears_or_many_ghosts(gl):
    """A chibi with thick outlines (head half the figure): no tear at any standard pose, and few of
    the moved outlines left behind on the layers that stayed."""
    from app.render.offscreen import render_to_array
    from inference.layers.cut import cut_layers
    from inference.meshing.meshes import mesh_layers
    from inference.rigging import build_rig, load_template
    from tests.inference.character import synthetic_chibi

    img, fg, face, parts = synthetic_chibi()
    layers = cut_layers(img, fg, face, parts)
    meshes = mesh_layers(layers, face_width_px=face.face_width_px)
    rig = build_rig(load_template(), face, layers, meshes, img.size_px, name="chibi")
    rows = measure_rig(rig, lambda ev: render_to_array(ev, ctx=gl))
    torn = {r.pose: round(100 * r.tear_fraction, 3) for r in rows if r.tear_fraction >= TEAR_BAR}
    assert not torn, torn
    assert max(r.ghost_fraction for r in rows) < 0.05, [(r.pose, round(r.ghost_fraction, 3)) for r in rows]
    # the face turns: its outline moved, so there was something to leave behind
    assert sum(r.outline_px for r in rows) > 1000

"""Stage 4: part label maps on a synthetic cartoon and on real anime images and portraits."""

from __future__ import annotations

import math

import numpy as np
import pytest

from inference.landmarks import detect_face
from inference.landmarks.geometry import arc, box_of, clockwise
from inference.load import load_image
from inference.segmentation.foreground import estimate_foreground
from inference.segmentation.parts import segment_parts
from inference.types import EyeLandmarks, FaceLandmarks, Foreground, LoadedImage, PartLabel

P = PartLabel


def _cartoon() -> tuple[LoadedImage, FaceLandmarks]:
    """A flat-colour character (400 px) and its hand-made landmarks."""
    import cv2

    h = w = 400
    rgb = np.full((h, w, 3), 255, np.uint8)
    alpha = np.zeros((h, w), np.uint8)

    def ell(c, ax, col, angle=0):
        cv2.ellipse(rgb, c, ax, angle, 0, 360, col, -1)
        cv2.ellipse(alpha, c, ax, angle, 0, 360, 255, -1)

    cv2.rectangle(rgb, (100, 300), (300, 399), (40, 60, 170), -1)
    cv2.rectangle(alpha, (100, 300), (300, 399), 255, -1)
    ell((200, 170), (120, 130), (90, 50, 30))  # back hair
    cv2.rectangle(rgb, (180, 240), (220, 300), (250, 220, 200), -1)  # neck
    ell((200, 190), (80, 90), (250, 220, 200))  # face skin, chin at y = 280
    cv2.rectangle(rgb, (115, 95), (285, 138), (90, 50, 30), -1)  # bangs
    cv2.rectangle(alpha, (115, 95), (285, 138), 255, -1)
    skin = (250, 220, 200)
    for cx in (160, 240):
        ell((cx, 190), (18, 14), (255, 255, 255))
        cv2.circle(rgb, (cx, 193), 9, (40, 70, 160), -1)
        cv2.ellipse(rgb, (cx, 190), (18, 14), 0, 200, 340, (20, 10, 10), 4)  # upper lash line
        cv2.line(rgb, (cx - 15, 160), (cx + 15, 158), (60, 30, 20), 3)  # brow
    cv2.circle(rgb, (200, 222), 2, (180, 120, 110), -1)
    cv2.ellipse(rgb, (200, 245), (14, 5), 0, 0, 360, (200, 40, 50), -1)
    assert rgb[150, 200].tolist() == list(skin)
    rgba = np.dstack([rgb, alpha])

    def eye(cx: float) -> EyeLandmarks:
        return EyeLandmarks(
            center=(cx, 190.0),
            box=(cx - 18, 176.0, 36.0, 28.0),
            iris_center=(cx, 193.0),
            iris_radius=9.0,
            upper_lid=arc((cx, 180.0), 36, 6),
            lower_lid=arc((cx, 203.0), 30, -3),
        )

    t = np.linspace(0, 2 * math.pi, 48, endpoint=False)
    contour = clockwise(np.stack([200 + 80 * np.cos(t), 190 + 90 * np.sin(t)], 1))
    face = FaceLandmarks(
        kind="anime",
        face_box=box_of(contour),
        face_contour=contour,
        chin=(200.0, 280.0),
        eye_l=eye(240.0),
        eye_r=eye(160.0),
        brow_l=arc((240.0, 159.0), 30, 1),
        brow_r=arc((160.0, 159.0), 30, 1),
        nose=(200.0, 222.0),
        mouth_center=(200.0, 245.0),
        mouth_corners=((186.0, 245.0), (214.0, 245.0)),
        mouth_box=(186.0, 240.0, 28.0, 10.0),
        roll_deg=0.0,
        confidence=1.0,
        method="test",
    )
    return LoadedImage(rgba, "cartoon.png", has_alpha=True), face


def test_cartoon_parts_land_where_they_were_drawn():
    img, face = _cartoon()
    fg = Foreground(img.rgba[..., 3].astype(np.float32) / 255, "alpha")
    pm = segment_parts(img, fg, face)
    lab = pm.labels
    expect = {
        (200, 210): P.FACE, (145, 190): P.EYE_WHITE_R, (255, 192): P.EYE_WHITE_L,
        (160, 194): P.IRIS_R, (240, 194): P.IRIS_L, (160, 177): P.LASH_R, (240, 177): P.LASH_L,
        (160, 159): P.BROW_R, (240, 158): P.BROW_L, (200, 245): P.MOUTH, (200, 120): P.FRONT_HAIR,
        (95, 200): P.BACK_HAIR, (200, 350): P.BODY, (200, 292): P.NECK, (200, 222): P.NOSE,
    }  # fmt: skip
    got = {xy: P(int(lab[xy[1], xy[0]])).name for xy in expect}
    assert got == {xy: v.name for xy, v in expect.items()}
    assert (lab[img.rgba[..., 3] > 0] != P.BACKGROUND).all()
    assert (lab[img.rgba[..., 3] == 0] == P.BACKGROUND).all()
    again = segment_parts(img, fg, face)
    assert np.array_equal(again.labels, lab)


def _centroid(pm, *labels):
    ys, xs = np.nonzero(pm.mask(*labels))
    return (float(xs.mean()), float(ys.mean())) if len(xs) else None


def _run(path):
    img = load_image(path)
    fg = estimate_foreground(img)
    face = detect_face(img, fg)
    assert face is not None
    if fg.method != "alpha":
        fg = estimate_foreground(img, face_box=face.face_box)
    return img, fg, face, segment_parts(img, fg, face)


CASES = [
    ("anime/lambda_00.png", False),
    ("anime/waifu_00.png", True),
    ("anime/tadne_r0c3.png", False),
    ("anime/crypko_02.png", False),
    ("portraits/s42.jpg", True),
    ("portraits/s7.jpg", True),
]


@pytest.mark.parametrize(("rel", "brows_visible"), CASES)
def test_real_images_have_plausible_parts(shared_data, rel, brows_visible):
    img, fg, face, pm = _run(shared_data / rel)
    lab = pm.labels
    assert lab.shape == fg.alpha.shape and lab.dtype == np.uint8
    assert (lab[fg.alpha > 0] != P.BACKGROUND).all() and (lab[fg.alpha == 0] == P.BACKGROUND).all()
    fw = face.face_width_px
    area = {p: int((lab == p).sum()) / fw**2 for p in P}
    required = [P.FACE, P.EYE_WHITE_L, P.EYE_WHITE_R, P.IRIS_L, P.IRIS_R, P.LASH_L, P.LASH_R, P.MOUTH]
    missing = [p.name for p in required if area[p] == 0]
    assert not missing
    assert area[P.FRONT_HAIR] + area[P.BACK_HAIR] > 0.2
    assert 0.15 < area[P.FACE] < 1.5
    for p in (P.IRIS_L, P.IRIS_R, P.EYE_WHITE_L, P.EYE_WHITE_R):
        assert area[p] < 0.06
    x, y, bw, bh = face.face_box
    fc = (x + bw / 2, y + bh / 2)
    for side in ("L", "R"):
        eye = _centroid(pm, P[f"EYE_WHITE_{side}"], P[f"IRIS_{side}"], P[f"LASH_{side}"])
        assert x < eye[0] < x + bw and y < eye[1] < y + bh
        assert (eye[0] > fc[0]) == (side == "L")
        if brows_visible:
            brow = _centroid(pm, P[f"BROW_{side}"])
            assert brow is not None and brow[1] < eye[1]
    mouth = _centroid(pm, P.MOUTH)
    assert mouth[1] > face.nose[1] and abs(mouth[0] - face.nose[0]) < 0.25 * fw
    front = _centroid(pm, P.FRONT_HAIR)
    assert front is not None and front[1] < face.eye_l.center[1]
    body = _centroid(pm, P.BODY)
    if body is not None and area[P.BODY] > 0.3:
        assert body[1] > face.chin[1] - 0.2 * fw


def _pale_beside_jaw(pm, face, rgb) -> np.ndarray:
    """(H, W) bool: pale pixels (luma > 150: skin in light, pearls) beside the jaw, outside the face
    outline, between 0.25 face heights above the chin and the chin, within 0.6 FW of it."""
    import cv2

    poly = np.zeros(pm.labels.shape, np.uint8)
    cv2.fillPoly(poly, [np.round(face.face_contour).astype(np.int32)], 1)
    cx, cy = face.chin
    fw, fh = face.face_box[2], face.face_box[3]
    yy, xx = np.mgrid[: poly.shape[0], : poly.shape[1]]
    zone = (yy > cy - 0.25 * fh) & (yy < cy) & (np.abs(xx - cx) < 0.6 * fw) & (poly == 0)
    pale = rgb.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32) > 150
    return zone & pale & (pm.labels != P.BACKGROUND)


# measured: s1 93 % -> 4 % (the neck's skin and the pearl necklace beside the jaw),
# s5 99 % -> 3 %; left as hair they turned with the head and showed as strands at the jaw on AngleZ
@pytest.mark.parametrize("rel", ["portraits/s1.jpg", "portraits/s5.jpg"])
def test_neck_and_necklace_beside_a_photographs_jaw_are_not_hair(shared_data, rel):
    img, fg, face, pm = _run(shared_data / rel)
    pale = _pale_beside_jaw(pm, face, img.rgba[..., :3])
    assert pale.sum() > 0.005 * face.face_width_px**2, "there is skin or jewellery beside the jaw"
    hair = np.isin(pm.labels, (P.BACK_HAIR, P.FRONT_HAIR))
    assert hair[pale].mean() < 0.25, f"{hair[pale].mean():.0%} of the pale pixels beside the jaw are hair"


def test_a_shaded_neck_in_a_painting_is_not_hair(shared_data):
    """s9: the neck in shade is closer to the hair's colours than to the cheeks'; under the chin, across
    the middle of the face's width, it is the neck all the same (left as back hair, it turned with the
    head and drew dark strokes at the jaw on AngleZ). Measured: 64 % hair -> 10 %."""
    img, fg, face, pm = _run(shared_data / "portraits/s9.jpg")
    x, _, fw, _ = face.face_box
    cy = face.chin[1]
    yy, xx = np.mgrid[: pm.labels.shape[0], : pm.labels.shape[1]]
    neck = (yy > cy + 0.05 * fw) & (yy < cy + 0.3 * fw) & (np.abs(xx - (x + fw / 2)) < 0.3 * fw) & (fg.alpha > 0)
    assert neck.sum() > 0.05 * fw**2
    hair = np.isin(pm.labels, (P.BACK_HAIR, P.FRONT_HAIR))[neck].mean()
    assert hair < 0.25, f"{hair:.0%} of the neck under the chin is hair"


def test_a_white_cloth_ribbon_at_the_pictures_edge_is_not_back_hair(shared_data):
    """The sample tadne_r1c0: a white cloth ribbon reaches the right edge between the eye line and the chin
    (x 440-512, y 290-336 of 512). As back hair it turned with the head, and the back hair's flat fill under
    the body below it came into view on AngleZ -30. Measured: 1673 px back hair -> 0."""
    img, fg, face, pm = _run(shared_data / "anime/tadne_r1c0.png")
    k = pm.labels.shape[1] / 512
    box = pm.labels[int(290 * k) : int(336 * k), int(440 * k) :]
    assert (box == P.BODY).mean() > 0.5
    assert (box == P.BACK_HAIR).mean() < 0.02, f"{(box == P.BACK_HAIR).mean():.0%} of the ribbon is back hair"


def test_an_iris_off_its_landmark_centre_is_all_iris():
    """An iris drawn half a radius beside the landmark's iris centre: its far side (outside the
    landmark's iris zone) is iris too, not eye white (it was squeezed into the closed line as
    iris-coloured dots on tadne_r2c3 and waifu_06)."""
    import cv2

    from inference.segmentation.part_features import eye_parts
    from inference.types import EyeLandmarks, FaceLandmarks

    h = w = 120
    rgb = np.zeros((h, w, 3), np.uint8)
    rgb[:] = (250, 222, 205)  # skin
    cv2.ellipse(rgb, (60, 60), (30, 14), 0, 0, 360, (250, 250, 250), -1)  # the white
    cv2.circle(rgb, (66, 60), 12, (60, 150, 90), -1)  # the iris, 6 px right of the landmark's centre
    cv2.ellipse(rgb, (60, 60), (30, 14), 0, 180, 360, (40, 30, 30), 3)  # the upper lash
    lab = cv2.cvtColor(rgb.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)
    t = np.linspace(-1.0, 1.0, 9)
    upper = np.stack([60 + 30 * t, 60 - 14 * np.sqrt(1 - t**2)], 1).astype(np.float32)
    lower = np.stack([60 + 30 * t, 60 + 14 * np.sqrt(1 - t**2)], 1).astype(np.float32)
    eye = EyeLandmarks((60.0, 60.0), (30.0, 46.0, 60.0, 28.0), (60.0, 60.0), 12.0, upper, lower)
    face = FaceLandmarks(kind="anime", face_box=(0.0, 0.0, 120.0, 120.0), face_contour=np.zeros((0, 2), np.float32),
                         eye_l=eye, eye_r=eye, brow_l=np.zeros((2, 2), np.float32), brow_r=np.zeros((2, 2), np.float32),
                         nose=(60.0, 90.0), mouth_center=(60.0, 105.0), mouth_corners=((55.0, 105.0), (65.0, 105.0)),
                         mouth_box=(55.0, 102.0, 10.0, 6.0), roll_deg=0.0, confidence=1.0, method="test", chin=(60.0, 118.0))
    skin = np.linalg.norm(lab - lab[5, 5], axis=-1) < 6.0
    white, iris, lash = eye_parts(lab, np.ones((h, w), bool), skin, face, eye, float(lab[5, 5, 0]))
    drawn = np.zeros((h, w), np.uint8)
    cv2.circle(drawn, (66, 60), 11, 1, -1)
    drawn = drawn.astype(bool) & ~lash
    far = drawn & (np.arange(w)[None, :] > 60 + 1.1 * 12)  # outside the landmark's iris zone
    assert far.sum() > 20
    assert iris[far].mean() > 0.9, iris[far].mean()
    assert not (white & drawn).any()


def _drawn_eye_with_a_shaded_lid():
    """A drawn eye (white, dark iris, a 5-px brown upper lash) under a fringe's shadow: a 7-px band of
    pinkish lid skin over the lash with two translucent strands drawn across it, and at the outer
    corner a strand's 2-px outline on that lid skin, 5 px beside the lash (tadne_r1c0's left eye)."""
    import cv2

    h, w = 200, 220
    rgb = np.zeros((h, w, 3), np.uint8)
    rgb[:] = (250, 222, 205)  # skin
    c, ax = (110, 110), (60, 36)
    cv2.ellipse(rgb, c, (ax[0] + 6, ax[1] + 6), 0, 195, 345, (222, 176, 182), 7)  # the shaded lid band
    cv2.ellipse(rgb, c, (ax[0] + 8, ax[1] + 8), 0, 295, 340, (70, 64, 84), 2)  # the strand's outline
    cv2.ellipse(rgb, c, ax, 0, 0, 360, (250, 250, 250), -1)  # the white
    cv2.circle(rgb, c, 24, (45, 40, 95), -1)  # the iris
    cv2.ellipse(rgb, c, ax, 0, 180, 360, (70, 30, 30), 5)  # the upper lash
    for x0 in (80, 120):  # translucent strands across the lid band
        cv2.line(rgb, (x0, 62), (x0 + 10, 72), (150, 138, 160), 1)
    return rgb, c, ax


def test_lid_skin_and_strands_over_the_lash_are_not_the_eye():
    """tadne_r1c0 (the sample): the eye's non-skin blob reached over the lash into the shaded lid
    and the fringe's translucent strands drawn over it; they became eye white / iris and the closed
    eye painted them with skin, the lash runs started above the lash (its upper right became iris),
    and a strand's outline beside the lash was lash and came down with it. Now the lid, the strands
    and the outline stay face (hair) and the lash is lash."""
    import cv2

    from inference.segmentation.part_features import eye_parts
    from inference.types import EyeLandmarks, FaceLandmarks

    rgb, (cx, cy), (ax, ay) = _drawn_eye_with_a_shaded_lid()
    h, w = rgb.shape[:2]
    lab = cv2.cvtColor(rgb.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)
    t = np.linspace(-1.0, 1.0, 9)
    top = ay + 9  # the landmark lid sits on the blob's top, over the lid band (as the detector puts it)
    upper = np.stack([cx + ax * t, cy - top * np.sqrt(1 - t**2)], 1).astype(np.float32)
    lower = np.stack([cx + ax * t, cy + ay * np.sqrt(1 - t**2)], 1).astype(np.float32)
    box = (float(cx - ax), float(cy - top), float(2 * ax), float(top + ay))
    eye = EyeLandmarks((float(cx), float(cy)), box, (float(cx), float(cy)), 24.0, upper, lower)
    face = FaceLandmarks(kind="anime", face_box=(0.0, 0.0, float(w), float(h)), face_contour=np.zeros((0, 2), np.float32),
                         eye_l=eye, eye_r=eye, brow_l=np.zeros((2, 2), np.float32), brow_r=np.zeros((2, 2), np.float32),
                         nose=(110.0, 175.0), mouth_center=(110.0, 188.0), mouth_corners=((105.0, 188.0), (115.0, 188.0)),
                         mouth_box=(105.0, 185.0, 10.0, 6.0), roll_deg=0.0, confidence=1.0, method="test", chin=(110.0, 198.0))
    skin = np.linalg.norm(lab - lab[5, 5], axis=-1) < 6.0
    white, iris, lash = eye_parts(lab, np.ones((h, w), bool), skin, face, eye, float(lab[5, 5, 0]))
    eye_px = white | iris | lash

    def drawn(axes, a0, a1, thick):
        m = np.zeros((h, w), np.uint8)
        cv2.ellipse(m, (cx, cy), axes, 0, a0, a1, 1, thick)
        return m.astype(bool)

    lash_px = drawn((ax, ay), 200, 340, 3)  # the lash's core, away from its ends
    lid = np.linalg.norm(rgb.astype(np.float32) - (222, 176, 182), axis=-1) < 12
    strands = np.linalg.norm(rgb.astype(np.float32) - (150, 138, 160), axis=-1) < 12
    outline = drawn((ax + 8, ay + 8), 300, 335, 1)
    assert lid.sum() > 300 and strands.sum() > 20
    assert eye_px[lid].mean() < 0.05, f"{eye_px[lid].mean():.0%} of the lid skin is eye"
    assert eye_px[strands].mean() < 0.1, f"{eye_px[strands].mean():.0%} of the strands over the lid are eye"
    assert eye_px[outline].mean() < 0.1, f"{eye_px[outline].mean():.0%} of the strand's outline is eye"
    assert lash[lash_px].mean() > 0.9, f"only {lash[lash_px].mean():.0%} of the lash is lash ({iris[lash_px].mean():.0%} iris)"

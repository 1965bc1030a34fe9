"""Stage inputs built for tests: a synthetic character drawn with cv2, and crude inputs for real images.

``synthetic_character(size)`` draws a front-facing anime-style bust with known parts (back hair,
body, neck, face, bangs and side locks, eyes with whites, irises and lashes, brows, nose, mouth),
rendered at 2x and downsampled, so part boundaries and the silhouette are anti-aliased like real art.
It returns the four inputs of stage 5 (LoadedImage, Foreground, FaceLandmarks, PartMap).

``crude_inputs(path)`` builds the same four for a real RGBA image from the animeface boxes and a few
colour rules (a stand-in for stages 3 and 4 when testing the layer stage alone).

``composite(layers, size)`` is the pure-numpy back-to-front straight-alpha "over" used to check that
the layers reproduce the input.
"""

from __future__ import annotations

import numpy as np

from inference.types import EyeLandmarks, FaceLandmarks, Foreground, LoadedImage, PartLabel, PartMap

L = PartLabel


def _ellipse_poly(cx, cy, ax, ay, n=48):
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    return np.stack([cx + ax * np.cos(t), cy + ay * np.sin(t)], axis=1).astype(np.float32)


def synthetic_character(size: int = 512, mouth: str = "line") -> tuple[LoadedImage, Foreground, FaceLandmarks, PartMap]:
    """The four stage-5 inputs of a drawn character on a ``size`` x ``size`` transparent canvas.

    ``mouth`` is ``"line"`` (a closed smile line) or ``"chibi"`` (a big open "D" mouth, 0.33 FW wide:
    dark outline, dark red inside, a row of upper teeth and a pink tongue).
    """
    return _character(size, chibi=False, mouth=mouth)


def chibi_character(size: int = 512) -> tuple[LoadedImage, Foreground, FaceLandmarks, PartMap]:
    """The same bust with large outlined flat-colour chibi eyes: a tall white with a thick upper lash
    and an outlined lower lid, a big iris with a dark rim, pupil and two highlights, and a bang
    strand lying over the top of the right eye (it must stay when the eye closes)."""
    return _character(size, chibi=True, mouth="line")


def _chibi_eye(ell, poly, paint, rgb, lab, xx, yy, ex: float, side: str) -> EyeLandmarks:
    white_l, iris_l, lash_l = (
        (L.EYE_WHITE_L, L.IRIS_L, L.LASH_L) if side == "L" else (L.EYE_WHITE_R, L.IRIS_R, L.LASH_R))
    cy = 258.0
    white = ell(ex, cy, 34, 38)
    iris = ell(ex, cy + 6, 22, 30) & white
    paint(white, (255, 255, 255), white_l)
    rim = iris & ~ell(ex, cy + 6, 19, 27)
    inner = np.where((np.hypot((xx - ex) / 1.0, (yy - cy - 6) / 1.4) < 9)[..., None], (30, 20, 60), (120, 70, 200))
    rgb[iris], lab[iris] = inner.astype(np.uint8)[iris], int(iris_l)
    rgb[rim] = (50, 30, 90)
    for hx, hy, r in ((ex - 8, cy - 6, 6), (ex + 9, cy + 16, 3)):
        rgb[ell(hx, hy, r, r) & iris] = (255, 255, 255)
    upper = ell(ex, cy, 37, 41, 0, 195, 345, 9) | poly([(ex + 30, cy - 22), (ex + 44, cy - 30), (ex + 36, cy - 14)])
    lower = ell(ex, cy, 34, 38, 0, 60, 120, 3)
    paint(upper, (35, 20, 30), lash_l)
    paint(lower, (60, 35, 45), lash_l)
    t = np.linspace(np.pi, 2 * np.pi, 25)
    up = np.stack([ex + 34 * np.cos(t), cy + 38 * np.sin(t)], 1).astype(np.float32)
    lo = np.stack([ex + 34 * np.cos(t[::-1]), cy - 38 * np.sin(t[::-1])], 1).astype(np.float32)
    return EyeLandmarks((ex, cy), (ex - 34.0, cy - 38.0, 68.0, 76.0), (ex, cy + 6), 22.0, up, lo)


def _character(size: int, chibi: bool, mouth: str) -> tuple[LoadedImage, Foreground, FaceLandmarks, PartMap]:
    import cv2

    k = 2 * size / 512.0  # drawing scale (2x supersampling)
    n = 2 * size
    rgb = np.zeros((n, n, 3), np.uint8)
    lab = np.zeros((n, n), np.uint8)

    def paint(mask, color, label):
        rgb[mask] = color
        lab[mask] = int(label)

    def ell(cx, cy, ax, ay, angle=0, a0=0, a1=360, thick=-1):
        m = np.zeros((n, n), np.uint8)
        cv2.ellipse(
            m,
            (int(cx * k), int(cy * k)),
            (int(ax * k), int(ay * k)),
            angle,
            a0,
            a1,
            1,
            thick if thick < 0 else int(thick * k),
        )
        return m.astype(bool)

    def poly(pts):
        m = np.zeros((n, n), np.uint8)
        cv2.fillPoly(m, [np.round(np.asarray(pts) * k).astype(np.int32)], 1)
        return m.astype(bool)

    yy, xx = np.mgrid[0:n, 0:n] / k
    stripes = (np.sin(xx * 0.35) * 12).astype(np.int16)[..., None]
    back = ell(256, 200, 150, 165) | poly([(110, 200), (402, 200), (410, 430), (102, 430)])
    rgb_hair = np.clip(np.array([110, 70, 140], np.int16) + stripes, 0, 255).astype(np.uint8)
    rgb[back], lab[back] = rgb_hair[back], int(L.BACK_HAIR)
    paint(
        poly([(100, 512), (140, 410), (372, 410), (412, 512)]) | ell(256, 430, 130, 40), (60, 90, 170), L.BODY
    )
    paint(poly([(236, 430), (256, 470), (276, 430)]), (240, 240, 245), L.BODY)
    paint(poly([(226, 290), (286, 290), (288, 425), (256, 432), (224, 425)]), (232, 198, 184), L.NECK)
    face = ell(256, 230, 92, 108)
    paint(face, (250, 226, 212), L.FACE)
    paint(ell(256, 290, 3, 4), (222, 170, 160), L.NOSE)
    if mouth == "chibi":
        d_shape = poly([(226, 296), (286, 296)] + [(256 + 30 * np.cos(t), 296 + 22 * np.sin(t))
                                                   for t in np.linspace(0, np.pi, 24)])
        paint(d_shape, (70, 25, 35), L.MOUTH)
        inner = poly([(230, 299), (282, 299)] + [(256 + 26 * np.cos(t), 299 + 17 * np.sin(t))
                                                 for t in np.linspace(0, np.pi, 24)])
        paint(inner, (150, 40, 60), L.MOUTH)
        paint(inner & ell(256, 314, 15, 6), (232, 120, 132), L.MOUTH)
        paint(inner & poly([(236, 298), (276, 298), (274, 303), (238, 303)]), (246, 244, 240), L.MOUTH)  # upper teeth
    else:
        paint(ell(256, 300, 16, 10, 0, 20, 160, 3), (160, 60, 70), L.MOUTH)
    eyes = {}
    for side, ex in (("R", 208.0), ("L", 304.0)) if chibi else ():
        eyes[side] = _chibi_eye(ell, poly, paint, rgb, lab, xx, yy, ex, side)
        paint(ell(eyes[side].center[0], 206, 22, 6, 0, 200, 340, 4), (90, 55, 100), L.BROW_L if side == "L" else L.BROW_R)
    for side, ex in () if chibi else (("R", 212), ("L", 300)):
        white = ell(ex, 252, 25, 19)
        iris = ell(ex, 250, 15, 19) & white
        lash = ell(ex, 252, 27, 21, 0, 190, 350, 6)
        paint(white, (252, 252, 255), L.EYE_WHITE_L if side == "L" else L.EYE_WHITE_R)
        iris_rgb = np.where(
            (np.hypot(xx - ex, yy - 252) < 6)[..., None], (25, 40, 90), (60, 120, 200)
        ).astype(np.uint8)
        rgb[iris], lab[iris] = iris_rgb[iris], int(L.IRIS_L if side == "L" else L.IRIS_R)
        hl = ell(ex - 5, 243, 3, 3) & iris
        rgb[hl] = (255, 255, 255)
        paint(lash, (40, 25, 30), L.LASH_L if side == "L" else L.LASH_R)
        brow = ell(ex, 222, 22, 8, 0, 200, 340, 4)
        paint(brow, (90, 55, 100), L.BROW_L if side == "L" else L.BROW_R)
        eyes[side] = EyeLandmarks(
            center=(float(ex), 252.0),
            box=(ex - 25.0, 233.0, 50.0, 38.0),
            iris_center=(float(ex), 250.0),
            iris_radius=15.0,
            upper_lid=_ellipse_poly(ex, 252, 25, 19)[24:][::-1],
            lower_lid=_ellipse_poly(ex, 252, 25, 19)[:25][::-1],
        )
    zig = [(146, 205)] + [(166 + 18 * i, 185 + (14 if i % 2 else 0)) for i in range(11)] + [(366, 205)]
    bangs = ell(256, 205, 114, 125) & poly([(140, 60), (372, 60)] + zig[::-1])
    locks = poly([(150, 180), (178, 180), (172, 340), (158, 350)]) | poly(
        [(334, 180), (362, 180), (354, 350), (340, 340)]
    )
    front = bangs | locks
    if chibi:  # a strand over the top of the right eye
        front |= poly([(196, 190), (206, 190), (214, 236), (206, 240)])
    rgb_front = np.clip(np.array([130, 85, 160], np.int16) + stripes, 0, 255).astype(np.uint8)
    rgb[front], lab[front] = rgb_front[front], int(L.FRONT_HAIR)
    fg = lab > 0
    rgba = np.dstack([rgb, fg.astype(np.uint8) * 255])
    prem = rgba.astype(np.float32)
    prem[..., :3] *= prem[..., 3:4] / 255.0
    small = cv2.resize(prem, (size, size), interpolation=cv2.INTER_AREA)
    a = small[..., 3]
    out = np.zeros((size, size, 4), np.uint8)
    out[..., :3] = np.clip(np.round(small[..., :3] * 255.0 / np.maximum(a, 1e-3)[..., None]), 0, 255)
    out[..., 3] = np.clip(np.round(a), 0, 255)
    labels = lab[1::2, 1::2].copy()
    labels[out[..., 3] == 0] = 0
    labels[(out[..., 3] > 0) & (labels == 0)] = int(L.BACK_HAIR)  # AA fringe outside the 2x label
    s = size / 512.0
    landmarks = _scale_landmarks(_synthetic_landmarks(eyes, mouth), s)
    return (
        LoadedImage(out, "synthetic", True),
        Foreground(out[..., 3].astype(np.float32) / 255.0, "alpha"),
        landmarks,
        PartMap(labels, "synthetic"),
    )


def _synthetic_landmarks(eyes, mouth: str = "line") -> FaceLandmarks:
    if mouth == "chibi":
        centre, corners, box = (256.0, 306.0), ((226.0, 296.0), (286.0, 296.0)), (226.0, 296.0, 60.0, 22.0)
    else:
        centre, corners, box = (256.0, 306.0), ((240.0, 304.0), (272.0, 304.0)), (240.0, 298.0, 32.0, 12.0)
    return FaceLandmarks(
        kind="anime",
        face_box=(164.0, 122.0, 184.0, 216.0),
        face_contour=_ellipse_poly(256, 230, 92, 108),
        chin=(256.0, 338.0),
        eye_l=eyes["L"],
        eye_r=eyes["R"],
        brow_l=np.array([[280, 216], [300, 214], [320, 216]], np.float32),
        brow_r=np.array([[192, 216], [212, 214], [232, 216]], np.float32),
        nose=(256.0, 290.0),
        mouth_center=centre,
        mouth_corners=corners,
        mouth_box=box,
        roll_deg=0.0,
        confidence=1.0,
        method="synthetic",
    )


def _scale_landmarks(f: FaceLandmarks, s: float) -> FaceLandmarks:
    def sc(v):
        return tuple(float(x) * s for x in v)

    def eye(e: EyeLandmarks) -> EyeLandmarks:
        return EyeLandmarks(
            sc(e.center), sc(e.box), sc(e.iris_center), e.iris_radius * s, e.upper_lid * s, e.lower_lid * s
        )

    return FaceLandmarks(
        f.kind,
        sc(f.face_box),
        f.face_contour * s,
        sc(f.chin),
        eye(f.eye_l),
        eye(f.eye_r),
        f.brow_l * s,
        f.brow_r * s,
        sc(f.nose),
        sc(f.mouth_center),
        (sc(f.mouth_corners[0]), sc(f.mouth_corners[1])),
        sc(f.mouth_box),
        0.0,
        1.0,
        f.method,
    )


def crude_inputs(path) -> tuple[LoadedImage, Foreground, FaceLandmarks, PartMap]:
    """Stage-5 inputs for a real RGBA image: animeface boxes plus colour rules (crude, for tests)."""
    import animeface
    from PIL import Image

    im = Image.open(path).convert("RGBA")
    rgba = np.array(im)
    det = animeface.detect(im.convert("RGB"))[0]

    def box(p):
        return (float(p.x), float(p.y), float(p.width), float(p.height))

    fx, fy, fw, fh = box(det.face.pos)
    chin = (float(det.chin.pos.x), float(det.chin.pos.y))
    mb = box(det.mouth.pos)
    eyes = {}
    for side, e in (("L", det.left_eye.pos), ("R", det.right_eye.pos)):
        b = box(e)
        c = (b[0] + b[2] / 2, b[1] + b[3] / 2)
        line = np.array([[b[0], c[1]], [b[0] + b[2], c[1]]], np.float32)
        eyes[side] = EyeLandmarks(c, b, c, b[3] / 3, line, line)
    cx, cy = fx + fw / 2, (fy + chin[1]) / 2
    contour = _ellipse_poly(cx, cy, fw * 0.5, (chin[1] - fy) / 2)
    face = FaceLandmarks(
        "anime",
        (fx, fy, fw, chin[1] - fy),
        contour,
        chin,
        eyes["L"],
        eyes["R"],
        np.zeros((0, 2), np.float32),
        np.zeros((0, 2), np.float32),
        (float(det.nose.pos.x), float(det.nose.pos.y)),
        (mb[0] + mb[2] / 2, mb[1] + mb[3] / 2),
        ((mb[0], mb[1] + mb[3] / 2), (mb[0] + mb[2], mb[1] + mb[3] / 2)),
        mb,
        0.0,
        float(det.likelihood),
        "animeface",
    )
    labels = _crude_labels(rgba, face, _rgb(det.skin.color), _rgb(det.hair.color))
    return (
        LoadedImage(rgba, str(path), True),
        Foreground(rgba[..., 3].astype(np.float32) / 255.0, "alpha"),
        face,
        PartMap(labels, "crude"),
    )


def _rgb(c) -> np.ndarray:
    return np.array([c.r, c.g, c.b], np.float32)


def _crude_labels(rgba, face: FaceLandmarks, skin, hair) -> np.ndarray:
    h, w = rgba.shape[:2]
    rgb = rgba[..., :3].astype(np.float32)
    fg = rgba[..., 3] > 0
    yy, xx = np.mgrid[0:h, 0:w] + 0.5
    fx, fy, fw, fh = face.face_box
    cx, cy = fx + fw / 2, fy + fh / 2
    in_face = ((xx - cx) / (0.5 * fw)) ** 2 + ((yy - cy) / (0.5 * fh)) ** 2 <= 1
    d_skin = np.linalg.norm(rgb - skin, axis=-1)
    d_hair = np.linalg.norm(rgb - hair, axis=-1)
    labels = np.full((h, w), int(L.BODY), np.uint8)
    hairy = (d_hair < d_skin) & (yy < face.chin[1] + 0.3 * fh)
    labels[hairy] = int(L.BACK_HAIR)
    labels[hairy & (yy < fy + 0.45 * fh) & (np.abs(xx - cx) < 0.6 * fw)] = int(L.FRONT_HAIR)
    labels[in_face & ~hairy] = int(L.FACE)
    neck = (
        ~in_face
        & (d_skin < 45)
        & (yy > face.chin[1] - 0.1 * fh)
        & (np.abs(xx - cx) < 0.3 * fw)
        & (yy < face.chin[1] + 0.5 * fh)
    )
    labels[neck] = int(L.NECK)
    lum = rgb.mean(axis=-1)
    sat = rgb.max(axis=-1) - rgb.min(axis=-1)
    for eye, (white, iris, lash) in (
        (face.eye_l, (L.EYE_WHITE_L, L.IRIS_L, L.LASH_L)),
        (face.eye_r, (L.EYE_WHITE_R, L.IRIS_R, L.LASH_R)),
    ):
        x, y, bw, bh = eye.box
        inb = (xx >= x) & (xx < x + bw) & (yy >= y - 0.15 * bh) & (yy < y + bh)
        dark = lum < 90
        bright = (lum > 215) & (sat < 30)
        labels[inb & ~dark & ~bright & (d_skin > 40)] = int(iris)
        labels[inb & bright] = int(white)
        labels[inb & dark & (yy < y + 0.45 * bh)] = int(lash)
        labels[inb & dark & (yy >= y + 0.45 * bh)] = int(iris)
    x, y, bw, bh = face.mouth_box
    inm = (xx >= x) & (xx < x + bw) & (yy >= y) & (yy < y + bh) & (d_skin > 40)
    labels[inm] = int(L.MOUTH)
    labels[~fg] = 0
    return labels


def composite(layers, size: tuple[int, int], hidden=frozenset()) -> np.ndarray:
    """(H, W, 4) float32 straight-alpha RGBA in 0..1: ``layers`` drawn back to front with "over"."""
    w, h = size
    out = np.zeros((h, w, 4), np.float32)
    for layer in layers:
        if layer.name in hidden:
            continue
        x0, y0 = int(layer.origin_px[0]), int(layer.origin_px[1])
        src = layer.image.astype(np.float32) / 255.0
        lh, lw = src.shape[:2]
        dst = out[y0 : y0 + lh, x0 : x0 + lw]
        sa, da = src[..., 3:4], dst[..., 3:4]
        oa = sa + da * (1 - sa)
        rgb = (src[..., :3] * sa + dst[..., :3] * da * (1 - sa)) / np.maximum(oa, 1e-8)
        dst[..., :3], dst[..., 3:4] = rgb, oa
    return out


def psnr_over_foreground(rgba: np.ndarray, comp: np.ndarray) -> float:
    """PSNR (dB) of the composite vs the input, both premultiplied, over pixels with input alpha > 0."""
    ref = rgba.astype(np.float32) / 255.0
    fg = ref[..., 3] > 0
    ref_p = np.concatenate([ref[..., :3] * ref[..., 3:4], ref[..., 3:4]], axis=-1)[fg]
    out_p = np.concatenate([comp[..., :3] * comp[..., 3:4], comp[..., 3:4]], axis=-1)[fg]
    mse = float(np.mean((ref_p - out_p) ** 2))
    return float("inf") if mse == 0 else 10 * np.log10(1.0 / mse)


def synthetic_chibi(size: int = 512) -> tuple[LoadedImage, Foreground, FaceLandmarks, PartMap]:
    """A flat-colour chibi with thick black outlines: the head is half the figure (issue 14).

    Flat fills (no shading), about 4 px (at 512) outlines owned by the part they surround, big eyes low in
    a wide face, a small body. Same outputs as :func:`synthetic_character`; no anti-aliasing inside
    the figure (outlines are hard), only at the silhouette.
    """
    import cv2

    n = 2 * size
    k = n / 512.0
    rgb = np.zeros((n, n, 3), np.uint8)
    lab = np.zeros((n, n), np.uint8)
    ink = (20, 16, 24)

    def shape(draw) -> np.ndarray:
        m = np.zeros((n, n), np.uint8)
        draw(m)
        return m.astype(bool)

    def ell(cx, cy, ax, ay, a0=0, a1=360, thick=-1):
        return shape(lambda m: cv2.ellipse(m, (int(cx * k), int(cy * k)), (int(ax * k), int(ay * k)), 0, a0, a1, 1,
                                           thick if thick < 0 else int(thick * k)))

    def poly(pts):
        return shape(lambda m: cv2.fillPoly(m, [np.round(np.asarray(pts) * k).astype(np.int32)], 1))

    def paint(mask, color, label, outline=9.0):
        rgb[mask], lab[mask] = color, int(label)
        if outline:
            rim = mask & ~cv2.erode(mask.astype(np.uint8), np.ones((int(outline * k),) * 2, np.uint8)).astype(bool)
            rgb[rim] = ink

    # head (back hair + face) spans y 40..300, the body 300..500: the head is half the figure
    paint(ell(256, 170, 175, 135) | poly([(96, 170), (416, 170), (430, 330), (82, 330)]), (250, 196, 90), L.BACK_HAIR)
    paint(poly([(176, 330), (336, 330), (370, 500), (142, 500)]), (90, 150, 230), L.BODY)
    paint(poly([(236, 300), (276, 300), (278, 340), (234, 340)]), (252, 220, 200), L.NECK)
    paint(ell(256, 200, 130, 110), (252, 224, 204), L.FACE)
    paint(ell(256, 268, 14, 8, 10, 170, 3), (200, 60, 70), L.MOUTH, outline=0)
    eyes = {}
    for side, ex in (("R", 198), ("L", 314)):
        white = ell(ex, 222, 30, 34)
        paint(white, (255, 255, 255), L.EYE_WHITE_L if side == "L" else L.EYE_WHITE_R, outline=0)
        iris = ell(ex, 226, 20, 28) & white
        paint(iris, (60, 160, 90), L.IRIS_L if side == "L" else L.IRIS_R, outline=0)
        rgb[ell(ex - 7, 212, 6, 6) & iris] = (255, 255, 255)
        paint(ell(ex, 222, 32, 36, 190, 350, 7), ink, L.LASH_L if side == "L" else L.LASH_R, outline=0)
        paint(ell(ex, 176, 24, 8, 200, 340, 5), ink, L.BROW_L if side == "L" else L.BROW_R, outline=0)
        eyes[side] = EyeLandmarks(
            center=(float(ex), 222.0), box=(ex - 30.0, 188.0, 60.0, 68.0), iris_center=(float(ex), 226.0),
            iris_radius=20.0, upper_lid=_ellipse_poly(ex, 222, 30, 34)[24:][::-1],
            lower_lid=_ellipse_poly(ex, 222, 30, 34)[:25][::-1],
        )
    zig = [(130, 170)] + [(150 + 21 * i, 140 + (22 if i % 2 else 0)) for i in range(11)] + [(382, 170)]
    paint(ell(256, 170, 150, 140) & poly([(90, 20), (422, 20)] + zig[::-1]), (255, 206, 100), L.FRONT_HAIR)
    fg = lab > 0
    rgba = np.dstack([rgb, fg.astype(np.uint8) * 255])
    small = cv2.resize(rgba, (size, size), interpolation=cv2.INTER_NEAREST)
    alpha = cv2.resize(fg.astype(np.float32), (size, size), interpolation=cv2.INTER_AREA)
    small[..., 3] = np.clip(np.round(alpha * 255), 0, 255).astype(np.uint8)
    labels = lab[1::2, 1::2].copy()
    labels[small[..., 3] == 0] = 0
    labels[(small[..., 3] > 0) & (labels == 0)] = int(L.BACK_HAIR)
    face = FaceLandmarks(
        kind="anime", face_box=(126.0, 90.0, 260.0, 220.0), face_contour=_ellipse_poly(256, 200, 130, 110),
        chin=(256.0, 310.0), eye_l=eyes["L"], eye_r=eyes["R"],
        brow_l=np.array([[294, 170], [314, 168], [334, 170]], np.float32),
        brow_r=np.array([[178, 170], [198, 168], [218, 170]], np.float32),
        nose=(256.0, 250.0), mouth_center=(256.0, 272.0), mouth_corners=((242.0, 270.0), (270.0, 270.0)),
        mouth_box=(242.0, 264.0, 28.0, 12.0), roll_deg=0.0, confidence=1.0, method="synthetic",
    )
    return (
        LoadedImage(small, "synthetic chibi", True),
        Foreground(small[..., 3].astype(np.float32) / 255.0, "alpha"),
        _scale_landmarks(face, size / 512.0),
        PartMap(labels, "synthetic"),
    )


HAT_RGB = (40, 150, 90)
EARRING_RGB = (235, 190, 40)


def _drawn_on(base, draw) -> tuple[LoadedImage, Foreground, FaceLandmarks, PartMap, np.ndarray]:
    """``base`` (the four inputs) with ``draw(rgb, mask)`` painting an accessory; the true mask last.
    The accessory is opaque and outlined in dark ink (2 px at 512)."""
    import cv2

    img, _, face, parts = base
    rgba = img.rgba.copy()
    m = np.zeros(rgba.shape[:2], np.uint8)
    draw(m)
    mask = m.astype(bool)
    rim = mask & ~cv2.erode(m, np.ones((5, 5), np.uint8)).astype(bool)
    rgba[mask, 3] = 255
    labels = parts.labels.copy()
    return (LoadedImage(rgba, img.source, True), Foreground(rgba[..., 3].astype(np.float32) / 255.0, "alpha"), face,
            PartMap(labels, parts.method), mask), rim


def synthetic_with_hat(size: int = 512) -> tuple[LoadedImage, Foreground, FaceLandmarks, PartMap, np.ndarray]:
    """:func:`synthetic_character` wearing a green cap (a dome over the crown and a brim over the
    bangs, above the face); the fifth output is the cap's (H, W) bool mask, labelled HAT in the part map."""
    import cv2

    s = size / 512.0

    def draw(m):
        cv2.ellipse(m, (int(256 * s), int(100 * s)), (int(125 * s), int(72 * s)), 0, 180, 360, 1, -1)
        cv2.ellipse(m, (int(256 * s), int(102 * s)), (int(136 * s), int(14 * s)), 0, 0, 360, 1, -1)

    return _paint_accessory(synthetic_character(size), draw, HAT_RGB, L.HAT)


def synthetic_with_earrings(size: int = 512) -> tuple[LoadedImage, Foreground, FaceLandmarks, PartMap, np.ndarray]:
    """:func:`synthetic_character` wearing two round gold earrings beside the jaw, between the side
    locks and the cheeks; the fifth output is their (H, W) bool mask, labelled EARRING in the part map."""
    import cv2

    s = size / 512.0

    def draw(m):
        for x in (182, 330):
            cv2.circle(m, (int(x * s), int(306 * s)), int(7 * s), 1, -1)

    return _paint_accessory(synthetic_character(size), draw, EARRING_RGB, L.EARRING)


def _paint_accessory(base, draw, rgb, label):
    (img, fg, face, parts, mask), rim = _drawn_on(base, draw)
    img.rgba[mask, :3] = rgb
    img.rgba[rim, :3] = (30, 25, 30)
    parts.labels[mask] = int(label)
    return img, fg, face, parts, mask

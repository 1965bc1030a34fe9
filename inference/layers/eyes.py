"""Eye geometry and the eye-specific parts of stage 5 (shared ``rigging.md`` 1 and 6).

- :class:`EyeShape`: the eye opening of one eye at rest, as two curves across the eye (the top edge
  under the upper lash, the bottom edge on the lower lid) and the closed-eye line where the lids
  meet, about two thirds down the eye (``MEET_FRACTION``) and curved like the lower lid. The cut
  paints the lid line along it and the blink recipes bring the lashes and the white onto it, so both
  agree on one line.
- :func:`split_lashes`: the LASH label split into the upper lash (with the lid line) and the lower lash.
- :func:`complete_under_eyes`: the face skin under each eye repainted from the skin around it
  (a membrane / Laplace fill at full resolution, so the surrounding shading continues smoothly and
  a closed eye shows no patch, halo or rectangle of a different skin tone).

Everything is in canvas px (+y down); masks are (H, W) bool.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from inference.layers.eye_crop import shapes_on_eye_crop
from inference.types import EyeLandmarks

if TYPE_CHECKING:
    from inference.layers.cut import Scene
    from inference.types import CutLayer, FaceLandmarks

MEET_FRACTION = 0.69
"""Where the lids meet, from the top of the opening, in opening heights (rigging.md 6)."""
MEMBRANE_MAX_PX = 2500
"""Unknowns above which the membrane fill is solved on a coarser grid (it is smooth anyway)."""
MIN_SAG = 0.06
"""Least downward (∪) sag of the closed line at the centre, in eye heights."""


@dataclass(frozen=True, slots=True)
class EyeShape:
    """One eye's opening at rest, canvas px.

    ``x0``/``x1`` are the corners; ``top``/``bottom`` quadratic coefficients (highest power first)
    of y as a function of ``u = (x - cx) / half_width`` in [-1, 1]; ``lash_px`` the upper lash's
    typical thickness.
    """

    x0: float
    x1: float
    top: tuple[float, float, float]
    bottom: tuple[float, float, float]
    lash_px: float

    @property
    def cx(self) -> float:
        return 0.5 * (self.x0 + self.x1)

    @property
    def width(self) -> float:
        return max(1.0, self.x1 - self.x0)

    @property
    def height(self) -> float:
        """Opening height at the centre (px, ≥ 1)."""
        return max(1.0, float(np.polyval(self.bottom, 0.0) - np.polyval(self.top, 0.0)))

    def u(self, x) -> np.ndarray:
        return np.clip((np.asarray(x, np.float64) - self.cx) / (0.5 * self.width), -1.0, 1.0)

    def top_y(self, x) -> np.ndarray:
        return np.polyval(self.top, self.u(x))

    def bottom_y(self, x) -> np.ndarray:
        u = self.u(x)
        return np.maximum(np.polyval(self.bottom, u), np.polyval(self.top, u))

    def meet_y(self, x) -> np.ndarray:
        """y of the closed-eye line: a parabola through the two corners and the meeting point."""
        u = self.u(x)
        left, right = float(self.top_y(self.x0)), float(self.top_y(self.x1))
        left = left + MEET_FRACTION * float(self.bottom_y(self.x0) - left)
        right = right + MEET_FRACTION * float(self.bottom_y(self.x1) - right)
        t0 = float(self.top_y(self.cx))
        mid = t0 + MEET_FRACTION * (float(self.bottom_y(self.cx)) - t0)
        mid = max(mid, 0.5 * (left + right) + MIN_SAG * self.height)
        chord = 0.5 * (left + right) + 0.5 * (right - left) * u
        return chord + (mid - 0.5 * (left + right)) * (1.0 - u * u)

    def meet_path(self, n: int = 24) -> np.ndarray:
        """(n, 2) float64 points of the closed-eye line, corner to corner."""
        xs = np.linspace(self.x0, self.x1, n)
        return np.stack([xs, self.meet_y(xs)], axis=1)


def _fit(u: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[float, float, float]:
    if len(u) >= 6 and float(np.ptp(u)) > 0.5:
        return tuple(float(c) for c in np.polyfit(u, y, 2, w=w))
    return (0.0, 0.0, float(np.median(y)) if len(y) else 0.0)


def eye_shape(opening: np.ndarray, upper: np.ndarray, lower: np.ndarray, eye: EyeLandmarks) -> EyeShape:
    """The :class:`EyeShape` of one eye from its visible masks (canvas frame).

    ``opening`` = eye white | iris; ``upper`` / ``lower`` = the lash layers. Columns hidden by hair
    are bridged by the fit; an eye with no visible opening (drawn closed) gets a zero-height opening
    under the lash's bottom edge; with no pixels at all the landmark lids are used.
    """
    ex, ey, ew, eh = (float(v) for v in eye.box)
    cols = np.flatnonzero(opening.any(axis=0))
    lash_cols = np.flatnonzero(upper.any(axis=0))
    lash_px = 2.0
    if lash_cols.size:  # the thickness over the middle half (the ends run steeply down the corners)
        mid = lash_cols[len(lash_cols) // 4 : max(len(lash_cols) // 4 + 1, 3 * len(lash_cols) // 4)]
        lash_px = float(max(1.5, np.median(upper[:, mid].sum(axis=0))))
    if cols.size >= 4:
        x0, x1 = float(cols[0]), float(cols[-1] + 1)
        sub = opening[:, cols]
        top = sub.argmax(axis=0).astype(np.float64)
        bot = (sub.shape[0] - 1 - sub[::-1].argmax(axis=0)).astype(np.float64) + 1.0
        xs = cols + 0.5
    elif lash_cols.size >= 4:  # drawn closed: the lash is the line
        x0, x1 = float(lash_cols[0]), float(lash_cols[-1] + 1)
        sub = upper[:, lash_cols]
        bot = (sub.shape[0] - 1 - sub[::-1].argmax(axis=0)).astype(np.float64) + 1.0
        top = bot - 1.0
        xs = lash_cols + 0.5
    else:
        x0, x1 = ex, ex + ew
        xs = np.linspace(x0, x1, 16)
        top = np.interp(xs, eye.upper_lid[:, 0], eye.upper_lid[:, 1])
        bot = np.interp(xs, eye.lower_lid[:, 0], eye.lower_lid[:, 1])
    cx, hw = 0.5 * (x0 + x1), max(0.5, 0.5 * (x1 - x0))
    u = np.clip((xs - cx) / hw, -1.0, 1.0)
    w = np.ones_like(u)
    shape = EyeShape(x0, x1, _fit(u, top, w), _fit(u, bot, w), lash_px)
    return shape


def eye_shapes(face: FaceLandmarks, masks: dict[str, np.ndarray]) -> dict[str, EyeShape]:
    """``{"L": EyeShape, "R": EyeShape}`` from canvas-frame visible masks keyed by layer name."""
    shape = next(iter(masks.values())).shape if masks else (1, 1)
    empty = np.zeros(shape, bool)
    out = {}
    for side, eye in (("L", face.eye_l), ("R", face.eye_r)):
        m = {n: masks.get(n + side, empty) for n in ("EyeWhite", "Iris", "LashUpper", "LashLower")}
        out[side] = eye_shape(m["EyeWhite"] | m["Iris"], m["LashUpper"], m["LashLower"], eye)
    return out


def shapes_from_layers(face: FaceLandmarks, layers: list[CutLayer], canvas_size: tuple[int, int]) -> dict[str, EyeShape]:
    """:func:`eye_shapes` from cut layers (their crop-local ``visible_mask`` placed on the canvas part
    the eye layers cover: :func:`inference.layers.eye_crop.shapes_on_eye_crop`)."""
    return shapes_on_eye_crop(face, layers, canvas_size, eye_shapes)


def split_lashes(lash: np.ndarray, eye: EyeLandmarks) -> tuple[np.ndarray, np.ndarray]:
    """(upper, lower) lash masks: LASH pixels below the middle of the opening are the lower lash.

    Only components lying wholly below the middle count as lower, so an upper lash whose tail runs
    down the outer corner stays whole.
    """
    import cv2

    if not lash.any() or len(eye.lower_lid) < 2 or len(eye.upper_lid) < 2:
        return lash, np.zeros_like(lash)
    ys, xs = np.nonzero(lash)
    up = np.interp(xs, eye.upper_lid[:, 0], eye.upper_lid[:, 1])
    lo = np.interp(xs, eye.lower_lid[:, 0], eye.lower_lid[:, 1])
    below = ys > 0.5 * (up + lo)
    n, comp = cv2.connectedComponents(lash.astype(np.uint8), connectivity=8)
    c = comp[ys, xs]
    upper_ids = np.unique(c[~below])
    lower = lash.copy()
    lower[ys[np.isin(c, upper_ids)], xs[np.isin(c, upper_ids)]] = False
    return lash & ~lower, lower


def synthesise_eye_part(name: str, scene: Scene, lash_default) -> tuple[np.ndarray, tuple[float, float]] | None:
    """(image, origin) of the synthesised ``LidLineL/R`` (the closed-eye line in the upper lash's
    median colour, ``lash_default`` RGB when it has none) or ``EyelidL/R`` (:func:`eyelid_skin`)."""
    from inference.layers.completion import median_color
    from inference.layers.synthesis import lid_line

    side = name[-1]
    if name.startswith("Eyelid"):
        return eyelid_skin(scene, side, scene.face.kind == "real")
    upper = scene.vis("LashUpper" + side)
    color = median_color(scene.rgb, upper if upper.any() else scene.vis("LashLower" + side), lash_default)
    path, lash_px = eye_line_path(scene, side)
    return lid_line(path, lash_px, color, (scene.shape[1], scene.shape[0]))


def eye_line_path(scene: Scene, side: str) -> tuple[np.ndarray, float]:
    """((P, 2) closed-eye line, lash thickness px) of eye ``side`` of a cut scene."""
    masks = {n: scene.vis(n + side) for n in ("EyeWhite", "Iris", "LashUpper", "LashLower")}
    eye = scene.face.eye_l if side == "L" else scene.face.eye_r
    shape = eye_shape(masks["EyeWhite"] | masks["Iris"], masks["LashUpper"], masks["LashLower"], eye)
    # across the full eye: corner to corner of the opening or of the lash (at most 5 % wider)
    cols = np.flatnonzero((masks["LashUpper"] | masks["EyeWhite"] | masks["Iris"]).any(axis=0))
    x0, x1 = (min(shape.x0, cols[0]), max(shape.x1, cols[-1] + 1.0)) if cols.size else (shape.x0, shape.x1)
    x0, x1 = max(x0, shape.x0 - 0.05 * shape.width), min(x1, shape.x1 + 0.05 * shape.width)
    xs = np.linspace(x0, x1, max(8, int(x1 - x0)))
    return np.stack([xs, shape.meet_y(xs)], axis=1), shape.lash_px


def complete_under_eyes(scene: Scene, target: np.ndarray, colors: np.ndarray) -> np.ndarray:
    """The Face layer's completed ``colors`` (T, 3) uint8 (``np.nonzero(target)`` order) with the
    pixels under each eye repainted by a membrane fill from the skin around the eye.

    The eye zone is the eye's parts grown by a third of the eye height; known values are the visible
    face pixels around it, minus dark or saturated outliers (lid creases, lash anti-aliasing) that
    would streak into the fill.
    """
    from inference.layers.completion import dilate, mask_box

    order = np.full(scene.shape, -1, np.int64)  # pixel -> its row in ``colors``
    order[target] = np.arange(len(colors))
    out = colors.astype(np.float32)
    face_vis = scene.vis("Face")
    changed = False
    for side in ("L", "R"):
        parts = scene.vis("EyeWhite" + side) | scene.vis("Iris" + side) | scene.vis("LashUpper" + side)
        parts |= scene.vis("LashLower" + side)
        box = mask_box(parts)
        if box is None:
            continue
        eh = max(2, box[3] - box[1])
        zone = dilate(parts, max(2.0, eh / 3.0)) & target
        if zone.sum() < 4:
            continue
        filled = _membrane(scene.rgb, face_vis, zone, pad=max(4, eh // 2))
        if filled is not None:
            out[order[zone]] = filled
            changed = True
    if not changed:
        return colors
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


def _membrane(rgb: np.ndarray, known: np.ndarray, zone: np.ndarray, pad: int) -> np.ndarray | None:
    """(Z, 3) float32 colours of the ``zone`` pixels: the harmonic interpolation of the ``known``
    pixels around them (4-neighbour Laplace, Neumann where neither known nor zone), solved on a
    coarser grid when the zone has more than ``MEMBRANE_MAX_PX`` pixels."""
    import cv2

    from inference.layers.completion import erode, mask_box

    x0, y0, x1, y1 = mask_box(zone, pad=pad)
    kn = erode(known[y0:y1, x0:x1], 1)
    z = zone[y0:y1, x0:x1]
    crop = rgb[y0:y1, x0:x1].astype(np.float32)
    if kn.sum() < 8:
        return None
    # drop outliers of the skin around the eye (creases, lash remnants): far from the local median
    med = np.median(crop[kn], axis=0)
    dev = np.linalg.norm(crop - med, axis=-1)
    kn &= dev < 2.5 * (float(np.percentile(dev[kn], 60)) + 6.0)
    unknown = (z | known[y0:y1, x0:x1]) & ~kn
    if kn.sum() < 8:
        return None
    f = int(np.ceil(np.sqrt(unknown.sum() / MEMBRANE_MAX_PX)))
    if f <= 1:
        full = _solve(crop, kn, unknown)
        return None if full is None else full[z]
    h0, w0 = z.shape
    size = (max(2, w0 // f), max(2, h0 // f))
    wk = cv2.resize(kn.astype(np.float32), size, interpolation=cv2.INTER_AREA)
    ck = cv2.resize(crop * kn[..., None], size, interpolation=cv2.INTER_AREA)
    small_kn = wk > 0.6
    small_rgb = np.where(small_kn[..., None], ck / np.maximum(wk, 1e-6)[..., None], 0.0).astype(np.float32)
    small_u = (cv2.resize(unknown.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST) > 0) | (
        (wk > 0) & ~small_kn)
    sol = _solve(small_rgb, small_kn, small_u)
    if sol is None:
        return None
    return cv2.resize(sol, (w0, h0), interpolation=cv2.INTER_LINEAR)[z]


def _solve(crop: np.ndarray, kn: np.ndarray, unknown: np.ndarray) -> np.ndarray | None:
    """(h, w, 3) float32: ``crop`` with the ``unknown`` pixels replaced by the harmonic interpolation
    of the ``kn`` pixels (4-neighbour Laplace; a weak pull to the known median keeps islands regular)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.linalg import spsolve

    unknown = unknown & ~kn
    if kn.sum() < 4:
        return None
    med = np.median(crop[kn], axis=0)
    h, w = unknown.shape
    idx = -np.ones((h, w), np.int64)
    uy, ux = np.nonzero(unknown)
    n = len(uy)
    idx[uy, ux] = np.arange(n)
    rows, cols, vals = [np.arange(n)], [np.arange(n)], []
    diag = np.zeros(n, np.float64)
    rhs = np.zeros((n, 3), np.float64)
    for dy, dx in ((0, 1), (0, -1), (1, 0), (-1, 0)):
        ny, nx = uy + dy, ux + dx
        inside = (ny >= 0) & (ny < h) & (nx >= 0) & (nx < w)
        nyc, nxc = np.clip(ny, 0, h - 1), np.clip(nx, 0, w - 1)
        is_u = inside & unknown[nyc, nxc]
        is_k = inside & kn[nyc, nxc]
        diag += is_u | is_k
        rows.append(np.flatnonzero(is_u))
        cols.append(idx[nyc[is_u], nxc[is_u]])
        rhs[is_k] += crop[nyc[is_k], nxc[is_k]]
    vals = [None] * len(rows)
    vals[0] = diag + 1e-4  # a weak pull to the median keeps zone pieces cut off from the skin regular
    rhs += 1e-4 * med
    for i in range(1, len(rows)):
        vals[i] = -np.ones(len(rows[i]))
    a = coo_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n)).tocsc()
    sol = spsolve(a, rhs) if n else np.zeros((0, 3))
    full = crop.astype(np.float32).copy()
    full[uy, ux] = np.asarray(sol, np.float32).reshape(n, 3)
    return full


UPPER_LID_H = 0.18
"""Height of the upper-lid skin band above the opening, in opening heights."""
LOWER_LID_H = 0.35
"""Height of the lower-lid skin band below the opening (photos only), in opening heights."""


def lid_bands_px(shape: EyeShape) -> tuple[float, float]:
    """(upper, lower) lid-skin band heights of an eye, px; the upper band reaches over the lash to
    the skin above it."""
    return max(2.0, UPPER_LID_H * shape.height) + shape.lash_px, max(2.0, LOWER_LID_H * shape.height)


def eyelid_skin(scene: Scene, side: str, real: bool) -> tuple[np.ndarray, tuple[float, float]] | None:
    """The lid skin of eye ``side``: the band of face skin just above the opening (and, on photos,
    the band just below it), which the blink stretches over the eye (rigging.md 1, "lid-skin pieces
    that cover the eye as it closes").

    Returns ((h, w, 4) uint8 RGBA straight alpha, origin (x, y) canvas px) or None. The band's
    pixels are the input's where the face skin is visible and clean, and a membrane fill from it
    elsewhere (under the lash, brows or hair; dark creases; anti-aliased edges). The rig hides it
    while the eye is open.
    """
    from inference.layers.completion import bleed, mask_box

    masks = {n: scene.vis(n + side) for n in ("EyeWhite", "Iris", "LashUpper", "LashLower")}
    opening = masks["EyeWhite"] | masks["Iris"]
    if not opening.any():
        return None
    eye = scene.face.eye_l if side == "L" else scene.face.eye_r
    shape = eye_shape(opening, masks["LashUpper"], masks["LashLower"], eye)
    up_h, lo_h = lid_bands_px(shape)
    h, w = scene.shape
    xs = np.arange(max(0, int(shape.x0)), min(w, int(np.ceil(shape.x1))))
    if xs.size < 2:
        return None
    yy = np.arange(h)[:, None]
    top = shape.top_y(xs + 0.5)[None, :]
    band = np.zeros((h, w), bool)
    band[:, xs] = (yy >= top - up_h) & (yy < top + 1.0)
    if real:
        bot = shape.bottom_y(xs + 0.5)[None, :]
        band[:, xs] |= (yy >= bot - 1.0) & (yy < bot + lo_h)
    from inference.layers.names import LAYER_NAMES

    # only over the face and what lies on it: never over hair or body drawn behind the face
    band &= ~opening & (scene.alpha > 0) & (scene.rank >= LAYER_NAMES.index("Face"))
    box = mask_box(band, pad=2)
    if box is None:
        return None
    from inference.layers.completion import erode

    face_vis = scene.vis("Face")
    colors = scene.rgb.astype(np.float32)
    # skin next to hair, lash or brow carries their anti-aliased edges, and lid creases are dark:
    # both would be dragged over the eye, so they are repainted from the clean skin around them
    # (photos keep their lid texture, creases included: only the edge pixels are repainted)
    clean = erode(face_vis, 1 if real else 2)
    lum = colors @ np.array([0.299, 0.587, 0.114], np.float32)
    if not real and (clean & band).sum() >= 8:
        clean &= lum > float(np.median(lum[clean & band])) - 28.0
    hidden = band & ~clean
    if hidden.any():
        filled = _membrane(scene.rgb, clean, hidden, pad=max(4, int(up_h)))
        if filled is not None:
            colors[hidden] = filled
    x0, y0, x1, y1 = box
    image = np.zeros((y1 - y0, x1 - x0, 4), np.uint8)
    image[..., :3] = np.clip(np.round(colors[y0:y1, x0:x1]), 0, 255).astype(np.uint8)
    # feathered ends and top edge, so the stretched skin shows no rectangle
    fx = np.clip(np.minimum(xs - shape.x0, shape.x1 - xs) / max(2.0, 0.15 * shape.width), 0.0, 1.0)
    feather = np.ones((h, w), np.float32)
    feather[:, xs] = np.minimum(fx[None, :], np.clip((yy - (top - up_h)) / 2.0, 0.0, 1.0))
    image[..., 3] = np.where(band[y0:y1, x0:x1], np.round(255 * feather[y0:y1, x0:x1]), 0).astype(np.uint8)
    bleed(image)
    return image, (float(x0), float(y0))

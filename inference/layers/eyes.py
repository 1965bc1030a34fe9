"""Eye geometry and the eye-specific parts of stage 5 (shared ``rigging.md`` 1 and 6).

- :class:`EyeShape`: the eye opening of one eye at rest, as two curves across the eye (the top edge
  under the upper lash, the bottom edge on the lower lid) and the closed-eye line where the lids
  meet, about two thirds down the eye (``MEET_FRACTION``) and curved like the lower lid. The cut
  paints the lid line along it and the blink recipes bring the lashes and the white onto it, so both
  agree on one line.
- :func:`split_lashes`: the LASH label split into the upper lash (with the lid line) and the lower lash.
- :func:`settle_drawn_closed`: an eye drawn closed (the lash is already the closed line) gets its
  stray white / iris labels back on the lash and the face, so the blink leaves it as drawn.
- :func:`settle_hidden`: an eye hidden under a strand (its few white / iris / lash labels are specks
  inside the hair) gives them back to the front hair, so they move with the strand.
- :func:`eye_line_path`: the closed-eye line of a cut eye, across its full width.

The skin painted for the eyes (the face under them, the lid skin, the drawn lid line) is in
``inference.layers.eyelid``.

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
MIN_SAG = 0.06
"""Least downward (∪) sag of the closed line at the centre, in eye heights."""


@dataclass(frozen=True, slots=True)
class EyeShape:
    """One eye's opening at rest, canvas px.

    ``x0``/``x1`` are the corners; ``top``/``bottom`` quadratic coefficients (highest power first)
    of y as a function of ``u = (x - cx) / half_width`` in [-1, 1]; ``lash_px`` the upper lash's
    typical thickness; ``closed`` True for an eye drawn closed (no opening: its lash is the closed
    line, and the blink leaves it as drawn).
    """

    x0: float
    x1: float
    top: tuple[float, float, float]
    bottom: tuple[float, float, float]
    lash_px: float
    closed: bool = False

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
    lash_px, closed = 2.0, False
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
        closed = True
    else:
        x0, x1 = ex, ex + ew
        xs = np.linspace(x0, x1, 16)
        top = np.interp(xs, eye.upper_lid[:, 0], eye.upper_lid[:, 1])
        bot = np.interp(xs, eye.lower_lid[:, 0], eye.lower_lid[:, 1])
    cx, hw = 0.5 * (x0 + x1), max(0.5, 0.5 * (x1 - x0))
    u = np.clip((xs - cx) / hw, -1.0, 1.0)
    w = np.ones_like(u)
    return EyeShape(x0, x1, _fit(u, top, w), _fit(u, bot, w), lash_px, closed)


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


CLOSED_STROKE = 0.42
"""Column thickness / width under which an eye's iris label is a stroke (a drawn closed lash), not an iris."""
CLOSED_WHITE_LUM = 8.0
"""How far (8-bit luminance) the brightest tenth of a drawn-closed eye's "white" stays below the skin."""
CLOSED_WHITE_DE = 30.0
"""A drawn-closed eye's "white" is shaded skin under the stroke: its median colour lies within this CIELAB ΔE
of the face's (tadne_r1c4 20.5 / 19.7; tadne_r1c2's open left eye, whose lavender white reads as skin and
whose "white" label is dark specks by the glasses' hinge, 46.5)."""


def settle_drawn_closed(visible: dict[str, np.ndarray], rgb: np.ndarray, side: str) -> bool:
    """Detect an eye drawn closed and move its white / iris labels where they belong, in place.

    The part labeller reads part of a drawn closed lash (a dark ∩ or ∪ stroke) as iris and the skin
    under it as eye white. An eye is drawn closed when its iris label is a thin stroke (median column
    thickness under ``CLOSED_STROKE`` of its width) and none of its "white" is brighter than the skin
    around the eye, whose colour its "white" has (``CLOSED_WHITE_DE``). Then the iris pixels join
    ``LashUpper<side>`` and the white pixels ``Face``, so :func:`eye_shape` finds no opening
    (``EyeShape.closed``) and the blink keeps the eye as drawn; pieces of those labels lying inside the
    front hair (:func:`_in_hair`) join ``FrontHair``.

    ``visible``: layer name -> (H, W) bool canvas masks (``inference.layers.cut.make_scene``);
    ``rgb``: (H, W, 3) uint8. Returns True when the eye was drawn closed.
    """
    from inference.layers.completion import mask_box

    empty = np.zeros(rgb.shape[:2], bool)
    iris, white = visible.get("Iris" + side, empty), visible.get("EyeWhite" + side, empty)
    lash = visible.get("LashUpper" + side, empty)
    cols = np.flatnonzero(iris.any(axis=0))
    if cols.size < 8 or not lash.any():
        return False
    if float(np.median(iris[:, cols].sum(axis=0))) >= CLOSED_STROKE * (cols[-1] - cols[0] + 1):
        return False
    box = mask_box(iris | white | lash, pad=max(4, int(0.25 * (cols[-1] - cols[0]))))
    near = np.zeros_like(empty)
    near[box[1] : box[3], box[0] : box[2]] = True
    skin = visible.get("Face", empty) & near
    if skin.sum() < 16:
        return False
    lum = rgb.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    skin_lum = float(np.median(lum[skin]))
    if white.sum() >= 4 and float(np.percentile(lum[white], 90)) >= skin_lum - CLOSED_WHITE_LUM:
        return False
    if white.sum() >= 4:
        from inference.masks import to_lab

        lab_w = to_lab(rgb[white][None])[0]
        lab_s = to_lab(rgb[skin][None])[0]
        if float(np.linalg.norm(np.median(lab_w, 0) - np.median(lab_s, 0))) >= CLOSED_WHITE_DE:
            return False
    hair = _in_hair(iris | lash, iris | white | lash, visible, near) | _in_hair(white, iris | white | lash, visible, near)
    visible["LashUpper" + side] = (lash | iris) & ~hair
    visible["Face"] = visible.get("Face", empty) | (white & ~hair)
    visible["FrontHair"] = visible.get("FrontHair", empty) | ((iris | white | lash) & hair)
    visible["Iris" + side], visible["EyeWhite" + side] = empty.copy(), empty.copy()
    return True


def _in_hair(pieces: np.ndarray, parts: np.ndarray, visible: dict[str, np.ndarray], near: np.ndarray) -> np.ndarray:
    """(H, W) bool: the pieces (8-connected) of ``pieces`` (dark or pale labels of a drawn-closed
    eye) whose ``HIDDEN_RING_PX`` ring, outside the eye's labels ``parts``, is more than
    ``HIDDEN_RING`` hair (front or back): the fringe's strand lines and glints over the eye box (tadne_r1c4 R,
    its landmarks on the fringe), which stay hair. ``near``: the eye's neighbourhood."""
    import cv2

    out = np.zeros_like(parts)
    if "FrontHair" not in visible or not pieces.any():
        return out
    hair = visible["FrontHair"] | visible.get("BackHair", out)  # a strand's edge line can border the back hair
    drawn = np.logical_or.reduce([m for m in visible.values()]) & ~parts
    n, comp = cv2.connectedComponents((pieces & near).astype(np.uint8), connectivity=8)
    k = 2 * HIDDEN_RING_PX + 1
    for i in range(1, n):
        piece = comp == i
        ring = (cv2.dilate(piece.astype(np.uint8), np.ones((k, k), np.uint8)) > 0) & ~piece & drawn
        if ring.any() and (ring & hair).sum() > HIDDEN_RING * ring.sum():
            out |= piece
    return out


HIDDEN_RING = 0.8
"""Share of the pixels around an eye's labels that is front hair above which the eye is hidden by hair."""
HIDDEN_RING_PX = 3
"""Width (px) of that ring."""


def settle_hidden(visible: dict[str, np.ndarray], side: str) -> bool:
    """Give the labels of an eye hidden under front hair back to ``FrontHair``, in place.

    Where a strand covers the whole eye the part labeller still finds specks of eye white, iris and
    lash inside the strand (dark streaks and pale glints of the hair). Cut as eye layers they follow
    the eye's deformers and slide off the strand when the head turns, leaving holes in the hair. The
    eye is hidden when more than ``HIDDEN_RING`` of the ``HIDDEN_RING_PX`` ring around those labels
    is front hair: then they join ``FrontHair``. Measured on the shared anime images: tadne_r5c4's
    R eye 0.92 (144 px of specks); every other eye at most 0.58.

    ``visible``: layer name -> (H, W) bool canvas masks (``inference.layers.cut.make_scene``),
    the lashes not yet split. Returns True when the eye was hidden.
    """
    import cv2

    names = [n + side for n in ("EyeWhite", "Iris", "LashUpper")]
    parts = np.zeros_like(visible["FrontHair"])
    for n in names:
        parts |= visible.get(n, parts)
    if not parts.any():
        return False
    k = 2 * HIDDEN_RING_PX + 1
    ring = (cv2.dilate(parts.astype(np.uint8), np.ones((k, k), np.uint8)) > 0) & ~parts
    ring &= np.logical_or.reduce([m for m in visible.values()])
    if not ring.any() or (ring & visible["FrontHair"]).sum() <= HIDDEN_RING * ring.sum():
        return False
    visible["FrontHair"] = visible["FrontHair"] | parts
    for n in names:
        if n in visible:
            visible[n] = np.zeros_like(parts)
    return True


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

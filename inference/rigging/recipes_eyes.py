"""Art-mesh recipes of the eyes: blink, eye smile and gaze (shared ``rigging.md`` 6).

Every eye recipe works on the eye's :class:`~inference.layers.eyes.EyeShape` (``Anchors.eyes``; the
landmark lids when the rig has none): the top edge of the opening ``top(x)``, its bottom edge
``bottom(x)`` and the closed-eye line ``meet(x)`` about two thirds down, curved like the lower lid.
At ParamEyeOpen 0:

- the upper lash (LashUpper) comes down column by column until its bottom edge lies on ``meet(x)``:
  the centre travels most, the corners stay, so the lash bends from ∩ to the closed line's ∪; its
  height above that edge flattens to ``LASH_SQUEEZE`` (``LASH_SQUEEZE_REAL`` on photos), so the
  closed eye is a line in the lash colour (tails and strands drawn above the lash come down onto it)
  with the lid skin above, not the open eye's thick lash band;
- the lower lash (LashLower) rises ``lower_rise_h`` of the opening and fades out over the last half;
- the eye white (the iris clip mask) collapses onto the line inside the lash's thickness, so the
  iris disappears through the clip; a middle key at 0.5 keeps its bottom on the lower lid while the
  top follows the lash;
- the lid skin (Eyelid: the skin band above the opening, and below it on photos) stretches with the
  lash onto the line, covering the eye;
- the drawn closed-eye line (LidLine, lying on ``meet(x)`` at rest, drawn over the upper lash so
  that the lash's pale rim squeezed onto the line does not break it) fades in over the last half.

ParamEyeSmile bends all of them into an upward arch (∩) and lifts the lower lid, only while closed
(2x2 grid, the open row identical). An eye drawn closed (``EyeShape.closed``: no opening) is left as
drawn at every key. Displacements are canvas px, +y down.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from inference.layers.eyelid import lid_bands_px
from inference.layers.eyes import EyeShape, eye_shape
from inference.rigging.context import Anchors, grid_keyforms

OPEN_KEYS = (0.0, 1.0)
BLINK_KEYS = (0.0, 0.5, 1.0)
SMILE_KEYS = (0.0, 1.0)
UNIT_KEYS = (-1.0, 0.0, 1.0)
SMILE_ARCH_H = 0.22
"""Upward arch of the closed line at EyeSmile 1, in eye heights (at the centre)."""
LASH_SQUEEZE = 0.6
"""Height of the upper lash above its bottom edge at EyeOpen 0, as a fraction of its rest height."""
LASH_INSIDE = 0.15
"""Depth kept at EyeOpen 0 by upper-lash pixels inside the opening (below its top edge), as a fraction."""
LASH_SQUEEZE_REAL = 0.5
"""The same on photos, whose lash label also holds the dark lid margin (the skin lid comes down)."""


def shape_of(a: Anchors, side: str) -> EyeShape:
    """The eye's shape from the cut layers, or from the landmark lids when the rig has none."""
    shapes = getattr(a, "eyes", None) or {}
    if side in shapes:
        return shapes[side]
    eye = a.face.eye_l if side == "L" else a.face.eye_r
    empty = np.zeros((1, 1), bool)
    return eye_shape(empty, empty, empty, eye)


def _params(side: str) -> tuple[str, str]:
    return f"ParamEye{side}Open", f"ParamEye{side}Smile"


def _arch(s: EyeShape, x: np.ndarray) -> np.ndarray:
    u = s.u(x)
    return -SMILE_ARCH_H * s.height * (1.0 - u * u)


def lash(a: Anchors, m: dict, spec: Any, pts: np.ndarray):
    """The upper lash: each column's bottom edge comes down onto the closed line, and the lash above
    it flattens to ``LASH_SQUEEZE`` of its height (a drawn closed eye stays)."""
    s = shape_of(a, spec.side)
    x, y = pts[:, 0], pts[:, 1]
    top, bottom, meet = s.top_y(x), s.bottom_y(x), s.meet_y(x)
    above = np.maximum(top - y, 0.0)  # height above the lash's bottom edge (the opening's top)
    squeeze = LASH_SQUEEZE_REAL if getattr(a.face, "kind", "anime") == "real" else LASH_SQUEEZE
    # lash drawn inside the opening (a corner's outline labelled lash) closes onto the line with it,
    # ``LASH_INSIDE`` of its depth kept, instead of hanging that far below it (beyond the bottom edge
    # and at the corners, where the opening has no height, it moves as the edge does)
    inside = np.clip(y, top, np.maximum(bottom, top)) - top
    travel = (meet - top) + (1.0 - squeeze) * above - (1.0 - LASH_INSIDE) * inside
    arch = _arch(s, x)
    if s.closed:
        travel, arch = np.zeros_like(travel), np.zeros_like(arch)
    p_open, p_smile = _params(spec.side)

    def kf(v: dict[str, float]):
        c = 1.0 - v[p_open]
        d = np.zeros_like(pts)
        d[:, 1] = c * travel + arch * c * v[p_smile]
        return d, 1.0

    return grid_keyforms([(p_open, OPEN_KEYS), (p_smile, SMILE_KEYS)], kf)


def lash_lower(a: Anchors, m: dict, spec: Any, pts: np.ndarray):
    """The lower lash rises ``lower_rise_h`` of the opening (more with the eye smile) and fades out
    over the last half of the blink, so the closed eye is one clean line."""
    s = shape_of(a, spec.side)
    x = pts[:, 0]
    rise = m["blink"]["lower_rise_h"] * (s.bottom_y(x) - s.top_y(x))
    arch = _arch(s, x)
    p_open, p_smile = _params(spec.side)

    def kf(v: dict[str, float]):
        if s.closed:  # drawn closed: part of the drawn line
            return np.zeros_like(pts), 1.0
        c = 1.0 - v[p_open]
        d = np.zeros_like(pts)
        d[:, 1] = -c * rise + c * v[p_smile] * (arch - m["eye_smile_lower_rise_h"] * s.height)
        return d, 0.0 if v[p_open] == 0.0 else 1.0  # closed: only the lid line remains

    return grid_keyforms([(p_open, BLINK_KEYS), (p_smile, SMILE_KEYS)], kf)


def eye_white(a: Anchors, m: dict, spec: Any, pts: np.ndarray):
    """The white (the iris clip mask) collapses onto the closed line, inside the lash."""
    s = shape_of(a, spec.side)
    x, y = pts[:, 0], pts[:, 1]
    top, bottom = s.top_y(x), s.bottom_y(x)
    squeeze = LASH_SQUEEZE_REAL if getattr(a.face, "kind", "anime") == "real" else LASH_SQUEEZE
    line = s.meet_y(x) - min(0.45 * squeeze * s.lash_px, 0.15 * s.height)  # inside the flattened lash
    rise = m["blink"]["lower_rise_h"] * (bottom - top)
    # each vertex moves as its place between the top and bottom edge, extrapolated beyond them (all of
    # it collapses onto the line). Beyond the corners, where top and bottom meet (under 1 px apart), t
    # is clipped and the displacement form keeps the rest identity: tadne_r5c4's white has a tail along
    # the lash there, put on the corner at rest (a 13 px cyan stroke) and stretched into a long wedge
    # down the cheek at EyeOpen 0.5.
    den = bottom - top
    t = (y - top) / np.maximum(den, 1.0)
    t = np.where(den >= 1.0, t, np.clip(t, 0.0, 1.0))
    arch = _arch(s, x)
    p_open, p_smile = _params(spec.side)

    def kf(v: dict[str, float]):
        c = 1.0 - v[p_open]
        new_top = top + c * (line - top)
        # bottom: on the lower lid up to half closed, then onto the line
        new_bottom = bottom - c * rise if c <= 0.5 else (bottom - 0.5 * rise) + (c - 0.5) * 2.0 * (
            line - (bottom - 0.5 * rise))
        d = np.zeros_like(pts)
        d[:, 1] = (1.0 - t) * (new_top - top) + t * (new_bottom - bottom) + arch * c * v[p_smile]  # 0 at rest
        return d, 1.0

    return grid_keyforms([(p_open, BLINK_KEYS), (p_smile, SMILE_KEYS)], kf)


def eyelid(a: Anchors, m: dict, spec: Any, pts: np.ndarray):
    """Lid skin: the band above the opening stretches down with the lash onto the closed line (its
    top edge stays); on photos the band below rises to meet it. Opacity 0 open, 1 from half closed."""
    s = shape_of(a, spec.side)
    x, y = pts[:, 0], pts[:, 1]
    top, bottom, meet = s.top_y(x), s.bottom_y(x), s.meet_y(x)
    up_h, lo_h = lid_bands_px(s, getattr(a.face, "kind", "anime") == "real")
    upper = y < 0.5 * (top + bottom)
    t = np.where(upper, np.clip((y - (top - up_h)) / up_h, 0.0, 1.0), np.clip((bottom + lo_h - y) / lo_h, 0.0, 1.0))
    travel = np.where(upper, meet - top, meet - bottom) * t
    arch = _arch(s, x) * t
    p_open, p_smile = _params(spec.side)

    def kf(v: dict[str, float]):
        c = 1.0 - v[p_open]
        d = np.zeros_like(pts)
        d[:, 1] = c * travel + arch * c * v[p_smile]
        return d, 0.0 if v[p_open] == 1.0 else 1.0  # hidden at rest: its skin is cleaned, not the input's

    return grid_keyforms([(p_open, BLINK_KEYS), (p_smile, SMILE_KEYS)], kf)


def lid_line(a: Anchors, m: dict, spec: Any, pts: np.ndarray):
    """The drawn closed-eye line (painted on the closed line): invisible while open, faded in as it
    closes; arched by the eye smile."""
    s = shape_of(a, spec.side)
    arch = _arch(s, pts[:, 0])
    p_open, p_smile = _params(spec.side)

    def kf(v: dict[str, float]):
        c = 1.0 - v[p_open]
        d = np.zeros_like(pts)
        d[:, 1] = arch * c * v[p_smile]
        return d, 1.0 if v[p_open] == 0.0 else 0.0  # shown only in the last half of the blink

    return grid_keyforms([(p_open, BLINK_KEYS), (p_smile, SMILE_KEYS)], kf)


def iris(a: Anchors, m: dict, spec: Any, pts: np.ndarray):
    """Gaze moves the iris group as a unit; on blink it drops slightly (the white clips it)."""
    s = shape_of(a, spec.side)
    g, b = m["gaze"], m["blink"]
    p_open, _ = _params(spec.side)

    def kf(v: dict[str, float]):
        d = np.zeros_like(pts)
        d[:, 0] = v["ParamEyeBallX"] * g["x_eye_widths"] * s.width
        d[:, 1] = -v["ParamEyeBallY"] * g["y_eye_heights"] * s.height + (1.0 - v[p_open]) * b["iris_drop_h"] * s.height
        return d, 1.0

    return grid_keyforms([("ParamEyeBallX", UNIT_KEYS), ("ParamEyeBallY", UNIT_KEYS), (p_open, OPEN_KEYS)], kf)


EYE_RECIPES = {
    "eye_white": eye_white,
    "lash": lash,
    "lash_lower": lash_lower,
    "lid_line": lid_line,
    "eyelid": eyelid,
    "iris": iris,
}

"""Art-mesh recipes: blink, eye smile, gaze, brows, mouth opening and form.

Each recipe gets the mesh's rest vertices in canvas px and returns (bindings, per-keyform
(displacement (N, 2) px, opacity)). Magnitudes: shared ``rigging.md`` 6–8 via the template.
Eye heights ``h`` and widths ``w`` are the eye opening's box from the landmarks.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from inference.rigging.context import Anchors, grid_keyforms, smoothstep
from inference.rigging.recipes_mouth import MOUTH_RECIPES

OPEN_KEYS = (0.0, 1.0)
SMILE_KEYS = (0.0, 1.0)
UNIT_KEYS = (-1.0, 0.0, 1.0)


def _eye(a: Anchors, side: str):
    eye = a.face.eye_l if side == "L" else a.face.eye_r
    x, y, w, h = eye.box
    return eye, float(x), float(y), max(float(w), 1.0), max(float(h), 1.0)


def _eye_params(side: str) -> tuple[str, str]:
    return f"ParamEye{side}Open", f"ParamEye{side}Smile"


def _smile_arch(pts: np.ndarray, cx: float, w: float, h: float, amount_h: float) -> np.ndarray:
    u = np.clip((pts[:, 0] - cx) / (w / 2.0), -1.0, 1.0)
    return -amount_h * h * (1.0 - u * u)


def eye_white(a: Anchors, m: dict, spec: Any, pts: np.ndarray):
    """The white (the iris clip mask) collapses onto the line where the lids meet."""
    _, x, y, w, h = _eye(a, spec.side)
    b = m["blink"]
    meet = y + b["meet_from_top_h"] * h
    closed = np.zeros_like(pts)
    closed[:, 1] = (meet + (pts[:, 1] - meet) * b["white_closed_height"]) - pts[:, 1]
    arch = _smile_arch(pts, x + w / 2, w, h, 0.15)
    p_open, p_smile = _eye_params(spec.side)

    def kf(v: dict[str, float]):
        c = 1.0 - v[p_open]
        d = closed * c
        d[:, 1] += arch * c * v[p_smile] - c * v[p_smile] * m["eye_smile_lower_rise_h"] * h
        return d, 1.0

    return grid_keyforms([(p_open, OPEN_KEYS), (p_smile, SMILE_KEYS)], kf)


def lash(a: Anchors, m: dict, spec: Any, pts: np.ndarray):
    """The upper lash travels down ``lash_travel_h`` of the eye height and flattens."""
    _, x, y, w, h = _eye(a, spec.side)
    b = m["blink"]
    cy = float(pts[:, 1].mean())
    closed = np.zeros_like(pts)
    closed[:, 1] = b["lash_travel_h"] * h + (pts[:, 1] - cy) * -0.3
    arch = _smile_arch(pts, x + w / 2, w, h, 0.15)
    p_open, p_smile = _eye_params(spec.side)

    def kf(v: dict[str, float]):
        c = 1.0 - v[p_open]
        d = closed * c
        d[:, 1] += arch * c * v[p_smile]
        return d, 1.0

    return grid_keyforms([(p_open, OPEN_KEYS), (p_smile, SMILE_KEYS)], kf)


def lid_line(a: Anchors, m: dict, spec: Any, pts: np.ndarray):
    """The drawn closed-eye line: invisible while the eye is open, faded in as it closes."""
    _, x, y, w, h = _eye(a, spec.side)
    arch = _smile_arch(pts, x + w / 2, w, h, 0.15)
    p_open, p_smile = _eye_params(spec.side)

    def kf(v: dict[str, float]):
        c = 1.0 - v[p_open]
        d = np.zeros_like(pts)
        d[:, 1] = arch * c * v[p_smile]
        return d, 1.0 if v[p_open] == 0.0 else 0.0  # shown only in the last half of the blink

    return grid_keyforms([(p_open, (0.0, 0.5, 1.0)), (p_smile, SMILE_KEYS)], kf)


def iris(a: Anchors, m: dict, spec: Any, pts: np.ndarray):
    """Gaze moves the iris group as a unit; on blink it drops slightly (the white clips it)."""
    _, x, y, w, h = _eye(a, spec.side)
    g, b = m["gaze"], m["blink"]
    p_open, _ = _eye_params(spec.side)

    def kf(v: dict[str, float]):
        d = np.zeros_like(pts)
        d[:, 0] = v["ParamEyeBallX"] * g["x_eye_widths"] * w
        d[:, 1] = -v["ParamEyeBallY"] * g["y_eye_heights"] * h + (1.0 - v[p_open]) * b["iris_drop_h"] * h
        return d, 1.0

    return grid_keyforms([("ParamEyeBallX", UNIT_KEYS), ("ParamEyeBallY", UNIT_KEYS), (p_open, OPEN_KEYS)], kf)


def brow(a: Anchors, m: dict, spec: Any, pts: np.ndarray):
    """BrowY raises (+1) or lowers (-1) the brow by ``brow_y_fw`` FW, a pure translation."""
    pid = f"ParamBrow{spec.side}Y"

    def kf(v: dict[str, float]):
        d = np.zeros_like(pts)
        d[:, 1] = -v[pid] * m["brow_y_fw"] * a.fw
        return d, 1.0

    return grid_keyforms([(pid, UNIT_KEYS)], kf)


def _mouth_frame(a: Anchors, pts: np.ndarray) -> tuple[float, float, float, float]:
    """(cx, cy, width, height) of the mouth from the landmarks."""
    x, y, w, h = a.face.mouth_box
    cx, cy = a.face.mouth_center
    return float(cx), float(cy), max(float(w), 2.0), max(float(h), 2.0)


def _mouth_width(mo: dict, form: float, open_: float) -> float:
    if form >= 0:
        closed_w, open_w = 1.0 + (mo["closed_smile_width"] - 1.0) * form, 1.02 + (mo["smile_width"] - 1.02) * form
    else:
        closed_w, open_w = 1.0 + (1.0 - mo["closed_pout_width"]) * form, 1.02 + (1.02 - mo["pout_width"]) * form
    return closed_w + (open_w - closed_w) * open_


def mouth_lips(a: Anchors, m: dict, spec: Any, pts: np.ndarray):
    """Lips part: the upper lip rises a little, the lower lip drops more; form widens/narrows."""
    mo = m["mouth"]
    cx, cy, w, h = _mouth_frame(a, pts)
    H = mo["open_fw"] * a.fw
    band = max(2.0, 0.25 * h)
    t = smoothstep((pts[:, 1] - cy) / band + 0.5)
    lip_dy = -(1.0 - mo["lower_share"]) * H * (1.0 - t) + mo["lower_share"] * H * t
    u = np.clip((pts[:, 0] - cx) / (w / 2.0), -1.0, 1.0)

    def kf(v: dict[str, float]):
        o, f = v["ParamMouthOpenY"], v["ParamMouthForm"]
        d = np.zeros_like(pts)
        d[:, 0] = (pts[:, 0] - cx) * (_mouth_width(mo, f, o) - 1.0)
        d[:, 1] = o * lip_dy - f * mo["corner_lift_fw"] * a.fw * u * u
        return d, 1.0

    return grid_keyforms([("ParamMouthOpenY", OPEN_KEYS), ("ParamMouthForm", UNIT_KEYS)], kf)


def mouth_interior(a: Anchors, m: dict, spec: Any, pts: np.ndarray):
    """The synthesised interior: collapsed on the lip line when closed, the opening when open."""
    mo = m["mouth"]
    cx, cy, w, h = _mouth_frame(a, pts)
    H = mo["open_fw"] * a.fw
    icx, icy = (pts[:, 0].min() + pts[:, 0].max()) / 2, (pts[:, 1].min() + pts[:, 1].max()) / 2
    iw, ih = max(float(np.ptp(pts[:, 0])), 1.0), max(float(np.ptp(pts[:, 1])), 1.0)
    open_cy = cy + (mo["lower_share"] - 0.5) * H

    def kf(v: dict[str, float]):
        o, f = v["ParamMouthOpenY"], v["ParamMouthForm"]
        sx = 0.85 * w * _mouth_width(mo, f, o) / iw
        sy = max(o, 0.02) * 1.1 * H / ih
        target = np.stack([cx + (pts[:, 0] - icx) * sx, cy + (open_cy - cy) * o + (pts[:, 1] - icy) * sy], axis=1)
        return target - pts, 1.0

    return grid_keyforms([("ParamMouthOpenY", OPEN_KEYS), ("ParamMouthForm", UNIT_KEYS)], kf)


MESH_RECIPES = {
    "eye_white": eye_white,
    "lash": lash,
    "lid_line": lid_line,
    "iris": iris,
    "brow": brow,
    "mouth_lips": mouth_lips,
    "mouth_interior": mouth_interior,
    **MOUTH_RECIPES,
}

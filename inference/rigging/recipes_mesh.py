"""Art-mesh recipes: brows, mouth opening and form (eyes: ``recipes_eyes``).

Each recipe gets the mesh's rest vertices in canvas px and returns (bindings, per-keyform
(displacement (N, 2) px, opacity)). Magnitudes: shared ``rigging.md`` 6–8 via the template.
Eye heights ``h`` and widths ``w`` are the eye opening's box from the landmarks.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from inference.rigging.context import Anchors, grid_keyforms, smoothstep
from inference.rigging.recipes_eyes import eye_white, eyelid, iris, lash, lash_lower, lid_line
from inference.rigging.recipes_mouth import MOUTH_RECIPES

OPEN_KEYS = (0.0, 1.0)
SMILE_KEYS = (0.0, 1.0)
UNIT_KEYS = (-1.0, 0.0, 1.0)


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
    "lash_lower": lash_lower,
    "lid_line": lid_line,
    "eyelid": eyelid,
    "iris": iris,
    "brow": brow,
    "mouth_lips": mouth_lips,
    "mouth_interior": mouth_interior,
    **MOUTH_RECIPES,
}

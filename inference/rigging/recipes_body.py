"""Body recipes: BodyAngleZ lean, BodyAngleX/Y and Breath on the body warp, hair sway warps.

Body parameters carry the head rigidly (shared ``rigging.md`` 9): the body warp moves uniformly
around the head pivot, so the head rotation deformer inside it translates without turning.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from inference.rigging.context import Anchors, grid_keyforms, profile, smoothstep

BODY_KEYS = (-10.0, 0.0, 10.0)
SWAY_KEYS = (-1.0, 0.0, 1.0)


def body_z(a: Anchors, m: dict, spec: Any):
    """Whole-body lean about a pivot ``pivot_below_centre_fw`` below the face centre."""
    deg = m["body_z"]["head_deg"]
    return grid_keyforms([("ParamBodyAngleZ", BODY_KEYS)], lambda v: v["ParamBodyAngleZ"] / 10.0 * deg)


def body_pivot(a: Anchors, m: dict) -> tuple[float, float]:
    return a.centre[0], a.centre[1] + m["body_z"]["pivot_below_centre_fw"] * a.fw


def body_xy_breath(a: Anchors, m: dict, spec: Any, pts: np.ndarray):
    """BodyAngleX × BodyAngleY × Breath on the lattice covering the whole character."""
    bx, by, br = m["body_x"], m["body_y"], m["breath"]
    y = pts[:, 1]
    y_top, y_bot = y.min(), y.max()
    shoulder = a.chin_y + 0.2 * a.fw
    chest = a.chin_y + 0.6 * a.fw
    # BodyAngleX: the head region moves rigidly, the chest most, the bottom little
    fx = np.where(
        y <= shoulder,
        bx["head_shift_fw"],
        np.where(
            y <= chest,
            bx["head_shift_fw"] + (bx["shoulder_shift_fw"] - bx["head_shift_fw"]) * smoothstep((y - shoulder) / (chest - shoulder)),
            profile(y, [chest, max(y_bot, chest + 1e-3)], [bx["shoulder_shift_fw"], 0.2 * bx["shoulder_shift_fw"]]),
        ),
    )
    # lean back (BodyAngleY +) and breath: everything above the shoulders rises by the full amount
    rise = profile(y, [shoulder, max(y_bot, shoulder + 1e-3)], [1.0, 0.0])
    rise = np.where(y <= shoulder, 1.0, rise)
    del y_top

    def disp(v: dict[str, float]) -> np.ndarray:
        d = np.zeros_like(pts)
        d[:, 0] = v["ParamBodyAngleX"] / 10.0 * fx * a.fw
        d[:, 1] = -(v["ParamBodyAngleY"] / 10.0 * by["rise_fw"] + v["ParamBreath"] * br["head_rise_fw"]) * rise * a.fw
        return d

    return grid_keyforms(
        [("ParamBodyAngleX", BODY_KEYS), ("ParamBodyAngleY", BODY_KEYS), ("ParamBreath", (0.0, 1.0))], disp
    )


def _tip_weight(pts: np.ndarray) -> np.ndarray:
    """0 at the top (roots) of the lattice, 1 at the bottom (tips), eased."""
    y = pts[:, 1]
    return smoothstep((y - y.min()) / max(float(np.ptp(y)), 1e-6)) ** 1.0


def sway_front(a: Anchors, m: dict, spec: Any, pts: np.ndarray):
    """Fringe sway: HairFront swings the middle strands, HairSide the outer locks; roots stay."""
    w = _tip_weight(pts)
    xr = np.abs(a.rel(pts)[:, 0])
    side = smoothstep((xr - 0.2) / 0.25)
    amp_f, amp_s = m["sway_fw"]["front"] * a.fw, m["sway_fw"]["side"] * a.fw

    def disp(v: dict[str, float]) -> np.ndarray:
        d = np.zeros_like(pts)
        d[:, 0] = w * ((1 - side) * v["ParamHairFront"] * amp_f + side * v["ParamHairSide"] * amp_s)
        return d

    return grid_keyforms([("ParamHairFront", SWAY_KEYS), ("ParamHairSide", SWAY_KEYS)], disp)


def _tip_sway(a: Anchors, m: dict, pts: np.ndarray, key: str, param: str):
    """Keyforms on ``param`` swinging the lattice's bottom ``sway_fw[key]`` FW sideways, its top still."""
    w = _tip_weight(pts)
    amp = m["sway_fw"][key] * a.fw

    def disp(v: dict[str, float]) -> np.ndarray:
        d = np.zeros_like(pts)
        d[:, 0] = w * v[param] * amp
        return d

    return grid_keyforms([(param, SWAY_KEYS)], disp)


def sway_back(a: Anchors, m: dict, spec: Any, pts: np.ndarray):
    """Back hair sway: the tips swing ``sway_fw.back`` FW, the roots stay."""
    return _tip_sway(a, m, pts, "back", "ParamHairBack")


def sway_earrings(a: Anchors, m: dict, spec: Any, pts: np.ndarray):
    """Earrings swing with the side hair's physics (HairSide): each hangs from its top (the ear lobe),
    its bottom swinging ``sway_fw.earrings`` FW; the lattice spans both, so the weight runs from the
    lattice's top to its bottom."""
    return _tip_sway(a, m, pts, "earrings", "ParamHairSide")

"""Head recipes: AngleX × AngleY parallax warps per head part, AngleZ tilt, neck follow.

Magnitudes come from the template's ``motion`` block (medians of the shared ``rigging.md`` 3–5).
Each deformer recipe returns (bindings, per-keyform values) where values are canvas-px displacements
of the deformer's rest lattice (warps) or angles in degrees (rotations).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from inference.rigging.context import Anchors, grid_keyforms, profile

ANGLE_KEYS = (-30.0, 0.0, 30.0)


def _turn_dx(a: Anchors, m: dict, pts: np.ndarray, amount_fw: float, t: float, *, per_point: bool, skin: bool) -> np.ndarray:
    """x displacement (px) of ``pts`` for a normalised turn ``t`` in [-1, 1]."""
    if t == 0.0:
        return np.zeros(len(pts))
    rel = a.rel(pts)
    xr = rel[:, 0] if per_point else np.full(len(pts), rel[:, 0].mean())
    far = xr * np.sign(t)  # + on the far side of the turn
    if skin:
        f = profile(far, m["skin_profile_x"], m["skin_profile_f"])
        chin_rel = (a.chin_y - a.centre[1]) / a.fw
        top_rel = (a.top_y - a.centre[1]) / a.fw
        gain = m["skin_height_gain"]
        f = f * profile(rel[:, 1], [top_rel, chin_rel], [gain["forehead"], gain["chin"]])
    else:
        f = profile(far, m["feature_profile_x"], m["feature_profile_f"])
    return t * amount_fw * a.fw * f


def _nod_dy(a: Anchors, amount_up_fw: float, amount_down_fw: float, t: float) -> float:
    """y displacement (px, +down) of a rigid feature for a normalised nod ``t`` (+ = up)."""
    return -t * amount_up_fw * a.fw if t >= 0 else -t * amount_down_fw * a.fw


def face_xy(a: Anchors, m: dict, spec: Any, pts: np.ndarray):
    """Face skin: a dome-shaped AngleX field (far cheek 0.44×, near 0.66× the centre) and AngleY."""
    up, down = m["angle_y_up_fw"], m["angle_y_down_fw"]
    rel_y = a.rel(pts)[:, 1]
    top_rel, chin_rel = (a.top_y - a.centre[1]) / a.fw, (a.chin_y - a.centre[1]) / a.fw

    def disp(v: dict[str, float]) -> np.ndarray:
        tx, ty = v["ParamAngleX"] / 30.0, v["ParamAngleY"] / 30.0
        d = np.zeros_like(pts)
        d[:, 0] = _turn_dx(a, m, pts, m["angle_x_fw"]["face_centre"], tx, per_point=True, skin=True)
        src = up if ty >= 0 else down
        mag = profile(rel_y, [top_rel, 0.0, chin_rel], [src["top"], src["face_centre"], src["chin"]])
        d[:, 1] = -ty * mag * a.fw
        return d

    return grid_keyforms([("ParamAngleX", ANGLE_KEYS), ("ParamAngleY", ANGLE_KEYS)], disp)


FEATURE_KEYS = {"eye_l": "eye", "eye_r": "eye", "brow": "brow", "nose": "nose", "mouth": "mouth", "front_hair": "front_hair",
                "glasses": "eye"}


def feature_xy(a: Anchors, m: dict, spec: Any, pts: np.ndarray):
    """Facial features and the fringe: shift toward the turn by depth; the far eye narrows.

    On photographs (``face.kind == "real"``) skin continues seamlessly around the features, so a
    different shift per feature would tear the skin at the feature's edge: features follow the face
    skin's own field there (the dome still narrows the far side).
    """
    if a.face.kind == "real":
        return face_xy(a, m, spec, pts)
    key = FEATURE_KEYS[spec.feature]
    amount_x = m["angle_x_fw"][key]
    up, down = m["angle_y_up_fw"][key], m["angle_y_down_fw"][key]
    per_point = spec.feature == "front_hair"
    centre = pts.mean(axis=0)

    def disp(v: dict[str, float]) -> np.ndarray:
        tx, ty = v["ParamAngleX"] / 30.0, v["ParamAngleY"] / 30.0
        d = np.zeros_like(pts)
        d[:, 0] = _turn_dx(a, m, pts, amount_x, tx, per_point=per_point, skin=False)
        if spec.feature in ("eye_l", "eye_r") and tx != 0.0:
            far = np.sign(centre[0] - a.centre[0]) == np.sign(tx)
            width = m["far_eye_width"] if far else m["near_eye_width"]
            d[:, 0] += (pts[:, 0] - centre[0]) * (width - 1.0) * abs(tx)
        d[:, 1] = _nod_dy(a, up, down, ty)
        return d

    return grid_keyforms([("ParamAngleX", ANGLE_KEYS), ("ParamAngleY", ANGLE_KEYS)], disp)


def tilt_disp(pts: np.ndarray, pivot: tuple[float, float], deg: np.ndarray | float) -> np.ndarray:
    """Displacement (px) of rotating ``pts`` about ``pivot`` by ``deg`` (clockwise on screen, +y down)."""
    ang = np.radians(deg)
    c, s = np.cos(ang), np.sin(ang)
    rel = pts - np.asarray(pivot)
    rot = np.stack([rel[:, 0] * c - rel[:, 1] * s, rel[:, 0] * s + rel[:, 1] * c], axis=1)
    return rot - rel


def _tilt_follow(a: Anchors, m: dict, pts: np.ndarray) -> np.ndarray:
    """How much of the head tilt hair follows: fully down to the chin, fading toward the tips."""
    bottom = float(pts[:, 1].max())
    start = a.chin_y + 0.1 * a.fw
    return profile(pts[:, 1], [start, max(bottom, start + 1.0)], [1.0, m["hair_tilt_follow_bottom"]])


def back_hair_xy(a: Anchors, m: dict, spec: Any, pts: np.ndarray):
    """Back hair: its top follows the skull slightly, the part below the chin stays put; on AngleZ
    it rotates 0.88x the head about a lower pivot (0.74 FW below the face centre), tips following less."""
    ax, up, down = m["angle_x_fw"], m["angle_y_up_fw"], m["angle_y_down_fw"]
    w = profile(pts[:, 1], [a.top_y, a.chin_y], [1.0, 0.0])
    follow = _tilt_follow(a, m, pts)
    pivot = (a.centre[0], a.centre[1] + 0.74 * a.fw)

    def disp(v: dict[str, float]) -> np.ndarray:
        tx, ty = v["ParamAngleX"] / 30.0, v["ParamAngleY"] / 30.0
        d = np.zeros_like(pts)
        d[:, 0] = tx * a.fw * (w * ax["back_hair_top"] + (1 - w) * ax["back_hair_bottom"])
        d[:, 1] = w * _nod_dy(a, up["back_hair_top"], down["back_hair_top"], ty)
        return d + tilt_disp(pts, pivot, v["ParamAngleZ"] / 30.0 * m["angle_z_deg"] * 0.88 * follow)

    return grid_keyforms([("ParamAngleX", ANGLE_KEYS), ("ParamAngleY", ANGLE_KEYS), ("ParamAngleZ", ANGLE_KEYS)], disp)


CROWN_BAND_FW = 0.15
"""Half-height (face widths) of the band above the top of the face where the fringe's parallax fades."""


def _crown_follow(a: Anchors, m: dict, pts: np.ndarray) -> np.ndarray:
    """How much of the fringe's AngleX/Y parallax a point takes: full from the top of the face down,
    fading above it (over two ``CROWN_BAND_FW``) to the back hair's top shift, so the crown outline of the front hair
    moves with the back hair behind it and leaves no second outline (issue 14)."""
    ratio = m["angle_x_fw"]["back_hair_top"] / max(m["angle_x_fw"]["front_hair"], 1e-6)
    band = CROWN_BAND_FW * a.fw
    return profile(pts[:, 1], [a.top_y - 2.0 * band, a.top_y], [ratio, 1.0])


def hair_xyz(a: Anchors, m: dict, spec: Any, pts: np.ndarray):
    """Front and side hair outside the head rotation: the feature_xy parallax plus the head tilt
    about the jaw pivot, followed fully down to the chin and less toward long strands' tips."""
    _, xy = feature_xy(a, m, spec, pts)
    crown = _crown_follow(a, m, pts)
    xy = [d * crown[:, None] for d in xy]
    follow = _tilt_follow(a, m, pts)
    z_disps = [tilt_disp(pts, a.head_pivot, z / 30.0 * m["angle_z_deg"] * follow) for z in ANGLE_KEYS]
    bindings, _ = grid_keyforms([("ParamAngleX", ANGLE_KEYS), ("ParamAngleY", ANGLE_KEYS), ("ParamAngleZ", ANGLE_KEYS)], lambda v: 0)
    out = [xy[i % 9] + z_disps[i // 9] for i in range(27)]
    return bindings, out


def head_z(a: Anchors, m: dict, spec: Any):
    """Head tilt: ±angle_z_deg (clockwise for +AngleZ) about the jaw pivot."""
    return grid_keyforms([("ParamAngleZ", ANGLE_KEYS)], lambda v: v["ParamAngleZ"] / 30.0 * m["angle_z_deg"])


def neck(a: Anchors, m: dict, spec: Any, pts: np.ndarray):
    """Neck: its top follows ``neck_follow`` of the head tilt about the jaw pivot; its base stays."""
    ys = pts[:, 1]
    w = profile(ys, [ys.min(), ys.max()], [1.0, 0.0])

    def disp(v: dict[str, float]) -> np.ndarray:
        deg = v["ParamAngleZ"] / 30.0 * m["angle_z_deg"] * m["neck_follow"]
        return tilt_disp(pts, a.head_pivot, deg) * w[:, None]

    return grid_keyforms([("ParamAngleZ", ANGLE_KEYS)], disp)


def glasses_xy(a: Anchors, m: dict, spec: Any, pts: np.ndarray):
    """Glasses at the eyes' depth: each lens moves (and narrows or widens) as the eye behind it does
    in ``feature_xy``, the bridge between them is interpolated; AngleY as the eyes. On photographs
    the eyes follow the face skin's field (``feature_xy``), and so do the glasses."""
    if a.face.kind == "real":
        return face_xy(a, m, spec, pts)
    amount = m["angle_x_fw"]["eye"]
    up, down = m["angle_y_up_fw"]["eye"], m["angle_y_down_fw"]["eye"]
    eyes = sorted((a.face.eye_l.center, a.face.eye_r.center))  # screen left first
    xs = pts[:, 0]

    def disp(v: dict[str, float]) -> np.ndarray:
        tx, ty = v["ParamAngleX"] / 30.0, v["ParamAngleY"] / 30.0
        d = np.zeros_like(pts)
        if tx != 0.0:
            cx = [float(e[0]) for e in eyes]
            rel = [(c - a.centre[0]) / a.fw for c in cx]
            shift = [tx * amount * a.fw * float(profile(r * np.sign(tx), m["feature_profile_x"], m["feature_profile_f"]))
                     for r in rel]
            far = [np.sign(r) == np.sign(tx) for r in rel]
            slope = [((m["far_eye_width"] if f else m["near_eye_width"]) - 1.0) * abs(tx) for f in far]
            left = shift[0] + (xs - cx[0]) * slope[0]
            right = shift[1] + (xs - cx[1]) * slope[1]
            mid = np.interp(xs, cx, shift) if cx[1] > cx[0] else np.full(len(xs), np.mean(shift))
            d[:, 0] = np.where(xs <= cx[0], left, np.where(xs >= cx[1], right, mid))
        d[:, 1] = _nod_dy(a, up, down, ty)
        return d

    return grid_keyforms([("ParamAngleX", ANGLE_KEYS), ("ParamAngleY", ANGLE_KEYS)], disp)

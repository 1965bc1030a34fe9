"""Acceptance checks of a generated rig against professional rigs (shared ``rigging.md`` 11).

Each check sets one parameter to an extreme key (others at defaults, no physics), evaluates the rig
and measures vertex displacements of named art meshes in face widths (FW = width of the face-skin
mesh at rest). Means are plain vertex means (the doc weights by area; our meshes are near-uniform).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rig.evaluate import compile_plan, evaluate
from rig.model import Rig

FEATURES = ("EyeWhiteL", "EyeWhiteR", "BrowL", "BrowR", "Nose", "Mouth")
HEAD = ("Face", "EyeWhiteL", "EyeWhiteR", "BrowL", "BrowR", "Nose", "Mouth", "FrontHair")


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    value: float
    lo: float
    hi: float

    @property
    def passed(self) -> bool:
        return self.lo <= self.value <= self.hi


class _Probe:
    def __init__(self, rig: Rig):
        self.rig, self.plan = rig, compile_plan(rig)
        self.rest = self.pose({})
        face = self.rest["Face"]
        self.fw = float(np.ptp(face[:, 0]))
        self.centre = (face.min(axis=0) + face.max(axis=0)) / 2

    def pose(self, values: dict[str, float]) -> dict[str, np.ndarray]:
        ev = evaluate(self.rig, self.rig.default_values() | values, self.plan)
        return {it.art_mesh_id.removeprefix("ArtMesh"): it.vertices_px.astype(np.float64) for it in ev.items}

    def shift(self, posed: dict[str, np.ndarray], names, axis: int) -> float:
        vals = [(posed[n][:, axis] - self.rest[n][:, axis]).mean() for n in names if n in posed]
        return float(np.mean(vals)) / self.fw if vals else float("nan")


def _half_width_ratio(probe: _Probe, posed: dict[str, np.ndarray]) -> float:
    """Far (screen-right) half of the face at the face-centre row: posed width / rest width."""
    rest, pos = probe.rest["Face"], posed["Face"]
    row = np.abs(rest[:, 1] - rest[np.argmin(np.abs(rest[:, 1] - probe.centre[1])), 1]) < 1e-3
    centre = np.flatnonzero(row)[np.argmin(np.abs(rest[row, 0] - probe.centre[0]))]
    edge = np.flatnonzero(row)[np.argmax(rest[row, 0])]
    return float((pos[edge, 0] - pos[centre, 0]) / (rest[edge, 0] - rest[centre, 0]))


def _rotation_deg(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Best-fit rotation (deg, clockwise on screen) from a to b and the rms residual."""
    ca, cb = a.mean(axis=0), b.mean(axis=0)
    h = (a - ca).T @ (b - cb)
    ang = np.arctan2(h[0, 1] - h[1, 0], h[0, 0] + h[1, 1])
    c, s = np.cos(ang), np.sin(ang)
    r = np.array([[c, -s], [s, c]])
    resid = np.sqrt((((a - ca) @ r.T + cb - b) ** 2).sum(axis=1).mean())
    return float(np.degrees(ang)), float(resid)


def acceptance_report(rig: Rig) -> list[Check]:
    """Measure the rig; every :class:`Check` carries its pass band from rigging.md 11."""
    p = _Probe(rig)
    out: list[Check] = []
    ax = p.pose({"ParamAngleX": 30.0})
    feat = p.shift(ax, FEATURES, 0)
    out.append(Check("AngleX+30 mean feature shift (FW)", feat, 0.06, 0.24))
    out.append(Check("AngleX+30 nose / eyes shift", p.shift(ax, ["Nose"], 0) / max(p.shift(ax, ["EyeWhiteL", "EyeWhiteR"], 0), 1e-9), 1.0, 2.5))
    out.append(Check("AngleX+30 face skin / features", p.shift(ax, ["Face"], 0) / feat, 0.55, 0.85))
    out.append(Check("AngleX+30 back hair shift (FW)", p.shift(ax, ["BackHair"], 0), -0.03, 0.03))
    out.append(Check("AngleX+30 far half-face width", _half_width_ratio(p, ax), 0.77, 0.92))
    up, down = p.pose({"ParamAngleY": 30.0}), p.pose({"ParamAngleY": -30.0})
    out.append(Check("AngleY+30 feature rise (FW)", -p.shift(up, FEATURES, 1), 0.05, 0.13))
    out.append(Check("AngleY-30 feature drop (FW)", p.shift(down, FEATURES, 1), 0.05, 0.15))
    az = p.pose({"ParamAngleZ": 30.0})
    ang, _ = _rotation_deg(p.rest["Face"], az["Face"])
    out.append(Check("AngleZ+30 head rotation (deg)", ang, 6.0, 16.0))
    for side in "LR":
        closed = p.pose({f"ParamEye{side}Open": 0.0})
        eye = rig.art_mesh(f"ArtMeshEyeWhite{side}") if any(m.id == f"ArtMeshEyeWhite{side}" for m in rig.art_meshes) else None
        if eye is not None and f"LashUpper{side}" in closed:
            h = float(np.ptp(p.rest[f"EyeWhite{side}"][:, 1]))
            # the lash line: the lash's lower half over the middle of the eye (its top flattens onto it)
            r0 = p.rest[f"LashUpper{side}"]
            mid = np.abs(r0[:, 0] - np.median(r0[:, 0])) <= 0.25 * max(float(np.ptp(r0[:, 0])), 1e-9)
            sel = mid & (r0[:, 1] >= np.median(r0[mid, 1])) if mid.any() else np.ones(len(r0), bool)
            travel = float((closed[f"LashUpper{side}"][sel, 1] - r0[sel, 1]).mean()) / max(h, 1e-9)
            out.append(Check(f"Eye{side}Open 0 lash travel (h)", travel, 0.45, 0.75))
        smile = p.pose({f"ParamEye{side}Smile": 1.0})
        moved = max(float(np.abs(smile[n] - p.rest[n]).max()) for n in p.rest)
        out.append(Check(f"Eye{side}Smile 1 with eye open: max move (px)", moved, 0.0, 1e-3))
    mo = p.pose({"ParamMouthOpenY": 1.0})
    chin = float(np.abs(mo["Face"] - p.rest["Face"]).max()) / p.fw
    out.append(Check("MouthOpenY 1 chin move (FW)", chin, 0.0, 0.015))
    for side in "LR":
        br = p.pose({f"ParamBrow{side}Y": 1.0})
        out.append(Check(f"Brow{side}Y+1 rise (FW)", -p.shift(br, [f"Brow{side}"], 1), 0.013, 0.09))
    bx = p.pose({"ParamBodyAngleX": 10.0})
    head_pts = np.concatenate([p.rest[n] for n in HEAD if n in p.rest])
    head_posed = np.concatenate([bx[n] for n in HEAD if n in bx])
    _, resid = _rotation_deg(head_pts, head_posed)
    out.append(Check("BodyAngleX+10 head rigid residual (FW)", resid / p.fw, 0.0, 0.01))
    torso = p.shift(bx, ["Body"], 0)
    out.append(Check("BodyAngleX+10 head shift / torso shift", p.shift(bx, ["Face"], 0) / max(torso, 1e-9), 0.2, 0.6))
    breath = p.pose({"ParamBreath": 1.0})
    body = p.rest.get("Body")
    if body is not None:
        top = body[:, 1] < np.percentile(body[:, 1], 20)
        rise = -float((breath["Body"][top, 1] - body[top, 1]).mean()) / p.fw
        out.append(Check("Breath 1 shoulder rise (FW)", rise, 0.005, 0.03))
    for pid, name, lo, hi in (("ParamHairFront", "FrontHair", 0.03, 0.13), ("ParamHairBack", "BackHair", 0.02, 0.22)):
        if name in p.rest:
            sw = p.pose({pid: 1.0})
            out.append(Check(f"{pid}+1 tip move (FW)", float(np.abs(sw[name] - p.rest[name]).max()) / p.fw, lo, hi))
    return out


def format_report(checks: list[Check]) -> str:
    lines = [f"{'PASS' if c.passed else 'FAIL'}  {c.name}: {c.value:.4f}  [{c.lo}, {c.hi}]" for c in checks]
    return "\n".join(lines)

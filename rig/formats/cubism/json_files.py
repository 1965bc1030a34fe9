"""The JSON files of a Cubism model folder: model3, physics3, cdi3, motion3 (cubism-formats.md 2).

Every function returns a plain dict ready for ``json.dumps``; every ``Meta`` count is computed from the
data being written (spec: ``Live2D/CubismSpecs : FileFormats/{model3,physics3,cdi3,motion3}.json.md``;
the Framework readers size their arrays from these counts, so they must be exact).
PascalCase keys are confined to this package (style.md 2).
"""

from __future__ import annotations

import logging
import math
from typing import Any

from rig.model import PhysicsRig, PhysicsSource, Rig
from rig.model.standard import STANDARD_GROUPS

log = logging.getLogger(__name__)

EYE_BLINK_IDS = ("ParamEyeLOpen", "ParamEyeROpen")
LIP_SYNC_IDS = ("ParamMouthOpenY",)
IDLE_GROUP = "Idle"
MOTION_FPS = 30.0


def model3_json(
    moc: str, textures: list[str], physics: str | None, display_info: str | None, motions: dict[str, list[str]],
    parameter_ids: set[str],
) -> dict[str, Any]:
    """model3.json: file references (paths relative to it) and the EyeBlink / LipSync groups.

    The groups are always written (hosts such as VTube Studio look for them); their ``Ids`` list
    only the parameters the rig has.
    """
    refs: dict[str, Any] = {"Moc": moc, "Textures": list(textures)}
    if physics:
        refs["Physics"] = physics
    if display_info:
        refs["DisplayInfo"] = display_info
    if motions:
        refs["Motions"] = {
            group: [{"File": f, "FadeInTime": 0.5, "FadeOutTime": 0.5} for f in files] for group, files in motions.items()
        }
    groups = [
        {"Target": "Parameter", "Name": name, "Ids": [i for i in ids if i in parameter_ids]}
        for name, ids in (("EyeBlink", EYE_BLINK_IDS), ("LipSync", LIP_SYNC_IDS))
    ]
    return {"Version": 3, "FileReferences": refs, "Groups": groups}


def physics3_json(physics: PhysicsRig) -> dict[str, Any] | None:
    """physics3.json for ``physics`` (None when it has no settings).

    Only Angle outputs are written: the Framework reads ``Scale`` into the angle scale only, so an X
    or Y output would always give 0 there (``rig.evaluate.physics``); such outputs are dropped with a
    warning. Meta totals count what is written.
    """
    if not physics.settings:
        return None
    settings = []
    for s in physics.settings:
        outputs = [o for o in s.outputs if o.kind is PhysicsSource.ANGLE]
        if len(outputs) != len(s.outputs):
            log.warning("physics %s: %d X/Y outputs dropped (Cubism hosts only apply Angle outputs)",
                        s.id, len(s.outputs) - len(outputs))  # fmt: skip
        n = s.normalization
        settings.append({
            "Id": s.id,
            "Input": [{"Source": {"Target": "Parameter", "Id": i.parameter_id}, "Weight": i.weight,
                       "Type": i.kind.value, "Reflect": i.reflect} for i in s.inputs],
            "Output": [{"Destination": {"Target": "Parameter", "Id": o.parameter_id}, "VertexIndex": o.particle_index,
                        "Scale": o.scale, "Weight": o.weight, "Type": o.kind.value, "Reflect": o.reflect} for o in outputs],
            "Vertices": [{"Position": {"X": p.position[0], "Y": p.position[1]}, "Mobility": p.mobility,
                          "Delay": p.delay, "Acceleration": p.acceleration, "Radius": p.radius} for p in s.particles],
            "Normalization": {
                "Position": {"Minimum": n.position_min, "Default": n.position_default, "Maximum": n.position_max},
                "Angle": {"Minimum": n.angle_min, "Default": n.angle_default, "Maximum": n.angle_max},
            },
        })  # fmt: skip
    meta = {
        "PhysicsSettingCount": len(settings),
        "TotalInputCount": sum(len(s["Input"]) for s in settings),
        "TotalOutputCount": sum(len(s["Output"]) for s in settings),
        "VertexCount": sum(len(s["Vertices"]) for s in settings),
        "Fps": physics.fps,
        "EffectiveForces": {
            "Gravity": {"X": physics.gravity[0], "Y": physics.gravity[1]},
            "Wind": {"X": physics.wind[0], "Y": physics.wind[1]},
        },
        "PhysicsDictionary": [{"Id": s.id, "Name": s.name} for s in physics.settings],
    }
    return {"Version": 3, "Meta": meta, "PhysicsSettings": settings}


def cdi3_json(rig: Rig) -> dict[str, Any]:
    """cdi3.json: display names of parameters, parameter groups and parts."""
    names = {g.id: g.name for g in rig.parameter_groups}
    used = list(dict.fromkeys(p.group for p in rig.parameters if p.group))
    groups = [{"Id": g, "GroupId": "", "Name": names.get(g) or STANDARD_GROUPS.get(g, g)} for g in used]
    return {
        "Version": 3,
        "Parameters": [{"Id": p.id, "GroupId": p.group, "Name": p.name} for p in rig.parameters],
        "ParameterGroups": groups,
        "Parts": [{"Id": p.id, "Name": p.name} for p in rig.parts],
    }


# (parameter id, amplitude as a fraction of the half range, phase in periods, periods per loop)
_IDLE_CURVES = (
    ("ParamBreath", None, 0.0, 2),
    ("ParamAngleX", 0.1, 0.0, 1),
    ("ParamAngleZ", 0.06, 0.25, 1),
    ("ParamBodyAngleX", 0.12, 0.1, 1),
)
IDLE_DURATION_S = 6.0


def _segments(times: list[float], values: list[float]) -> list[float]:
    """Flat motion3 segments: first point, then one bezier (id 1, control times at 1/3 and 2/3, flat
    tangents: ease in and out) per step."""
    out = [times[0], values[0]]
    for (t0, v0), (t1, v1) in zip(zip(times, values), zip(times[1:], values[1:])):
        dt = t1 - t0
        out += [1, t0 + dt / 3, v0, t0 + 2 * dt / 3, v1, t1, v1]
    return [round(x, 4) for x in out]


def idle_motion3_json(rig: Rig) -> dict[str, Any] | None:
    """A looping idle motion: breathing and a small head/body sway, on the parameters the rig has.

    Returns None when the rig has none of ``ParamBreath``, ``ParamAngleX``, ``ParamAngleZ``,
    ``ParamBodyAngleX``.
    """
    params = {p.id: p for p in rig.parameters}
    curves = []
    for pid, amp, phase, periods in _IDLE_CURVES:
        p = params.get(pid)
        if p is None:
            continue
        n = 4 * periods
        times = [IDLE_DURATION_S * k / n for k in range(n + 1)]
        if amp is None:  # breath: min -> max -> min, once per period
            values = [p.min + (p.max - p.min) * (0.5 - 0.5 * math.cos(math.pi * k / 2)) for k in range(n + 1)]
        else:
            half = amp * (p.max - p.min) / 2
            values = [p.clamp(p.default + half * math.sin(2 * math.pi * (k / 4 + phase))) for k in range(n + 1)]
        curves.append({"Target": "Parameter", "Id": pid, "Segments": _segments(times, values)})
    if not curves:
        return None
    return {"Version": 3, "Meta": motion3_meta(curves, IDLE_DURATION_S, MOTION_FPS, loop=True), "Curves": curves}


def segment_counts(segments: list[float]) -> tuple[int, int]:
    """(segments, points) of one motion3 curve: linear/stepped/inverse-stepped 1 point, bezier 3."""
    i, n_seg, n_pts = 2, 0, 1
    while i < len(segments):
        kind = int(segments[i])
        pts = 3 if kind == 1 else 1
        n_seg += 1
        n_pts += pts
        i += 1 + 2 * pts
    return n_seg, n_pts


def motion3_meta(curves: list[dict[str, Any]], duration: float, fps: float, loop: bool) -> dict[str, Any]:
    """motion3 ``Meta`` with exact ``CurveCount``, ``TotalSegmentCount`` and ``TotalPointCount``."""
    counts = [segment_counts(c["Segments"]) for c in curves]
    return {
        "Duration": duration, "Fps": fps, "Loop": loop, "AreBeziersRestricted": True, "CurveCount": len(curves),
        "TotalSegmentCount": sum(c[0] for c in counts), "TotalPointCount": sum(c[1] for c in counts),
        "UserDataCount": 0, "TotalUserDataSize": 0,
    }  # fmt: skip

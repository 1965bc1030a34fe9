"""Cubism ``motion3.json``: parameter curves over time (cubism-formats.md §2.6, §2.7).

Format (``Live2D/CubismSpecs : FileFormats/motion3.json.md``): ``Version`` 3; ``Meta`` with
``Duration`` (s), ``Fps``, ``Loop``, ``AreBeziersRestricted``, ``CurveCount``, ``TotalSegmentCount``,
``TotalPointCount``, ``UserDataCount``, ``TotalUserDataSize``; ``Curves`` of
``{Target, Id, Segments}``. ``Segments`` is one flat list: the first point ``t0, v0``, then per
segment an id and its points (0 linear, 2 stepped, 3 inverse stepped: one point; 1 bézier: three).

**Meta counts are exact** and computed from the data at write time (the Native Framework sizes its
arrays from them; ``HasConsistency`` rejects mismatches). Kirie writes linear segments only.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rig.errors import CubismFormatError
from rig.formats.atomic import write_atomically

LINEAR, BEZIER, STEPPED, INVERSE_STEPPED = 0, 1, 2, 3
_POINTS_PER_SEGMENT = {LINEAR: 1, BEZIER: 3, STEPPED: 1, INVERSE_STEPPED: 1}
TARGETS = ("Model", "Parameter", "PartOpacity")


@dataclass(frozen=True, slots=True)
class MotionCurve:
    """One curve as (time, value) keys joined by linear segments.

    Attributes
    ----------
    target : str
        ``"Parameter"``, ``"PartOpacity"`` or ``"Model"``.
    id : str
        Parameter / part id (``ParamAngleX``).
    times_s, values : tuple of float
        Same length >= 1; times in seconds, non-decreasing.
    """

    target: str
    id: str
    times_s: tuple[float, ...]
    values: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class Motion:
    """A motion: curves, duration (s), fps, loop flag."""

    curves: tuple[MotionCurve, ...]
    duration_s: float
    fps: float
    loop: bool = False


def _segment_counts(segments: Sequence[float]) -> tuple[int, int]:
    """``(segment count, point count)`` of one flat Segments list (point count includes the first)."""
    if len(segments) < 2:
        raise CubismFormatError("a motion3 curve needs at least its first point (t0, v0)")
    i, n_seg, n_pts = 2, 0, 1
    while i < len(segments):
        kind = int(segments[i])
        if kind not in _POINTS_PER_SEGMENT:
            raise CubismFormatError(f"unknown motion3 segment type {segments[i]!r} at index {i}")
        k = _POINTS_PER_SEGMENT[kind]
        if i + 1 + 2 * k > len(segments):
            raise CubismFormatError(f"motion3 segment at index {i} is cut short")
        i += 1 + 2 * k
        n_seg, n_pts = n_seg + 1, n_pts + k
    return n_seg, n_pts


def motion_to_json(motion: Motion) -> dict:
    """The motion3.json document (a dict) with exact Meta counts.

    Raises
    ------
    CubismFormatError
        If a curve is empty, its times decrease or its target is unknown.
    """
    curves, n_seg, n_pts = [], 0, 0
    for c in motion.curves:
        if c.target not in TARGETS:
            raise CubismFormatError(f"motion3 curve {c.id!r}: unknown target {c.target!r}")
        if not c.times_s or len(c.times_s) != len(c.values):
            raise CubismFormatError(f"motion3 curve {c.id!r} is empty or has mismatched times and values")
        if any(b < a for a, b in zip(c.times_s, c.times_s[1:])):
            raise CubismFormatError(f"motion3 curve {c.id!r}: times must not decrease")
        segments: list[float] = [float(c.times_s[0]), float(c.values[0])]
        for t, v in zip(c.times_s[1:], c.values[1:]):
            segments += [LINEAR, float(t), float(v)]
        s, p = _segment_counts(segments)
        n_seg, n_pts = n_seg + s, n_pts + p
        curves.append({"Target": c.target, "Id": c.id, "Segments": segments})
    meta = {
        "Duration": float(motion.duration_s), "Fps": float(motion.fps), "Loop": bool(motion.loop),
        "AreBeziersRestricted": True, "CurveCount": len(curves), "TotalSegmentCount": n_seg,
        "TotalPointCount": n_pts, "UserDataCount": 0, "TotalUserDataSize": 0,
    }
    return {"Version": 3, "Meta": meta, "Curves": curves}


def write_motion3(path: str | Path, motion: Motion) -> None:
    """Write ``motion`` to ``path`` atomically (temporary file, fsync, rename), UTF-8, 2-space indent."""
    text = json.dumps(motion_to_json(motion), indent=2, ensure_ascii=False) + "\n"
    write_atomically(Path(path), text.encode("utf-8"))


def read_motion3(path: str | Path) -> Motion:
    """Read a motion3.json with linear, stepped and inverse-stepped segments (béziers keep their end points).

    Raises
    ------
    CubismFormatError
        If the file is not valid JSON, a key is missing, or a Meta count disagrees with the data.
    """
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
        meta, raw_curves = doc["Meta"], doc["Curves"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CubismFormatError(f"{path}: not a readable motion3.json ({exc})") from exc
    curves, n_seg, n_pts = [], 0, 0
    for c in raw_curves:
        seg = c["Segments"]
        s, p = _segment_counts(seg)
        n_seg, n_pts = n_seg + s, n_pts + p
        times, values, i = [seg[0]], [seg[1]], 2
        while i < len(seg):
            k = _POINTS_PER_SEGMENT[int(seg[i])]
            times.append(seg[i + 2 * k - 1])
            values.append(seg[i + 2 * k])
            i += 1 + 2 * k
        curves.append(MotionCurve(c.get("Target", "Parameter"), c["Id"], tuple(times), tuple(values)))
    expected = {"CurveCount": len(curves), "TotalSegmentCount": n_seg, "TotalPointCount": n_pts}
    for key, value in expected.items():
        if meta.get(key) != value:
            raise CubismFormatError(f"{path}: Meta.{key} is {meta.get(key)!r} but the curves need {value}")
    return Motion(tuple(curves), float(meta["Duration"]), float(meta["Fps"]), bool(meta.get("Loop", False)))

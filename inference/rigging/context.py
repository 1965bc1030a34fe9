"""What the recipes know about the character: face anchors in canvas px, and grid helpers.

Conventions (shared ``rigging.md`` section 0): FW = face width; lengths in the template are in FW;
+AngleX turns the face to screen right, so the **far side** of a +AngleX turn is screen right (+x).
The canvas is +y down, so "up" in the template is -y here.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from inference.types import FaceLandmarks
from rig.model import KeyformBinding


@dataclass(frozen=True, slots=True)
class Anchors:
    """Face geometry in canvas px derived from :class:`FaceLandmarks`."""

    fw: float  # face width
    centre: tuple[float, float]  # face box centre
    top_y: float
    chin_y: float
    head_pivot: tuple[float, float]
    face: FaceLandmarks
    canvas_size: tuple[int, int]
    mouth: Any = None  # inference.rigging.recipes_mouth.MouthGeometry, set by build_rig

    @staticmethod
    def from_face(face: FaceLandmarks, motion: dict[str, Any], canvas_size: tuple[int, int]) -> Anchors:
        x, y, w, h = face.face_box
        fw = float(w)
        cx, cy = x + w / 2.0, y + h / 2.0
        pivot = (cx, cy + motion["head_pivot_below_centre_fw"] * fw)
        return Anchors(fw, (cx, cy), float(y), float(face.chin[1]), pivot, face, canvas_size)

    def rel(self, points_px: np.ndarray) -> np.ndarray:
        """(…, 2) canvas px → position relative to the face centre in FW."""
        return (np.asarray(points_px, np.float64) - np.asarray(self.centre)) / self.fw


def profile(x: np.ndarray, xs: Sequence[float], fs: Sequence[float]) -> np.ndarray:
    """Piecewise-linear profile lookup, clamped at the ends."""
    return np.interp(np.asarray(x, np.float64), np.asarray(xs, np.float64), np.asarray(fs, np.float64))


def smoothstep(t: np.ndarray) -> np.ndarray:
    t = np.clip(t, 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def grid_keyforms(
    bindings: Sequence[tuple[str, Sequence[float]]], fn: Callable[[dict[str, float]], Any]
) -> tuple[tuple[KeyformBinding, ...], list[Any]]:
    """Evaluate ``fn({param_id: key})`` at every keyform, first binding fastest (Cubism order).

    Returns the KeyformBindings and the list of per-keyform results (length K).
    """
    kbs = tuple(KeyformBinding(pid, tuple(keys)) for pid, keys in bindings)
    key_lists = [b.keys for b in kbs]
    out = []
    # itertools.product varies the LAST factor fastest; reverse so the first binding varies fastest
    for combo in itertools.product(*reversed(key_lists)):
        values = dict(zip((b.parameter_id for b in reversed(kbs)), combo))
        out.append(fn(values))
    return kbs, out


def signed_turn(value: float, limit: float) -> float:
    """Normalised turn in [-1, 1] for a parameter value with range ±limit."""
    return float(np.clip(value / limit, -1.0, 1.0))

"""Idle life: auto-breath and auto-blink as functions of time (VTube Studio's, anchors.md section 3.2).

Qt-free, shared by the editor's preview animation (:mod:`app.editor.preview`, on a QTimer) and the
headless puppet of ``kirie track`` (:class:`app.tracking.puppet.Puppet`), both writing to
:attr:`rig.drive.Layer.PREVIEW`: below tracking, so a tracked parameter (the eyes, when the camera sees
them) follows the face while the others (``ParamBreath``) keep moving.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

BREATH_PERIOD_S = 3.5
BLINK_INTERVAL_S = (2.5, 3.7, 3.1, 4.4)  # cycled, so the rhythm does not look mechanical
BLINK_DURATION_S = 0.2
EYE_IDS = ("ParamEyeLOpen", "ParamEyeROpen")
BREATH_ID = "ParamBreath"
IDLE_IDS = (BREATH_ID, *EYE_IDS)


def blink_factor(t_s: float) -> float:
    """Eye openness multiplier in [0, 1] at time ``t_s``: 1, with a V-shaped blink at each interval end."""
    period = sum(BLINK_INTERVAL_S)
    t = t_s % period
    for interval in BLINK_INTERVAL_S:
        if t < interval:
            into = interval - t
            if into < BLINK_DURATION_S:
                return abs(2.0 * into / BLINK_DURATION_S - 1.0)
            return 1.0
        t -= interval
    return 1.0


def breath_value(t_s: float) -> float:
    """``ParamBreath`` in [0, 1] at time ``t_s`` (inhale = 1)."""
    return 0.5 - 0.5 * math.cos(2.0 * math.pi * t_s / BREATH_PERIOD_S)


def idle_values(t_s: float, animated: Iterable[str], base: Callable[[str], float]) -> dict[str, float]:
    """Breath and blink values at ``t_s`` seconds for the ``animated`` ids among :data:`IDLE_IDS`; the
    eyes are their ``base(id)`` openness times :func:`blink_factor`."""
    animated = set(animated)
    out: dict[str, float] = {}
    if BREATH_ID in animated:
        out[BREATH_ID] = breath_value(t_s)
    factor = blink_factor(t_s)
    for pid in EYE_IDS:
        if pid in animated:
            out[pid] = base(pid) * factor
    return out

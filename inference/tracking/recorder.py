"""Record tracked parameter values over time and save them as a Cubism ``motion3.json``.

One linear curve (``Target: "Parameter"``) per parameter, times relative to the first recorded frame.
Optionally each curve is thinned with Ramer-Douglas-Peucker (a key is dropped when the linear segment
around it stays within ``tolerance`` of every dropped sample; tolerance in the parameter's units).
The file format and its exact Meta counts live in :mod:`rig.formats.cubism.motion3`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np

from rig.formats.cubism.motion3 import Motion, MotionCurve, read_motion3, write_motion3

__all__ = ["MotionRecorder", "read_motion3", "simplify_polyline"]


def simplify_polyline(times: np.ndarray, values: np.ndarray, tolerance: float) -> np.ndarray:
    """Indices of the keys to keep (Ramer-Douglas-Peucker in value distance, first and last always kept).

    Parameters
    ----------
    times, values : (N,) float ndarray
    tolerance : float
        Largest allowed |value - linear interpolation| of a dropped sample; <= 0 keeps everything.
    """
    n = len(times)
    if tolerance <= 0.0 or n <= 2:
        return np.arange(n)
    keep = np.zeros(n, bool)
    keep[[0, n - 1]] = True
    stack = [(0, n - 1)]
    while stack:
        a, b = stack.pop()
        if b - a < 2:
            continue
        t, v = times[a + 1:b], values[a + 1:b]
        span = times[b] - times[a]
        w = (t - times[a]) / span if span > 0 else np.zeros_like(t)
        err = np.abs(v - (values[a] + w * (values[b] - values[a])))
        k = int(np.argmax(err))
        if err[k] > tolerance:
            m = a + 1 + k
            keep[m] = True
            stack += [(a, m), (m, b)]
    return np.flatnonzero(keep)


class MotionRecorder:
    """Collects ``(timestamp_ms, values)`` frames; :meth:`save` writes motion3.json.

    Parameters
    ----------
    fps : float
        Written to ``Meta.Fps`` (the capture rate).
    tolerance : float
        Key thinning tolerance (parameter units); 0 keeps every frame.

    Not thread-safe: add frames from one thread.
    """

    def __init__(self, fps: float = 30.0, tolerance: float = 0.0) -> None:
        self.fps = float(fps)
        self.tolerance = float(tolerance)
        self._times_ms: list[int] = []
        self._values: dict[str, list[float]] = {}

    def __len__(self) -> int:
        return len(self._times_ms)

    def add(self, timestamp_ms: int, values: Mapping[str, float]) -> None:
        """Record one frame; a parameter first seen later is back-filled with its first value.

        Raises
        ------
        ValueError
            If ``timestamp_ms`` is not after the previous one.
        """
        if self._times_ms and timestamp_ms <= self._times_ms[-1]:
            raise ValueError(f"timestamps must increase: {timestamp_ms} ms after {self._times_ms[-1]} ms")
        n = len(self._times_ms)
        for pid, v in values.items():
            if pid not in self._values:
                self._values[pid] = [float(v)] * n
        for pid, column in self._values.items():
            column.append(float(values.get(pid, column[-1] if column else 0.0)))
        self._times_ms.append(int(timestamp_ms))

    def clear(self) -> None:
        self._times_ms.clear()
        self._values.clear()

    def to_motion(self, loop: bool = False) -> Motion:
        """The recorded frames as a :class:`Motion` (times from 0 s).

        Raises
        ------
        ValueError
            If nothing was recorded.
        """
        if not self._times_ms:
            raise ValueError("nothing was recorded")
        t = (np.asarray(self._times_ms, np.float64) - self._times_ms[0]) / 1000.0
        curves = []
        for pid, column in self._values.items():
            v = np.asarray(column, np.float64)
            idx = simplify_polyline(t, v, self.tolerance)
            curves.append(MotionCurve("Parameter", pid, tuple(round(float(x), 4) for x in t[idx]),
                                      tuple(round(float(x), 4) for x in v[idx])))
        duration = max(float(t[-1]), 1.0 / self.fps)
        return Motion(tuple(curves), round(duration, 4), self.fps, loop)

    def save(self, path: str | Path, loop: bool = False) -> Motion:
        """Write motion3.json atomically; returns the written :class:`Motion`."""
        motion = self.to_motion(loop)
        write_motion3(path, motion)
        return motion

"""Temporal filters for tracked values: the One-Euro filter and a first-order lag.

One-Euro filter: G. Casiez, N. Roussel, D. Vogel, "1 € Filter: A Simple Speed-based Low-pass Filter
for Noisy Input in Interactive Systems", CHI 2012, pp. 2527-2530. An exponential low-pass whose cutoff
rises with the (low-passed) speed, ``f_c = min_cutoff + beta * |dx/dt|``: slow motion is smoothed hard
(little jitter), fast motion little (little lag). Smoothing factor per sample
``alpha = 1 / (1 + tau / dt)`` with ``tau = 1 / (2 pi f_c)``.

:func:`one_euro_settings` turns Kirie's single user-facing smoothing slider (0 = raw, 1 = very smooth)
into ``(min_cutoff_hz, beta)`` for values normalised to their output range (span 1).
"""

from __future__ import annotations

import math


def _alpha(cutoff_hz: float, dt_s: float) -> float:
    tau = 1.0 / (2.0 * math.pi * cutoff_hz)
    return 1.0 / (1.0 + tau / dt_s)


class OneEuroFilter:
    """One-Euro filter over a scalar signal sampled at irregular times.

    Parameters
    ----------
    min_cutoff_hz : float
        Cutoff at rest, Hz (lower = smoother when still).
    beta : float
        Speed coefficient, 1 / (signal units) (higher = less lag when moving).
    d_cutoff_hz : float
        Cutoff of the derivative's low-pass, Hz (the paper uses 1 Hz).
    """

    def __init__(self, min_cutoff_hz: float, beta: float, d_cutoff_hz: float = 1.0) -> None:
        self.min_cutoff_hz = float(min_cutoff_hz)
        self.beta = float(beta)
        self.d_cutoff_hz = float(d_cutoff_hz)
        self.reset()

    def reset(self, value: float | None = None, t_s: float | None = None) -> None:
        """Forget the history; optionally start from ``value`` at time ``t_s`` with zero speed."""
        self._x = value
        self._dx = 0.0
        self._t = t_s

    @property
    def value(self) -> float | None:
        """The last output, or None before the first sample."""
        return self._x

    def __call__(self, x: float, t_s: float) -> float:
        """Filter sample ``x`` taken at ``t_s`` seconds; returns the smoothed value."""
        x = float(x)
        if self._x is None or self._t is None or t_s <= self._t:
            if self._x is None:
                self._x = x
            self._t = t_s if self._t is None else max(self._t, t_s)
            return self._x
        dt = t_s - self._t
        dx = (x - self._x) / dt
        self._dx += _alpha(self.d_cutoff_hz, dt) * (dx - self._dx)
        cutoff = self.min_cutoff_hz + self.beta * abs(self._dx)
        self._x += _alpha(cutoff, dt) * (x - self._x)
        self._t = t_s
        return self._x


class LagFilter:
    """First-order lag ``y += (1 - exp(-dt / tau)) (x - y)``: a damped follow with time constant ``tau_s``."""

    def __init__(self, tau_s: float) -> None:
        self.tau_s = float(tau_s)
        self.reset()

    def reset(self, value: float | None = None, t_s: float | None = None) -> None:
        self._y = value
        self._t = t_s

    def __call__(self, x: float, t_s: float) -> float:
        if self._y is None or self._t is None or self.tau_s <= 0.0:
            self._y, self._t = float(x), t_s
            return self._y
        dt = max(t_s - self._t, 0.0)
        self._y += (1.0 - math.exp(-dt / self.tau_s)) * (float(x) - self._y)
        self._t = t_s
        return self._y


def one_euro_settings(smoothing: float) -> tuple[float, float] | None:
    """``(min_cutoff_hz, beta)`` for a 0..1 smoothing slider, or None for 0 (no filtering).

    ``min_cutoff`` falls log-linearly from 20 Hz (slider near 0) through 2 Hz (0.5) to 0.2 Hz (1);
    ``beta`` (for values normalised to span 1) from 4 to 0.05, so heavy smoothing also lags in fast
    motion, as users expect from VTube Studio's slider.
    """
    s = min(max(float(smoothing), 0.0), 1.0)
    if s <= 0.0:
        return None
    return 10.0 ** (1.3 - 2.0 * s), 4.0 * (1.0 - s) ** 2 + 0.05

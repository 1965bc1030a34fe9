"""Microphone lip-sync: audio samples -> ParamMouthOpenY (volume) and ParamMouthForm (vowel estimate).

Pure numpy, streaming or offline, the same numbers either way:

* the signal is cut into **hops** of ``hop_ms`` (10 ms); each hop's level is the RMS of the last
  ``window_ms`` (32 ms) in dB full scale (a full-scale sine is -3 dBFS);
* a **gate**: below ``gate_db`` the target opening is 0 (breath, room noise, a fan); from ``gate_db``
  to ``full_db`` it rises linearly to 1 (times ``gain``, clamped to [0, 1]);
* an **envelope** with separate ``attack_ms`` (the mouth opens fast) and ``release_ms`` (it closes
  slower) time constants (one-pole, per hop) gives ParamMouthOpenY in [0, 1];
* an optional **vowel estimate** (``vowels``): the ratio (dB) of the window's energy in the second
  formant's band (``split_hz``..3500 Hz) to the first's (250 Hz..``split_hz``), mapped from
  [``form_low_db``, ``form_high_db``] to [-1, 1]: front vowels with a high second formant (i, e) give a
  wide mouth (+1, ParamMouthForm's smile side), open and rounded back vowels (a, o, u) a narrow one
  (towards -1). Gated hops relax it to 0. The same envelope smooths it.

:class:`LipSync` is the streaming analyser (a microphone callback feeds it blocks of any length);
:func:`analyse` runs it over a whole recording and returns a :class:`LipSyncTrack` that is sampled at
a video frame's time. Audio sources (files, a microphone) are in :mod:`inference.tracking.audio`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: The parameters lip-sync drives.
MOUTH_OPEN = "ParamMouthOpenY"
MOUTH_FORM = "ParamMouthForm"


@dataclass(frozen=True, slots=True)
class LipSyncSettings:
    """Lip-sync tuning (module docstring). Levels in dBFS, times in milliseconds, frequencies in Hz."""

    gate_db: float = -45.0
    full_db: float = -18.0
    attack_ms: float = 40.0
    release_ms: float = 120.0
    hop_ms: float = 10.0
    window_ms: float = 32.0
    gain: float = 1.0
    vowels: bool = True
    split_hz: float = 1400.0
    form_low_db: float = -25.0
    form_high_db: float = -5.0

    def __post_init__(self) -> None:
        if not self.full_db > self.gate_db:
            raise ValueError(f"full_db ({self.full_db}) must be above gate_db ({self.gate_db})")
        if self.hop_ms <= 0 or self.window_ms < self.hop_ms:
            raise ValueError("hop_ms must be positive and window_ms at least hop_ms")
        if self.attack_ms < 0 or self.release_ms < 0:
            raise ValueError("attack_ms and release_ms must not be negative")
        if not self.form_high_db > self.form_low_db:
            raise ValueError("form_high_db must be above form_low_db")


def to_mono_float(samples: np.ndarray) -> np.ndarray:
    """(N,) or (N, channels) int16 / int32 / uint8 / float samples -> (N,) float32 in [-1, 1] (channels averaged)."""
    a = np.asarray(samples)
    if a.dtype == np.int16:
        a = a.astype(np.float32) / 32768.0
    elif a.dtype == np.int32:
        a = a.astype(np.float32) / 2147483648.0
    elif a.dtype == np.uint8:
        a = (a.astype(np.float32) - 128.0) / 128.0
    else:
        a = a.astype(np.float32, copy=False)
    if a.ndim == 2:
        a = a.mean(axis=1)
    elif a.ndim != 1:
        raise ValueError(f"samples must be (N,) or (N, channels), got shape {a.shape}")
    return a


def _coefficient(time_ms: float, hop_ms: float) -> float:
    """One-pole smoothing factor per hop for a time constant (0 ms: follow at once)."""
    return 1.0 if time_ms <= 0 else float(1.0 - np.exp(-hop_ms / time_ms))


class LipSync:
    """Streaming lip-sync analyser for one mono signal (module docstring).

    Parameters
    ----------
    sample_rate : int
        Samples per second of what :meth:`feed` gets (8000..192000).
    settings : LipSyncSettings, optional

    Attributes
    ----------
    mouth_open : float
        ParamMouthOpenY now, in [0, 1].
    mouth_form : float
        ParamMouthForm now, in [-1, 1] (0 when ``settings.vowels`` is off).
    level_db : float
        The last hop's level (dBFS, -120 for digital silence): a level meter's value.
    """

    def __init__(self, sample_rate: int, settings: LipSyncSettings | None = None) -> None:
        if not 8000 <= int(sample_rate) <= 192000:
            raise ValueError(f"sample_rate must be in 8000..192000, got {sample_rate}")
        self.sample_rate = int(sample_rate)
        self.settings = settings or LipSyncSettings()
        s = self.settings
        self.hop = max(1, round(self.sample_rate * s.hop_ms / 1000.0))
        self.window = max(self.hop, round(self.sample_rate * s.window_ms / 1000.0))
        self._attack = _coefficient(s.attack_ms, s.hop_ms)
        self._release = _coefficient(s.release_ms, s.hop_ms)
        self._buffer = np.zeros(self.window, np.float32)
        self._pending = np.zeros(0, np.float32)
        self._taper = np.hanning(self.window).astype(np.float32)
        freqs = np.fft.rfftfreq(self.window, 1.0 / self.sample_rate)
        self._low = (freqs >= 250.0) & (freqs < self.settings.split_hz)
        self._high = (freqs >= self.settings.split_hz) & (freqs < 3500.0)
        self.mouth_open = 0.0
        self.mouth_form = 0.0
        self.level_db = -120.0

    def reset(self) -> None:
        """Forget the signal so far (mouth closed)."""
        self._buffer[:] = 0.0
        self._pending = np.zeros(0, np.float32)
        self.mouth_open, self.mouth_form, self.level_db = 0.0, 0.0, -120.0

    @property
    def values(self) -> dict[str, float]:
        """``{"ParamMouthOpenY": open}`` plus ``"ParamMouthForm"`` when vowels are estimated."""
        out = {MOUTH_OPEN: self.mouth_open}
        if self.settings.vowels:
            out[MOUTH_FORM] = self.mouth_form
        return out

    def feed(self, samples: np.ndarray) -> int:
        """Analyse more samples (any length; see :func:`to_mono_float` for dtypes); returns the hops completed."""
        x = to_mono_float(samples)
        if self._pending.size:
            x = np.concatenate([self._pending, x])
        n = x.size // self.hop
        for i in range(n):
            self._step(x[i * self.hop:(i + 1) * self.hop])
        self._pending = x[n * self.hop:].copy()
        return n

    def _step(self, hop: np.ndarray) -> None:
        s = self.settings
        buf = self._buffer
        buf[:-hop.size] = buf[hop.size:]
        buf[-hop.size:] = hop
        rms = float(np.sqrt(np.mean(np.square(buf, dtype=np.float64))))
        self.level_db = 20.0 * np.log10(max(rms, 1e-6))
        target = np.clip((self.level_db - s.gate_db) / (s.full_db - s.gate_db) * s.gain, 0.0, 1.0)
        if self.level_db < s.gate_db:
            target = 0.0
        k = self._attack if target > self.mouth_open else self._release
        self.mouth_open += k * (float(target) - self.mouth_open)
        if s.vowels:
            form = 0.0
            if target > 0.0:
                power = np.abs(np.fft.rfft(buf * self._taper)) ** 2
                low, high = float(power[self._low].sum()), float(power[self._high].sum())
                if low > 0 and high > 0:
                    ratio_db = 10.0 * np.log10(high / low)
                    form = (ratio_db - s.form_low_db) / (s.form_high_db - s.form_low_db) * 2.0 - 1.0
                    form = float(np.clip(form, -1.0, 1.0))
            kf = self._attack if target > 0.0 else self._release
            self.mouth_form += kf * (form - self.mouth_form)


@dataclass(frozen=True, slots=True)
class LipSyncTrack:
    """Lip-sync over a whole recording, one row per hop.

    Attributes
    ----------
    times_s : (H,) float64
        The end of each hop (s from the start of the recording).
    mouth_open : (H,) float32 in [0, 1]
    mouth_form : (H,) float32 in [-1, 1] (zeros without vowels)
    level_db : (H,) float32, dBFS
    vowels : bool
    """

    times_s: np.ndarray
    mouth_open: np.ndarray
    mouth_form: np.ndarray
    level_db: np.ndarray
    vowels: bool = True

    @property
    def duration_s(self) -> float:
        return float(self.times_s[-1]) if self.times_s.size else 0.0

    def at(self, time_s: float) -> dict[str, float]:
        """The values at ``time_s`` (linear between hops; the mouth is closed before the start and after the end)."""
        if not self.times_s.size or time_s < 0 or time_s > self.duration_s:
            out = {MOUTH_OPEN: 0.0}
            if self.vowels:
                out[MOUTH_FORM] = 0.0
            return out
        out = {MOUTH_OPEN: float(np.interp(time_s, self.times_s, self.mouth_open))}
        if self.vowels:
            out[MOUTH_FORM] = float(np.interp(time_s, self.times_s, self.mouth_form))
        return out


def analyse(samples: np.ndarray, sample_rate: int, settings: LipSyncSettings | None = None) -> LipSyncTrack:
    """Run :class:`LipSync` over a whole recording ((N,) or (N, channels) samples at ``sample_rate`` Hz)."""
    sync = LipSync(sample_rate, settings)
    x = to_mono_float(samples)
    n = x.size // sync.hop
    rows = np.zeros((n, 3), np.float32)
    for i in range(n):
        sync._step(x[i * sync.hop:(i + 1) * sync.hop])
        rows[i] = (sync.mouth_open, sync.mouth_form, sync.level_db)
    times = (np.arange(1, n + 1) * sync.hop / sync.sample_rate).astype(np.float64)
    return LipSyncTrack(times, rows[:, 0].copy(), rows[:, 1].copy(), rows[:, 2].copy(), sync.settings.vowels)

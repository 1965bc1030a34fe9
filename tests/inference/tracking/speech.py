"""Speech-like test audio synthesised in numpy: voiced vowels (a glottal harmonic series shaped by two
formants) in syllables at ~4 Hz with pauses, and near-silence (room noise at -75 dBFS)."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

RATE = 16000

#: (F1, F2) in Hz of a few vowels (adult male averages).
FORMANTS = {"a": (730, 1090), "i": (270, 2290), "u": (300, 870), "e": (530, 1840), "o": (570, 840)}


def vowel(name: str, duration_s: float, f0: float = 120.0, level: float = 0.3, seed: int = 0) -> np.ndarray:
    """(N,) float32 voiced vowel: harmonics of f0 (with vibrato) weighted by two formant resonances."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(duration_s * RATE)) / RATE
    f1, f2 = FORMANTS[name]
    pitch = f0 * (1 + 0.02 * np.sin(2 * np.pi * 5 * t))
    phase = 2 * np.pi * np.cumsum(pitch) / RATE
    out = np.zeros_like(t)
    for k in range(1, int(4000 / f0)):
        fk = k * f0
        gain = sum(1.0 / (1.0 + ((fk - f) / (0.12 * f + 60)) ** 2) for f in (f1, f2)) / k ** 0.5
        out += gain * np.sin(k * phase + rng.uniform(0, 2 * np.pi))
    out *= level / (np.sqrt(np.mean(out ** 2)) + 1e-12)
    return out.astype(np.float32)


def speech(duration_s: float = 3.0, seed: int = 0, level: float = 0.05) -> np.ndarray:
    """Syllables (~200 ms, raised-cosine envelope) of random vowels at RMS ``level`` (0.05: -26 dBFS, a
    microphone at talking distance), with a 300 ms pause every 4."""
    rng = np.random.default_rng(seed)
    parts = [silence(0.2, seed)]
    n = 0
    while sum(p.size for p in parts) < duration_s * RATE:
        d = rng.uniform(0.15, 0.25)
        v = vowel(rng.choice(list(FORMANTS)), d, f0=rng.uniform(100, 140), level=level, seed=n)
        parts.append(v * np.hanning(v.size).astype(np.float32))
        n += 1
        if n % 4 == 0:
            parts.append(silence(0.3, seed + n))
    return np.concatenate(parts)[: int(duration_s * RATE)]


def silence(duration_s: float, seed: int = 1) -> np.ndarray:
    """Room noise at about -75 dBFS."""
    return (np.random.default_rng(seed).standard_normal(int(duration_s * RATE)) * 10 ** (-75 / 20)).astype(np.float32)


def write_wav(path: Path, samples: np.ndarray, rate: int = RATE) -> Path:
    """16-bit mono PCM WAV."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return path

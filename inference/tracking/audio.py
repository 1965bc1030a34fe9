"""Audio for lip-sync: read a recording, or listen to a microphone (:mod:`inference.tracking.lipsync`).

* :func:`read_audio` decodes a file to mono float32: WAV with the standard library's ``wave``; other
  formats (flac, ogg, ...) with ``soundfile`` when installed; anything else, including the sound of a
  video (mp4, mkv, webm), with an ``ffmpeg`` executable (on ``PATH`` or from ``imageio-ffmpeg``).
* :class:`Microphone` streams an input device through ``sounddevice`` (PortAudio) into a
  :class:`~inference.tracking.lipsync.LipSync` on PortAudio's callback thread; :meth:`Microphone.values`
  is read from any thread. :func:`input_devices` lists the devices for a picker.

Errors are :class:`AudioError` with a message naming what to install or what is wrong.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import threading
import wave
from pathlib import Path

import numpy as np

from inference.tracking.lipsync import LipSync, LipSyncSettings, to_mono_float

log = logging.getLogger(__name__)

#: Sample rate files are decoded to by ffmpeg and microphones are opened at (Hz).
DEFAULT_RATE = 16000

MICROPHONE_HELP = ("microphone input needs the sounddevice package and the PortAudio library: "
                   "pip install sounddevice; on Debian/Ubuntu also apt-get install libportaudio2")


class AudioError(RuntimeError):
    """An audio file or device cannot be read (the message says why and what to install)."""


def _read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as w:
        width, channels, rate = w.getsampwidth(), w.getnchannels(), w.getframerate()
        raw = w.readframes(w.getnframes())
    if width == 3:  # 24-bit little endian -> int32
        b = np.frombuffer(raw, np.uint8).reshape(-1, 3)
        data = (b[:, 0].astype(np.int32) << 8 | b[:, 1].astype(np.int32) << 16 | b[:, 2].astype(np.int32) << 24)
    else:
        dtype = {1: np.uint8, 2: np.int16, 4: np.int32}.get(width)
        if dtype is None:
            raise AudioError(f"{path}: unsupported WAV sample width {width} bytes")
        data = np.frombuffer(raw, dtype)
    return to_mono_float(data.reshape(-1, channels)), rate


def _ffmpeg() -> str | None:
    exe = shutil.which("ffmpeg")
    if exe:
        return exe
    try:
        import imageio_ffmpeg
    except ImportError:
        return None
    try:
        return imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError:
        return None


def read_audio(path: str | Path, sample_rate: int = DEFAULT_RATE) -> tuple[np.ndarray, int]:
    """Decode ``path`` to ((N,) float32 mono in [-1, 1], sample rate in Hz).

    WAV keeps its own rate; ffmpeg decodes to ``sample_rate``.

    Raises
    ------
    AudioError
        Missing file, a format no installed decoder reads (names ffmpeg / soundfile), no audio stream.
    """
    path = Path(path)
    if not path.is_file():
        raise AudioError(f"{path}: no such audio file")
    if path.suffix.lower() == ".wav":
        try:
            return _read_wav(path)
        except (wave.Error, EOFError) as exc:
            log.debug("%s is not plain PCM WAV (%s); trying other decoders", path, exc)
    try:
        import soundfile
    except ImportError:
        soundfile = None
    if soundfile is not None:
        try:
            data, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
            return to_mono_float(data), int(rate)
        except RuntimeError as exc:  # soundfile.LibsndfileError: not a format libsndfile reads (e.g. mp4)
            log.debug("soundfile cannot read %s: %s", path, exc)
    exe = _ffmpeg()
    if exe is None:
        raise AudioError(f"{path}: reading this format needs ffmpeg (apt-get install ffmpeg, or pip install "
                         "imageio-ffmpeg) or soundfile (pip install soundfile); WAV needs neither")
    cmd = [exe, "-v", "error", "-nostdin", "-i", str(path), "-vn", "-ac", "1", "-ar", str(sample_rate),
           "-f", "s16le", "-"]
    proc = subprocess.run(cmd, capture_output=True, check=False)
    if proc.returncode != 0 or not proc.stdout:
        detail = proc.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no audio stream"]
        raise AudioError(f"{path}: ffmpeg could not decode its audio: {detail[0]}")
    return to_mono_float(np.frombuffer(proc.stdout, np.int16)), sample_rate


def _sounddevice():
    try:
        import sounddevice
    except (ImportError, OSError) as exc:  # OSError: the PortAudio library is missing
        raise AudioError(f"{MICROPHONE_HELP} ({exc})") from exc
    return sounddevice


def input_devices() -> list[tuple[int, str]]:
    """(index, name) of every input device, for a device picker.

    Raises
    ------
    AudioError
        sounddevice or PortAudio is missing.
    """
    sd = _sounddevice()
    return [(i, d["name"]) for i, d in enumerate(sd.query_devices()) if d.get("max_input_channels", 0) > 0]


class Microphone:
    """A live input device feeding lip-sync (module docstring); a context manager.

    Parameters
    ----------
    device : int, str or None
        A sounddevice device index or name; None or "default": the system's default input.
    settings : LipSyncSettings, optional
    sample_rate : int

    Raises
    ------
    AudioError
        On :meth:`start`: sounddevice/PortAudio missing (names what to install), no such device.
    """

    def __init__(self, device: int | str | None = None, settings: LipSyncSettings | None = None,
                 sample_rate: int = DEFAULT_RATE) -> None:
        self.device = None if device in (None, "default") else device
        self.sync = LipSync(sample_rate, settings)
        self._lock = threading.Lock()
        self._stream = None

    def start(self) -> Microphone:
        sd = _sounddevice()

        def callback(indata, frames, time_info, status) -> None:  # PortAudio's thread
            with self._lock:
                self.sync.feed(indata[:, 0].copy())

        try:
            self._stream = sd.InputStream(device=self.device, channels=1, samplerate=self.sync.sample_rate,
                                          blocksize=self.sync.hop, dtype="float32", callback=callback)
            self._stream.start()
        except Exception as exc:  # noqa: BLE001 - PortAudioError, ValueError: no such device
            self._stream = None
            raise AudioError(f"cannot open the microphone {self.device or 'default'}: {exc}") from exc
        return self

    def values(self) -> dict[str, float]:
        """The lip-sync values now (thread-safe)."""
        with self._lock:
            return self.sync.values

    @property
    def level_db(self) -> float:
        with self._lock:
            return self.sync.level_db

    def close(self) -> None:
        if self._stream is not None:
            self._stream.stop()
            self._stream.close()
            self._stream = None

    def __enter__(self) -> Microphone:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

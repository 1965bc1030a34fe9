"""The live outputs of ``kirie track``: microphone / audio-file lip-sync (``--audio``), idle life
(``--idle``) and the virtual camera (``--virtual-camera``), kept out of :mod:`app.cli.track`.

Without ``--source``, ``--audio`` alone drives the avatar (:func:`run_audio_only`): the mouth from the
voice, breath and blink from ``--idle``, at ``--fps`` (default 30) frames a second: the length of a
recording, or until Ctrl+C / ``--max-frames`` for a microphone (paced in real time, as is a recording
sent to a virtual camera).

Headless: no Qt.
"""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

log = logging.getLogger("kirie.track")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    live = parser.add_argument_group("live")
    live.add_argument("--audio", metavar="FILE|default|N",
                      help="lip-sync ParamMouthOpenY/ParamMouthForm from an audio or video file (its sound, "
                           "aligned with the frames' time), or a microphone: 'default' or a device index")
    live.add_argument("--no-vowels", action="store_true", help="lip-sync drives ParamMouthOpenY only")
    live.add_argument("--audio-gate", type=float, default=-45.0, metavar="DB",
                      help="level (dBFS) below which the mouth stays shut (default -45)")
    live.add_argument("--idle", action="store_true",
                      help="breathe and blink where tracking does not drive (rendered outputs)")
    live.add_argument("--virtual-camera", action="store_true",
                      help="send the avatar to a virtual camera (pyvirtualcam: v4l2loopback / OBS / Unity Capture)")
    live.add_argument("--vc-size", default="1280x720", metavar="WxH", help="virtual camera size (default 1280x720)")
    live.add_argument("--vc-fps", type=float, default=30.0, metavar="N", help="virtual camera frame rate (default 30)")
    live.add_argument("--vc-background", default="key", metavar="key|#RRGGBB",
                      help="virtual camera background: 'key' (green, for a chroma key) or a colour")


def check(args: argparse.Namespace) -> str | None:
    """A one-line problem with the live arguments, or None (parsed values are stored on ``args``)."""
    from app.tracking.sinks import parse_background, parse_size

    if args.virtual_camera:
        try:
            args.vc_size_px = parse_size(args.vc_size)
            args.vc_rgb = parse_background(args.vc_background)
        except ValueError as exc:
            return f"--vc-size/--vc-background: {exc}"
        if not 1.0 <= args.vc_fps <= 240.0:
            return f"--vc-fps must be in [1, 240], got {args.vc_fps}"
    if args.source is None:
        if not args.audio:
            return "--source is required (or --audio alone: a microphone or a recording drives the mouth)"
        if args.side_by_side:
            return "--side-by-side needs a --source"
    if not -120.0 <= args.audio_gate < -1.0:
        return f"--audio-gate must be in [-120, -1) dBFS, got {args.audio_gate}"
    return None


def open_audio(args: argparse.Namespace, stack) -> Callable[[int], dict[str, float]] | None:
    """Lip-sync values by frame time (ms), or None without ``--audio``. A microphone is closed by ``stack``
    (a :class:`contextlib.ExitStack`).

    Raises
    ------
    inference.tracking.audio.AudioError
        Unreadable file, missing decoder, sounddevice/PortAudio missing, no such device.
    """
    if not args.audio:
        return None
    from inference.tracking.audio import Microphone, read_audio
    from inference.tracking.lipsync import LipSyncSettings, analyse

    settings = LipSyncSettings(gate_db=args.audio_gate, vowels=not args.no_vowels)
    spec = args.audio
    if spec == "default" or (spec.isdigit() and not Path(spec).exists()):
        mic = stack.enter_context(Microphone(None if spec == "default" else int(spec), settings))
        args.audio_duration_s = None
        log.info("lip-sync from the microphone %s", spec)
        return lambda _t_ms: mic.values()
    samples, rate = read_audio(spec)
    track = analyse(samples, rate, settings)
    args.audio_duration_s = track.duration_s
    log.info("lip-sync from %s (%.1f s, mouth open %.0f%% of the time)", spec, track.duration_s,
             100.0 * float((track.mouth_open > 0.2).mean()) if track.mouth_open.size else 0.0)
    return lambda t_ms: track.at(t_ms / 1000.0)


def open_virtual_camera(args: argparse.Namespace, stack):
    """The virtual camera sink, or None without ``--virtual-camera``; closed by ``stack``.

    Raises
    ------
    app.tracking.sinks.VirtualCameraError
        No pyvirtualcam or no driver (the message names what to install).
    """
    if not args.virtual_camera:
        return None
    from app.tracking.sinks import VirtualCameraSink

    sink = VirtualCameraSink(args.vc_size_px, args.vc_fps, args.vc_rgb)
    stack.callback(sink.close)
    return sink


@dataclass
class _AudioTick:
    """What :func:`app.cli.track._frame_handler` reads of a tracked frame, for a frame without a camera."""

    timestamp_ms: int
    frame: SimpleNamespace
    features: SimpleNamespace = field(default_factory=lambda: SimpleNamespace(found=False))
    values: dict = field(default_factory=dict)


def run_audio_only(args: argparse.Namespace, on_frame: Callable, fps: float, realtime: bool) -> int:
    """Call ``on_frame`` for each frame of an audio-only session (module docstring); returns the frame count."""
    total = None if args.audio_duration_s is None else int(args.audio_duration_s * fps) + 1
    if args.max_frames is not None:
        total = args.max_frames if total is None else min(total, args.max_frames)
    start = time.perf_counter()
    index = 0
    try:
        while total is None or index < total:
            if realtime:
                delay = start + index / fps - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
            on_frame(_AudioTick(round(1000.0 * index / fps), SimpleNamespace(index=index, rgb=None)))
            index += 1
    except KeyboardInterrupt:
        log.info("stopped")
    return index

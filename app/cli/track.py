"""``kirie track PROJECT.kirie --source VIDEO_OR_CAMERA [--record OUT.motion3.json] [--out-video OUT.mp4] ...``.

Tracks a face in a video file, an image sequence or a camera (an integer index) with MediaPipe
FaceLandmarker, maps it to the project's standard parameters (:mod:`inference.tracking.mapping`) and
optionally:

- ``--json``: prints one JSON object per frame on stdout:
  ``{"index": 0, "t_ms": 0, "found": true, "values": {"ParamAngleX": 1.23, ...}}``;
- ``--record``: writes the values as a motion3.json (linear curves, exact Meta counts);
- ``--out-video``: renders the rig driven by the face (physics included) into an mp4 (OpenCV's
  ``mp4v`` encoder), next to the input frame with ``--side-by-side``;
- ``--audio FILE|default|N``: lip-sync from a recording (a video's own sound) or a microphone, over the
  camera's mouth (:mod:`app.cli.track_live`); ``--idle``: breath and blink under tracking;
- ``--virtual-camera``: sends the avatar to a virtual camera for OBS, Discord or Zoom.

By default the first quarter second (at least 5 frames) is taken as the neutral face
(``--calibrate-frames``; LivePortrait takes the first frame), so the clip should start neutral. Ctrl+C
stops a camera session; what was recorded so far is still written. Exit status 2 on a bad source,
project or missing model.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import logging
import os
import sys
from pathlib import Path

import numpy as np

log = logging.getLogger("kirie.track")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("project", type=Path, help="the .kirie project to drive")
    parser.add_argument("--source", help="video file, image folder/glob, or camera index (0, 1, ...); "
                                         "optional with --audio")
    parser.add_argument("--record", type=Path, metavar="OUT.motion3.json", help="write the parameter curves")
    parser.add_argument("--out-video", type=Path, metavar="OUT.mp4", help="render the driven rig to an mp4")
    parser.add_argument("--side-by-side", action="store_true", help="put the input frame left of the render")
    parser.add_argument("--size", type=int, default=512, metavar="W", help="render width in pixels (default 512)")
    parser.add_argument("--json", action="store_true", help="print one line of parameter values per frame")
    parser.add_argument("--mirror", action="store_true",
                        help="selfie view: the character mirrors the user (yaw, roll and eyes flipped)")
    parser.add_argument("--smoothing", type=float, default=0.5, metavar="0..1", help="smoothing slider (default 0.5)")
    parser.add_argument("--calibrate-frames", type=int, metavar="N",
                        help="first frames taken as the neutral face (default: a quarter second, at least 5; 0: none)")
    parser.add_argument("--max-frames", type=int, metavar="N", help="stop after N frames")
    parser.add_argument("--fps", type=float, help="frame rate of an image sequence (default 30)")
    from app.cli import track_live

    track_live.add_arguments(parser)


class _VideoOut:
    """mp4 writer (OpenCV ``mp4v``), opened on the first frame with that frame's size.

    Frames go to a temporary beside ``path`` (:func:`rig.formats.atomic.atomic_path`); :meth:`finish`
    checks that the file is complete (it opens and holds every frame written) and only then renames it
    into place, so a full disk or a crash never leaves a broken ``path``; :meth:`abort` removes it.
    """

    def __init__(self, path: Path, fps: float) -> None:
        self.path, self.fps, self._writer = path, fps, None
        self.frames = 0
        self._stack = contextlib.ExitStack()
        self._tmp: Path | None = None

    def write(self, rgb: np.ndarray) -> None:
        import cv2

        from rig.formats.atomic import atomic_path

        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._tmp = self._stack.enter_context(atomic_path(self.path, keep_suffix=True))
            h, w = rgb.shape[:2]
            self._writer = cv2.VideoWriter(str(self._tmp), cv2.VideoWriter_fourcc(*"mp4v"), self.fps, (w, h))
            if not self._writer.isOpened():
                raise _video_error(self.path, "cannot write an mp4 video there")
        self._writer.write(np.ascontiguousarray(rgb[:, :, ::-1]))
        self.frames += 1

    def finish(self) -> bool:
        """Close, check and rename into place; False when no frame was written (nothing is created).

        Raises
        ------
        OSError
            The video is incomplete (full disk, write error); the temporary is removed.
        """
        if self._writer is None:
            return False
        self._writer.release()
        self._writer = None
        try:
            self._check_complete()
        except BaseException:
            self.abort()
            raise
        self._stack.close()  # renames the temporary over self.path
        return True

    def abort(self) -> None:
        """Drop the partial video (the temporary is removed; an existing ``path`` is kept)."""
        if self._writer is not None:
            self._writer.release()
            self._writer = None
        abort = _Aborted()
        self._stack.__exit__(_Aborted, abort, None)  # atomic_path removes the temporary


    def _check_complete(self) -> None:
        import cv2

        cap = cv2.VideoCapture(str(self._tmp))
        try:
            count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) if cap.isOpened() else 0
        finally:
            cap.release()
        if count != self.frames:
            raise _video_error(self.path, f"the video is incomplete ({count} of {self.frames} frames readable)")


class _Aborted(Exception):
    """Thrown into the video's atomic_path so that it drops the temporary instead of renaming it."""


def _video_error(path: Path, detail: str) -> OSError:
    """OpenCV reports no errno: a full disk is recognised by its free space, anything else is ``detail``."""
    try:
        st = os.statvfs(path.parent)
        full = st.f_bavail * st.f_frsize < 64 * 1024
    except (OSError, AttributeError):
        full = False
    if full:
        return OSError(errno.ENOSPC, "No space left on device", str(path))
    return OSError(errno.EIO, detail, str(path))


def _side_by_side(frame_rgb: np.ndarray, render_rgb: np.ndarray) -> np.ndarray:
    import cv2

    h = render_rgb.shape[0]
    w = max(1, round(frame_rgb.shape[1] * h / frame_rgb.shape[0]))
    return np.hstack([cv2.resize(frame_rgb, (w, h), interpolation=cv2.INTER_AREA), render_rgb])


def _check(args: argparse.Namespace) -> str | None:
    from app.cli.checks import check_image_size, finite, output_file

    if not 0.0 <= args.smoothing <= 1.0:
        return f"--smoothing must be in [0, 1], got {args.smoothing}"
    if args.size < 16:
        return f"--size must be at least 16, got {args.size}"
    check_image_size(args.size, args.size, "--size")
    if args.max_frames is not None and args.max_frames < 1:
        return f"--max-frames must be positive, got {args.max_frames}"
    if args.fps is not None:
        finite(args.fps, "--fps", 0.0, 1000.0, low_open=True)
    inputs = tuple(p for p in (args.project, args.source) if p is not None)
    if args.record:
        output_file(args.record, (".motion3.json",), "--record", inputs)
    if args.out_video:
        output_file(args.out_video, (".mp4",), "--out-video", inputs)
    if not (args.json or args.record or args.out_video or args.virtual_camera):
        log.info("nothing to output: add --json, --record, --out-video or --virtual-camera (tracking anyway)")
    from app.cli import track_live

    return track_live.check(args)


def run(args: argparse.Namespace) -> int:
    from app.cli import track_live
    from app.tracking.sinks import VirtualCameraError
    from inference.tracking.audio import AudioError
    from inference.tracking.mapping import ParameterMapper
    from inference.tracking.recorder import MotionRecorder
    from inference.tracking.session import TrackingSession
    from inference.tracking.sources import open_source
    from rig.formats.project import load_project

    problem = _check(args)
    if problem:
        log.error("%s", problem)
        return 2
    rig = load_project(args.project, with_source=False).rig
    if args.source is None:
        return _run_audio_only(args, rig)
    source = open_source(args.source, fps=args.fps)
    fps = source.fps or 30.0
    calibrate_frames = args.calibrate_frames if args.calibrate_frames is not None else max(5, round(fps / 4))
    mapper = ParameterMapper(smoothing=args.smoothing, mirror=args.mirror)
    recorder = MotionRecorder(fps=fps) if args.record else None
    video = _VideoOut(args.out_video, fps) if args.out_video else None
    with contextlib.ExitStack() as live:
        try:
            lipsync = track_live.open_audio(args, live)
            camera = track_live.open_virtual_camera(args, live)
        except (AudioError, VirtualCameraError) as exc:
            source.close()
            log.error("%s", exc)
            return 2
        on_frame = _frame_handler(args, rig, video, recorder, lipsync, camera)
        try:
            with TrackingSession(source, mapper=mapper, calibrate_frames=calibrate_frames,
                                 max_frames=args.max_frames) as session:
                try:
                    stats = session.run(on_frame)
                except KeyboardInterrupt:
                    log.info("stopped")
                    stats = None
        except BaseException:
            if video is not None:
                video.abort()
            raise
    wrote_video = video is not None and video.finish()
    if stats is not None:
        med = stats.medians()
        log.info("%d frames, face in %d; median ms: read %.1f, track %.1f, map %.2f", stats.frames,
                 stats.faces_found, med["read_ms"], med["track_ms"], med["map_ms"])
    if recorder is not None and len(recorder):
        motion = recorder.save(args.record)
        log.info("wrote %s (%d curves, %.2f s)", args.record, len(motion.curves), motion.duration_s)
    if wrote_video:
        log.info("wrote %s (%d frames)", args.out_video, video.frames)
    elif video is not None:
        log.warning("no frame was rendered; %s not written", args.out_video)
    return 0


def _run_audio_only(args: argparse.Namespace, rig) -> int:
    """``--audio`` without ``--source``: the voice (and ``--idle``) drive the avatar (:mod:`app.cli.track_live`)."""
    from app.cli import track_live
    from app.tracking.sinks import VirtualCameraError
    from inference.tracking.audio import AudioError
    from inference.tracking.recorder import MotionRecorder

    fps = args.fps or 30.0
    recorder = MotionRecorder(fps=fps) if args.record else None
    video = _VideoOut(args.out_video, fps) if args.out_video else None
    with contextlib.ExitStack() as live:
        try:
            lipsync = track_live.open_audio(args, live)
            camera = track_live.open_virtual_camera(args, live)
        except (AudioError, VirtualCameraError) as exc:
            log.error("%s", exc)
            return 2
        realtime = args.audio_duration_s is None or camera is not None
        try:
            frames = track_live.run_audio_only(args, _frame_handler(args, rig, video, recorder, lipsync, camera),
                                               fps, realtime)
        except BaseException:
            if video is not None:
                video.abort()
            raise
    log.info("%d frames from the audio", frames)
    if recorder is not None and len(recorder):
        motion = recorder.save(args.record)
        log.info("wrote %s (%d curves, %.2f s)", args.record, len(motion.curves), motion.duration_s)
    if video is not None and video.finish():
        log.info("wrote %s (%d frames)", args.out_video, video.frames)
    return 0


def _frame_handler(args: argparse.Namespace, rig, video: _VideoOut | None, recorder=None, lipsync=None,
                   camera=None):
    """The per-frame callback: JSON line, recorded values (lip-sync over the tracked mouth), a rendered
    video frame and/or a virtual-camera frame."""
    puppet = None
    if video is not None or camera is not None:
        from app.tracking.puppet import Puppet

        puppet = Puppet(rig, idle=args.idle)
    last_ms: list[int] = []

    def on_frame(tracked) -> None:
        mouth = lipsync(tracked.timestamp_ms) if lipsync is not None else None
        values = {**tracked.values, **mouth} if mouth else tracked.values
        if recorder is not None:
            recorder.add(tracked.timestamp_ms, values)
        if args.json:
            line = {"index": tracked.frame.index, "t_ms": tracked.timestamp_ms, "found": tracked.features.found,
                    "values": {k: round(v, 4) for k, v in values.items()}}
            sys.stdout.write(json.dumps(line) + "\n")
            sys.stdout.flush()
        if puppet is not None:
            from app.tracking.puppet import composite_over

            dt_s = (tracked.timestamp_ms - last_ms[0]) / 1000.0 if last_ms else 0.0
            last_ms[:] = [tracked.timestamp_ms]
            if camera is not None and video is None:  # drawn on the camera's colour at its size: nothing to blend
                camera.send(puppet.render(tracked.values, dt_s, size=tuple(camera.size), lipsync=mouth,
                                          background=camera.background))
                return
            rgba = puppet.render(tracked.values, dt_s, size=args.size, lipsync=mouth)
            if camera is not None:
                camera.send(rgba)
            if video is not None:
                rgb = composite_over(rgba)
                video.write(_side_by_side(tracked.frame.rgb, rgb) if args.side_by_side else rgb)

    return on_frame

"""Face tracking and end-to-end latency at 640x480 on the CPU: frame in -> parameters -> evaluate -> pixels.

Usage: ``.venv/bin/python benchmarks/bench_tracking.py [--project P.kirie] [--frames N] [--clip d9]``

Frames: ``../shared/data/driving/<clip>.mp4`` resized to 640x480 (decoded up front, so decoding is not
timed). Per frame, timed separately: FaceLandmarker (``FaceTracker.process``), mapping
(``ParameterMapper.update``), microphone lip-sync (``LipSync.feed`` on one frame's worth of a
buzzing synthetic voice, laid over the tracked mouth), physics + evaluation (``Puppet.evaluate``) and headless rendering to a
640x480 RGBA array (``render_to_array``, EGL; Mesa llvmpipe without a GPU). The rig is ``--project``
(e.g. a generated character) or, without one, ``rig.testing.benchmark_rig("medium")`` (its parameters are
not the standard ones, so tracking does not move it, but evaluation and rendering cost the same).
Prints medians, the end-to-end p50/p95 latency and frame rate; the bar is >= 30 fps (< 33.3 ms per frame).

Then the **threaded live loop** (``--live-s`` seconds, 0 to skip), laid out as the editor runs it: a
"camera" thread hands the frames over at the clip's rate (30 fps) into a one-slot mailbox (newest
frame wins, as ``CameraSource``'s grabber does), a tracking thread takes the newest frame and tracks
it (frames it had no time for are dropped and counted), and the main thread poses (idle life,
lip-sync, physics), evaluates and renders the newest tracked values at up to ``--render-fps`` (60).
Prints the rendered frame rate, the tracked rate, the dropped frames, and the latency from a frame's
hand-over to the end of the first render that shows it (p50 / p95).
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # this checkout's code, not whatever the venv's editable install points at
os.environ.setdefault("KIRIE_MODEL_CACHE", str(REPO.parent / "shared" / "models"))


def load_frames(clip: str, n: int):
    import cv2

    from inference.tracking.sources import VideoSource

    frames = []
    with VideoSource(REPO.parent / "shared" / "data" / "driving" / f"{clip}.mp4") as src:
        for frame in src:
            frames.append((cv2.resize(frame.rgb, (640, 480), interpolation=cv2.INTER_LINEAR), frame.timestamp_ms))
            if len(frames) == n:
                break
    return frames


def load_rig(project: Path | None):
    """(rig, label): the project's rig, or ``benchmark_rig("medium")`` without one."""
    if project:
        from rig.formats.project import load_project

        return load_project(project).rig, project.name
    from rig.testing import benchmark_rig

    return benchmark_rig("medium"), "benchmark_rig('medium')"


def sequential(rig, label: str, frames, clip: str, log) -> dict[str, float]:
    """Every stage of every frame in turn on this thread; logs and returns the medians (ms) and
    ``p95`` of the end-to-end time."""
    from app.render.offscreen import render_to_array
    from app.tracking.puppet import Puppet
    from inference.tracking.lipsync import LipSync
    from inference.tracking.mapping import ParameterMapper
    from inference.tracking.tracker import FaceTracker

    puppet, mapper = Puppet(rig, idle=True), ParameterMapper()
    sync, rate = LipSync(16000), 16000
    voice = (0.05 * np.sign(np.sin(2 * np.pi * 120 * np.arange(rate * 10) / rate))).astype(np.float32)
    per_frame = rate // 30
    times: dict[str, list[float]] = {"track": [], "map": [], "lipsync": [], "evaluate": [], "render": [],
                                     "total": []}
    with FaceTracker() as tracker:
        last_ms = None
        for i, (rgb, ts) in enumerate(frames):
            t0 = time.perf_counter()
            features = tracker.process(rgb, ts)
            t1 = time.perf_counter()
            values = mapper.update(features)
            t2 = time.perf_counter()
            start = (i * per_frame) % (voice.size - per_frame)
            sync.feed(voice[start:start + per_frame])
            mouth = sync.values
            t2b = time.perf_counter()
            evaluated = puppet.evaluate(values, 0.0 if last_ms is None else (ts - last_ms) / 1000.0, lipsync=mouth)
            t3 = time.perf_counter()
            render_to_array(evaluated, size=(640, 480))
            t4 = time.perf_counter()
            last_ms = ts
            if i < 5:  # warm-up (model graph, GL caches, texture uploads)
                continue
            for key, (a, b) in {"track": (t0, t1), "map": (t1, t2), "lipsync": (t2, t2b), "evaluate": (t2b, t3),
                                "render": (t3, t4), "total": (t0, t4)}.items():
                times[key].append((b - a) * 1000.0)
    med = {k: statistics.median(v) for k, v in times.items()}
    log.info("rig %s: %d parameters, %d art meshes; clip %s, %d timed frames at 640x480", label, len(rig.parameters),
             len(rig.art_meshes), clip, len(times["total"]))
    for key in ("track", "map", "lipsync", "evaluate", "render"):
        log.info("  %-9s median %7.2f ms", key, med[key])
    total = med["total"]
    p95 = float(np.percentile(times["total"], 95))
    log.info("  end to end p50 %.2f ms, p95 %.2f ms -> %.1f fps (bar: >= 30 fps) %s", total, p95, 1000.0 / total,
             "OK" if total <= 1000.0 / 30.0 else "BELOW BAR")
    med["p95"] = p95
    return med


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, help="a .kirie project (default: benchmark_rig('medium'))")
    parser.add_argument("--frames", type=int, default=150)
    parser.add_argument("--clip", default="d9")
    parser.add_argument("--live-s", type=float, default=8.0, help="seconds of the threaded live loop (0: skip)")
    parser.add_argument("--render-fps", type=float, default=60.0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    log = logging.getLogger("bench_tracking")

    rig, label = load_rig(args.project)
    frames = load_frames(args.clip, args.frames)
    sequential(rig, label, frames, args.clip, log)
    if args.live_s > 0:
        live_loop(rig, frames, args.live_s, args.render_fps, log)


class Mailbox:
    """One slot: ``put`` replaces what is there (newest wins), ``take`` waits for something new."""

    def __init__(self) -> None:
        import threading

        self._cond = threading.Condition()
        self._item, self._seq, self._taken, self.dropped = None, 0, 0, 0

    def put(self, item) -> None:
        with self._cond:
            self.dropped += self._seq > self._taken  # the previous one was never taken
            self._item, self._seq = item, self._seq + 1
            self._cond.notify_all()

    def take(self, timeout_s: float | None = None):
        with self._cond:
            if not self._cond.wait_for(lambda: self._seq > self._taken, timeout_s):
                return None
            self._taken = self._seq
            return self._item

    def peek(self):
        with self._cond:
            fresh = self._seq > self._taken
            self._taken = self._seq
            return self._item if fresh else None


def start_tracking(frames, stop):
    """The camera thread (the frames at 30 fps into a newest-wins :class:`Mailbox`) and the tracking thread
    (newest frame -> FaceLandmarker -> mapping -> ``(values, capture time)`` into the second mailbox).

    Returns ``(camera, tracked, counts, threads)``; set ``stop`` and join ``threads`` to end them."""
    import threading

    from inference.tracking.mapping import ParameterMapper
    from inference.tracking.tracker import FaceTracker

    camera, tracked = Mailbox(), Mailbox()
    counts = {"tracked": 0}

    def camera_thread() -> None:
        t0, i = time.perf_counter(), 0
        while not stop.is_set():
            rgb, _ = frames[i % len(frames)]
            camera.put((rgb, round(i * 1000 / 30), time.perf_counter()))
            i += 1
            time.sleep(max(0.0, t0 + i / 30.0 - time.perf_counter()))

    def tracking_thread() -> None:
        mapper = ParameterMapper()
        with FaceTracker() as tracker:
            while not stop.is_set():
                got = camera.take(0.1)
                if got is None:
                    continue
                rgb, ts, t_capture = got
                values = mapper.update(tracker.process(rgb, ts))
                tracked.put((dict(values), t_capture))
                counts["tracked"] += 1

    threads = [threading.Thread(target=f, daemon=True) for f in (camera_thread, tracking_thread)]
    for t in threads:
        t.start()
    return camera, tracked, counts, threads


def live_loop(rig, frames, seconds: float, render_fps: float, log) -> dict[str, float]:
    """The threaded live loop of the module docstring; logs and returns fps, drops and latency p50 / p95."""
    import threading

    from app.render.offscreen import render_to_array
    from app.tracking.puppet import Puppet
    from inference.tracking.lipsync import LipSync

    stop = threading.Event()
    camera, tracked, counts, threads = start_tracking(frames, stop)
    puppet, sync = Puppet(rig, idle=True), LipSync(16000)
    voice = (0.05 * np.sign(np.sin(2 * np.pi * 120 * np.arange(16000) / 16000))).astype(np.float32)
    values, pending, latency, renders = {}, None, [], 0
    tracked.take(60.0)  # the tracker's model is loaded and the first frame tracked
    render_to_array(puppet.evaluate(values, 0.0), size=(640, 480))  # GL context, caches, textures
    t_start = last = time.perf_counter()
    counts["tracked"], camera.dropped = 0, 0  # count from here on
    while (now := time.perf_counter()) - t_start < seconds:
        got = tracked.peek()
        if got is not None:
            values, pending = got
        sync.feed(voice[: 16000 // int(render_fps)])
        render_to_array(puppet.evaluate(values, now - last, lipsync=sync.values), size=(640, 480))
        renders += 1
        last, done = now, time.perf_counter()
        if pending is not None:
            latency.append((done - pending) * 1000.0)
            pending = None
        time.sleep(max(0.0, now + 1.0 / render_fps - time.perf_counter()))
    wall = time.perf_counter() - t_start
    stop.set()
    for t in threads:
        t.join(5.0)
    out = {"fps": renders / wall, "tracked_fps": counts["tracked"] / wall, "dropped": camera.dropped,
           "p50": float(np.percentile(latency, 50)), "p95": float(np.percentile(latency, 95))}
    log.info("live loop (threads: camera 30 fps -> tracking, newest frame wins -> evaluate + render at <= %g fps), "
             "%.1f s:", render_fps, wall)
    log.info("  rendered %.1f fps, tracked %.1f fps, camera frames dropped by tracking %d; "
             "latency frame -> pixels p50 %.1f ms, p95 %.1f ms", out["fps"], out["tracked_fps"], out["dropped"],
             out["p50"], out["p95"])
    return out


if __name__ == "__main__":
    main()

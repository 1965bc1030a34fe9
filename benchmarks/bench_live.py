"""The live loop in one run: evaluate against the Cubism Core, then camera frame -> pixels at 640x480.

Run: ``.venv/bin/python benchmarks/bench_live.py [--project P.kirie ...] [--eval-frames N] [--clip d9]
[--live-s S]`` (``KIRIE_MODEL_CACHE`` defaults to ``../shared/models``).

1. **evaluate / Core** (:mod:`bench_evaluate`): the three synthetic rigs and every ``--project``, exported
   to ``.moc3`` and loaded into the Cubism Core (test-only oracle, in this process, before any GL
   context), the same poses interleaved frame by frame; medians in microseconds and ``kirie / core``.
2. **one frame at a time** (:func:`bench_tracking.sequential`) on the first ``--project`` (default
   ``benchmark_rig("medium")``): FaceLandmarker, mapping, lip-sync, physics + evaluation, render at
   640x480; medians and the end-to-end p50 / p95. Give a generated project for parts 2 and 3: the
   synthetic rig's meshes cover the canvas about 18 times over at the benchmark poses, so on software
   GL (llvmpipe) its frames are fill-bound (about 200 ms), which says nothing about a character.
3. **the live loop as the editor's virtual camera runs it**: a camera thread (the clip at 30 fps, newest
   frame wins), a tracking thread, a "GUI" thread that poses the newest tracked values (idle life,
   lip-sync, physics) at ``--render-fps`` and posts them to a :class:`app.tracking.sink_worker.SinkWorker`,
   which evaluates, renders 640x480 on its own EGL context and sends into a sink that composes the
   frame as the virtual camera does (on the key colour; ``--compose-in-numpy``: a sink without a
   background colour, so the render is unpremultiplied and blended in numpy). Prints the frame rate
   the sink receives, the tracked rate, and the latency from a camera frame's hand-over to the end of
   the first ``send`` showing it (p50 / p95); also how long the GUI thread's posting took (p95). The
   worker renders back to back when frames are slower than the rate (``--duty 1``; the editor's camera
   keeps to half, ``--duty 0.5``, so that the GUI thread keeps the interpreter).

The bars: ``kirie / core <= 3``; >= 30 fps at 640x480 (60 the goal).
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import threading
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))
os.environ.setdefault("KIRIE_MODEL_CACHE", str(REPO.parent / "shared" / "models"))

CAPTURE_KEY = "__capture_s"  # rides along with the values (evaluate ignores unknown ids)


def evaluate_vs_core(projects: list[Path], n_frames: int) -> list[tuple[str, float]]:
    """Part 1; returns ``(label, kirie / core)`` per rig."""
    from importlib.metadata import version

    import bench_evaluate

    from rig.evaluate import kernel
    from rig.testing import BENCHMARK_SIZES, benchmark_rig

    print(f"kernel: {'numba ' + version('numba') if kernel.AVAILABLE else 'unavailable (numpy path)'}; "
          f"{n_frames} interleaved frames per rig; medians in us (compile, refresh in ms)")
    print(f"{'rig':10} {'meshes':>6} {'vertices':>8} {'deformers':>9} {'params':>6} {'core':>8} {'kirie':>8} "
          f"{'ratio':>8} {'+gizmos':>8} {'numpy':>8} {'ratio':>8} {'min/min':>8} {'compile':>9} {'refresh':>9}")
    ratios = []
    rigs = [(size, lambda s=size: benchmark_rig(s)) for size in BENCHMARK_SIZES]
    for path in projects:
        from rig.formats.project import load_project

        rigs.append((path.stem[:10], lambda p=path: load_project(p).rig))
    for label, make in rigs:
        r = bench_evaluate.bench(label, make(), n_frames)
        ratios.append((label, r["kirie"] / r["core"]))
    return ratios


class _StampSink:
    """Composes each frame as the virtual camera does (``fit_on_background`` on the key colour, or on
    nothing with ``background=None``: the worker then unpremultiplies and the sink blends), and records,
    per ``send``, when it ended and which camera frame the values came from."""

    def __init__(self, size, fps, background=(0, 255, 0)) -> None:
        self.size, self.fps, self.background = size, fps, background
        self._compose_on = background or (0, 255, 0)
        self.sends: list[float] = []
        self.shown: list[tuple[float, float]] = []  # (capture time, send end) of each newly shown frame
        self.rendered_capture: float | None = None
        self._last_shown: float | None = None

    def send(self, rgba) -> None:
        from app.tracking.sinks import fit_on_background

        assert fit_on_background(rgba, self.size, self._compose_on).shape == (self.size[1], self.size[0], 3)
        now = time.perf_counter()
        self.sends.append(now)
        cap = self.rendered_capture
        if cap is not None and cap != self._last_shown:
            self.shown.append((cap, now))
            self._last_shown = cap

    def close(self) -> None:
        pass


def worker_loop(rig, frames, seconds: float, render_fps: float, duty: float,
                gl_background: bool = True) -> dict[str, float]:
    """Part 3 (module docstring); returns fps, tracked fps, dropped frames, latency and post times (ms)."""
    import bench_tracking

    from app.tracking.puppet import Puppet
    from app.tracking.sink_worker import LiveScene, SinkWorker
    from inference.tracking.lipsync import LipSync

    class StampWorker(SinkWorker):
        def _render(self, ctx, scene, values):
            image = super()._render(ctx, scene, values)
            self.sink.rendered_capture = values.get(CAPTURE_KEY)
            return image

    stop = threading.Event()
    camera, tracked, counts, threads = bench_tracking.start_tracking(frames, stop)
    puppet, sync = Puppet(rig, idle=True), LipSync(16000)
    voice = (0.05 * np.sign(np.sin(2 * np.pi * 120 * np.arange(16000) / 16000))).astype(np.float32)
    sink = _StampSink((640, 480), render_fps, (0, 255, 0) if gl_background else None)
    worker = StampWorker(sink, name="bench-live-sink", duty=duty)
    worker.post_scene(LiveScene(puppet.plan, tuple(rig.layers)))
    worker.post_values(puppet.pose({}, 0.0))
    worker.start()
    tracked.take(60.0)  # the tracker's model is loaded and the first frame tracked
    while not sink.sends and worker.running:  # the worker's context, caches and textures
        time.sleep(0.01)
    values, capture, posts = {}, None, []
    t_start = last = time.perf_counter()
    counts["tracked"], camera.dropped, sent0, shown0 = 0, 0, len(sink.sends), len(sink.shown)
    while (now := time.perf_counter()) - t_start < seconds and worker.running:
        got = tracked.peek()
        if got is not None:
            values, capture = got
        sync.feed(voice[: 16000 // int(render_fps)])
        t0 = time.perf_counter()
        posed = puppet.pose(values, now - last, lipsync=sync.values)
        posed[CAPTURE_KEY] = capture
        worker.post_values(posed)
        posts.append((time.perf_counter() - t0) * 1000.0)
        last = now
        time.sleep(max(0.0, now + 1.0 / render_fps - time.perf_counter()))
    wall = time.perf_counter() - t_start
    worker.stop()
    stop.set()
    for t in threads:
        t.join(5.0)
    if worker.error is not None:
        raise RuntimeError(f"the sink worker failed: {worker.error}")
    latency = [(end - cap) * 1000.0 for cap, end in sink.shown[shown0:]]
    return {"fps": (len(sink.sends) - sent0) / wall, "renders": worker.renders, "tracked_fps": counts["tracked"] / wall,
            "dropped": camera.dropped, "p50": float(np.percentile(latency, 50)),
            "p95": float(np.percentile(latency, 95)), "post_p95": float(np.percentile(posts, 95)),
            "pose_median": statistics.median(posts), "wall": wall}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, action="append", default=[], help="a .kirie project (repeatable)")
    parser.add_argument("--eval-frames", type=int, default=300)
    parser.add_argument("--frames", type=int, default=120, help="clip frames for parts 2 and 3")
    parser.add_argument("--clip", default="d9")
    parser.add_argument("--live-s", type=float, default=8.0)
    parser.add_argument("--render-fps", type=float, default=60.0)
    parser.add_argument("--duty", type=float, default=1.0,
                        help="the worker's render duty when frames are slow (the editor's camera: 0.5)")
    parser.add_argument("--compose-in-numpy", action="store_true",
                        help="a sink without a background colour: the worker unpremultiplies, the sink blends")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    log = logging.getLogger("bench_live")
    import bench_tracking

    print("== 1. evaluate vs the Cubism Core")
    ratios = evaluate_vs_core(args.project, args.eval_frames)
    rig, label = bench_tracking.load_rig(args.project[0] if args.project else None)
    frames = bench_tracking.load_frames(args.clip, args.frames)
    print(f"== 2. one frame at a time, 640x480, rig {label}")
    seq = bench_tracking.sequential(rig, label, frames, args.clip, log)
    print(f"== 3. threaded live loop, render + send on the sink worker (duty {args.duty:g}), {args.live_s:g} s")
    live = worker_loop(rig, frames, args.live_s, args.render_fps, args.duty, not args.compose_in_numpy)
    print(f"  sink received {live['fps']:.1f} fps ({live['renders']} renders), tracked {live['tracked_fps']:.1f} fps, "
          f"camera frames dropped by tracking {live['dropped']}; latency camera frame -> pixels sent "
          f"p50 {live['p50']:.1f} ms, p95 {live['p95']:.1f} ms; GUI-thread pose + post median "
          f"{live['pose_median']:.2f} ms, p95 {live['post_p95']:.2f} ms")
    print("== summary")
    print("  kirie / core: " + ", ".join(f"{k} {v:.2f}x" for k, v in ratios)
          + f"; worst {max(v for _, v in ratios):.2f}x (bar <= 3x)")
    print(f"  one frame at a time: {1000.0 / seq['total']:.1f} fps, p50 {seq['total']:.1f} ms, p95 {seq['p95']:.1f} ms")
    print(f"  live loop: {live['fps']:.1f} fps at the sink, latency p50 {live['p50']:.1f} ms, p95 {live['p95']:.1f} ms"
          f" (bar >= 30 fps)")


if __name__ == "__main__":
    main()

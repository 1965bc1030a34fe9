"""Live frames rendered off the GUI thread: evaluate -> offscreen render -> :class:`FrameSink`, on a worker.

:class:`SinkWorker` owns one thread with its **own** headless EGL context (``moderngl`` standalone,
created and released on that thread; libglvnd lets each thread have its own current context, so the
editor's ``QOpenGLWidget`` on the GUI thread is never disturbed). The GUI thread only posts snapshots:

* :meth:`SinkWorker.post_scene`: a :class:`LiveScene` (the compiled :class:`EvaluationPlan`, which copies
  every keyform value, and a tuple of the rig's layers), after a document change;
* :meth:`SinkWorker.post_values`: a copy of the parameter values, after every change.

Both go into :class:`LatestSlot` s (one lock, newest wins), so posting never waits for a render. At
each frame the worker takes the newest scene and values, evaluates (``gizmos=False``) and renders only
when one of them changed, and sends the frame (the last one again when nothing changed: a camera wants
a steady rate) to the sink. A sink with a ``background`` colour (:class:`app.tracking.sinks.FrameSink`)
gets the avatar drawn on it by GL at the sink's size, opaque (premultiplied = straight): no
unpremultiplying, resizing or blending in numpy (at 640x480 those took 9 + 15 ms of a 30 ms frame).

Pacing: frames are due every ``1 / sink.fps`` s. A frame that takes longer than that (software GL) is
followed by a pause, so that the worker renders at most ``duty`` of the time (default half; not
counting the first frame of a new scene, which uploads textures): it then holds at most that share of a
core and of Python's GIL. moderngl keeps the GIL through its GL calls (llvmpipe's rasterisation
included), so without the pause a slow render would starve the GUI thread of the interpreter even on
another core.
:attr:`SinkWorker.frame_interval_s` is the current period (logged once when it slows).

Errors: an exception while evaluating, rendering or sending (the camera device disappearing) ends the
thread; :attr:`SinkWorker.error` holds it and ``on_error(exc)`` is called **once**, on the worker thread
(Qt hosts forward it with a queued signal). On exit, normal or not, the worker releases its context and
closes the sink, on its own thread. :meth:`SinkWorker.stop` asks it to exit and joins it.

Qt-free: the editor's Live > Virtual Camera (:mod:`app.editor.live_menu`) and benchmarks use it.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np

from app.render.offscreen import release_context, render_to_array
from app.tracking.sinks import FrameSink
from rig.evaluate import EvaluationPlan, evaluate
from rig.model import Layer

log = logging.getLogger(__name__)

T = TypeVar("T")


class LatestSlot(Generic[T]):
    """A one-item mailbox: :meth:`put` replaces the item (newest wins), :meth:`take` returns it once.

    Thread-safe; neither call waits for the other side beyond one short lock.

    Attributes
    ----------
    replaced : int
        Items overwritten before anyone took them (dropped, newest wins).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._item: T | None = None
        self._fresh = False
        self.replaced = 0

    def put(self, item: T) -> None:
        with self._lock:
            self.replaced += self._fresh
            self._item, self._fresh = item, True

    def take(self) -> T | None:
        """The item put since the last take, else None."""
        with self._lock:
            if not self._fresh:
                return None
            self._fresh = False
            return self._item


@dataclass(frozen=True, slots=True)
class LiveScene:
    """What the worker evaluates: a compiled plan and the layers it samples (a snapshot, GUI-thread made).

    ``plan`` is immutable once compiled (``refresh_plan`` makes a new one); ``layers`` is a tuple of the
    rig's :class:`Layer` objects at the time of the snapshot (:func:`rig.evaluate.evaluate` reads only
    ``rig.layers`` when given a plan).
    """

    plan: EvaluationPlan
    layers: tuple[Layer, ...]


class _LayersOnly:
    """The part of a Rig that ``evaluate(rig, values, plan)`` reads (its docstring: only ``rig.layers``)."""

    __slots__ = ("layers",)

    def __init__(self, layers: tuple[Layer, ...]) -> None:
        self.layers = layers


class SinkWorker:
    """Renders the newest scene and values into ``sink`` on its own thread (module docstring).

    Parameters
    ----------
    sink : FrameSink
        Closed by the worker when it exits (its ``size`` (W, H) and ``fps`` set the render).
    on_error : callable, optional
        ``on_error(exc)``, called once on the worker thread when a frame fails and the worker stops.
    name : str
        The thread's name.
    duty : float
        In (0, 1]: the largest share of the time the worker renders when frames are slower than the
        rate (1: back to back).

    Attributes
    ----------
    frames_sent, renders : int
        Frames given to the sink / frames evaluated and rendered (a resend is not a render).
    frame_interval_s : float
        The current frame period (1 / fps, or longer after a slow frame).
    error : BaseException or None
        What stopped the worker, if a frame failed.
    """

    def __init__(self, sink: FrameSink, on_error: Callable[[BaseException], None] | None = None,
                 name: str = "kirie-sink-worker", duty: float = 0.5) -> None:
        if not 0.0 < duty <= 1.0:
            raise ValueError(f"duty must be in (0, 1], got {duty}")
        self.sink = sink
        self.duty = float(duty)
        self.on_error = on_error
        self.frames_sent = self.renders = 0
        self.frame_interval_s = 1.0 / max(float(sink.fps), 1e-3)
        self.error: BaseException | None = None
        self._scene: LatestSlot[LiveScene] = LatestSlot()
        self._values: LatestSlot[dict[str, float]] = LatestSlot()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._slow_logged = False

    # ---------------------------------------------------------------- GUI-thread side
    def post_scene(self, scene: LiveScene) -> None:
        """The document changed: render ``scene`` from the next frame on (never waits for a render)."""
        self._scene.put(scene)

    def post_values(self, values: Mapping[str, float]) -> None:
        """New parameter values (copied here; never waits for a render)."""
        self._values.put(dict(values))

    def start(self) -> None:
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    @property
    def thread(self) -> threading.Thread:
        return self._thread

    def stop(self, timeout_s: float = 10.0) -> bool:
        """Ask the worker to exit and join it (at most ``timeout_s``); idempotent.

        Returns
        -------
        bool
            True when the thread has ended (its context released, the sink closed).
        """
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout_s)
        ended = not self._thread.is_alive()
        if not ended:
            log.warning("the %s thread did not stop within %.1f s", self._thread.name, timeout_s)
        return ended

    # ---------------------------------------------------------------- worker thread
    def _run(self) -> None:
        import moderngl

        ctx = None
        try:
            # EGL on Linux (headless, no display); the platform's own (WGL, CGL) elsewhere
            kwargs = {"backend": "egl"} if sys.platform.startswith("linux") else {"require": 330}
            ctx = moderngl.create_standalone_context(**kwargs)
            self._loop(ctx)
        except Exception as exc:  # noqa: BLE001 - reported once to the host, then the worker ends
            self.error = exc
            log.error("live output stopped: %s", exc)
            if self.on_error is not None:
                try:
                    self.on_error(exc)
                except Exception:  # noqa: BLE001 - a broken handler must not hide the cleanup
                    log.exception("the live output's error handler failed")
        finally:
            if ctx is not None:
                release_context(ctx)
            try:
                self.sink.close()
            except Exception as exc:  # noqa: BLE001 - closing a vanished device: nothing left to do
                log.warning("closing the live output failed: %s", exc)

    def _loop(self, ctx) -> None:
        scene: LiveScene | None = None
        values: dict[str, float] = {}
        frame: np.ndarray | None = None
        nominal = self.frame_interval_s
        due = time.perf_counter()
        while not self._stop.wait(max(0.0, due - time.perf_counter())):
            t0 = time.perf_counter()
            new_scene, new_values = self._scene.take(), self._values.take()
            scene = new_scene or scene
            values = values if new_values is None else new_values
            if scene is None:  # nothing to show yet
                due = t0 + nominal
                continue
            if frame is None or new_scene is not None or new_values is not None:
                frame = self._render(ctx, scene, values)
                self.renders += 1
            self.sink.send(frame)
            self.frames_sent += 1
            took = time.perf_counter() - t0
            if new_scene is not None:  # texture uploads and shader builds: not a measure of the rate
                took = min(took, nominal)
            self._pace(nominal, took)
            # on time: the next slot (or now, when behind); slow: the pause that keeps to the duty
            due = t0 + self.frame_interval_s if took > nominal else max(due + nominal, time.perf_counter())

    def _render(self, ctx, scene: LiveScene, values: Mapping[str, float]) -> np.ndarray:
        evaluated = evaluate(_LayersOnly(scene.layers), values, scene.plan, gizmos=False)
        background = getattr(self.sink, "background", None)
        if background is not None:  # drawn on the sink's colour at its size: opaque, nothing left to compose
            colour = tuple(c / 255.0 for c in background)
            return render_to_array(evaluated, size=tuple(self.sink.size), background=colour, ctx=ctx,
                                   premultiplied=True)
        w, h = self.sink.size
        cw, ch = evaluated.canvas_size_px
        scale = min(w / max(cw, 1), h / max(ch, 1))
        size = (max(16, round(cw * scale)), max(16, round(ch * scale)))
        return render_to_array(evaluated, size=size, ctx=ctx)

    def _pace(self, nominal: float, took: float) -> None:
        self.frame_interval_s = max(nominal, took / self.duty) if took > nominal else nominal
        if took > nominal and not self._slow_logged:
            self._slow_logged = True
            log.warning("live output: a frame takes %.0f ms; sending %.1f fps instead of %g",
                        took * 1000.0, 1.0 / self.frame_interval_s, 1.0 / nominal)

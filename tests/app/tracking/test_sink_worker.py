"""The live-output worker: frames rendered on its own thread and EGL context arrive through a recording sink,
follow the newest values, stop joins the thread, and a failing sink is reported once and stops it."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from app.tracking.sink_worker import LatestSlot, LiveScene, SinkWorker
from app.tracking.sinks import KEY_COLOUR, RecordingSink, fit_on_background
from rig.evaluate import compile_plan
from rig.testing import tiny_rig

pytestmark = pytest.mark.gl


class ThreadSink(RecordingSink):
    """Records frames and the thread that sent each one."""

    def __init__(self, *args, fail_at: int | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.threads: list[int] = []
        self.fail_at = fail_at
        self.close_thread: int | None = None
        self.arrived = threading.Event()

    def send(self, rgba):
        if self.fail_at is not None and len(self.frames) == self.fail_at:
            raise OSError("the camera device disappeared")
        super().send(rgba)
        self.threads.append(threading.get_ident())
        self.arrived.set()

    def close(self):
        self.close_thread = threading.get_ident()
        super().close()


def _scene(rig) -> LiveScene:
    return LiveScene(compile_plan(rig), tuple(rig.layers))


def _wait(predicate, timeout_s=20.0):
    for _ in range(int(timeout_s / 0.02)):
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def test_latest_slot_keeps_only_the_newest():
    slot = LatestSlot()
    assert slot.take() is None
    slot.put(1)
    slot.put(2)
    assert slot.take() == 2 and slot.take() is None and slot.replaced == 1


def test_frames_arrive_from_the_worker_thread_and_follow_the_values():
    rig = tiny_rig()
    sink = ThreadSink((320, 180), fps=60.0)
    worker = SinkWorker(sink)
    worker.post_scene(_scene(rig))
    worker.post_values({})
    worker.start()
    assert _wait(lambda: len(sink.frames) >= 2)
    worker.post_values({"ParamAngleX": 30.0})
    renders = worker.renders
    assert _wait(lambda: worker.renders > renders and len(sink.frames) >= 4)
    n = len(sink.frames)
    assert _wait(lambda: len(sink.frames) > n)  # a steady rate: the last frame again without changes
    assert worker.stop() and not worker.running and sink.closed
    frames = sink.frames
    assert set(sink.threads) == {worker.thread.ident} != {threading.get_ident()}
    assert sink.close_thread == worker.thread.ident  # the device is closed where it was used
    assert all(f.shape == (180, 320, 3) for f in frames)
    assert tuple(frames[0][0, 0]) == KEY_COLOUR
    assert np.any(frames[0] != KEY_COLOUR, axis=-1).mean() > 0.05  # the avatar is in it
    assert np.abs(frames[-1].astype(int) - frames[0].astype(int)).mean() > 0.5  # and it moved
    assert worker.renders < worker.frames_sent  # unchanged frames are resent, not rendered again
    assert worker.error is None


def test_a_sink_with_a_background_gets_opaque_frames_at_its_size():
    class RawSink(ThreadSink):
        def send(self, rgba):
            self.raw = rgba
            super().send(rgba)

    rig = tiny_rig()
    sink = RawSink((320, 180), fps=60.0, background=(16, 32, 48))
    worker = SinkWorker(sink)
    worker.post_scene(_scene(rig))
    worker.post_values({})
    worker.start()
    assert _wait(lambda: len(sink.frames) >= 1)
    assert worker.stop() and worker.error is None
    assert sink.raw.shape == (180, 320, 4) and sink.raw[..., 3].min() == 255  # drawn on the colour by GL
    assert tuple(sink.frames[0][0, 0]) == (16, 32, 48)
    assert np.any(sink.frames[0] != (16, 32, 48), axis=-1).mean() > 0.05  # the avatar is in it
    straight = _NoColourSink((320, 180), 60.0)  # no colour: a straight-alpha render at the fitted size
    worker = SinkWorker(straight)
    worker.post_scene(_scene(rig))
    worker.post_values({})
    worker.start()
    assert _wait(lambda: straight.raw is not None)
    assert worker.stop() and worker.error is None
    assert straight.raw[..., 3].min() == 0 and straight.raw.shape[0] == 180
    composed = fit_on_background(straight.raw, (320, 180), (16, 32, 48)).astype(int)
    assert np.abs(composed - sink.frames[0]).max() <= 2  # the same frame, to the 8-bit blend's rounding


class _NoColourSink:
    def __init__(self, size, fps) -> None:
        self.size, self.fps, self.raw = size, fps, None

    def send(self, rgba) -> None:
        self.raw = rgba

    def close(self) -> None:
        pass


def test_nothing_is_sent_before_a_scene_and_stop_is_idempotent():
    sink = ThreadSink((64, 64), fps=100.0)
    worker = SinkWorker(sink)
    worker.start()
    assert not sink.arrived.wait(0.2)
    assert worker.stop() and worker.stop() and sink.closed and worker.frames_sent == 0


def test_a_failing_sink_is_reported_once_and_stops_the_worker():
    rig = tiny_rig()
    sink = ThreadSink((160, 90), fps=100.0, fail_at=3)
    errors = []
    worker = SinkWorker(sink, on_error=errors.append)
    worker.post_scene(_scene(rig))
    worker.start()
    worker.thread.join(20.0)
    assert not worker.running and sink.closed and len(sink.frames) == 3
    assert len(errors) == 1 and isinstance(errors[0], OSError) and worker.error is errors[0]
    worker.post_values({"ParamAngleX": 10.0})  # posting to a stopped worker is harmless
    assert worker.stop() and len(errors) == 1


def test_a_slow_frame_halves_the_duty_cycle_and_a_fast_one_restores_the_rate():
    worker = SinkWorker(RecordingSink((64, 64), fps=30.0))
    worker._pace(1 / 30, 0.120)  # a 120 ms software-GL frame
    assert worker.frame_interval_s == pytest.approx(0.240)
    worker._pace(1 / 30, 0.005)
    assert worker.frame_interval_s == pytest.approx(1 / 30)
    eager = SinkWorker(RecordingSink((64, 64), fps=30.0), duty=1.0)
    eager._pace(1 / 30, 0.120)
    assert eager.frame_interval_s == pytest.approx(0.120)  # back to back
    with pytest.raises(ValueError):
        SinkWorker(RecordingSink((64, 64)), duty=0.0)

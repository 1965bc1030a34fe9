"""Editor responsiveness: image drop to first rendered rig, and viewport frame time while a slider moves.

Usage (software GL under Xvfb; the screen must hold a 1280x720 viewport plus the docks)::

    xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python benchmarks/bench_editor.py [IMAGE] [--frames N] [--drops N]

IMAGE defaults to ``../shared/data/anime/waifu_00.png``. The real :class:`app.editor.main_window.MainWindow`
is used with all docks shown and the viewport fixed at 1280x720.

- **drop to first frame**: a ``QDropEvent`` with the image's URL is delivered to the window; the
  clock stops at the end of the first ``paintGL`` that draws the generated rig (generation in its
  worker thread, ReplaceRig, panel rebuilds, plan compile, texture upload, draw).
- **slider frame**: ``ParamAngleX`` (then ``ParamAngleY``) sweeps through its range by moving the
  Parameters dock's slider; each step is followed by a synchronous ``viewport.repaint()`` (evaluate +
  draw) and ``processEvents()`` (the slider and spin box repaint, Qt composes the window with the
  GL widget's texture: with software GL that composition is a large share). Printed: the median wall time per step, the median
  ``paintGL`` time and the median evaluation time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_IMAGE = REPO.parent / "shared" / "data" / "anime" / "waifu_00.png"


def _app():
    from PySide6.QtCore import QStandardPaths
    from PySide6.QtGui import QSurfaceFormat

    from app.viewport.viewport import opengl_format

    QSurfaceFormat.setDefaultFormat(opengl_format())
    QStandardPaths.setTestModeEnabled(True)
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication(sys.argv[:1])


def _window(tmp: Path):
    from PySide6.QtCore import QSettings

    from app.editor.main_window import MainWindow

    window = MainWindow(QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat))
    window.viewport.setFixedSize(1280, 720)
    window.show()
    return window


def _drop(window, app, image: Path) -> float:
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    rig_before = window.bridge.rig
    painted: list[float] = []

    def on_frame(_s: float) -> None:
        if window.bridge.rig is not rig_before and window.bridge.rig.art_meshes and not painted:
            painted.append(time.perf_counter())

    window.viewport.frame_rendered.connect(on_frame)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(image))])
    event = QDropEvent(QPointF(100, 100), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                       Qt.KeyboardModifier.NoModifier)
    t0 = time.perf_counter()
    window.dropEvent(event)
    while not painted and time.perf_counter() - t0 < 600:
        app.processEvents()
        time.sleep(0.001)
    window.viewport.frame_rendered.disconnect(on_frame)
    if not painted:
        raise RuntimeError("no rig was rendered within 600 s")
    return painted[0] - t0


def _slider_frames(window, app, frames: int) -> tuple[list[float], list[float], list[float]]:
    panel, vp = window.panels["parameters"], window.viewport
    wall, paint, evaluate = [], [], []
    for i in range(frames):
        pid = "ParamAngleX" if i % 2 == 0 else "ParamAngleY"
        row = panel.rows[pid]
        phase = (i % 60) / 60.0
        t0 = time.perf_counter()
        row.slider.setValue(round(1000 * (0.5 + 0.5 * (2 * abs(2 * phase - 1) - 1))))
        vp.repaint()
        app.processEvents()  # the rest of the window (slider, spin box) and its composition
        wall.append(time.perf_counter() - t0)
        paint.append(vp.last_frame_s)
        evaluate.append(vp.evaluator.last_evaluate_s)
    return wall, paint, evaluate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("image", nargs="?", default=str(DEFAULT_IMAGE))
    parser.add_argument("--frames", type=int, default=200)
    parser.add_argument("--drops", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XDG_DATA_HOME"] = str(Path(tmp) / "data")
        app = _app()
        window = _window(Path(tmp))
        for _ in range(20):
            app.processEvents()
        print(f"viewport {window.viewport.width()}x{window.viewport.height()}, "
              f"GL: {window.viewport.ctx.info['GL_RENDERER'] if window.viewport.ctx else '?'}")
        drops = [_drop(window, app, Path(args.image)) for _ in range(args.drops)]
        rig = window.bridge.rig
        print(f"rig: {len(rig.art_meshes)} art meshes, {sum(m.vertex_count for m in rig.art_meshes)} vertices, "
              f"{len(rig.deformers)} deformers")
        print(f"drop -> first rendered rig: median {statistics.median(drops):.3f} s over {len(drops)} "
              f"(min {min(drops):.3f}, max {max(drops):.3f})")
        _slider_frames(window, app, 10)  # warm-up
        wall, paint, evaluate = _slider_frames(window, app, args.frames)
        print(f"slider step (set value, repaint, compose) at 1280x720: median {1000 * statistics.median(wall):.2f} ms "
              f"({1 / statistics.median(wall):.0f} fps) over {len(wall)} steps")
        print(f"  paintGL median {1000 * statistics.median(paint):.2f} ms, "
              f"evaluate median {1000 * statistics.median(evaluate):.2f} ms")
        window.bridge.document.history.mark_clean()
        window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Take the README screenshots from the real editor window (issue 17: they were out of date).

``xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python scripts/screenshots.py [--out docs]
[--size 1280x800] [--name-suffix ""]`` opens the editor with private settings (no saved layout,
no recent files), and writes:

* ``welcome.png``: the window on first start (the welcome view of the empty viewport);
* ``sample.png``: the shipped sample generated through File > New from Image (the real generation
  job), with ParamAngleX = 20, the left eye closed and the mouth open, the face selected so the
  Properties dock shows it (its wireframe off), and the Parameters dock in front.

Retake them after any visible change to the editor; look at them before committing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

POSE = {"ParamAngleX": 20.0, "ParamEyeLOpen": 0.0, "ParamMouthOpenY": 1.0}


def _settle(app, ms: int = 400) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()
    app.processEvents()


def take(out: Path, size: tuple[int, int], suffix: str = "") -> list[Path]:
    """Write ``welcome{suffix}.png`` and ``sample{suffix}.png`` of a ``size`` (w, h) px window into ``out``."""
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QSurfaceFormat
    from PySide6.QtWidgets import QApplication

    from app.viewport.viewport import opengl_format

    QSurfaceFormat.setDefaultFormat(opengl_format())
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from app.editor.main_window import MainWindow
    from resources.sample import sample_image

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        window = MainWindow(QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat))
        window.resize(*size)
        window.move(0, 0)
        window.show()
        _settle(app, 800)
        written = [out / f"welcome{suffix}.png"]
        window.grab().save(str(written[-1]))
        if not window.new_from_image(sample_image()):
            raise RuntimeError("New from Image did not start")
        while window.generation.running:
            _settle(app, 200)
        if not window.bridge.rig.art_meshes:
            raise RuntimeError(f"no rig was generated: {window.dialogs}")
        for pid, value in POSE.items():
            window.bridge.values.set(pid, value)
        face = next((m for m in window.bridge.rig.art_meshes if m.id == "ArtMeshFace"), None)
        if face is not None:
            window.bridge.state.selection.select(face.id)
        window.docks["parameters"].raise_()
        window.editor_actions.wireframe.setChecked(False)  # the art, not the selection's triangles
        _settle(app, 400)
        window.viewport.fit_view()
        _settle(app, 800)
        written.append(out / f"sample{suffix}.png")
        window.grab().save(str(written[-1]))
        window.bridge.document.history.mark_clean()
        window.close()
    return written


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "docs")
    p.add_argument("--size", default="1280x800", help="window size WxH px (default 1280x800)")
    p.add_argument("--name-suffix", default="", help="appended to the file names (e.g. _1920)")
    args = p.parse_args(argv)
    w, h = (int(v) for v in args.size.lower().split("x"))
    for path in take(args.out, (w, h), args.name_suffix):
        sys.stdout.write(f"wrote {path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

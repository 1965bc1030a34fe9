"""The installable package as a user gets it: build the wheel, install it into a fresh virtual
environment outside the checkout, and from another folder, with an empty model cache, run
``kirie generate --sample``, ``kirie generate`` on a real photo and ``kirie track`` on a short clip,
and open the editor next to the OpenCV that pip chose (mediapipe's opencv-contrib-python).

Needs PyPI (or pip's cache) for the dependencies: about 70 s with a warm cache, 1.2 GB of venv.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import app

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]

CLIP_SCRIPT = """
import numpy as np, cv2
from skimage import data
img = data.astronaut()[..., ::-1]  # the public-domain photo, BGR for OpenCV
cv2.imwrite("astronaut.png", img)
w = cv2.VideoWriter("clip.mp4", cv2.VideoWriter_fourcc(*"mp4v"), 25, (512, 512))
for i in range(25):
    m = np.float32([[1, 0, 4 * np.sin(i / 4)], [0, 1, 2 * np.cos(i / 5)]])
    w.write(cv2.warpAffine(img, m, (512, 512), borderMode=cv2.BORDER_REFLECT))
w.release()
"""

EDITOR_SCRIPT = """
import os, sys
from app.opencv_qt import opencv_distributions, prepare_for_qt
prepare_for_qt()
import cv2
cv2_dir = os.path.dirname(cv2.__file__)
assert not any(os.environ.get(v, "").startswith(cv2_dir) for v in ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR"))
from PySide6.QtCore import QSettings
from PySide6.QtGui import QSurfaceFormat
from PySide6.QtWidgets import QApplication
from app.viewport.viewport import opengl_format
QSurfaceFormat.setDefaultFormat(opengl_format())
qt = QApplication([])
from app.editor.main_window import MainWindow
w = MainWindow(QSettings(sys.argv[1], QSettings.Format.IniFormat))
w.resize(1100, 700)
w.show()
for _ in range(20):
    qt.processEvents()
print("EDITOR", qt.platformName(), sorted(opencv_distributions()), w.welcome.isVisible(), w.viewport.ctx is not None)
w.close()
"""


def _run(cmd, cwd: Path, env: dict, timeout: float = 600) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{cmd} failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(venv bin folder, wheel path, a work folder outside the checkout, env with an empty model cache)."""
    root = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["KIRIE_MODEL_CACHE"] = str(root / "empty-model-cache")
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    # build from a clean copy: setuptools packs whatever an earlier in-tree build left in build/lib
    src = root / "src"
    shutil.copytree(REPO, src, ignore=shutil.ignore_patterns(
        ".venv", ".git", "build", "dist", "out", "*.egg-info", "__pycache__", ".pytest_cache", ".ruff_cache"))
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", str(src), "-w", str(root / "dist")], root, env)
    wheel = next((root / "dist").glob("kirie-*.whl"))
    _run([sys.executable, "-m", "venv", str(root / "venv")], root, env)
    bin_dir = root / "venv" / "bin"
    _run([str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel)], root, env, timeout=1500)
    work = root / "elsewhere"
    work.mkdir()
    yield bin_dir, wheel, work, env
    shutil.rmtree(root / "venv", ignore_errors=True)  # 1.2 GB


def test_wheel_carries_shaders_templates_icons_models_and_sample(installed):
    _, wheel, _, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("shaders/art_mesh.glsl", "shaders/include/view.glsl", "resources/templates/default.json",
                 "resources/icons/kirie.svg", "resources/models/face_landmarker.task",
                 "resources/models/selfie_segmentation.tflite", "resources/models/LICENSE",
                 "resources/models/README.md", "resources/samples/tadne_r1c0.png", "resources/samples/README.md",
                 "resources/docs/user-guide.md"):
        assert name in names, name
    assert not any(n.startswith("tests/") for n in names)


def test_version_generate_sample_photo_and_track_with_an_empty_cache(installed):
    bin_dir, _, work, env = installed
    kirie = str(bin_dir / "kirie")
    assert _run([kirie, "--version"], work, env).stdout.strip() == f"kirie {app.__version__}"

    summary = json.loads(_run([kirie, "generate", "--sample", "-o", "sample.kirie", "--json"], work, env).stdout)
    assert (work / "sample.kirie").is_file() and summary["art_meshes"] >= 10 and summary["deformers"] >= 5

    _run([str(bin_dir / "python"), "-c", CLIP_SCRIPT], work, env)
    photo = json.loads(_run([kirie, "generate", "astronaut.png", "-o", "astronaut.kirie", "--json"], work, env).stdout)
    assert photo["art_meshes"] >= 10

    out = _run([kirie, "track", "sample.kirie", "--source", "clip.mp4", "--json"], work, env).stdout
    frames = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert len(frames) == 25 and sum(f["found"] for f in frames) >= 23
    assert all(abs(f["values"]["ParamAngleX"]) < 10 for f in frames if f["found"])  # a still, frontal face
    assert not Path(env["KIRIE_MODEL_CACHE"]).exists()  # nothing was downloaded or cached


@pytest.mark.qt
def test_editor_opens_next_to_the_opencv_pip_chose(installed):
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        pytest.skip("no display (run under xvfb-run)")
    bin_dir, _, work, env = installed
    out = _run([str(bin_dir / "python"), "-c", EDITOR_SCRIPT, str(work / "settings.ini")], work, env).stdout
    line = next(x for x in out.splitlines() if x.startswith("EDITOR"))
    assert line == "EDITOR xcb ['opencv-contrib-python'] True True", line

#!/usr/bin/env bash
# Set up Kirie on a fresh Debian/Ubuntu machine: system libraries for headless GL and Qt under Xvfb,
# a virtual environment in .venv, Kirie with its development extra. The development environment keeps
# only opencv-python-headless: mediapipe goes in with --no-deps, because its wheel requires
# opencv-contrib-python (the GUI build, bundling Qt5; shared docs/models.md 1.7, tests/test_environment.py).
# A user's 'pip install kirie' takes mediapipe with its OpenCV instead (app/opencv_qt.py).
# Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=0
for lib in /usr/bin/xvfb-run /usr/lib/x86_64-linux-gnu/libEGL.so.1 /usr/lib/x86_64-linux-gnu/libEGL_mesa.so.0 /usr/lib/x86_64-linux-gnu/dri/swrast_dri.so /usr/lib/x86_64-linux-gnu/libxcb-cursor.so.0 \
           /usr/lib/x86_64-linux-gnu/libxkbcommon-x11.so.0; do
  [ -e "$lib" ] || need_apt=1
done
if [ "$need_apt" = 1 ] && command -v apt-get >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    xvfb xauth libegl1 libgl1 libgl1-mesa-dri libglx-mesa0 libegl-mesa0 libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 \
    libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-xinerama0 libxcb-shape0 libxcb-randr0 \
    libxcb-xkb1 libfontconfig1 libdbus-1-3 >/dev/null
fi

PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
stamp=.venv/.kirie-setup-stamp
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  # Kirie's requirements without mediapipe (installed next, with --no-deps), plus headless OpenCV.
  .venv/bin/python scripts/requirements.py --dev --without mediapipe --add "opencv-python-headless>=4.9" \
    >.venv/kirie-requirements.txt
  .venv/bin/python -m pip install -q -r .venv/kirie-requirements.txt
  .venv/bin/python -m pip install -q --no-deps "mediapipe==1.2.2"
  .venv/bin/python -m pip install -q --no-deps -e .
  touch "$stamp"
fi

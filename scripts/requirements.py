"""Print Kirie's requirements from pyproject.toml, one per line, for ``pip install -r``.

    python scripts/requirements.py [--dev] [--without NAME ...] [--add REQ ...]

``--without mediapipe --add opencv-python-headless`` is how scripts/setup.sh and packaging/build_linux.sh
keep a headless-only OpenCV: mediapipe is then installed with ``--no-deps`` (see app/opencv_qt.py).
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def requirements(dev: bool, without: list[str], add: list[str]) -> list[str]:
    """The ``[project]`` dependencies (and the ``dev`` extra), minus the names in ``without``, plus ``add``."""
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    reqs = list(project["dependencies"]) + (list(project["optional-dependencies"]["dev"]) if dev else [])
    drop = {w.lower() for w in without}
    kept = [r for r in reqs if re.split(r"[\s<>=!~;\[]", r, maxsplit=1)[0].lower() not in drop]
    return kept + list(add)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dev", action="store_true", help="include the dev extra")
    p.add_argument("--without", action="append", default=[], metavar="NAME", help="leave this distribution out")
    p.add_argument("--add", action="append", default=[], metavar="REQ", help="append this requirement")
    args = p.parse_args()
    sys.stdout.write("".join(f"{r}\n" for r in requirements(args.dev, args.without, args.add)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

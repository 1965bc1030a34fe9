"""Contact sheets of the standard poses for every shared image (or the images given), to look at.

    .venv/bin/python scripts/pose_sheets.py [IMAGE ...] [--out out/sheets] [--set face|eyes|mouth|all]

Without images it takes every file in ``../shared/data/anime`` and ``../shared/data/portraits`` (the dog
s30 excepted). Each image gets ``OUT/<stem>.png``: one tile per pose, cropped to the head and upper body
on a checkerboard, labelled. Poses: the standard Live2D ones of the developers' brief (AngleX/Y/Z ±30,
BodyAngleX ±10, eyes half and closed, eye smile, mouth open, mouth form ±1, and all at once).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from app.cli.generate import write_contact_sheet  # noqa: E402
from inference.pipeline import generate  # noqa: E402
from inference.rigging.artefacts import STANDARD_POSES  # noqa: E402

FACE_POSES: tuple[tuple[str, dict[str, float]], ...] = (("rest", {}),) + STANDARD_POSES  # the artefact check's
EYE_POSES: tuple[tuple[str, dict[str, float]], ...] = (
    ("eyes 1", {}),
    ("eyes 0.5", {"ParamEyeLOpen": 0.5, "ParamEyeROpen": 0.5}),
    ("eyes 0", {"ParamEyeLOpen": 0.0, "ParamEyeROpen": 0.0}),
    ("eye smile", {"ParamEyeLOpen": 0.0, "ParamEyeROpen": 0.0, "ParamEyeLSmile": 1.0, "ParamEyeRSmile": 1.0}),
)
MOUTH_POSES: tuple[tuple[str, dict[str, float]], ...] = (
    ("mouth 0", {"ParamMouthOpenY": 0.0}),  # differs from rest where the input's mouth is open
    ("mouth 0.5", {"ParamMouthOpenY": 0.5}),
    ("mouth 1", {"ParamMouthOpenY": 1.0}),
    ("form +1", {"ParamMouthForm": 1.0}),
    ("form -1", {"ParamMouthForm": -1.0}),
)
ALL_AT_ONCE = (("all at once", {"ParamAngleX": 30.0, "ParamAngleY": 30.0, "ParamAngleZ": 30.0,
                                "ParamBodyAngleX": 10.0, "ParamEyeLOpen": 0.0, "ParamMouthOpenY": 1.0,
                                "ParamMouthForm": 1.0}),)
SETS = {"face": FACE_POSES + ALL_AT_ONCE, "eyes": EYE_POSES, "mouth": (("rest", {}),) + MOUTH_POSES,
        "all": FACE_POSES + EYE_POSES + MOUTH_POSES + ALL_AT_ONCE}


def shared_images() -> list[Path]:
    data = REPO.parent / "shared" / "data"
    found = sorted((data / "anime").glob("*.png")) + sorted((data / "portraits").glob("*.jpg"))
    return [p for p in found if p.stem != "s30"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("images", nargs="*", type=Path)
    ap.add_argument("--out", type=Path, default=REPO / "out" / "sheets")
    ap.add_argument("--set", choices=sorted(SETS), default="all")
    ap.add_argument("--tile", type=int, default=256, help="tile size in px")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    images = args.images or shared_images()
    args.out.mkdir(parents=True, exist_ok=True)
    for image in images:
        rig = generate(image).rig
        path = args.out / f"{image.stem}.png"
        write_contact_sheet(rig, path, poses=SETS[args.set], tile_px=args.tile)
        sys.stdout.write(f"{path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

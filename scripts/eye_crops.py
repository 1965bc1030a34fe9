"""Zoomed eye crops of the blink poses, and the blink measurements, for every shared image (or those given).

    .venv/bin/python scripts/eye_crops.py [IMAGE ...] [--out out/eyes] [--zoom 4]

Each image gets ``OUT/<stem>_eyes.png``: one row per eye (character's L then R), one tile per pose
(EyeOpen 1, 0.75, 0.5, 0.25, 0, EyeSmile 1 at 0), zoomed around the eye box. One line per image is
printed with the measurements of ``tests/render/blink_checks.py``.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from inference.pipeline import generate  # noqa: E402
from tests.render.blink_checks import grow, measure_blink  # noqa: E402

POSES = (
    ("1", {}),
    ("0.75", {"ParamEyeLOpen": 0.75, "ParamEyeROpen": 0.75}),
    ("0.5", {"ParamEyeLOpen": 0.5, "ParamEyeROpen": 0.5}),
    ("0.25", {"ParamEyeLOpen": 0.25, "ParamEyeROpen": 0.25}),
    ("0", {"ParamEyeLOpen": 0.0, "ParamEyeROpen": 0.0}),
    ("smile", {"ParamEyeLOpen": 0.0, "ParamEyeROpen": 0.0, "ParamEyeLSmile": 1.0, "ParamEyeRSmile": 1.0}),
)


def shared_images() -> list[Path]:
    data = REPO.parent / "shared" / "data"
    found = sorted((data / "anime").glob("*.png")) + sorted((data / "portraits").glob("*.jpg"))
    return [p for p in found if p.stem != "s30"]


def main(argv: list[str] | None = None) -> int:
    import numpy as np
    from PIL import Image, ImageDraw

    from app.render.offscreen import render_to_array
    from rig.evaluate import compile_plan, evaluate

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("images", nargs="*", type=Path)
    ap.add_argument("--out", type=Path, default=REPO / "out" / "eyes")
    ap.add_argument("--zoom", type=int, default=4)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    args.out.mkdir(parents=True, exist_ok=True)
    for image in args.images or shared_images():
        res = generate(image)
        rig, face = res.rig, res.face
        plan = compile_plan(rig)

        def render(values, rig=rig, plan=plan):
            return render_to_array(evaluate(rig, rig.default_values() | values, plan, gizmos=False))

        eyes, outside = measure_blink(rig, face, render)
        frames = [render(v) for _, v in POSES]
        rows = []
        for e in eyes:
            x0, y0, x1, y1 = grow(e.box, 0.5 * (e.box[3] - e.box[1]) + 6, frames[0].shape[:2])
            tiles = []
            for (label, _), f in zip(POSES, frames, strict=True):
                crop = f[y0:y1, x0:x1].astype(np.float32)
                a = crop[..., 3:4] / 255.0
                rgb = crop[..., :3] * a + 128 * (1 - a)
                t = Image.fromarray(rgb.clip(0, 255).astype(np.uint8)).resize(
                    ((x1 - x0) * args.zoom, (y1 - y0) * args.zoom), Image.NEAREST)
                ImageDraw.Draw(t).text((3, 2), f"{e.side} {label}", fill=(255, 0, 0))
                tiles.append(t)
            rows.append(tiles)
        w, h = max(t.width for r in rows for t in r), max(t.height for r in rows for t in r)
        sheet = Image.new("RGB", (len(POSES) * (w + 4), len(rows) * (h + 4)), (255, 255, 255))
        for j, r in enumerate(rows):
            for i, t in enumerate(r):
                sheet.paste(t, (i * (w + 4), j * (h + 4)))
        sheet.save(args.out / f"{image.stem}_eyes.png")
        cells = " ".join(
            f"{e.side}: left={e.white_iris_left:.2f} span={e.line_span:.2f} stray={e.line_stray:.2f} "
            f"cover={e.cover_changed}/{e.cover_px}" for e in eyes)
        sys.stdout.write(f"{image.stem:12s} outside={outside:5d} {cells}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

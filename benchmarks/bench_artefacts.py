"""Tears and ghost outlines of generated rigs at the standard head and body poses (issue 14).

Run: ``.venv/bin/python benchmarks/bench_artefacts.py [IMAGE ...] [--no-ghosts] [--dump DIR]``
(needs ../shared/data; without images: every shared anime image and portrait except the dog s30).

Prints one table per image (tear % of the character, bar 0.05 %; ghost edge px / px of moved
outlines; ghost pieces; meshes whose outline was left behind) and a summary: the median and worst
tear fraction over all images and poses, the number of (image, pose) pairs over the bar, and the
median ghost fraction. ``--dump`` writes the tear and ghost masks of every pose as PNGs to look at.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
DATA = REPO.parent / "shared" / "data"


def shared_images() -> list[Path]:
    found = sorted((DATA / "anime").glob("*.png")) + sorted((DATA / "portraits").glob("*.jpg"))
    return [p for p in found if p.stem != "s30"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("images", nargs="*", type=Path)
    ap.add_argument("--no-ghosts", action="store_true", help="tears only (about 20x faster)")
    ap.add_argument("--dump", type=Path, help="write masks of every pose here")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    os.environ.setdefault("KIRIE_MODEL_CACHE", str(DATA.parent / "models"))
    if not args.images and not DATA.is_dir():
        sys.stdout.write(f"shared data not found at {DATA}\n")
        return 1
    from app.render.offscreen import render_to_array
    from inference.pipeline import generate
    from inference.rigging.artefacts import TEAR_BAR, measure_rig
    from rig.errors import NoFaceFoundError

    fractions, ghosts, over = [], [], []
    for image in args.images or shared_images():
        try:
            rig = generate(image).rig
        except NoFaceFoundError as exc:
            sys.stdout.write(f"\n{image.stem}: no rig ({exc})\n")
            continue
        rows = measure_rig(rig, render_to_array, ghosts=not args.no_ghosts)
        sys.stdout.write(f"\n{image.stem}  ({rows[0].character_px} character px)\n")
        sys.stdout.write(f"  {'pose':<20} {'tear %':>8} {'ghost':>7} {'pieces':>6}  left behind\n")
        for r in rows:
            flag = " !" if r.tear_fraction >= TEAR_BAR else "  "
            sys.stdout.write(f"  {r.pose:<20} {100 * r.tear_fraction:8.3f}{flag}{r.ghost_fraction:5.3f} "
                             f"{r.ghost_outlines:6d}  {' '.join(r.ghost_meshes)}\n")
            fractions.append(r.tear_fraction)
            ghosts.append(r.ghost_fraction)
            if r.tear_fraction >= TEAR_BAR:
                over.append(f"{image.stem}/{r.pose}")
        if args.dump:
            _dump(rig, image.stem, args.dump, render_to_array)
    sys.stdout.write(
        f"\nsummary: {len(fractions)} poses; tear % median {100 * statistics.median(fractions):.4f}, "
        f"worst {100 * max(fractions):.3f}; over the bar ({100 * TEAR_BAR:.2f} %): {len(over)}"
        + (f" ({', '.join(over)})" if over else "")
        + ("" if args.no_ghosts else f"; ghost fraction median {statistics.median(ghosts):.3f}, "
           f"mean {statistics.fmean(ghosts):.3f}") + "\n")
    return 0


def _dump(rig, stem: str, out: Path, render) -> None:
    """Per pose: the render over grey with tears red (PNG), for looking at."""
    import numpy as np
    from PIL import Image

    from inference.rigging.artefacts import STANDARD_POSES, alone_alpha, face_width, pose_tears
    from rig.evaluate import compile_plan, evaluate

    out.mkdir(parents=True, exist_ok=True)
    plan = compile_plan(rig)
    ev0 = evaluate(rig, rig.default_values(), plan, gizmos=False)
    rest, fw = render(ev0), face_width(ev0)
    rest_items = {it.art_mesh_id: it for it in ev0.items}
    rest_alone = {k: alone_alpha(ev0, it, render) for k, it in rest_items.items() if it.opacity > 0.01}
    for label, values in STANDARD_POSES:
        ev = evaluate(rig, rig.default_values() | values, plan, gizmos=False)
        img = render(ev)
        items = [it for it in ev.items if it.opacity > 0.01]
        pose_alone = {it.art_mesh_id: alone_alpha(ev, it, render) for it in items}
        tears = pose_tears(rest, img, items, rest_items, rest_alone, pose_alone, fw)
        a = img[..., 3:4] / 255.0
        rgb = img[..., :3] * a + 128 * (1 - a)
        rgb[tears] = (255, 0, 0)
        Image.fromarray(rgb.astype(np.uint8)).save(out / f"{stem}_{label.replace(' ', '_')}.png")


if __name__ == "__main__":
    raise SystemExit(main())

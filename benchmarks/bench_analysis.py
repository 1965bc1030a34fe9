"""Median wall time of the analysis stages (load, foreground, landmarks, parts) at 512 px.

Run: ``.venv/bin/python benchmarks/bench_analysis.py [--repeat N]`` (needs ../shared/data and
../shared/models). Images: an RGBA anime bust (alpha), an anime image on a plain background
(flood fill), an anime image on a busy background (selfie + GrabCut) and a photograph (MediaPipe),
all resized to 512 px on the long side into a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
IMAGES = ["anime/crypko_00.png", "anime/tadne_r0c3.png", "anime/tadne_r1c0.png", "portraits/s42.jpg"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    os.environ.setdefault("KIRIE_MODEL_CACHE", str(SHARED / "models"))
    from inference.landmarks import detect_face
    from inference.load import load_image
    from inference.segmentation.foreground import estimate_foreground
    from inference.segmentation.parts import segment_parts

    with tempfile.TemporaryDirectory() as tmp:
        for rel in IMAGES:
            im = Image.open(SHARED / "data" / rel)
            im.thumbnail((512, 512), Image.Resampling.LANCZOS)
            path = Path(tmp) / Path(rel).with_suffix(".png").name
            im.save(path)
            times: dict[str, list[float]] = {"load": [], "foreground": [], "landmarks": [], "parts": []}
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                img = load_image(path)
                t1 = time.perf_counter()
                fg = estimate_foreground(img)
                t2 = time.perf_counter()
                face = detect_face(img, fg)
                t3 = time.perf_counter()
                pm = segment_parts(img, fg, face)
                t4 = time.perf_counter()
                for k, v in zip(times, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
                    times[k].append(v * 1000.0)
            med = "  ".join(f"{k} {statistics.median(v):7.1f} ms" for k, v in times.items())
            print(f"{path.name:18s} {img.size_px} fg={fg.method:15s} {face.kind:5s} {pm.method}: {med}")


if __name__ == "__main__":
    main()

"""Wall time of ``kirie generate`` per stage from 512 px to 6000 px, peak memory and vertices.

Run: ``.venv/bin/python benchmarks/bench_generate.py [--repeat 3] [--only 4096]`` (needs ../shared/data).
Each case runs in its own subprocess so the peak (the child's own ``VmHWM``) is per case. Prints medians.
Big inputs (issue 14): the 4096 and 6000 px cases should stay within 2x of the 1024 px time, under
1.5 GB, with about the vertex count of the 1024 px case.
The ``cli 8192`` cases (issue 16) run ``kirie generate IMG -o OUT.kirie --preview OUT.png`` on an
8192 px input, project save and contact sheet included, and report its peak (bound: 1.5 GB).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data"
CASES = {
    "anime 512 (tadne_r0c3, no alpha)": ("anime/tadne_r0c3.png", 512),
    "anime 1024 (tadne_r0c3 upscaled)": ("anime/tadne_r0c3.png", 1024),
    "anime 512 RGBA (crypko_00)": ("anime/crypko_00.png", 512),
    "photo 1024 (s1)": ("portraits/s1.jpg", 1024),
    "anime 1024 RGBA (crypko_00 upscaled)": ("anime/crypko_00.png", 1024),
    "anime 4096 RGBA (crypko_00 upscaled)": ("anime/crypko_00.png", 4096),
    "anime 6000 RGBA (crypko_00 upscaled)": ("anime/crypko_00.png", 6000),
}
CLI_CASES = {
    "cli 8192 + preview (tadne_r1c0 upscaled, no alpha)": ("anime/tadne_r1c0.png", 8192),
    "cli 8192 + preview RGBA (crypko_00 upscaled)": ("anime/crypko_00.png", 8192),
}

CLI_CHILD = r"""
import atexit, sys
from PIL import Image
src, side, tmp = sys.argv[1], int(sys.argv[2]), sys.argv[3]
im = Image.open(src)
im.resize((side, round(im.height * side / im.width)), Image.LANCZOS).save(f"{tmp}/in.png", compress_level=1)
del im
atexit.register(lambda: print("VMHWM", next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]))
from app.cli.main import main
sys.exit(main(["generate", f"{tmp}/in.png", "-o", f"{tmp}/out.kirie", "--preview", f"{tmp}/out.png", "--no-learned"]))
"""

CHILD = r"""
import json, statistics, sys, time
from PIL import Image
from inference.pipeline import generate
src, side, repeat, tmp = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
im = Image.open(src)
im = im.resize((side, round(im.height * side / im.width)), Image.LANCZOS)
im.save(tmp)
runs = []
for _ in range(repeat):
    t0 = time.perf_counter()
    r = generate(tmp)
    runs.append((time.perf_counter() - t0, r.timings_s, sum(m.vertex_count for m in r.rig.art_meshes)))
stages = {k: statistics.median(run[1][k] for run in runs) for k in runs[0][1]}
hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(json.dumps({"total_s": statistics.median(run[0] for run in runs), "stages_s": stages,
                  "vertices": runs[0][2], "peak_rss_mb": int(hwm.split()[1]) / 1024}))
"""


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", help="run only the cases whose label contains this")
    args = ap.parse_args()
    if not DATA.is_dir():
        print(f"shared data not found at {DATA}")
        return 1
    env = dict(os.environ, KIRIE_MODEL_CACHE=os.environ.get("KIRIE_MODEL_CACHE", str(DATA.parent / "models")))
    for label, (rel, side) in CASES.items():
        if args.only and args.only not in label:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            out = subprocess.run(
                [sys.executable, "-c", CHILD, str(DATA / rel), str(side), str(args.repeat), str(Path(tmp) / "in.png")],
                capture_output=True, text=True, env=env, cwd=REPO, check=True,
            )
        res = json.loads(out.stdout.strip().splitlines()[-1])
        stages = ", ".join(f"{k} {v * 1000:.0f}" for k, v in res["stages_s"].items())
        print(f"{label}: total {res['total_s']:.2f} s (median of {args.repeat}); ms per stage: {stages}; "
              f"{res['vertices']} vertices; peak RSS {res['peak_rss_mb']:.0f} MB")
    for label, (rel, side) in CLI_CASES.items():
        if args.only and args.only not in label:
            continue
        walls, peaks = [], []
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory() as tmp:
                t0 = time.perf_counter()
                out = subprocess.run([sys.executable, "-c", CLI_CHILD, str(DATA / rel), str(side), tmp],
                                     capture_output=True, text=True, env=env, cwd=REPO, check=True)
                walls.append(time.perf_counter() - t0)
            peaks.append(int(out.stdout.split("VMHWM")[-1].split()[0]) / 1024)
        print(f"{label}: wall {statistics.median(walls):.1f} s incl. input upscale (median of {args.repeat}); "
              f"peak {statistics.median(peaks):.0f} MB (max {max(peaks):.0f}; bound 1500)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Per-stage wall time of the learned backends vs the classical ones, and peak GPU memory.

Run on a machine with a GPU: ``.venv/bin/python benchmarks/bench_learned.py [--device cuda] [--repeat 3]``
with the real models pulled (``kirie models pull lama``, ``migan --unpinned``, ``depth_anything_v2_small
--unpinned``, ``bisenet_face_parsing`` ...). ``--completion migan`` hides LaMa so the fast inpainter runs. ``--fake`` builds tiny stand-in graphs
(tests/inference/learned/tiny_models.py) in a temporary cache instead: then the learned times are
overhead only (crop, resize, session), never model speed. Needs ../shared/data. Prints medians.

Peak GPU memory is sampled from ``nvidia-smi --query-gpu=memory.used`` every 50 ms while a run goes
(whole-device figure, includes other processes); "n/a" without nvidia-smi.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
DATA = REPO.parent / "shared" / "data"
IMAGES = ("anime/tadne_r0c3.png", "anime/crypko_00.png", "anime/lambda_00.png", "portraits/s1.jpg")


class GpuMemory:
    """Peak ``memory.used`` (MiB) of GPU 0 while the ``with`` block runs; None without nvidia-smi."""

    def __enter__(self):
        self.peak = None
        self._stop = threading.Event()
        self._tool = shutil.which("nvidia-smi")
        if self._tool:
            self._thread = threading.Thread(target=self._poll, daemon=True)
            self._thread.start()
        return self

    def _poll(self):
        while not self._stop.is_set():
            out = subprocess.run([self._tool, "--query-gpu=memory.used", "--format=csv,noheader,nounits", "-i", "0"],
                                 capture_output=True, text=True)
            try:
                used = float(out.stdout.strip().splitlines()[0])
                self.peak = used if self.peak is None else max(self.peak, used)
            except (ValueError, IndexError):
                return
            time.sleep(0.05)

    def __exit__(self, *exc):
        self._stop.set()
        if self._tool:
            self._thread.join(timeout=2)


def fake_cache(root: Path, image: Path) -> None:
    """Tiny stand-ins for every learned model, registered at their sizes (see the tests)."""
    import dataclasses

    import numpy as np

    from inference.load import load_image
    from inference.models.registry import REGISTRY
    from inference.pipeline import _working_canvas
    from tests.inference.learned.tiny_models import (
        bisenet_classes,
        box_sam_decoder,
        const_lama,
        const_migan,
        depth_map,
        sam_encoder,
    )
    from tests.inference.models.tiny_onnx import tiny_isnet

    h, w = _working_canvas(load_image(image))[0].rgba.shape[:2]  # SAM's masks come at the working size
    root.mkdir(parents=True, exist_ok=True)
    ramp = np.repeat(np.linspace(0.0, 1.0, 64, dtype=np.float32)[:, None], 64, axis=1)
    grid = np.zeros((16, 16), np.int64)
    grid[6:10, 6:10] = 10
    for name, build in (("lama", lambda p: const_lama(p, (0.2, 0.6, 0.4))), ("mobile_sam_encoder", sam_encoder),
                        ("mobile_sam_decoder", lambda p: box_sam_decoder(p, h, w)), ("anime_seg_isnetis", tiny_isnet),
                        ("migan", lambda p: const_migan(p, (51, 153, 102))),
                        ("depth_anything_v2_small", lambda p: depth_map(p, ramp)),
                        ("bisenet_face_parsing", lambda p: bisenet_classes(p, grid))):
        path = build(root / REGISTRY[name].filename)
        REGISTRY[name] = dataclasses.replace(REGISTRY[name], size_bytes=path.stat().st_size, size_exact=True)
    landmarker = DATA.parent / "models" / "face_landmarker.task"
    if landmarker.is_file() and not (root / landmarker.name).exists():
        (root / landmarker.name).symlink_to(landmarker)


def micro(repeat: int = 20) -> None:
    """Per-call overhead of each learned path with the stand-ins (median ms): crop/resize/session only."""
    import numpy as np

    from inference.layers import inpaint_learned as IL
    from inference.models.registry import get_model
    from inference.models.runtime import create_session
    from inference.segmentation import depth as D
    from tests.inference.learned.tiny_models import const_lama, const_migan, depth_map

    def median_ms(fn):
        fn()
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        return 1000 * statistics.median(times)

    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, (300, 420, 3), dtype=np.uint8)
    known = np.ones((300, 420), bool)
    known[80:200, 120:300] = False
    with tempfile.TemporaryDirectory() as tmp:
        lama = IL.LearnedInpainter(create_session(const_lama(Path(tmp) / "l.onnx", (0.2, 0.6, 0.4)),
                                                  get_model("lama"), prefer_gpu=False))
        migan = IL.LearnedInpainter(create_session(const_migan(Path(tmp) / "m.onnx", (51, 153, 102)),
                                                   get_model("migan"), prefer_gpu=False), kind="migan")
        path = depth_map(Path(tmp) / "d.onnx", np.eye(64, dtype=np.float32))
        big = rng.integers(0, 256, (1024, 768, 3), dtype=np.uint8)
        print(f"micro (stand-ins, median of {repeat}): paint 300x420 crop lama {median_ms(lambda: lama.paint(rgb, known)):.1f} ms, "
              f"migan {median_ms(lambda: migan.paint(rgb, known)):.1f} ms; depth 1024x768 "
              f"{median_ms(lambda: D.estimate_depth(big, path=path, prefer_gpu=False)):.1f} ms")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    ap.add_argument("--fake", action="store_true", help="tiny stand-in graphs: overhead only")
    ap.add_argument("--micro", action="store_true", help="only the per-call overhead of each learned path")
    ap.add_argument("--completion", choices=("best", "migan"), default="best",
                    help="migan: hide LaMa so the completion stage runs MI-GAN")
    args = ap.parse_args()
    if not DATA.is_dir():
        print(f"shared data not found at {DATA}")
        return 1
    import logging

    logging.basicConfig(level=logging.WARNING)
    from inference.backends import cuda_available
    from inference.pipeline import generate

    print(f"CUDA provider available: {cuda_available()}; device {args.device}; fake models: {args.fake}")
    if args.micro:
        micro()
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        for rel in IMAGES:
            image = DATA / rel
            if args.fake:
                os.environ["KIRIE_MODEL_CACHE"] = str(Path(tmp) / rel.replace("/", "_"))
                fake_cache(Path(os.environ["KIRIE_MODEL_CACHE"]), image)
            if args.completion == "migan":
                import dataclasses

                from inference.models.registry import REGISTRY

                REGISTRY["lama"] = dataclasses.replace(REGISTRY["lama"], filename="absent-for-this-run.onnx")
            for backend in ("classical", "auto"):  # auto: no stop for a model this image does not need
                generate(image, backend=backend, device=args.device)  # warm: sessions, imports
                runs, peaks = [], []
                for _ in range(args.repeat):
                    with GpuMemory() as mem:
                        r = generate(image, backend=backend, device=args.device)
                    runs.append(r.timings_s)
                    peaks.append(mem.peak)
                stages = {k: statistics.median(t[k] for t in runs) for k in runs[0]}
                used = {k: f"{b.backend}{'/' + b.provider.replace('ExecutionProvider', '') if b.provider else ''}"
                        for k, b in r.backends.items()}
                peak = "n/a" if peaks[0] is None else f"{max(p for p in peaks if p is not None):.0f} MiB"
                print(f"{rel} {backend}: total {sum(stages.values()):.2f} s; ms per stage: "
                      + ", ".join(f"{k} {v * 1000:.0f}" for k, v in stages.items())
                      + f"; backends {used}; peak GPU memory {peak}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Mask painting: seconds to re-cut one layer (``inference.layers.recut.recut_layer``) and build its command.

Usage: ``.venv/bin/python -m benchmarks.bench_recut [--repeat N]`` (from the repository root)

Input: rigs generated from ``../shared/data`` images of 256, 512 and ~1100 px. For every layer cut
from the image, the re-cut (cut + completion + mesh) and ``RepaintLayer`` construction (keyform
remap) are timed with a 6 px disc added to the layer's mask; prints, per image, the median over
layers and the slowest layer (medians over the repeats). The brush tool runs a re-cut on a worker
thread when it expects more than 100 ms.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from inference.layers.recut import recut_layer
from inference.pipeline import generate
from rig.document.commands import RepaintLayer
from tests.conftest import SHARED_DATA

IMAGES = ("anime/waifu_00.png", "anime/crypko_00.png", "portraits/s1.jpg")


def _edited(src, layer_id: str) -> np.ndarray:
    mask = src.visible_mask(layer_id)
    ys, xs = np.nonzero(mask)
    yy, xx = np.mgrid[0 : mask.shape[0], 0 : mask.shape[1]]
    return mask | (np.hypot(xx - xs.max(), yy - np.median(ys)) <= 6)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for name in IMAGES:
        rig = generate(SHARED_DATA / name).rig
        src = rig.source
        rows = []
        for layer_id in (la.id for la in rig.layers if la.id in src.layer_ids):
            mask = _edited(src, layer_id)
            t_cut, t_cmd = [], []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                out = recut_layer(src, layer_id, mask)
                t1 = time.perf_counter()
                RepaintLayer(rig, layer_id, out.layer.image, out.layer.origin_px, out.mesh.uvs,
                             out.mesh.triangles, out.labels)  # fmt: skip
                t_cut.append(t1 - t0)
                t_cmd.append(time.perf_counter() - t1)
            rows.append((statistics.median(t_cut), statistics.median(t_cmd), layer_id))
        cut, cmd = [r[0] for r in rows], [r[1] for r in rows]
        worst = max(rows)
        print(f"{name:22s} {rig.canvas_width_px}x{rig.canvas_height_px}  re-cut median {statistics.median(cut) * 1000:6.1f} ms"
              f"  command median {statistics.median(cmd) * 1000:5.1f} ms  slowest {worst[2]} "
              f"{worst[0] * 1000:.1f} + {worst[1] * 1000:.1f} ms")  # fmt: skip


if __name__ == "__main__":
    main()

"""Stage 5 (layers with completion and synthesis) and stage 6 (meshes) timings.

Usage: ``.venv/bin/python -m benchmarks.bench_layers [--repeat N]`` (from the repository root)

Input: the synthetic character of ``tests/inference/character.py`` drawn at 512 and 1024 px (all
parts, front hair over the forehead, eyes with irises under the lashes). Prints the median seconds of
``cut_layers`` and ``mesh_layers`` and the total vertex count.
"""

from __future__ import annotations

import argparse
import statistics
import time

from inference.layers.cut import cut_layers
from inference.meshing.meshes import mesh_layers
from tests.inference.character import synthetic_character


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    for size in (512, 1024):
        inputs = synthetic_character(size)
        mesh_layers(cut_layers(*inputs))  # warm-up: imports
        t_layers, t_meshes = [], []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            layers = cut_layers(*inputs)
            t1 = time.perf_counter()
            meshes = mesh_layers(layers)
            t_layers.append(t1 - t0)
            t_meshes.append(time.perf_counter() - t1)
        verts = sum(len(m.uvs) for m in meshes)
        print(
            f"{size:5d} px  layers {statistics.median(t_layers) * 1000:7.1f} ms  "
            f"meshes {statistics.median(t_meshes) * 1000:6.1f} ms  {len(layers)} layers  {verts} vertices"
        )


if __name__ == "__main__":
    main()

"""Median per-frame ``evaluate`` time for the three synthetic rig sizes (plan precompiled).

Run: ``.venv/bin/python benchmarks/bench_evaluate.py [--frames N] [--profile SIZE]``.
Parameter values change every frame (a seeded random walk over every parameter's range).
Bar: at most 1 ms median for the "medium" rig (130 art meshes, ~3k vertices).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from rig.evaluate import compile_plan, evaluate
from rig.testing import BENCHMARK_SIZES, benchmark_rig


def frames(rig, n: int, seed: int = 1) -> list[dict[str, float]]:
    rng = np.random.default_rng(seed)
    lo = np.array([p.min for p in rig.parameters])
    hi = np.array([p.max for p in rig.parameters])
    ids = [p.id for p in rig.parameters]
    phase = rng.uniform(0, 2 * np.pi, len(ids))
    out = []
    for f in range(n):
        x = lo + (hi - lo) * (0.5 + 0.5 * np.sin(phase + 0.05 * f))
        out.append(dict(zip(ids, x.tolist())))
    return out


def bench(size: str, n_frames: int) -> tuple[float, float, int]:
    rig = benchmark_rig(size)
    t0 = time.perf_counter()
    plan = compile_plan(rig)
    compile_s = time.perf_counter() - t0
    values = frames(rig, n_frames)
    for v in values[:20]:  # warm-up
        evaluate(rig, v, plan)
    times = []
    for v in values:
        t = time.perf_counter()
        evaluate(rig, v, plan)
        times.append(time.perf_counter() - t)
    return statistics.median(times), compile_s, sum(m.vertex_count for m in rig.art_meshes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=500)
    parser.add_argument("--profile", choices=list(BENCHMARK_SIZES), help="cProfile one size instead")
    args = parser.parse_args()
    if args.profile:
        import cProfile
        import pstats

        rig = benchmark_rig(args.profile)
        plan = compile_plan(rig)
        values = frames(rig, args.frames)
        with cProfile.Profile() as prof:
            for v in values:
                evaluate(rig, v, plan)
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)
        return
    print(
        f"{'size':8} {'meshes':>6} {'vertices':>8} {'deformers':>9} {'params':>6} {'median ms':>9} {'compile ms':>10}"
    )
    for size, spec in BENCHMARK_SIZES.items():
        median, compile_s, verts = bench(size, args.frames)
        print(
            f"{size:8} {spec['n_meshes']:6d} {verts:8d} {spec['n_deformers']:9d} {spec['n_parameters']:6d} "
            f"{median * 1e3:9.3f} {compile_s * 1e3:10.1f}"
        )


if __name__ == "__main__":
    main()

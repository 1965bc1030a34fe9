"""Renderer frame rate at 1280x720, headless (EGL; Mesa llvmpipe on a machine without a GPU).

Usage: ``.venv/bin/python benchmarks/bench_render.py [--frames N]``

Scenes: ``rig.testing.benchmark_rig("medium")`` (130 art meshes, 3000 vertices) evaluated with its
first parameter sweeping, or with ``--hand-built`` (or without ``rig.testing``) an ``EvaluatedRig`` of
130 art meshes (5x5-vertex grids = 3250 vertices, 16 layers of 256x256, 12 clipped items over 4 mask
sets, items covering ~3x the canvas). Vertex positions change every frame, so streaming is timed too. Prints median frame
times with ``ctx.finish()`` inside the timing, for the draw alone and for ``render_to_array`` (draw
plus read-back and un-premultiplication).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from app.render.offscreen import render_to_array, standalone_context
from app.render.renderer import Renderer
from app.render.view import View
from rig.evaluate.types import DrawItem, EvaluatedRig, LayerTexture

SIZE = (1280, 720)


def grid_mesh(x0, y0, w, h, n=5):
    u, v = np.meshgrid(np.linspace(0, 1, n), np.linspace(0, 1, n))
    uvs = np.stack([u.ravel(), v.ravel()], axis=1).astype(np.float32)
    idx = np.arange(n * n).reshape(n, n)
    a, b, c, d = idx[:-1, :-1].ravel(), idx[:-1, 1:].ravel(), idx[1:, 1:].ravel(), idx[1:, :-1].ravel()
    tris = np.concatenate([np.stack([a, b, c], 1), np.stack([a, c, d], 1)]).astype(np.uint16)
    return uvs * (w, h) + (x0, y0), uvs, tris


def blob_layer(rng, size=256):
    y, x = np.mgrid[0:size, 0:size] + 0.5
    r = np.hypot(x - size / 2, y - size / 2) / (size / 2)
    img = np.empty((size, size, 4), np.uint8)
    img[..., :3] = rng.integers(30, 255, 3)
    img[..., 3] = (np.clip((1 - r) * 4, 0, 1) * 255).astype(np.uint8)
    return img


def synthetic_evaluated(frame: int = 0, seed: int = 0) -> EvaluatedRig:
    """130 items / 3250 vertices over a 1280x720 canvas; ``frame`` moves the vertices."""
    rng = np.random.default_rng(seed)
    layers = {f"layer{i}": LayerTexture(f"layer{i}", blob_layer(rng), 0) for i in range(16)}
    items, masks = [], {}
    for i in range(130):
        w, h = rng.uniform(80, 420), rng.uniform(80, 360)
        x0, y0 = rng.uniform(0, SIZE[0] - w), rng.uniform(0, SIZE[1] - h)
        verts, uvs, tris = grid_mesh(x0, y0, w, h)
        verts = verts + 3.0 * np.sin(0.1 * frame + verts[:, ::-1] / 50.0)
        mask_ids = (f"item{(i % 4) * 7}",) if i >= 118 else ()
        item = DrawItem(f"item{i}", verts.astype(np.float32), uvs, tris, f"layer{i % 16}", float(rng.uniform(0.6, 1)),
                        (1.0, 1.0, 1.0), (0.0, 0.0, 0.0), "normal", mask_ids, False, float(i), 0)
        items.append(item)
    for i in (0, 7, 14, 21):
        masks[f"item{i}"] = items[i]
    return EvaluatedRig(SIZE, tuple(items), layers, masks)


def scene_frames(count: int, synthetic: bool) -> list[EvaluatedRig]:
    """``count`` evaluated frames of the medium benchmark rig, its first parameter sweeping its range."""
    try:
        from rig.evaluate import evaluate
        from rig.testing import benchmark_rig
    except ImportError:
        synthetic = True
    if synthetic:
        print("scene: hand-built EvaluatedRig (130 items)")
        return [synthetic_evaluated(f) for f in range(count)]
    rig = benchmark_rig("medium")
    print(f"scene: rig.testing.benchmark_rig('medium'): {len(rig.art_meshes)} art meshes, "
          f"canvas {rig.canvas_width_px}x{rig.canvas_height_px} fitted into the viewport")
    values = {p.id: p.default for p in rig.parameters}
    swept = rig.parameters[0]
    frames = []
    for f in range(count):
        values[swept.id] = swept.min + (swept.max - swept.min) * (0.5 + 0.5 * np.sin(0.2 * f))
        frames.append(evaluate(rig, values))
    return frames


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=60)
    parser.add_argument("--hand-built", action="store_true", help="use the hand-built scene, not rig.testing")
    args = parser.parse_args()
    ctx = standalone_context()
    print(f"GL: {ctx.info['GL_RENDERER']}, {SIZE[0]}x{SIZE[1]}")
    frames = scene_frames(args.frames, args.hand_built)
    print(f"items: {len(frames[0].items)}, vertices: {sum(len(i.vertices_px) for i in frames[0].items)}")
    renderer = Renderer(ctx, SIZE)
    fbo = ctx.framebuffer([ctx.texture(SIZE, 4)])
    view = View.fit(frames[0].canvas_size_px, SIZE)
    for ev in frames[:5]:  # warm up: shader compile, uploads
        renderer.render(ev, fbo, view)
    ctx.finish()
    draw = []
    for ev in frames:
        t0 = time.perf_counter()
        renderer.render(ev, fbo, view)
        ctx.finish()
        draw.append(time.perf_counter() - t0)
    readback = []
    for ev in frames[: max(10, args.frames // 3)]:
        t0 = time.perf_counter()
        render_to_array(ev, size=SIZE, ctx=ctx)
        readback.append(time.perf_counter() - t0)
    med = statistics.median(draw)
    print(f"draw: median {med * 1e3:.1f} ms/frame = {1 / med:.1f} fps (n={len(draw)})")
    med_rb = statistics.median(readback)
    print(f"render_to_array: median {med_rb * 1e3:.1f} ms/frame = {1 / med_rb:.1f} fps (n={len(readback)})")


if __name__ == "__main__":
    main()

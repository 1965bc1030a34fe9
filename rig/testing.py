"""Rig builders for tests and benchmarks: a tiny hand-made rig and seeded synthetic rigs.

* :func:`tiny_rig` - small, fully valid, hand-made: 2 layers with real pixels, 3 art meshes (one
  clipped by another), a warp and a rotation nested in it, 2 parameters. Reusable by renderer,
  project-file and command tests.
* :func:`synthetic_rig` - a seeded random rig of a given size with a realistic tree: warps and
  rotations nested up to 4 deep, art meshes under deformers, keyform grids over 1-3 parameters with
  2-3 keys each, a few clip masks and some art meshes reaching outside their warp (extrapolation).
* :data:`BENCHMARK_SIZES` / :func:`benchmark_rig` - the three sizes ``benchmarks/`` measures.
"""

from __future__ import annotations

import math

import numpy as np

from rig.model import (
    ArtMesh,
    KeyformBinding,
    KeyformGrid,
    Layer,
    Parameter,
    Part,
    Rig,
    RotationDeformer,
    WarpDeformer,
)

#: name -> synthetic_rig keyword arguments.
BENCHMARK_SIZES: dict[str, dict[str, int]] = {
    "small": {"n_meshes": 30, "n_vertices_total": 1700, "n_deformers": 12, "n_parameters": 30},
    "medium": {"n_meshes": 130, "n_vertices_total": 3000, "n_deformers": 40, "n_parameters": 70},
    "large": {"n_meshes": 260, "n_vertices_total": 6000, "n_deformers": 80, "n_parameters": 100},
}

_PARAM_KINDS = ((-30.0, 0.0, 30.0), (-1.0, 0.0, 1.0), (0.0, 1.0, 1.0), (0.0, 0.0, 1.0))


def benchmark_rig(size: str, seed: int = 0) -> Rig:
    """The synthetic rig of one of :data:`BENCHMARK_SIZES` (``"small"``, ``"medium"``, ``"large"``)."""
    return synthetic_rig(**BENCHMARK_SIZES[size], seed=seed)


# ------------------------------------------------------------------------------------------ tiny rig
def _disc_image(size: int, rgb: tuple[int, int, int], highlight: bool) -> np.ndarray:
    yy, xx = np.mgrid[0:size, 0:size]
    c = (size - 1) / 2
    r = np.hypot(xx - c, yy - c) / (size / 2)
    img = np.zeros((size, size, 4), np.uint8)
    img[..., :3] = np.array(rgb, np.uint8)
    img[..., 0] = np.clip(rgb[0] - 60 * (yy / size), 0, 255).astype(np.uint8)  # vertical gradient
    img[..., 3] = np.where(r <= 1.0, 255, 0).astype(np.uint8)
    if highlight:
        spot = np.hypot(xx - size * 0.7, yy - size * 0.3) < size * 0.15
        img[spot] = (255, 255, 255, 255)
    return img


def _quad(x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float32)


_QUAD_TRIANGLES = np.array([[0, 1, 2], [0, 2, 3]], np.uint16)


def tiny_rig() -> Rig:
    """A small, valid, hand-made rig (canvas 128 x 128 px).

    Contents: parameters ``ParamAngleX`` (keys -30, 0, 30) and ``ParamAngleZ`` (keys -30, 30);
    parts ``PartRoot`` > ``PartFace``; layers ``LayerFace`` (64 x 64 skin disc) and ``LayerEye``
    (32 x 32 dark disc with a white highlight); ``Warp1`` (2 x 2 cells over (32, 32)-(96, 96), moved
    by AngleX: x - 8 px at -30, + 8 px at +30, top row twice as much); ``Rotation1`` under
    ``Warp1`` at its centre (0.5, 0.5), angle -10 / +10 degrees at AngleZ -30 / +30; ``ArtMesh1``
    (face quad under ``Warp1``, draw order 500), ``ArtMesh2`` (eye quad, 24 x 16 px local, under
    ``Rotation1``, draw order 600) and ``ArtMesh3`` (highlight quad under ``Rotation1``, clipped by
    ``ArtMesh2``, draw order 700).
    """
    angle_x = Parameter("ParamAngleX", "Angle X", -30, 0, 30, keys=(-30, 0, 30), group="ParamGroupFace")
    angle_z = Parameter("ParamAngleZ", "Angle Z", -30, 0, 30, keys=(-30, 30), group="ParamGroupFace")
    parts = [Part("PartRoot", "Root"), Part("PartFace", "Face", parent_part_id="PartRoot")]
    layers = [
        Layer("LayerFace", "Face", _disc_image(64, (250, 220, 200), False), origin_px=(32.0, 32.0)),
        Layer("LayerEye", "Eye", _disc_image(32, (60, 40, 90), True), origin_px=(52.0, 56.0)),
    ]
    rest = WarpDeformer.rest_grid(2, 2, 32, 32, 96, 96)
    shift = np.zeros_like(rest)
    shift[:, 0] = 8.0
    shift[:3, 0] = 16.0  # top row moves twice as far: a shear
    warp_grid = KeyformGrid(
        (KeyformBinding("ParamAngleX", (-30, 0, 30)),),
        {"positions": np.stack([rest - shift, rest, rest + shift]), "opacity": np.ones(3, np.float32)},
    )
    warp = WarpDeformer("Warp1", "Face warp", "PartFace", None, 2, 2, warp_grid)
    rot_values = [RotationDeformer.rest_values((0.5, 0.5), angle_deg=a) for a in (-10.0, 10.0)]
    rot_grid = KeyformGrid(
        (KeyformBinding("ParamAngleZ", (-30, 30)),),
        {k: np.stack([v[k] for v in rot_values]) for k in rot_values[0]},
    )
    rotation = RotationDeformer("Rotation1", "Eye rotation", "PartFace", "Warp1", rot_grid)

    def mesh(mid, name, parent, layer, positions, uvs, draw_order, masks=()):
        grid = KeyformGrid.constant(**ArtMesh.rest_values(positions, draw_order=draw_order))
        return ArtMesh(
            mid, name, "PartFace", parent, layer, uvs, _QUAD_TRIANGLES.copy(), grid, mask_ids=masks
        )

    unit = _quad(0, 0, 1, 1)
    meshes = [
        mesh("ArtMesh1", "Face", "Warp1", "LayerFace", _quad(0.05, 0.05, 0.95, 0.95), unit, 500.0),
        mesh("ArtMesh2", "Eye", "Rotation1", "LayerEye", _quad(-12, -8, 12, 8), unit, 600.0),
        mesh(
            "ArtMesh3",
            "Eye highlight",
            "Rotation1",
            "LayerEye",
            _quad(0, -8, 12, 2),
            _quad(0.5, 0, 1, 0.6),
            700.0,
            ("ArtMesh2",),
        ),
    ]
    return Rig(128, 128, "tiny", [angle_x, angle_z], [], parts, [warp, rotation], meshes, layers)


# ------------------------------------------------------------------------------------- synthetic rig
def _bindings(rng: np.random.Generator, params: list[Parameter]) -> tuple[KeyformBinding, ...]:
    count = int(rng.choice([1, 2, 3], p=[0.5, 0.35, 0.15]))
    chosen = rng.choice(len(params), size=min(count, len(params)), replace=False)
    out = []
    for i in chosen.tolist():
        keys = params[i].keys
        if len(keys) == 3 and rng.random() < 0.4:
            keys = (keys[0], keys[2])
        out.append(KeyformBinding(params[i].id, keys))
    return tuple(out)


def _grid(
    bindings, rest: dict[str, np.ndarray], noisy: dict[str, float], rng: np.random.Generator
) -> KeyformGrid:
    """A grid over ``bindings`` whose keyforms are ``rest`` plus uniform noise on the ``noisy`` fields."""
    k = math.prod(len(b.keys) for b in bindings)
    values = {}
    for name, v in rest.items():
        block = np.repeat(np.asarray(v)[None], k, axis=0).copy()
        if name in noisy and k > 1:
            block = (block + rng.uniform(-noisy[name], noisy[name], block.shape)).astype(block.dtype)
        values[name] = block
    return KeyformGrid(tuple(bindings), values)


def _fan(n: int, center: tuple[float, float], radius: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """A fan mesh of ``n`` >= 4 vertices: (positions, triangles) on an ellipse around ``center``."""
    ang = np.linspace(0, 2 * np.pi, n - 1, endpoint=False)
    ring = np.stack([np.cos(ang), np.sin(ang)], axis=1)
    pos = np.vstack([[0.0, 0.0], ring]) * np.asarray(radius) + np.asarray(center)
    i = np.arange(1, n)
    tris = np.stack([np.zeros(n - 1, int), i, np.where(i + 1 < n, i + 1, 1)], axis=1)
    return pos.astype(np.float32), tris.astype(np.uint16)


def _frame(parent, rng: np.random.Generator, canvas: int) -> tuple[tuple[float, float], float]:
    """A random centre and size for a child in its parent's space (warp: normalised; else px)."""
    if isinstance(parent, WarpDeformer):
        return (float(rng.uniform(0.25, 0.75)), float(rng.uniform(0.25, 0.75))), float(rng.uniform(0.1, 0.22))
    if isinstance(parent, RotationDeformer):
        return (float(rng.uniform(-40, 40)), float(rng.uniform(-80, 10))), float(rng.uniform(20, 60))
    return (float(rng.uniform(0.3, 0.7) * canvas), float(rng.uniform(0.3, 0.7) * canvas)), float(
        canvas * 0.15
    )


def _position_noise(parent) -> float:
    return 0.02 if isinstance(parent, WarpDeformer) else 4.0


def _deformers(rng, n, params, parts, canvas) -> list:
    out: list = []
    depth: dict[str, int] = {}
    for i in range(n):
        parent = None
        if out:
            candidates = [d for d in out if depth[d.id] < 3]
            parent = candidates[int(rng.integers(len(candidates)))]
        (cx, cy), half = _frame(parent, rng, canvas)
        part = parts[int(rng.integers(len(parts)))].id
        pid = None if parent is None else parent.id
        bindings = _bindings(rng, params)
        if i == 0 or rng.random() < 0.6:
            rows, cols = int(rng.integers(2, 6)), int(rng.integers(2, 6))
            rest = WarpDeformer.rest_grid(rows, cols, cx - half, cy - half, cx + half, cy + half)
            grid = _grid(
                bindings,
                {"positions": rest, "opacity": np.float32(1)},
                {"positions": _position_noise(parent) * half * 2},
                rng,
            )
            d = WarpDeformer(f"Warp{i + 1}", f"Warp {i + 1}", part, pid, rows, cols, grid)
        else:
            rest = RotationDeformer.rest_values((cx, cy))
            noise = {"angle_deg": 15.0, "origin": _position_noise(parent), "scale": 0.1}
            d = RotationDeformer(
                f"Rotation{i + 1}", f"Rotation {i + 1}", part, pid, _grid(bindings, rest, noise, rng)
            )
        depth[d.id] = 0 if parent is None else depth[parent.id] + 1
        out.append(d)
    return out


def _vertex_counts(rng: np.random.Generator, n_meshes: int, total: int) -> list[int]:
    spare = max(total - 4 * n_meshes, 0)
    return (4 + rng.multinomial(spare, rng.dirichlet(np.full(n_meshes, 2.0)))).tolist()


def _layers(rng: np.random.Generator, n: int) -> list[Layer]:
    out = []
    for i in range(n):
        rgb = tuple(int(c) for c in rng.integers(40, 250, 3))
        out.append(Layer(f"Layer{i + 1}", f"Layer {i + 1}", _disc_image(32, rgb, bool(i % 2)), (0.0, 0.0)))
    return out


def _parameters(n: int) -> list[Parameter]:
    out = []
    for i in range(max(n, 1)):
        lo, default, hi = _PARAM_KINDS[i % len(_PARAM_KINDS)]
        out.append(Parameter(f"Param{i + 1}", f"Param {i + 1}", lo, default, hi, keys=(lo, default, hi)))
    return out


def _parts(rng: np.random.Generator, params: list[Parameter], n: int) -> list[Part]:
    """A root part and ``n`` parts nested at most 2 deep; about 15 % fade with a parameter."""
    parts = [Part("PartRoot", "Root")]
    for i in range(n):
        parent = parts[int(rng.integers(min(len(parts), 3)))].id
        grid = Part.rest_keyforms()
        if rng.random() < 0.15:
            rest = {"opacity": np.float32(1), "draw_order": np.float32(500)}
            grid = _grid(_bindings(rng, params), rest, {}, rng)
            grid.values["opacity"][-1] = 0.5
        parts.append(Part(f"Part{i + 1}", f"Part {i + 1}", parent, keyforms=grid))
    return parts


def _meshes(rng, counts: list[int], deformers: list, parts, layers, params, canvas: int) -> list[ArtMesh]:
    """Fan meshes under random deformers (5 % at the root, 5 % of warp children reaching outside)."""
    meshes: list[ArtMesh] = []
    for i, n in enumerate(counts):
        parent = None if rng.random() < 0.05 else deformers[int(rng.integers(len(deformers)))]
        (cx, cy), half = _frame(parent, rng, canvas)
        if isinstance(parent, WarpDeformer) and rng.random() < 0.05:
            cx, half = 0.9, 0.25  # reaches outside the warp: exercises extrapolation
        pos, tris = _fan(n, (cx, cy), (half, half * 0.7))
        uvs = _fan(n, (0.5, 0.5), (0.45, 0.45))[0]
        rest = ArtMesh.rest_values(pos, draw_order=float(rng.integers(300, 700)))
        noise = {"positions": _position_noise(parent) * half, "draw_order": 50.0}
        grid = _grid(_bindings(rng, params), rest, noise, rng)
        masks = (meshes[int(rng.integers(len(meshes)))].id,) if meshes and rng.random() < 0.05 else ()
        part_id = parts[int(rng.integers(len(parts)))].id
        parent_id = None if parent is None else parent.id
        meshes.append(
            ArtMesh(
                f"ArtMesh{i + 1}",
                f"Art mesh {i + 1}",
                part_id,
                parent_id,
                layers[i % len(layers)].id,
                uvs,
                tris,
                grid,
                mask_ids=masks,
            )
        )
    return meshes


def synthetic_rig(
    n_meshes: int, n_vertices_total: int, n_deformers: int, n_parameters: int, seed: int = 0
) -> Rig:
    """A seeded random rig that passes ``validate()`` (see the module docstring for its shape).

    Parameters
    ----------
    n_meshes : int
        Art meshes (fan meshes, at least 4 vertices each).
    n_vertices_total : int
        Total vertex count (at least ``4 * n_meshes`` are made).
    n_deformers : int
        At least 1. Warps (about 60 %, 2-5 cells per axis) and rotations, nested at most 4 deep
        under one root warp.
    n_parameters : int
        Parameters ``Param1``... with ranges like the Live2D standard ones; keys at min, default, max.
    seed : int
        Same seed, same rig.
    """
    rng = np.random.default_rng(seed)
    canvas = 1024
    params = _parameters(n_parameters)
    parts = _parts(rng, params, max(2, n_meshes // 10))
    deformers = _deformers(rng, max(n_deformers, 1), params, parts, canvas)
    layers = _layers(rng, min(8, max(2, n_meshes // 20)))
    counts = _vertex_counts(rng, n_meshes, n_vertices_total)
    meshes = _meshes(rng, counts, deformers, parts, layers, params, canvas)
    return Rig(canvas, canvas, f"synthetic-{seed}", params, [], parts, deformers, meshes, layers)

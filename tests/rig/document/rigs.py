"""A small valid rig for document tests, and round-trip helpers.

The rig exercises every reference kind commands care about: a part tree, warp-in-warp and
rotation-in-warp deformers, meshes on the canvas and under both deformer kinds, a clip mask,
1-D and 2-D keyform grids, an unkeyed mesh, physics using parameters.
"""

from __future__ import annotations

import copy
import itertools

import numpy as np

from rig.document import Change, Document
from rig.model import (
    ArtMesh,
    KeyformBinding,
    KeyformGrid,
    Layer,
    Part,
    PhysicsInput,
    PhysicsOutput,
    PhysicsParticle,
    PhysicsSetting,
    PhysicsSource,
    Rig,
    RotationDeformer,
    WarpDeformer,
    deep_equal,
)
from rig.model.standard import standard_parameter

QUAD_UVS = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], np.float32)
QUAD_TRIS = np.array([[0, 1, 2], [0, 2, 3]], np.uint16)


def _grid(rng: np.random.Generator, bindings: tuple[KeyformBinding, ...], fields: dict) -> KeyformGrid:
    """A grid over ``bindings`` with a distinct random variation of ``fields`` per keyform."""
    k = int(np.prod([len(b.keys) for b in bindings])) if bindings else 1
    values = {}
    for name, rest in fields.items():
        rest = np.asarray(rest)
        arr = np.repeat(rest[None], k, axis=0)
        if arr.dtype == np.float32 and name not in ("draw_order",):
            arr = arr + rng.normal(0, 0.05 if name == "opacity" else 2.0, arr.shape).astype(np.float32)
        if name == "opacity":
            arr = np.clip(arr, 0, 1).astype(np.float32)
        values[name] = arr.astype(rest.dtype)
    return KeyformGrid(bindings, values)


def _mesh(rng, mesh_id, part, parent, layer, box, bindings, **kw) -> ArtMesh:
    x0, y0, x1, y1 = box
    pos = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float32)
    grid = _grid(rng, bindings, ArtMesh.rest_values(pos))
    return ArtMesh(
        mesh_id, mesh_id.lower(), part, parent, layer, QUAD_UVS.copy(), QUAD_TRIS.copy(), grid, **kw
    )


def small_rig(seed: int = 0) -> Rig:
    """A valid rig: 5 parameters, 3 parts, 3 deformers, 4 art meshes, 3 layers, 1 physics setting."""
    rng = np.random.default_rng(seed)
    angle = KeyformBinding("ParamAngleX", (-30, 0, 30))
    eye = KeyformBinding("ParamEyeLOpen", (0, 1))
    mouth = KeyformBinding("ParamMouthOpenY", (0, 1))
    rig = Rig(200, 300, name="small")
    rig.parameters = [
        standard_parameter("ParamAngleX", (-30, 0, 30)),
        standard_parameter("ParamEyeLOpen", (0, 1)),
        standard_parameter("ParamMouthOpenY", (0, 1)),
        standard_parameter("ParamBreath"),
        standard_parameter("ParamHairFront"),
    ]
    rig.parts = [
        Part("PartRoot", "Root"),
        Part("PartFace", "Face", parent_part_id="PartRoot"),
        Part(
            "PartHair",
            "Hair",
            parent_part_id="PartRoot",
            keyforms=_grid(rng, (angle,), {"opacity": np.float32(1), "draw_order": np.float32(500)}),
        ),
    ]
    rig.layers = [
        Layer(f"Layer{n}", n.lower(), rng.integers(0, 255, (6, 5, 4), dtype=np.uint8))
        for n in ("Face", "Eye", "Hair")
    ]
    rig.deformers = [
        WarpDeformer(
            "Warp1",
            "face warp",
            "PartFace",
            None,
            2,
            2,
            _grid(
                rng,
                (angle,),
                {"positions": WarpDeformer.rest_grid(2, 2, 20, 20, 180, 280), "opacity": np.float32(1)},
            ),
        ),
        WarpDeformer(
            "Warp2",
            "eye warp",
            "PartFace",
            "Warp1",
            1,
            1,
            _grid(
                rng,
                (eye,),
                {"positions": WarpDeformer.rest_grid(1, 1, 0.2, 0.2, 0.5, 0.4), "opacity": np.float32(1)},
            ),
        ),
        RotationDeformer(
            "Rotation1",
            "hair rotation",
            "PartHair",
            "Warp1",
            _grid(rng, (angle,), RotationDeformer.rest_values((0.5, 0.1))),
        ),
    ]
    rig.art_meshes = [
        _mesh(rng, "ArtMesh1", "PartFace", "Warp1", "LayerFace", (0.1, 0.1, 0.9, 0.9), (angle,)),
        _mesh(rng, "ArtMesh2", "PartFace", "Warp2", "LayerEye", (0.0, 0.0, 1.0, 1.0), (eye, angle)),
        _mesh(
            rng,
            "ArtMesh3",
            "PartHair",
            "Rotation1",
            "LayerHair",
            (-40, -10, 40, 60),
            (),
            mask_ids=("ArtMesh1",),
        ),
        _mesh(rng, "ArtMesh4", "PartFace", None, "LayerFace", (80, 200, 120, 220), (mouth,)),
    ]
    rig.physics.settings = [
        PhysicsSetting(
            "PhysicsSetting1",
            "front hair",
            inputs=[PhysicsInput("ParamAngleX", 60, PhysicsSource.X)],
            outputs=[PhysicsOutput("ParamHairFront", 1, 1.5, 100, PhysicsSource.ANGLE)],
            particles=[PhysicsParticle((0, 0), 1, 1, 1, 0), PhysicsParticle((0, 10), 0.9, 0.9, 1.5, 10)],
        )
    ]
    rig.validate()
    return rig


def small_document(seed: int = 0, **kw) -> Document:
    return Document(small_rig(seed), **kw)


def round_trip(doc: Document, command, expect_kind: str | None = None) -> tuple[Rig, Rig]:
    """Push ``command``, undo, redo; check exact restoration. Returns (before, after) deep copies.

    Checks: ``do`` changes the rig and leaves it valid; ``undo`` restores a rig ``deep_equal`` to
    the one before; ``redo`` reproduces the state after; every step emits one Change of
    ``expect_kind`` (when given).
    """
    changes: list[Change] = []
    doc.changed.connect(changes.append)
    try:
        before = copy.deepcopy(doc.rig)
        doc.history.push(command)
        doc.rig.validate()
        after = copy.deepcopy(doc.rig)
        assert not deep_equal(before, after), f"{command!r} changed nothing"
        doc.history.undo()
        assert deep_equal(doc.rig, before), f"undo of {command!r} did not restore the rig exactly"
        doc.history.redo()
        assert deep_equal(doc.rig, after), f"redo of {command!r} did not reproduce the rig"
        doc.rig.validate()
    finally:
        doc.changed.disconnect(changes.append)
    assert len(changes) == 3
    if expect_kind is not None:
        assert {c.kind for c in changes} == {expect_kind}, changes
    return before, after


def interpolate(grid: KeyformGrid, values: dict[str, float]) -> dict[str, np.ndarray]:
    """Multilinear interpolation of every field of ``grid`` at parameter ``values`` (clamped to keys).

    Test oracle, written independently of ``rig.document`` (first binding fastest).
    """
    axes = []
    for b in grid.bindings:
        keys = np.asarray(b.keys, np.float64)
        v = float(np.clip(values[b.parameter_id], keys[0], keys[-1]))
        if len(keys) == 1:
            axes.append([(0, 1.0)])
            continue
        i = min(int(np.searchsorted(keys, v, side="right")) - 1, len(keys) - 2)
        t = (v - keys[i]) / (keys[i + 1] - keys[i])
        axes.append([(i, 1.0 - t), (i + 1, t)])
    out = {}
    for name, arr in grid.values.items():
        acc = np.zeros(arr.shape[1:], np.float64)
        for combo in itertools.product(*axes) if axes else [()]:
            w = float(np.prod([c[1] for c in combo])) if combo else 1.0
            acc += w * arr[grid.flat_index(tuple(c[0] for c in combo)) if combo else 0].astype(np.float64)
        out[name] = acc
    return out

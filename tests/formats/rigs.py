"""A small but complete rig for file-format tests: every object type, masks, physics, multiple bindings.

Values are random float32 (seeded) so that exact round trips are really tested, layers contain
fully transparent pixels with non-zero colour (straight alpha must survive), and one art mesh has no
triangles (an empty (0, 3) array must keep its shape).
"""

from __future__ import annotations

import numpy as np

from rig.model import (
    ArtMesh,
    BlendMode,
    KeyformBinding,
    KeyformGrid,
    Layer,
    Parameter,
    ParameterGroup,
    Part,
    PhysicsInput,
    PhysicsNormalization,
    PhysicsOutput,
    PhysicsParticle,
    PhysicsRig,
    PhysicsSetting,
    PhysicsSource,
    Rig,
    RotationDeformer,
    WarpDeformer,
)


def _grid(rng, bindings, fields):
    """A keyform grid over ``bindings`` with random float32 values of per-keyform ``fields`` shapes."""
    k = int(np.prod([len(b.keys) for b in bindings])) if bindings else 1
    values = {}
    for name, shape in fields.items():
        if name.startswith("reflect"):
            values[name] = rng.random((k, *shape)) < 0.5
        else:
            values[name] = rng.normal(0, 50, (k, *shape)).astype(np.float32)
    return KeyformGrid(tuple(bindings), values)


def _mesh_fields(n):
    return {"positions": (n, 2), "opacity": (), "draw_order": (), "multiply_rgb": (3,), "screen_rgb": (3,)}


def format_test_rig(seed: int = 7) -> Rig:
    """A valid :class:`Rig` (``validate()`` passes) exercising every field a project file stores."""
    rng = np.random.default_rng(seed)
    angle_x = KeyformBinding("ParamAngleX", (-30.0, 0.0, 30.0))
    eye = KeyformBinding("ParamEyeLOpen", (0.0, 1.0))
    hair = KeyformBinding("ParamHairFront", (-1.0, 0.0, 1.0))
    parameters = [
        Parameter("ParamAngleX", "Angle X", -30, 0, 30, keys=(-30, 0, 30), group="ParamGroupFace"),
        Parameter("ParamEyeLOpen", "Eye L Open", 0, 1, 1, keys=(0, 1), group="ParamGroupFace"),
        Parameter("ParamHairFront", "Hair Front", -1, 0, 1, keys=(-1, 0, 1), group="ParamGroupSway"),
        Parameter("ParamSpin", "Spin", -180, 0, 180, repeat=True),
    ]
    parts = [
        Part("PartRoot", "Root"),
        Part("PartFace", "Face", "PartRoot", keyforms=_grid(rng, [eye], {"opacity": (), "draw_order": ()})),
        Part("PartHair", "Hair", "PartRoot", visible=False),
    ]
    deformers = [
        WarpDeformer(
            "Warp1",
            "Face warp",
            "PartFace",
            None,
            2,
            3,
            _grid(rng, [angle_x], {"positions": (12, 2), "opacity": ()}),
        ),
        RotationDeformer(
            "Rotation1",
            "Hair rotation",
            "PartHair",
            "Warp1",
            _grid(
                rng,
                [hair],
                {
                    k: s
                    for k, s in [
                        ("angle_deg", ()),
                        ("origin", (2,)),
                        ("scale", ()),
                        ("opacity", ()),
                        ("reflect_x", ()),
                        ("reflect_y", ()),
                    ]
                },
            ),
            base_angle_deg=12.5,
        ),
        WarpDeformer(
            "Warp2",
            "Tip warp",
            "PartHair",
            "Rotation1",
            1,
            1,
            _grid(rng, [], {"positions": (4, 2), "opacity": ()}),
            visible=False,
        ),
    ]
    uvs4 = rng.random((4, 2)).astype(np.float32)
    uvs5 = rng.random((5, 2)).astype(np.float32)
    art_meshes = [
        ArtMesh(
            "ArtMesh1",
            "Face",
            "PartFace",
            "Warp1",
            "LayerFace",
            uvs4,
            np.array([[0, 1, 2], [0, 2, 3]], np.uint16),
            _grid(rng, [angle_x, eye], _mesh_fields(4)),
        ),
        ArtMesh(
            "ArtMesh2",
            "Hair",
            "PartHair",
            "Rotation1",
            "LayerHair",
            uvs5,
            np.array([[0, 1, 2], [2, 3, 4], [0, 2, 4]], np.uint16),
            _grid(rng, [hair], _mesh_fields(5)),
            blend_mode=BlendMode.MULTIPLICATIVE,
            mask_ids=("ArtMesh1",),
            invert_mask=True,
            topology_version=3,
        ),
        ArtMesh(
            "ArtMesh3",
            "Glow",
            "PartRoot",
            None,
            "LayerFace",
            uvs4[:3].copy(),
            np.zeros((0, 3), np.uint16),
            _grid(rng, [], _mesh_fields(3)),
            blend_mode=BlendMode.ADDITIVE,
            visible=False,
            culling=True,
        ),
    ]
    face = rng.integers(0, 256, (6, 5, 4), dtype=np.uint8)
    face[0, :, 3] = 0  # transparent pixels keep their colour (straight alpha)
    layers = [
        Layer("LayerFace", "face", face, origin_px=(10.25, -3.5), version=2),
        Layer("LayerHair", "hair", rng.integers(0, 256, (3, 7, 4), dtype=np.uint8)),
    ]
    physics = PhysicsRig(
        settings=[
            PhysicsSetting(
                "PhysicsSetting1",
                "Front hair",
                [
                    PhysicsInput("ParamAngleX", 60.0, PhysicsSource.X),
                    PhysicsInput("ParamSpin", 40.0, PhysicsSource.ANGLE, True),
                ],
                [PhysicsOutput("ParamHairFront", 2, 1.4, 100.0, PhysicsSource.ANGLE, True)],
                [
                    PhysicsParticle((0.0, 0.0), 1.0, 1.0, 1.0, 0.0),
                    PhysicsParticle((0.0, 9.5), 0.95, 0.8, 1.5, 9.5),
                    PhysicsParticle((0.0, 19.0), 0.9, 0.75, 1.2, 9.5),
                ],
                PhysicsNormalization(-12.0, 0.5, 12.0, -30.0, 0.0, 30.0),
            )
        ],
        gravity=(0.0, -1.0),
        wind=(0.25, 0.0),
        fps=30.0,
    )
    rig = Rig(
        640, 480, "Format test", parameters,
        [ParameterGroup("ParamGroupFace", "Face"), ParameterGroup("ParamGroupSway", "Sway")],
        parts, deformers, art_meshes, layers, physics,
    )  # fmt: skip
    rig.validate()
    return rig

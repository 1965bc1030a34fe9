"""``tiny_rig()`` plus standard parameters and one hair pendulum, for physics3 / motion3 / Framework tests."""

from __future__ import annotations

from rig.model import (
    PhysicsInput,
    PhysicsOutput,
    PhysicsParticle,
    PhysicsRig,
    PhysicsSetting,
    PhysicsSource,
    Rig,
)
from rig.model.standard import standard_parameter
from rig.testing import tiny_rig


def tiny_rig_with_physics() -> Rig:
    """tiny_rig + ParamBreath, ParamEyeLOpen, ParamHairFront (unkeyed) and a setting that swings
    ParamHairFront from ParamAngleX (plus one X output, which Cubism export must drop)."""
    rig = tiny_rig()
    rig.parameters += [standard_parameter(p) for p in ("ParamBreath", "ParamEyeLOpen", "ParamHairFront")]
    setting = PhysicsSetting(
        "PhysicsSetting1", "Front hair",
        [PhysicsInput("ParamAngleX", 100.0, PhysicsSource.X)],
        [PhysicsOutput("ParamHairFront", 1, 1.5, 100.0, PhysicsSource.ANGLE),
         PhysicsOutput("ParamBreath", 1, 1.0, 100.0, PhysicsSource.X)],
        [PhysicsParticle((0.0, 0.0), 1.0, 1.0, 1.0, 0.0), PhysicsParticle((0.0, 10.0), 0.9, 0.8, 1.5, 10.0)],
    )  # fmt: skip
    rig.physics = PhysicsRig([setting])
    rig.validate()
    return rig

"""Hair physics from the template: one two-particle pendulum per sway parameter.

Inputs AngleX 60 % (X) + AngleZ 60 % (Angle) + BodyAngleX 40 % (X) + BodyAngleZ 40 % (Angle); the
output is particle 1's angle scaled to a -1..1 sway parameter (shared ``rigging.md`` 10, and the
physics3 of Live2D's public Haru sample as quoted in ``anchors.md`` 2).
"""

from __future__ import annotations

from inference.rigging.template import Template
from rig.model import (
    PhysicsInput,
    PhysicsNormalization,
    PhysicsOutput,
    PhysicsParticle,
    PhysicsRig,
    PhysicsSetting,
    PhysicsSource,
)


def build_physics(tpl: Template) -> PhysicsRig:
    """A :class:`PhysicsRig` with the template's sway settings at 60 fps."""
    pp = tpl.physics_particle
    settings = []
    for s in tpl.physics:
        length = float(s["length"])
        inputs = [PhysicsInput(pid, w, PhysicsSource(kind)) for pid, w, kind in tpl.physics_inputs]
        particles = [
            PhysicsParticle((0.0, 0.0), 1.0, 1.0, 1.0, 0.0),
            PhysicsParticle((0.0, length), pp["mobility"], pp["delay"], pp["acceleration"], length),
        ]
        outputs = [PhysicsOutput(s["output"], 1, float(s["scale"]), 100.0, PhysicsSource.ANGLE)]
        settings.append(PhysicsSetting(s["id"], s["name"], inputs, outputs, particles, PhysicsNormalization()))
    return PhysicsRig(settings=settings, gravity=(0.0, -1.0), wind=(0.0, 0.0), fps=60.0)

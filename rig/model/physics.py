"""Physics settings with the semantics of Cubism's physics3.json (cubism-formats.md 2.3).

A setting reads input parameters, drives a pendulum chain of particles and writes output parameters.
Positions are in the physics3 frame: particle 0 is the root at (0, 0), later particles hang below
(+y down in Kirie, as in physics3 where the sample rigs use (0, 8), (0, 15) ...). Gravity (0, -1)
in physics3 units points *down* the chain (Cubism convention).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from rig.model.base import ModelObject


class PhysicsSource(enum.Enum):
    """What component an input or output uses (physics3 ``Type``)."""

    X = "X"
    Y = "Y"
    ANGLE = "Angle"


@dataclass(slots=True, eq=False)
class PhysicsInput(ModelObject):
    """``weight`` in percent (0..100) of the normalised parameter value fed as ``kind``."""

    parameter_id: str
    weight: float
    kind: PhysicsSource
    reflect: bool = False


@dataclass(slots=True, eq=False)
class PhysicsOutput(ModelObject):
    """Writes ``kind`` of particle ``particle_index`` (>= 1) times ``scale`` to a parameter.

    ``weight`` is in percent; ``scale`` multiplies the angle (radians -> parameter units by Cubism's
    rule, see ``rig.evaluate.physics``).
    """

    parameter_id: str
    particle_index: int
    scale: float
    weight: float
    kind: PhysicsSource
    reflect: bool = False


@dataclass(slots=True, eq=False)
class PhysicsParticle(ModelObject):
    """One pendulum particle (physics3 ``Vertices`` entry); ``position`` is its rest position."""

    position: tuple[float, float]
    mobility: float
    delay: float
    acceleration: float
    radius: float


@dataclass(slots=True, eq=False)
class PhysicsNormalization(ModelObject):
    """Ranges inputs are normalised into (physics3 ``Normalization``)."""

    position_min: float = -10.0
    position_default: float = 0.0
    position_max: float = 10.0
    angle_min: float = -10.0
    angle_default: float = 0.0
    angle_max: float = 10.0


@dataclass(slots=True, eq=False)
class PhysicsSetting(ModelObject):
    """One pendulum chain with its inputs and outputs."""

    id: str
    name: str
    inputs: list[PhysicsInput]
    outputs: list[PhysicsOutput]
    particles: list[PhysicsParticle]
    normalization: PhysicsNormalization = field(default_factory=PhysicsNormalization)


@dataclass(slots=True, eq=False)
class PhysicsRig(ModelObject):
    """All physics of a rig: settings plus the global effective forces and the fixed frame rate."""

    settings: list[PhysicsSetting] = field(default_factory=list)
    gravity: tuple[float, float] = (0.0, -1.0)
    wind: tuple[float, float] = (0.0, 0.0)
    fps: float = 60.0

"""The rig data model: dataclasses mirroring Cubism's object model (see design.md).

:class:`Rig` holds Parts, Layers, ArtMeshes, Warp/RotationDeformers with their KeyformGrids, Parameters
and the PhysicsRig; ``validate()`` checks the invariants. May import only ``rig.errors``, numpy and the
standard library: the model knows nothing about evaluation, documents or files.
"""

from rig.model.base import ModelObject, deep_equal
from rig.model.keyform import KeyformBinding, KeyformGrid
from rig.model.objects import ArtMesh, BlendMode, Deformer, Layer, Part, RotationDeformer, WarpDeformer
from rig.model.parameter import Parameter
from rig.model.physics import (
    PhysicsInput,
    PhysicsNormalization,
    PhysicsOutput,
    PhysicsParticle,
    PhysicsRig,
    PhysicsSetting,
    PhysicsSource,
)
from rig.model.rig import ParameterGroup, Rig
from rig.model.source import SourceImage

__all__ = [
    "ArtMesh",
    "BlendMode",
    "Deformer",
    "KeyformBinding",
    "KeyformGrid",
    "Layer",
    "ModelObject",
    "Parameter",
    "ParameterGroup",
    "Part",
    "PhysicsInput",
    "PhysicsNormalization",
    "PhysicsOutput",
    "PhysicsParticle",
    "PhysicsRig",
    "PhysicsSetting",
    "PhysicsSource",
    "Rig",
    "RotationDeformer",
    "SourceImage",
    "WarpDeformer",
    "deep_equal",
]

"""Undoable commands, one module per family (style.md section 3).

Every command captures what it needs at construction (``Cmd(rig, ...)`` reads the rig then, except
:class:`MoveVertices`, which takes old and new positions explicitly) and reports a
:class:`~rig.document.change.Change` from ``do`` and ``undo``.
"""

from rig.document.commands.bindings import SetKeyformGrid
from rig.document.commands.keyforms import MoveVertices, ReplaceMeshTopology, SetKeyformValues
from rig.document.commands.objects import (
    AddArtMesh,
    AddDeformer,
    AddLayer,
    AddPart,
    RemoveArtMesh,
    RemoveDeformer,
    RemoveLayer,
    RemovePart,
)
from rig.document.commands.parameters import (
    AddParameter,
    AddParameterKey,
    RemoveParameter,
    RemoveParameterKey,
    SetParameterDefinition,
)
from rig.document.commands.properties import (
    RenameObject,
    ReorderDrawOrder,
    ReparentArtMesh,
    ReparentDeformer,
    SetObjectProperty,
)
from rig.document.commands.repaint import RepaintLayer
from rig.document.commands.replace import ReplaceRig
from rig.document.commands.topology import EditMeshes, EditMeshTopology
from rig.document.history import CompoundCommand

__all__ = [
    "AddArtMesh",
    "AddDeformer",
    "AddLayer",
    "AddParameter",
    "AddParameterKey",
    "AddPart",
    "CompoundCommand",
    "EditMeshTopology",
    "EditMeshes",
    "MoveVertices",
    "RemoveArtMesh",
    "RemoveDeformer",
    "RemoveLayer",
    "RemoveParameter",
    "RemoveParameterKey",
    "RemovePart",
    "RenameObject",
    "RepaintLayer",
    "ReorderDrawOrder",
    "ReparentArtMesh",
    "ReparentDeformer",
    "ReplaceMeshTopology",
    "ReplaceRig",
    "SetKeyformGrid",
    "SetKeyformValues",
    "SetObjectProperty",
    "SetParameterDefinition",
]

"""Kirie's rig: the data model, evaluation, physics, documents with undo, edits, value driving, file formats.

Packages, lowest first (each may import only those below it; import-linter "rig layers"):

* ``rig.errors`` (this package's ``RigError`` family, re-exported here) and ``rig.model``: the dataclasses;
* ``rig.evaluate``: evaluation, physics, warp inversion and parent-space maps;
* ``rig.document`` (documents, commands, undo), ``rig.drive`` (parameter values and the value stack),
  ``rig.formats`` (project file and exports): independent of each other;
* ``rig.edit``: the Qt-free operations that build commands for the editor.

``rig.testing`` builds small rigs for tests and benchmarks. Pure Python + numpy (scipy, psygnal; Pillow,
platformdirs and psd-tools inside ``rig.formats``). Never imports ``app`` or ``inference``, Qt, GL or ML.
"""

from rig.errors import (
    CancelledError,
    CubismFormatError,
    InputImageError,
    InvalidMeshError,
    KeyformMismatchError,
    ModelDownloadError,
    NoFaceFoundError,
    ProjectFormatError,
    RigError,
    UnsupportedVersionError,
    ValidationError,
)

__all__ = [
    "CancelledError",
    "InputImageError",
    "NoFaceFoundError",
    "ValidationError",
    "CubismFormatError",
    "InvalidMeshError",
    "KeyformMismatchError",
    "ModelDownloadError",
    "ProjectFormatError",
    "RigError",
    "UnsupportedVersionError",
]

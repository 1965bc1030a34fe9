"""Kirie's rig: the data model, evaluation, physics, documents with undo, and file formats.

Pure Python + numpy (scipy, psygnal; Pillow and psd-tools inside ``rig.formats``). No Qt, GL or ML.
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

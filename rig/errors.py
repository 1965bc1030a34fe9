"""Every error Kirie raises on purpose derives from :class:`RigError`.

Messages say what was wrong, with which object id or file, and what the user can do.
"""


class RigError(Exception):
    """Base of all of Kirie's own errors."""


class InvalidMeshError(RigError):
    """An ArtMesh or warp grid has inconsistent geometry (shapes, indices out of range)."""


class KeyformMismatchError(RigError):
    """A keyform block does not fit its object (vertex count, grid size, key count)."""


class ValidationError(RigError):
    """A rig breaks an invariant: duplicate id, dangling reference, cycle in the deformer tree."""


class ProjectFormatError(RigError):
    """A ``.kirie`` project file is truncated, corrupt or has a bad field (the message names it)."""


class UnsupportedVersionError(RigError):
    """A file was written by a newer Kirie (or format version) than this one can read."""


class CubismFormatError(RigError):
    """A Cubism export would break a rule of the format; nothing was written."""


class ModelDownloadError(RigError):
    """A model download failed, was cancelled, or its sha256 did not match."""


class InputImageError(RigError):
    """An input image cannot be used (unreadable, corrupt, too small, unsupported mode)."""


class NoFaceFoundError(RigError):
    """No anime or real face was found in the input image."""


class CancelledError(RigError):
    """Long work was cancelled by the user; nothing half-written was left behind."""

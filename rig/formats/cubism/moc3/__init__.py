"""The ``.moc3`` writer (file version 4, "4.2"): a self-contained, replaceable module.

Nothing outside this package uses its internals; the rest of Kirie calls only :func:`encode_moc3`
(and :func:`default_canvas` / :class:`MocCanvas`). It was written from the public descriptions listed
in cubism-formats.md section 0 (``OpenL2D/moc3ingbird``, ``MahouTechnologies/moc3-rs``,
``SakuraMotion/PurismCore``) and checked by black-box tests against the Cubism Core (tests only).

Modules: :mod:`.arrays` (rig -> flat arrays, coordinate conventions), :mod:`.grids` (keyform-grid
resampling), :mod:`.validate` (semantic rules), :mod:`.layout` (bytes).
"""

from __future__ import annotations

import numpy as np

from rig.errors import CubismFormatError, RigError
from rig.formats.cubism.moc3.arrays import MocCanvas, build_arrays, default_canvas
from rig.formats.cubism.moc3.layout import FILE_VERSION, assemble, canvas_bytes
from rig.formats.cubism.moc3.validate import validate
from rig.model import Rig

__all__ = ["FILE_VERSION", "MocCanvas", "default_canvas", "encode_moc3"]


def encode_moc3(
    rig: Rig,
    uvs: dict[str, np.ndarray],
    textures: dict[str, int],
    texture_count: int,
    canvas: MocCanvas | None = None,
) -> bytes:
    """The bytes of a version-4 ``.moc3`` for ``rig``, after validating every rule.

    Parameters
    ----------
    rig : Rig
        Validated here first (``rig.validate()``).
    uvs : dict of art-mesh id to (N, 2) float32 ndarray
        Texture coordinates in the file's convention: page-relative, origin top-left, u right,
        v down (``v = y_px / page_height``; see :mod:`rig.formats.cubism.atlas`).
    textures : dict of art-mesh id to int
        Texture page of every art mesh (``textureNo``, index into model3.json ``Textures``).
    texture_count : int
        Number of texture pages.
    canvas : MocCanvas, optional
        Model-unit frame; :func:`default_canvas` when omitted.

    Returns
    -------
    bytes
        A file whose size is a multiple of 64 and at least 4096 bytes.

    Raises
    ------
    CubismFormatError
        If the rig is invalid or breaks a rule of the format (the message names the object).
    """
    try:
        rig.validate()
    except CubismFormatError:
        raise
    except RigError as exc:
        raise CubismFormatError(f"cannot write .moc3: the rig is not valid: {exc}") from exc
    missing = [m.id for m in rig.art_meshes if m.id not in uvs or m.id not in textures]
    if missing:
        raise CubismFormatError(f"cannot write .moc3: no uvs or texture page for art meshes {missing[:5]}")
    canvas = canvas or default_canvas(rig)
    data = build_arrays(rig, uvs, textures, texture_count, canvas)
    validate(data)
    c = data.canvas
    return assemble(data.counts, canvas_bytes(c.pixels_per_unit, c.origin_x, c.origin_y, c.width, c.height), data.arrays)

"""Auto-mesh existing art meshes (Edit > Auto-mesh): new contour-following meshes, keyforms remapped.

The layer an ArtMesh samples is re-meshed with :func:`inference.meshing.meshes.mesh_layer`, restricted to
what the mesh covers now (its triangles rasterised in layer px and grown by ``COVER_GROW_PX``), so
meshes sharing one layer stay apart. Every keyform is carried over by
:func:`rig.document.commands.mesh_edit.remesh` (barycentric interpolation in the old mesh; new
vertices outside it take the nearest old vertex's displacement), and all meshes of one call form
**one undoable command** (:class:`~rig.document.commands.EditMeshes`).

Presets follow Cubism's "automatic mesh generation" presets: a mesh for larger deformation needs
more vertices.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import numpy as np

from inference.meshing.meshes import mesh_layer
from inference.types import CancelToken, CutLayer, ProgressCallback
from rig.document.commands import EditMeshes
from rig.document.commands.mesh_edit import art_mesh, remesh, uv_px
from rig.errors import InvalidMeshError
from rig.model import ArtMesh, Rig

log = logging.getLogger(__name__)

PRESETS: dict[str, str] = {
    "standard": "medium",
    "small deformation": "coarse",
    "large deformation": "fine",
}
"""Cubism-like preset -> :data:`inference.meshing.meshes.DENSITY_SPACING_FW` density."""
COVER_GROW_PX = 3
"""The old mesh's coverage is grown by this much before it masks the layer's alpha."""


def face_width_px(rig: Rig) -> float | None:
    """Width of the visible pixels of the rig's face layer (id ``LayerFace`` or name ``Face``), or None."""
    layer = next((la for la in rig.layers if la.id == "LayerFace" or la.name == "Face"), None)
    if layer is None:
        return None
    cols = np.flatnonzero((layer.image[..., 3] > 0).any(axis=0))
    return float(cols[-1] - cols[0] + 1) if cols.size else None


def coverage_layer(rig: Rig, mesh: ArtMesh) -> CutLayer:
    """The mesh's layer as a :class:`CutLayer` whose alpha is kept only where the mesh is now.

    Returns
    -------
    CutLayer
        ``image`` (h, w, 4) uint8 RGBA straight alpha in layer px, ``origin_px`` the layer's.
    """
    import cv2

    layer = rig.layer(mesh.layer_id)
    image = layer.image.copy()
    h, w = image.shape[:2]
    cover = np.zeros((h, w), np.uint8)
    if len(mesh.triangles):
        polys = np.round(uv_px(rig, mesh)[mesh.triangles.astype(np.intp)] * 16 - 8).astype(np.int32)
        cv2.fillPoly(cover, list(polys), 1, shift=4)
        size = 2 * COVER_GROW_PX + 1
        cover = cv2.dilate(cover, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size)))
    image[..., 3] = np.where(cover > 0, image[..., 3], 0)
    return CutLayer(mesh.name, None, image, layer.origin_px, image[..., 3] > 0)


def automesh_art_mesh(rig: Rig, mesh_id: str, preset: str = "standard",
                      face_width: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """A new mesh for one ArtMesh.

    Parameters
    ----------
    rig : Rig
    mesh_id : str
    preset : str
        A key of :data:`PRESETS`, a density name (``"fine"`` ...) or a spacing in layer px (float).
    face_width : float, optional
        Face width in px for named densities (default :func:`face_width_px`).

    Returns
    -------
    uvs : (N, 2) float32 ndarray
        [0, 1] of the mesh's layer, origin top-left.
    triangles : (M, 3) uint16 ndarray

    Raises
    ------
    InvalidMeshError
        If the mesh covers no visible pixel (nothing to mesh).
    ValueError
        Unknown preset.
    """
    density = PRESETS.get(preset, preset) if isinstance(preset, str) else float(preset)
    mesh = art_mesh(rig, mesh_id)
    meshed = mesh_layer(coverage_layer(rig, mesh), density, face_width if face_width else face_width_px(rig))
    if len(meshed.triangles) == 0:
        raise InvalidMeshError(f"{mesh_id!r} covers no visible pixel of {mesh.layer_id!r}; nothing to auto-mesh")
    return meshed.uvs, meshed.triangles


def automesh_command(
    rig: Rig, mesh_ids: Iterable[str], preset: str = "standard",
    progress: ProgressCallback | None = None, cancel: CancelToken | None = None,
) -> EditMeshes:
    """One undoable command re-meshing every mesh of ``mesh_ids`` (keyforms remapped).

    Meshes that cannot be auto-meshed (no visible pixel) are skipped with a warning. ``rig`` is
    only read, so this may run on a worker thread over a copy of the document's rig.

    Parameters
    ----------
    progress : callable(fraction, mesh_id), optional
        Called before each mesh with the fraction of meshes done, and ``(1.0, "")`` at the end.
    cancel : CancelToken, optional
        Checked before each mesh.

    Raises
    ------
    InvalidMeshError
        If none of the meshes could be auto-meshed.
    CancelledError
        If ``cancel`` was cancelled.
    """
    fw = face_width_px(rig)
    commands = []
    mesh_ids = list(mesh_ids)
    for i, mesh_id in enumerate(mesh_ids):
        if cancel is not None:
            cancel.check()
        if progress is not None:
            progress(i / len(mesh_ids), mesh_id)
        try:
            uvs, tris = automesh_art_mesh(rig, mesh_id, preset, fw)
        except InvalidMeshError as exc:
            log.warning("auto-mesh: %s", exc)
            continue
        commands.append(remesh(rig, mesh_id, uvs, tris, label=f"Auto-mesh {mesh_id}"))
    if not commands:
        raise InvalidMeshError("auto-mesh: none of the selected art meshes has visible pixels to mesh")
    if progress is not None:
        progress(1.0, "")
    n = len(commands)
    label = f"Auto-mesh {commands[0].mesh_id}" if n == 1 else f"Auto-mesh {n} meshes"
    return EditMeshes(f"{label} ({preset})", commands)

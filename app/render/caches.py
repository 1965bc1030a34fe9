"""GPU caches: art-mesh buffers keyed by ``(art_mesh_id, topology_version)``, layer textures keyed by
``(layer_id, version)`` (style.md 5).

UVs and indices are uploaded once per topology; positions are streamed every frame with
``buffer.write``. A new version of the same id releases the old GPU objects at once; ids not used for
``max_idle_frames`` frames are released by :meth:`prune`.

Versions alone are not trusted across rigs: two projects rendered with one renderer (the shared
headless context) can both have a layer ``"face"`` at version 0. So a hit also requires the same
array objects (cheap identity test) or, failing that, equal uvs and triangles (meshes) or an equal
shape and sparse pixel fingerprint (layers); otherwise the entry is uploaded again.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field

import moderngl
import numpy as np

from rig.evaluate.types import DrawItem, LayerTexture


def premultiply(image: np.ndarray) -> np.ndarray:
    """Straight-alpha RGBA to premultiplied RGBA, rounded to nearest.

    Parameters
    ----------
    image : (H, W, 4) uint8 ndarray
        Straight alpha.

    Returns
    -------
    (H, W, 4) uint8 ndarray
        ``rgb * a / 255`` rounded, alpha unchanged.
    """
    img = np.asarray(image, np.uint8)
    out = img.copy()
    a = img[..., 3:4].astype(np.uint32)
    out[..., :3] = ((img[..., :3].astype(np.uint32) * a + 127) // 255).astype(np.uint8)
    return out


@dataclass(eq=False)
class GpuMesh:
    """The GPU buffers of one art-mesh topology. ``vaos`` maps a program's glo to its VAO."""

    positions: moderngl.Buffer
    uvs: moderngl.Buffer
    indices: moderngl.Buffer
    vertex_count: int
    source_uvs: weakref.ref | None = None
    source_triangles: weakref.ref | None = None
    last_used: int = 0
    written: np.ndarray | None = None
    vaos: dict[int, moderngl.VertexArray] = field(default_factory=dict)

    def vao(self, ctx: moderngl.Context, program: moderngl.Program) -> moderngl.VertexArray:
        """The vertex array binding this mesh to ``program`` (``in_position``, and ``in_uv`` if used)."""
        vao = self.vaos.get(program.glo)
        if vao is None:
            content = [(self.positions, "2f", "in_position")]
            if "in_uv" in program:
                content.append((self.uvs, "2f", "in_uv"))
            vao = self.vaos[program.glo] = ctx.vertex_array(program, content, self.indices, index_element_size=4)
        return vao

    def release(self) -> None:
        for vao in self.vaos.values():
            vao.release()
        for buf in (self.positions, self.uvs, self.indices):
            buf.release()


def _ref(array: np.ndarray) -> weakref.ref | None:
    try:
        return weakref.ref(array)
    except TypeError:
        return None


def _deref(ref: weakref.ref | None) -> np.ndarray | None:
    return None if ref is None else ref()


def _same_topology(mesh: GpuMesh, item: DrawItem) -> bool:
    """Whether ``mesh`` was uploaded from the same uvs and triangles as ``item`` has."""
    if mesh.vertex_count != len(item.vertices_px):
        return False
    uvs, triangles = _deref(mesh.source_uvs), _deref(mesh.source_triangles)
    if uvs is item.uvs and triangles is item.triangles:
        return True
    same = mesh.indices.size == 4 * np.size(item.triangles) and (
        np.array_equal(np.frombuffer(mesh.uvs.read(), np.float32).reshape(-1, 2), item.uvs)
        and np.array_equal(np.frombuffer(mesh.indices.read(), np.uint32).reshape(-1, 3), item.triangles))
    if same:
        mesh.source_uvs, mesh.source_triangles = _ref(item.uvs), _ref(item.triangles)
    return same


def fingerprint(image: np.ndarray) -> tuple:
    """Shape and a sparse pixel sample of a layer image (tells two rigs' layers apart cheaply)."""
    h, w = image.shape[:2]
    step_y, step_x = max(1, h // 61), max(1, w // 67)
    return image.shape, hash(np.ascontiguousarray(image[::step_y, ::step_x]).tobytes())


class MeshCache:
    """Art-mesh GPU buffers by ``(art_mesh_id, topology_version)``."""

    def __init__(self, ctx: moderngl.Context, max_idle_frames: int = 300) -> None:
        self.ctx = ctx
        self.max_idle_frames = max_idle_frames
        self._meshes: dict[str, tuple[int, GpuMesh]] = {}

    def __len__(self) -> int:
        return len(self._meshes)

    def get(self, item: DrawItem, frame: int) -> GpuMesh | None:
        """The item's buffers with this frame's positions written; None for a mesh with no triangles."""
        if len(item.triangles) == 0 or len(item.vertices_px) == 0:
            return None
        entry = self._meshes.get(item.art_mesh_id)
        if entry is None or entry[0] != item.topology_version or not _same_topology(entry[1], item):
            if entry is not None:
                entry[1].release()
            entry = (item.topology_version, self._upload(item))
            self._meshes[item.art_mesh_id] = entry
        mesh = entry[1]
        # written once per frame, again only if this frame hands in other positions (a mask copy)
        if mesh.last_used != frame or mesh.written is not item.vertices_px:
            mesh.positions.write(np.ascontiguousarray(item.vertices_px, np.float32).tobytes())
            mesh.last_used, mesh.written = frame, item.vertices_px
        return mesh

    def _upload(self, item: DrawItem) -> GpuMesh:
        ctx = self.ctx
        positions = np.ascontiguousarray(item.vertices_px, np.float32)
        mesh = GpuMesh(
            positions=ctx.buffer(positions.tobytes(), dynamic=True),
            uvs=ctx.buffer(np.ascontiguousarray(item.uvs, np.float32).tobytes()),
            indices=ctx.buffer(np.ascontiguousarray(item.triangles, np.uint32).tobytes()),
            vertex_count=len(positions),
        )
        mesh.source_uvs, mesh.source_triangles = _ref(item.uvs), _ref(item.triangles)
        return mesh

    def prune(self, frame: int) -> None:
        """Release meshes not drawn during the last ``max_idle_frames`` frames."""
        for mesh_id, (_, mesh) in list(self._meshes.items()):
            if frame - mesh.last_used > self.max_idle_frames:
                mesh.release()
                del self._meshes[mesh_id]

    def release(self) -> None:
        for _, mesh in self._meshes.values():
            mesh.release()
        self._meshes.clear()


@dataclass(eq=False)
class _TextureEntry:
    version: int
    texture: moderngl.Texture
    source: weakref.ref | None
    fingerprint: tuple
    last_used: int = 0

    def same_image(self, image: np.ndarray) -> bool:
        if _deref(self.source) is image:
            return True
        if fingerprint(image) != self.fingerprint:
            return False
        self.source = _ref(image)
        return True


class TextureCache:
    """Layer textures by ``(layer_id, version)``, uploaded premultiplied, mipmapped, linear-filtered.

    Row 0 of the layer image is texture row 0, so uv (0, 0) samples the image's top-left pixel.
    """

    def __init__(self, ctx: moderngl.Context, max_idle_frames: int = 300) -> None:
        self.ctx = ctx
        self.max_idle_frames = max_idle_frames
        self._textures: dict[str, _TextureEntry] = {}

    def __len__(self) -> int:
        return len(self._textures)

    def get(self, layer: LayerTexture, frame: int) -> moderngl.Texture:
        """The layer's texture, uploaded when its ``(layer_id, version)`` (or its image) is new."""
        entry = self._textures.get(layer.layer_id)
        if entry is None or entry.version != layer.version or not entry.same_image(layer.image):
            if entry is not None:
                entry.texture.release()
            entry = _TextureEntry(layer.version, self._upload(layer.image), _ref(layer.image),
                                  fingerprint(layer.image))
            self._textures[layer.layer_id] = entry
        entry.last_used = frame
        return entry.texture

    def _upload(self, image: np.ndarray) -> moderngl.Texture:
        img = premultiply(image)
        h, w = img.shape[:2]
        texture = self.ctx.texture((w, h), 4, np.ascontiguousarray(img).tobytes())
        texture.repeat_x = texture.repeat_y = False
        texture.build_mipmaps()
        texture.filter = (moderngl.LINEAR_MIPMAP_LINEAR, moderngl.LINEAR)
        return texture

    def prune(self, frame: int) -> None:
        """Release textures not used during the last ``max_idle_frames`` frames."""
        for layer_id, entry in list(self._textures.items()):
            if frame - entry.last_used > self.max_idle_frames:
                entry.texture.release()
                del self._textures[layer_id]

    def release(self) -> None:
        for entry in self._textures.values():
            entry.texture.release()
        self._textures.clear()

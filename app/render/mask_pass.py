"""PASS 1: clip masks. One framebuffer-sized R8 coverage texture per distinct set of mask ids.

Coverage is the union of the masks' texture alpha (Cubism uses the mask mesh's texture alpha only:
not its opacity, colours or visibility), combined with blend ``ONE, ONE_MINUS_SRC_COLOR`` so that
``c = a + c (1 - a)``. The art-mesh pass samples it with ``texelFetch`` at ``gl_FragCoord``, so the
mask is exact to the pixel and needs no second projection.
"""

from __future__ import annotations

import logging

import moderngl

from app.render.caches import MeshCache, TextureCache
from app.render.frame import MASK_UNION_FUNC, Frame, MaskKey, mask_key
from app.render.shaders import ShaderLibrary
from rig.evaluate.types import DrawItem, EvaluatedRig

log = logging.getLogger(__name__)


class MaskPass:
    """Renders the coverage of every distinct mask set used by a frame's items."""

    def __init__(self, ctx: moderngl.Context, shaders: ShaderLibrary, meshes: MeshCache,
                 textures: TextureCache) -> None:
        self.ctx = ctx
        self.meshes = meshes
        self.textures = textures
        self.program = shaders.get("mask")
        self.program["u_texture"].value = 0
        self.size_px = (0, 0)
        self._pool: list[tuple[moderngl.Texture, moderngl.Framebuffer]] = []
        self._warned: set[str] = set()

    def resize(self, size_px: tuple[int, int]) -> None:
        """Drop the mask textures; they are reallocated at the new size when next needed."""
        self.release()
        self.size_px = tuple(size_px)

    def _reserve(self, count: int) -> None:
        """Grow the texture pool to ``count`` (only when a frame needs more sets than ever before)."""
        while len(self._pool) < count:
            texture = self.ctx.texture(self.size_px, 1)
            texture.filter = (moderngl.NEAREST, moderngl.NEAREST)
            self._pool.append((texture, self.ctx.framebuffer([texture])))

    def render(self, frame: Frame) -> dict[MaskKey, moderngl.Texture]:
        """Draw the coverage textures; returns them by :func:`mask_key` of the items' ``mask_ids``."""
        keys = list(dict.fromkeys(mask_key(i.mask_ids) for i in frame.evaluated.items if i.mask_ids))
        if not keys:
            return {}
        self._reserve(len(keys))
        ctx = self.ctx
        # --- PASS 1: mask coverage
        self.program["u_mvp"].write(frame.view.mvp_bytes())
        ctx.blend_func = MASK_UNION_FUNC
        result: dict[MaskKey, moderngl.Texture] = {}
        for key, (texture, fbo) in zip(keys, self._pool):
            fbo.use()
            fbo.clear(0.0, 0.0, 0.0, 0.0)
            for mask in self._mask_items(frame.evaluated, key):
                self._draw(frame, mask)
            result[key] = texture
        return result

    def _draw(self, frame: Frame, mask: DrawItem) -> None:
        layer = frame.evaluated.textures.get(mask.layer_id)
        mesh = self.meshes.get(mask, frame.index)
        if layer is None or mesh is None:
            return
        self.textures.get(layer, frame.index).use(0)
        mesh.vao(self.ctx, self.program).render(moderngl.TRIANGLES)

    def _mask_items(self, evaluated: EvaluatedRig, key: MaskKey) -> list[DrawItem]:
        found = []
        for mask_id in key:
            item = evaluated.masks.get(mask_id)
            if item is None:
                item = next((i for i in evaluated.items if i.art_mesh_id == mask_id), None)
            if item is None:
                if mask_id not in self._warned:
                    self._warned.add(mask_id)
                    log.warning("clip mask %r is not in the evaluated rig; it covers nothing", mask_id)
                continue
            found.append(item)
        return found

    def release(self) -> None:
        for texture, fbo in self._pool:
            fbo.release()
            texture.release()
        self._pool.clear()

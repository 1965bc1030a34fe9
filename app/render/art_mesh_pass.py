"""PASS 2: the art meshes, in draw order, premultiplied, with Cubism colours, blend modes and masks."""

from __future__ import annotations

import logging

import moderngl

from app.render.caches import MeshCache, TextureCache
from app.render.frame import BLEND_FUNCS, Frame, MaskKey, mask_key
from app.render.shaders import ShaderLibrary
from rig.evaluate.types import DrawItem

log = logging.getLogger(__name__)

MASK_NONE, MASK_INSIDE, MASK_OUTSIDE = 0, 1, 2


class ArtMeshPass:
    """Draws every :class:`DrawItem` of a frame into the target framebuffer.

    Per item: ``colour = screen(multiply(texture)) * opacity * mask`` (premultiplied, see
    ``shaders/art_mesh.glsl``), composited with the item's blend function
    (:data:`app.render.frame.BLEND_FUNCS`). Items with opacity <= 0 are skipped.
    """

    def __init__(self, ctx: moderngl.Context, shaders: ShaderLibrary, meshes: MeshCache,
                 textures: TextureCache) -> None:
        self.ctx = ctx
        self.meshes = meshes
        self.textures = textures
        self.program = shaders.get("art_mesh")
        self.program["u_texture"].value = 0
        self.program["u_mask"].value = 1
        self._u_opacity = self.program["u_opacity"]
        self._u_multiply = self.program["u_multiply_rgb"]
        self._u_screen = self.program["u_screen_rgb"]
        self._u_mask_mode = self.program["u_mask_mode"]
        # bound to the mask unit when an item has no mask, so the sampler never reads a stale target
        self._no_mask = ctx.texture((1, 1), 1, b"\xff")
        self._warned: set[str] = set()

    def resize(self, size_px: tuple[int, int]) -> None:
        """Nothing to reallocate: this pass draws straight into the frame's framebuffer."""

    def render(self, frame: Frame, masks: dict[MaskKey, moderngl.Texture]) -> None:
        """Draw the items; ``masks`` are the coverage textures from :class:`MaskPass`."""
        ctx = self.ctx
        # --- PASS 2: art meshes
        frame.framebuffer.use()
        self.program["u_mvp"].write(frame.view.mvp_bytes())
        for item in frame.evaluated.items:
            if item.opacity <= 0.0:
                continue
            layer = frame.evaluated.textures.get(item.layer_id)
            mesh = self.meshes.get(item, frame.index)
            if layer is None:
                self._warn(item.layer_id, "layer %r of art mesh %r is missing; not drawn", item.art_mesh_id)
                continue
            if mesh is None:
                continue
            ctx.blend_func = self._blend_func(item)
            self._set_uniforms(item)
            self.textures.get(layer, frame.index).use(0)
            mask = masks.get(mask_key(item.mask_ids)) if item.mask_ids else None
            (mask or self._no_mask).use(1)
            mesh.vao(ctx, self.program).render(moderngl.TRIANGLES)

    def _set_uniforms(self, item: DrawItem) -> None:
        self._u_opacity.value = min(float(item.opacity), 1.0)
        self._u_multiply.value = tuple(float(c) for c in item.multiply_rgb)
        self._u_screen.value = tuple(float(c) for c in item.screen_rgb)
        if not item.mask_ids:
            self._u_mask_mode.value = MASK_NONE
        else:
            self._u_mask_mode.value = MASK_OUTSIDE if item.invert_mask else MASK_INSIDE

    def _blend_func(self, item: DrawItem) -> tuple[int, int, int, int]:
        func = BLEND_FUNCS.get(item.blend_mode)
        if func is None:
            self._warn(item.blend_mode, "unknown blend mode %r on art mesh %r; drawn as normal", item.art_mesh_id)
            func = BLEND_FUNCS["normal"]
        return func

    def _warn(self, key: str, message: str, mesh_id: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            log.warning(message, key, mesh_id)

    def release(self) -> None:
        self._no_mask.release()

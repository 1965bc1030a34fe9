"""PASS 3: overlays on top of the art: triangle wireframes and deformer gizmos (premultiplied, normal blend)."""

from __future__ import annotations

import moderngl
import numpy as np

from app.render.caches import MeshCache
from app.render.frame import BLEND_FUNCS, Frame
from app.render.gizmos import gizmo_geometry
from app.render.shaders import ShaderLibrary

WIREFRAME_COLOR = (0.0, 0.55, 0.75, 0.75)  # premultiplied cyan, 75 % opaque
_VERTEX_BYTES = 6 * 4


class OverlayPass:
    """Wireframe of every drawn item (``glPolygonMode(GL_LINE)``) and gizmo lines and handles."""

    def __init__(self, ctx: moderngl.Context, shaders: ShaderLibrary, meshes: MeshCache,
                 handle_px: float = 7.0, capacity: int = 4096) -> None:
        self.ctx = ctx
        self.meshes = meshes
        self.handle_px = handle_px
        self.flat = shaders.get("overlay")
        self.colored = shaders.get("overlay", {"VERTEX_COLOR": 1})
        self._capacity = capacity
        self._buffer = ctx.buffer(reserve=capacity * _VERTEX_BYTES, dynamic=True)
        self._vao = ctx.vertex_array(self.colored, [(self._buffer, "2f 4f", "in_position", "in_color")])

    def resize(self, size_px: tuple[int, int]) -> None:
        """Nothing depends on the size: handle sizes come from the frame's view."""

    def render(self, frame: Frame) -> None:
        if not (frame.wireframe or frame.gizmos):
            return
        ctx = self.ctx
        # --- PASS 3: overlays
        frame.framebuffer.use()
        ctx.blend_func = BLEND_FUNCS["normal"]
        if frame.wireframe:
            self._wireframe(frame)
        if frame.gizmos and frame.evaluated.gizmos:
            lines, triangles = gizmo_geometry(frame.evaluated.gizmos, frame.view.zoom, self.handle_px)
            self.colored["u_mvp"].write(frame.view.mvp_bytes())
            self._draw(lines, moderngl.LINES)
            self._draw(triangles, moderngl.TRIANGLES)

    def _wireframe(self, frame: Frame) -> None:
        self.flat["u_mvp"].write(frame.view.mvp_bytes())
        self.flat["u_color"].value = WIREFRAME_COLOR
        self.ctx.wireframe = True
        try:
            for item in frame.evaluated.items:
                mesh = self.meshes.get(item, frame.index)
                if mesh is not None:
                    mesh.vao(self.ctx, self.flat).render(moderngl.TRIANGLES)
        finally:
            self.ctx.wireframe = False

    def draw_shapes(self, shapes, view) -> None:
        """Draw editor :class:`~app.render.shapes.OverlayShapes` (canvas px) over the current framebuffer."""
        from app.render.shapes import shapes_geometry

        lines, triangles = shapes_geometry(shapes, view.zoom)
        self.ctx.blend_func = BLEND_FUNCS["normal"]
        self.colored["u_mvp"].write(view.mvp_bytes())
        self._draw(lines, moderngl.LINES)
        self._draw(triangles, moderngl.TRIANGLES)

    def _draw(self, vertices: np.ndarray, mode: int) -> None:
        if len(vertices) == 0:
            return
        if len(vertices) > self._capacity:
            self._capacity = 1 << int(len(vertices) - 1).bit_length()
            self._buffer.orphan(self._capacity * _VERTEX_BYTES)
        self._buffer.write(np.ascontiguousarray(vertices, np.float32).tobytes())
        self._vao.render(mode, vertices=len(vertices))

    def release(self) -> None:
        self._vao.release()
        self._buffer.release()

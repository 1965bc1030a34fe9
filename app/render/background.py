"""The viewport background pass: checkerboard or solid colour inside the canvas, flat outside.

Drawn by the viewport before the renderer (which then renders with ``clear=False``). The program is
``shaders/checkerboard.glsl``; it needs no vertex buffer (a full-screen triangle from gl_VertexID).
"""

from __future__ import annotations

import moderngl
import numpy as np

from app.render.shaders import build_program
from app.render.view import View

CHECKER_LIGHT = (0.80, 0.80, 0.82)
CHECKER_DARK = (0.66, 0.66, 0.69)
OUTSIDE = (0.20, 0.21, 0.23)


class BackgroundPass:
    """Fills a framebuffer with the editor background.

    Parameters
    ----------
    ctx : moderngl.Context
    cell_px : float
        Checker cell size in viewport px (constant on screen, whatever the zoom).
    """

    def __init__(self, ctx: moderngl.Context, cell_px: float = 12.0) -> None:
        self.ctx = ctx
        self.cell_px = cell_px
        self.program = build_program(ctx, "checkerboard")
        self._vao = ctx.vertex_array(self.program, [])

    def render(self, framebuffer: moderngl.Framebuffer, view: View, checker: bool = True,
               solid_rgb: tuple[float, float, float] = (1.0, 1.0, 1.0)) -> None:
        """Draw the background over the whole ``framebuffer`` (blending off while drawing)."""
        # --- PASS 0: background
        framebuffer.use()
        corners = view.canvas_to_viewport(np.array([[0.0, 0.0], list(view.canvas_size_px)], np.float64))
        self.program["u_canvas_rect"].value = (*corners[0], *corners[1])
        self.program["u_viewport_height"].value = float(framebuffer.size[1])
        self.program["u_cell_px"].value = float(self.cell_px)
        light, dark = (CHECKER_LIGHT, CHECKER_DARK) if checker else (solid_rgb, solid_rgb)
        self.program["u_light"].value = tuple(light)
        self.program["u_dark"].value = tuple(dark)
        self.program["u_outside"].value = OUTSIDE
        self.ctx.disable(moderngl.BLEND)
        self._vao.render(moderngl.TRIANGLES, vertices=3)
        self.ctx.enable(moderngl.BLEND)

    def release(self) -> None:
        self._vao.release()
        self.program.release()

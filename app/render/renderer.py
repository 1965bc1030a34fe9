"""The renderer: an :class:`~rig.evaluate.types.EvaluatedRig` in, premultiplied pixels out.

It reads nothing but ``rig.evaluate.types`` (see ``app/render/README.md``) and holds only GPU caches.
A frame is three passes, each a class that allocates in ``__init__``/``resize`` and draws in
``render``:

1. :class:`~app.render.mask_pass.MaskPass` — clip-mask coverage textures;
2. :class:`~app.render.art_mesh_pass.ArtMeshPass` — the art meshes in draw order;
3. :class:`~app.render.overlay_pass.OverlayPass` — wireframe and deformer gizmos.

The target framebuffer holds **premultiplied** RGBA. The renderer works with any moderngl context:
a standalone EGL one (:mod:`app.render.offscreen`) or the one a ``QOpenGLWidget`` made current
(render into ``ctx.detect_framebuffer(widget.defaultFramebufferObject())``).
"""

from __future__ import annotations

import moderngl

from app.render.art_mesh_pass import ArtMeshPass
from app.render.caches import MeshCache, TextureCache
from app.render.frame import BLEND_FUNCS, Frame
from app.render.mask_pass import MaskPass
from app.render.overlay_pass import OverlayPass
from app.render.shaders import ShaderLibrary
from app.render.view import View
from rig.evaluate.types import EvaluatedRig

Color = tuple[float, float, float] | tuple[float, float, float, float]


def premultiplied_clear_color(background: Color | None) -> tuple[float, float, float, float]:
    """A straight-alpha RGB or RGBA colour in [0, 1] as a premultiplied clear colour (None: transparent)."""
    if background is None:
        return (0.0, 0.0, 0.0, 0.0)
    r, g, b, *rest = (float(c) for c in background)
    a = rest[0] if rest else 1.0
    return (r * a, g * a, b * a, a)


class Renderer:
    """Draws evaluated rigs with one moderngl context; owns the shaders, GPU caches and passes.

    Parameters
    ----------
    ctx : moderngl.Context
    size_px : (int, int)
        Initial target size (width, height); :meth:`render` resizes to its framebuffer as needed.
    handle_px : float
        Gizmo handle size in viewport pixels.
    """

    def __init__(self, ctx: moderngl.Context, size_px: tuple[int, int] = (1, 1), handle_px: float = 7.0) -> None:
        self.ctx = ctx
        self.shaders = ShaderLibrary(ctx)
        self.meshes = MeshCache(ctx)
        self.textures = TextureCache(ctx)
        self.mask_pass = MaskPass(ctx, self.shaders, self.meshes, self.textures)
        self.art_mesh_pass = ArtMeshPass(ctx, self.shaders, self.meshes, self.textures)
        self.overlay_pass = OverlayPass(ctx, self.shaders, self.meshes, handle_px)
        self.size_px = (0, 0)
        self.frame_index = 0
        self.resize(size_px)

    def resize(self, size_px: tuple[int, int]) -> None:
        """Reallocate size-dependent resources (mask textures) for a ``(width, height)`` target."""
        size_px = (int(size_px[0]), int(size_px[1]))
        if size_px == self.size_px:
            return
        self.size_px = size_px
        for render_pass in (self.mask_pass, self.art_mesh_pass, self.overlay_pass):
            render_pass.resize(size_px)

    def render(self, evaluated: EvaluatedRig, framebuffer: moderngl.Framebuffer, view: View | None = None, *,
               background: Color | None = None, clear: bool = True, wireframe: bool = False,
               gizmos: bool = False) -> None:
        """Draw one frame into ``framebuffer`` (premultiplied RGBA; GL rows bottom to top).

        Parameters
        ----------
        evaluated : EvaluatedRig
        framebuffer : moderngl.Framebuffer
            The target; its full size is the viewport.
        view : View, optional
            Canvas px to viewport; default fits the canvas into the framebuffer.
        background : RGB or RGBA floats in [0, 1], straight alpha, optional
            Clear colour; None clears to transparent.
        clear : bool
            Clear the target first (False draws over what is there).
        wireframe, gizmos : bool
            Overlay every item's triangle edges / the deformer gizmos.

        Notes
        -----
        Leaves blending enabled with the normal premultiplied function, depth test and culling off.
        """
        size = tuple(framebuffer.size)
        view = View.fit(evaluated.canvas_size_px, size) if view is None else view
        if tuple(view.viewport_size_px) != size:
            view = view.with_viewport(size)
        self.resize(size)
        self.frame_index += 1
        frame = Frame(evaluated, view, framebuffer, self.frame_index, wireframe, gizmos)
        ctx = self.ctx
        ctx.disable(moderngl.DEPTH_TEST | moderngl.CULL_FACE)
        ctx.enable(moderngl.BLEND)
        ctx.blend_equation = moderngl.FUNC_ADD
        masks = self.mask_pass.render(frame)
        framebuffer.use()
        if clear:
            framebuffer.clear(*premultiplied_clear_color(background))
        self.art_mesh_pass.render(frame, masks)
        self.overlay_pass.render(frame)
        ctx.blend_func = BLEND_FUNCS["normal"]
        if self.frame_index % 60 == 0:
            self.meshes.prune(self.frame_index)
            self.textures.prune(self.frame_index)

    def render_shapes(self, shapes, framebuffer: moderngl.Framebuffer, view: View) -> None:
        """Draw editor overlay shapes (:class:`app.render.shapes.OverlayShapes`, canvas px) over ``framebuffer``."""
        size = tuple(framebuffer.size)
        if tuple(view.viewport_size_px) != size:
            view = view.with_viewport(size)
        framebuffer.use()
        self.ctx.enable(moderngl.BLEND)
        self.overlay_pass.draw_shapes(shapes, view)

    def release(self) -> None:
        """Free every GPU object this renderer made (the context itself is the caller's)."""
        for render_pass in (self.mask_pass, self.art_mesh_pass, self.overlay_pass):
            render_pass.release()
        self.meshes.release()
        self.textures.release()
        self.shaders.release()

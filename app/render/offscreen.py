"""Headless rendering to numpy: what the CLI, pipeline previews and tests call.

A standalone EGL context (Mesa llvmpipe without a GPU or display; ``backend="egl"`` avoids
``XOpenDisplay``) is created on first use and reused, with one :class:`Renderer` per context.
"""

from __future__ import annotations

import ctypes
import functools
import threading
import weakref

import moderngl
import numpy as np

from app.render.renderer import Color, Renderer
from app.render.view import View
from rig.evaluate.types import EvaluatedRig

_lock = threading.Lock()
_standalone: moderngl.Context | None = None
_targets: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def standalone_context() -> moderngl.Context:
    """The process-wide headless EGL context, created on first call (GL 3.3 core or later)."""
    global _standalone
    with _lock:
        if _standalone is None:
            release_glx_current()
            _standalone = moderngl.create_standalone_context(backend="egl")
        return _standalone


def make_current(ctx: moderngl.Context) -> None:
    """Make standalone ``ctx`` the thread's current GL context and leave it current.

    Creating a standalone context makes it current, so after two were created the first needs this
    before use. (glcontext's ``__exit__`` releases the context instead of restoring the previous
    one, hence no ``with ctx:``.) A Qt host re-makes its own context current before painting.
    """
    release_glx_current()
    ctx.mglo.__enter__()


def release_glx_current() -> None:
    """Release a GLX context current on this thread (e.g. a Qt widget's): libglvnd refuses to make
    an EGL context current while one is, and GL calls would then reach the wrong context. Qt makes
    its own context current again before it paints."""
    glx = _libglx()
    if glx is not None and glx.glXGetCurrentContext():
        glx.glXMakeCurrent(glx.glXGetCurrentDisplay(), 0, None)


@functools.cache
def _libglx() -> ctypes.CDLL | None:
    try:
        glx = ctypes.CDLL("libGLX.so.0")
    except OSError:
        return None
    glx.glXGetCurrentContext.restype = ctypes.c_void_p
    glx.glXGetCurrentDisplay.restype = ctypes.c_void_p
    glx.glXMakeCurrent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_void_p]
    glx.glXMakeCurrent.restype = ctypes.c_int
    return glx


def release_current(ctx: moderngl.Context) -> None:
    """Make no context current on this thread (``eglMakeCurrent(EGL_NO_CONTEXT)``).

    libglvnd lets a thread have only one current context across GLX and EGL: while the headless EGL
    context is current, a Qt (GLX) widget on the same thread cannot make its own current, and the
    other way round. Code that renders headless on a GUI thread releases the context afterwards.
    """
    del ctx  # the EGL call acts on the thread, whichever context is current
    egl = _libegl()
    display = egl.eglGetCurrentDisplay()
    if display:
        egl.eglMakeCurrent(ctypes.c_void_p(display), None, None, None)


@functools.cache
def _libegl() -> ctypes.CDLL:
    """libEGL with the two entry points :func:`release_current` needs (glcontext has no "release":
    its ``__exit__`` restores whatever was current at ``__enter__``, often the same context)."""
    egl = ctypes.CDLL("libEGL.so.1")
    egl.eglGetCurrentDisplay.restype = ctypes.c_void_p
    egl.eglGetCurrentDisplay.argtypes = []
    egl.eglMakeCurrent.restype = ctypes.c_uint
    egl.eglMakeCurrent.argtypes = [ctypes.c_void_p] * 4
    return egl


class OffscreenTarget:
    """A :class:`Renderer` and an RGBA8 framebuffer kept per context, reallocated on size change.

    A 1x1 "parking" framebuffer is bound before the old target is released: moderngl rebinds the
    previously bound framebuffer after creating one, and binding a deleted name is an error.
    """

    def __init__(self, ctx: moderngl.Context) -> None:
        self.ctx = ctx
        self.renderer = Renderer(ctx)
        self._park = ctx.framebuffer([ctx.renderbuffer((1, 1))])
        self.size_px = (0, 0)
        self.fbo: moderngl.Framebuffer | None = None

    def framebuffer(self, size_px: tuple[int, int]) -> moderngl.Framebuffer:
        """The (w, h) RGBA8 target, reallocated on a size change.

        Raises ValueError for a size the GPU cannot allocate (``GL_MAX_TEXTURE_SIZE``, or below 1), instead
        of letting the driver fail natively.
        """
        limit = int(self.ctx.info.get("GL_MAX_TEXTURE_SIZE", 16384))
        if min(size_px) < 1 or max(size_px) > limit:
            raise ValueError(f"a {size_px[0]} x {size_px[1]} px render is outside this GPU's limit (1 to {limit} px a side)")
        if self.fbo is None or self.size_px != size_px:
            self._park.use()
            if self.fbo is not None:
                for attachment in self.fbo.color_attachments:
                    attachment.release()
                self.fbo.release()
            self.fbo = self.ctx.framebuffer([self.ctx.texture(size_px, 4)])
            self.size_px = size_px
        return self.fbo


def offscreen_target(ctx: moderngl.Context) -> OffscreenTarget:
    """The :class:`OffscreenTarget` kept for ``ctx`` (made on first use, dropped with the context)."""
    target = _targets.get(ctx)
    if target is None:
        target = _targets[ctx] = OffscreenTarget(ctx)
    return target


def release_context(ctx: moderngl.Context) -> None:
    """Release a standalone ``ctx`` made by the caller, with its :class:`OffscreenTarget` (call it on the
    thread where ``ctx`` is current; the shared :func:`standalone_context` is never released)."""
    target = _targets.pop(ctx, None)
    if target is not None:
        target.renderer = target.fbo = target._park = None
    ctx.release()


def renderer_for(ctx: moderngl.Context) -> Renderer:
    """The :class:`Renderer` that :func:`render_to_array` uses with ``ctx``."""
    return offscreen_target(ctx).renderer


def output_size(canvas_size_px: tuple[int, int], size: int | tuple[int, int] | None) -> tuple[int, int]:
    """The ``(width, height)`` of the output image.

    ``None``: the canvas size. An int ``W``: width ``W``, height scaled to keep the canvas's aspect
    (at least 1). A ``(W, H)`` pair: exactly that; the canvas is fitted inside and centred.
    """
    cw, ch = (int(v) for v in canvas_size_px)
    if size is None:
        return cw, ch
    if isinstance(size, int | np.integer):
        w = int(size)
        return w, max(1, round(w * ch / max(cw, 1)))
    return int(size[0]), int(size[1])


def unpremultiply(rgba: np.ndarray) -> np.ndarray:
    """Premultiplied (H, W, 4) uint8 RGBA -> straight alpha, rounded; colour 0 where alpha is 0.

    A channel larger than alpha (possible after additive blending) saturates at 255. Only pixels with
    0 < alpha < 255 are divided (through :data:`_UNPREMULTIPLY`, the rounded quotient of every
    (alpha, channel) pair): a 480 px live frame, mostly transparent, 9 -> 1 ms.
    """
    out = np.array(rgba, np.uint8, copy=True)
    flat = out.reshape(-1, 4)
    alpha = flat[:, 3]
    if not alpha.all():
        flat *= (alpha != 0)[:, None]
    partial = np.flatnonzero(alpha - np.uint8(1) < 254)  # 1 <= alpha <= 254 (uint8 wraps 0 to 255)
    if len(partial):
        px = flat[partial]
        px[:, :3] = _UNPREMULTIPLY[(px[:, 3:4].astype(np.intp) << 8) + px[:, :3]]
        flat[partial] = px
    return out


def _unpremultiply_table() -> np.ndarray:
    """(65536,) uint8: ``min((c * 255 + a // 2) // a, 255)`` at ``a * 256 + c`` (0 for a = 0, c for a = 255)."""
    a = np.arange(256, dtype=np.uint32)[:, None]
    c = np.arange(256, dtype=np.uint32)[None, :]
    table = np.minimum((c * 255 + a // 2) // np.maximum(a, 1), 255).astype(np.uint8)
    table[0], table[255] = 0, np.arange(256)
    return table.reshape(-1)


_UNPREMULTIPLY = _unpremultiply_table()


def render_to_array(evaluated: EvaluatedRig, size: int | tuple[int, int] | None = None,
                    background: Color | None = None, ctx: moderngl.Context | None = None,
                    wireframe: bool = False, gizmos: bool = False, premultiplied: bool = False) -> np.ndarray:
    """Render ``evaluated`` headless and read it back.

    Parameters
    ----------
    evaluated : EvaluatedRig
    size : int or (int, int), optional
        See :func:`output_size`; default the canvas size (one output pixel per canvas pixel).
    background : RGB or RGBA floats in [0, 1], straight alpha, optional
        Default transparent.
    ctx : moderngl.Context, optional
        A standalone context, made current and left current (see :func:`make_current`). Default: the
        shared EGL one (:func:`standalone_context`), made current and **released** afterwards (see
        :func:`release_current`), so a Qt GL widget on the same thread keeps working.
    wireframe, gizmos : bool
        Draw triangle edges / deformer gizmos on top.
    premultiplied : bool
        Return premultiplied alpha instead of straight.

    Returns
    -------
    (H, W, 4) uint8 ndarray
        RGBA, straight alpha unless ``premultiplied``, rows top to bottom, in the canvas's frame
        (canvas pixel (x, y) is output pixel ``[y, x]`` at the default size).
    """
    shared = ctx is None
    ctx = standalone_context() if shared else ctx
    w, h = output_size(evaluated.canvas_size_px, size)
    make_current(ctx)
    target = offscreen_target(ctx)
    fbo = target.framebuffer((w, h))
    view = View.fit(evaluated.canvas_size_px, (w, h))
    target.renderer.render(evaluated, fbo, view, background=background, wireframe=wireframe, gizmos=gizmos)
    data = fbo.read(components=4, alignment=1)
    if shared:
        release_current(ctx)
    image = np.flipud(np.frombuffer(data, np.uint8).reshape(h, w, 4))
    return image.copy() if premultiplied else unpremultiply(image)

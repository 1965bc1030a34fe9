"""Render a model3.json with the Cubism Native Framework inside ``live2d-py``, headless; print one JSON line.

Test-only oracle, Tier C of cubism-formats.md 4.4: run as a **subprocess**, one model per process
(a failed load or a bad file makes a later call crash the process). The model is loaded **before**
any GL context exists (4.5: loading after Mesa's context aborts with ``std::bad_alloc``); then an
EGL surfaceless pbuffer with a **compatibility** context (no profile attributes; the Framework's
shaders are GLSL 1.20) is made current, and each pose is drawn into the pbuffer and read back.

Usage: ``python framework_render_probe.py MODEL3_JSON SIZE POSES_JSON OUT_NPZ``. ``SIZE`` is the
side of the square viewport in pixels; POSES_JSON is a list of ``{parameter_id: value}`` dicts.
The model is scaled so that the canvas's longer side spans the
viewport (:func:`fit_canvas`). Each pose is applied with ``Update(0)`` then ``SetParamById`` (``Update`` reloads the saved
parameters, so the order matters); auto blink and auto breath are off and no motion or physics
runs. OUT_NPZ receives ``images``: (P, SIZE, SIZE, 4) uint8 RGBA as the Framework leaves it in the
framebuffer (premultiplied alpha, rows top to bottom). The JSON line holds ``mvp`` (16 floats,
column-major, model units -> NDC, as ``GetMvp()`` reports it after drawing), ``canvas_px``,
``canvas_units``, ``ppu`` and ``gl_version``.
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import json
import os
import sys

os.environ.setdefault("EGL_PLATFORM", "surfaceless")
os.environ.setdefault("PYOPENGL_PLATFORM", "egl")

import numpy as np  # noqa: E402


def egl_compatibility_context(size: int):
    """Make an EGL pbuffer (``size`` x ``size``, RGBA8) with a desktop-GL compatibility context current."""
    from OpenGL import EGL

    dpy = EGL.eglGetDisplay(EGL.EGL_DEFAULT_DISPLAY)
    major, minor = EGL.EGLint(), EGL.EGLint()
    if not EGL.eglInitialize(dpy, ctypes.pointer(major), ctypes.pointer(minor)):
        raise SystemExit("eglInitialize failed")
    attrs = (EGL.EGLint * 13)(
        EGL.EGL_SURFACE_TYPE, EGL.EGL_PBUFFER_BIT, EGL.EGL_RED_SIZE, 8, EGL.EGL_GREEN_SIZE, 8,
        EGL.EGL_BLUE_SIZE, 8, EGL.EGL_ALPHA_SIZE, 8, EGL.EGL_RENDERABLE_TYPE, EGL.EGL_OPENGL_BIT, EGL.EGL_NONE,
    )  # fmt: skip
    config, count = EGL.EGLConfig(), EGL.EGLint()
    if not EGL.eglChooseConfig(dpy, attrs, ctypes.pointer(config), 1, ctypes.pointer(count)) or count.value < 1:
        raise SystemExit("no RGBA8 pbuffer config with desktop OpenGL")
    surface_attrs = (EGL.EGLint * 5)(EGL.EGL_WIDTH, size, EGL.EGL_HEIGHT, size, EGL.EGL_NONE)
    surface = EGL.eglCreatePbufferSurface(dpy, config, surface_attrs)
    EGL.eglBindAPI(EGL.EGL_OPENGL_API)
    context = EGL.eglCreateContext(dpy, config, EGL.EGL_NO_CONTEXT, None)  # no profile: compatibility
    if not EGL.eglMakeCurrent(dpy, surface, surface, context):
        raise SystemExit("eglMakeCurrent failed")
    return dpy, surface, context


def fit_canvas(model) -> float:
    """Scale the model so that the canvas's longer side spans the square viewport; return the factor.

    The Framework's model matrix makes the canvas **height** span NDC [-1, 1] (``SetHeight(2)``), so a
    canvas wider than tall would overflow; ``SetScale(k)`` multiplies that base scale by ``k``.
    """
    base = float(model.GetMvp()[0])
    longer = max(float(v) for v in model.GetCanvasSize())
    scale = 2.0 / (base * longer)
    if abs(scale - 1.0) > 1e-6:
        model.SetScale(scale)
    return scale


def main(argv: list[str]) -> int:
    path, size, poses_path, out_path = argv[1], int(argv[2]), argv[3], argv[4]
    poses = json.loads(open(poses_path, encoding="utf-8").read())
    with contextlib.redirect_stdout(io.StringIO()):  # the package prints a banner
        import live2d

        live2d.setLogLevel(live2d.LogLevels.LV_ERROR)
        live2d.init()
    model = live2d.Model()
    model.LoadModelJson(path, create_renderer=False)  # before any GL context (4.5)
    param_ids = set(model.GetParamIds())
    keep = egl_compatibility_context(size)  # noqa: F841 - the EGL handles must outlive the drawing
    from OpenGL import GL

    live2d.glInit()
    model.CreateRenderer()
    model.Resize(size, size)
    fit_scale = fit_canvas(model)
    model.SetAutoBlink(False)
    model.SetAutoBreath(False)
    images = []
    for pose in poses:
        model.Update(0)
        for pid, value in pose.items():
            if pid not in param_ids:
                raise SystemExit(f"the model has no parameter {pid!r}")
            model.SetParamById(pid, float(value))
        GL.glViewport(0, 0, size, size)
        live2d.clearBuffer(0.0, 0.0, 0.0, 0.0)
        model.Draw()
        GL.glFinish()
        data = GL.glReadPixels(0, 0, size, size, GL.GL_RGBA, GL.GL_UNSIGNED_BYTE)
        images.append(np.flipud(np.frombuffer(data, np.uint8).reshape(size, size, 4)))
    np.savez_compressed(out_path, images=np.stack(images))
    out = {
        "mvp": [float(v) for v in model.GetMvp()], "canvas_px": list(model.GetCanvasSizePixel()),
        "canvas_units": list(model.GetCanvasSize()), "ppu": model.GetPixelsPerUnit(),
        "fit_scale": fit_scale, "gl_version": GL.glGetString(GL.GL_VERSION).decode(), "poses": len(images),
    }  # fmt: skip
    sys.stdout.write(json.dumps(out) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))

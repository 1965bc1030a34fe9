"""Helpers for comparing the Cubism Framework's rendering of an export with Kirie's own renderer.

:func:`framework_render` runs ``framework_render_probe.py`` in a subprocess (cubism-formats.md 4.4)
on a square viewport of side ``max(canvas width, canvas height)``; :func:`canvas_window` works out,
from the model-view-projection matrix the Framework reports, which framebuffer pixels the canvas
covers, so that the Framework image can be cropped to exactly the frame of
``app.render.offscreen.render_to_array`` (one output pixel per canvas pixel). :func:`psnr_over_alpha`
compares premultiplied RGBA over the union of the two images' alpha coverage.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from rig.formats.cubism.moc3 import default_canvas
from rig.model import Rig

RENDER_PROBE = Path(__file__).with_name("framework_render_probe.py")


def framework_render(model3: Path, poses: list[dict], size: int, tmp: Path) -> tuple[np.ndarray, dict]:
    """Draw ``poses`` with the Framework in a subprocess.

    Returns
    -------
    images : (P, size, size, 4) uint8 ndarray
        Premultiplied RGBA, rows top to bottom.
    report : dict
        The probe's JSON line (``mvp``, ``canvas_px``, ``ppu``, ``gl_version``...).
    """
    poses_path, out = tmp / "fw_poses.json", tmp / "fw_images.npz"
    poses_path.write_text(json.dumps(poses))
    env = dict(os.environ, EGL_PLATFORM="surfaceless", PYOPENGL_PLATFORM="egl")
    cmd = [sys.executable, str(RENDER_PROBE), str(model3), str(size), str(poses_path), str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180, env=env)
    assert proc.returncode == 0, f"Framework render probe died with {proc.returncode}: {proc.stderr[-2000:]}"
    lines = proc.stdout.strip().splitlines()
    assert lines, f"the Framework render probe printed nothing: {proc.stderr[-2000:]}"
    with np.load(out) as data:
        return data["images"], json.loads(lines[-1])


def canvas_window(rig: Rig, mvp: list[float], size: int) -> tuple[int, int, int, int]:
    """The framebuffer pixels ``(x0, y0, x1, y1)`` (rows top to bottom) that the canvas covers.

    A canvas pixel ``(x, y)`` is the model point ``((x - origin_x) / ppu, -(y - origin_y) / ppu)``
    (the moc3 canvas of :func:`~rig.formats.cubism.moc3.default_canvas`, y up); ``mvp`` (column
    major) maps it to NDC, and NDC ``[-1, 1]`` spans the ``size``-pixel viewport.

    Raises
    ------
    AssertionError
        If the canvas does not land on whole pixels at one framebuffer pixel per canvas pixel.
    """
    c = default_canvas(rig)
    m = np.asarray(mvp, np.float64).reshape(4, 4).T  # column-major -> row-major
    corners = np.array([[0.0, 0.0], [rig.canvas_width_px, rig.canvas_height_px]])
    model = np.column_stack([(corners[:, 0] - c.origin_x) / c.pixels_per_unit,
                             -(corners[:, 1] - c.origin_y) / c.pixels_per_unit,
                             np.zeros(2), np.ones(2)])  # fmt: skip
    ndc = (m @ model.T).T
    px = (ndc[:, 0] + 1.0) / 2.0 * size
    py = (1.0 - ndc[:, 1]) / 2.0 * size
    box = (px[0], py[0], px[1], py[1])
    rounded = tuple(round(v) for v in box)
    assert all(math.isclose(a, b, abs_tol=1e-3) for a, b in zip(box, rounded)), f"canvas not pixel-aligned: {box}"
    x0, y0, x1, y1 = rounded
    assert (x1 - x0, y1 - y0) == (rig.canvas_width_px, rig.canvas_height_px), f"canvas scaled: {box}"
    assert 0 <= x0 and 0 <= y0 and x1 <= size and y1 <= size, f"canvas outside the viewport: {box}"
    return rounded


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    """PSNR in dB of two uint8 arrays of one shape (peak 255); ``inf`` when equal or empty."""
    diff = a.astype(np.float64) - b.astype(np.float64)
    mse = float(np.mean(diff**2)) if diff.size else 0.0
    return math.inf if mse == 0.0 else 10.0 * math.log10(255.0**2 / mse)


def psnr_over_alpha(a: np.ndarray, b: np.ndarray) -> float:
    """PSNR in dB of two premultiplied (H, W, 4) uint8 RGBA images over the pixels either covers.

    The mean squared error is taken over all four channels of every pixel where either alpha is
    non-zero (pixels empty in both would only inflate the score); ``inf`` when they are equal.
    """
    covered = (a[..., 3] > 0) | (b[..., 3] > 0)
    return psnr(a[covered], b[covered])

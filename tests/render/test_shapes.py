"""Editor overlay shapes: points keep their pixel size at any zoom, lines land where they should."""

from __future__ import annotations

import numpy as np
import pytest

from app.render.renderer import Renderer
from app.render.shapes import OverlayShapes, circle_segments, polyline_segments
from app.render.view import View

pytestmark = pytest.mark.gl


def _draw(gl, shapes, zoom=1.0):
    fbo = gl.simple_framebuffer((64, 64), components=4)
    fbo.use()
    fbo.clear(0, 0, 0, 0)
    renderer = Renderer(gl, (64, 64))
    view = View((64, 64), (64, 64), zoom=zoom)
    renderer.render_shapes(shapes, fbo, view)
    img = np.frombuffer(fbo.read(components=4), np.uint8).reshape(64, 64, 4)[::-1]
    renderer.release()
    return img  # the fbo is not released: releasing a bound framebuffer is a GL error


def test_points_are_fixed_size_squares(gl):
    shapes = OverlayShapes.build(points=[[20, 20]], point_color=(1, 0, 0, 1), point_size_px=6)
    for zoom in (1.0, 2.0):
        img = _draw(gl, shapes, zoom)
        red = img[..., 0] > 200
        ys, xs = np.nonzero(red)
        assert 5 <= np.ptp(xs) + 1 <= 7 and 5 <= np.ptp(ys) + 1 <= 7


def test_lines_and_helpers(gl):
    seg = polyline_segments(np.array([[10, 10], [50, 10], [50, 50]]), closed=False)
    assert seg.shape == (2, 2, 2)
    assert circle_segments((32, 32), 10, n=12).shape == (12, 2, 2)
    img = _draw(gl, OverlayShapes.build(lines=seg, line_color=(0, 1, 0, 1)))
    green = img[..., 1] > 200
    assert green[9:12, 30].any() and green[30, 49:52].any() and not green[30, 30]

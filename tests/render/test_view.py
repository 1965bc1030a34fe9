"""The view transform: canvas px <-> viewport px <-> NDC."""

from __future__ import annotations

import numpy as np

from app.render.view import View


def to_ndc(view, points):
    p = np.c_[points, np.zeros(len(points)), np.ones(len(points))]
    return (view.mvp().astype(np.float64) @ p.T).T[:, :2]


def test_fit_maps_canvas_corners_to_ndc_corners_with_y_up():
    view = View.fit((200, 100), (400, 200))
    assert view.zoom == 2.0
    ndc = to_ndc(view, np.array([[0, 0], [200, 100], [100, 50]]))
    np.testing.assert_allclose(ndc, [[-1, 1], [1, -1], [0, 0]], atol=1e-6)


def test_fit_letterboxes_and_keeps_margin():
    view = View.fit((100, 100), (300, 200), margin_px=10)
    assert view.zoom == 1.8
    corners = view.canvas_to_viewport(np.array([[0, 0], [100, 100]]))
    np.testing.assert_allclose(corners, [[60, 10], [240, 190]])


def test_pan_zoom_round_trip_and_anchor():
    view = View((640, 480), (800, 600), zoom=1.7, pan_px=(13.0, -21.0))
    pts = np.random.default_rng(0).uniform(-50, 700, (20, 2))
    np.testing.assert_allclose(view.viewport_to_canvas(view.canvas_to_viewport(pts)), pts)
    ndc = to_ndc(view, pts)
    vp = view.canvas_to_viewport(pts)
    np.testing.assert_allclose(ndc[:, 0], vp[:, 0] / 400 - 1, atol=1e-5)
    np.testing.assert_allclose(ndc[:, 1], 1 - vp[:, 1] / 300, atol=1e-5)
    zoomed = view.zoomed_at(2.5, (120.0, 77.0))
    assert zoomed.zoom == 1.7 * 2.5
    np.testing.assert_allclose(zoomed.viewport_to_canvas(np.array([[120.0, 77.0]])),
                               view.viewport_to_canvas(np.array([[120.0, 77.0]])))


def test_mvp_bytes_are_column_major():
    view = View((10, 10), (20, 20), zoom=1.0, pan_px=(3.0, 0.0))
    cols = np.frombuffer(view.mvp_bytes(), np.float32).reshape(4, 4)
    np.testing.assert_array_equal(cols.T, view.mvp())
    assert view.with_viewport((40, 20)).viewport_size_px == (40, 20)

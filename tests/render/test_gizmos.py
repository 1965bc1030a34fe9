"""Gizmo overlay geometry (pure numpy) and its fixed on-screen handle size."""

from __future__ import annotations

import numpy as np
import pytest

from app.render.gizmos import COLORS, discs, gizmo_geometry, lattice_lines, squares
from app.render.offscreen import render_to_array
from rig.evaluate.types import DeformerGizmo
from tests.render.scenes import gizmo_scene


def test_lattice_lines_connect_neighbours():
    grid = np.stack(np.meshgrid(np.arange(3.0), np.arange(2.0), indexing="xy"), axis=-1)  # (2, 3, 2)
    seg = lattice_lines(grid).reshape(-1, 2, 2)
    assert len(seg) == 2 * 2 + 3 * 1  # rows x (cols) + (rows) x cols segments
    assert np.all(np.abs(seg[:, 0] - seg[:, 1]).sum(axis=1) == 1)


def test_handle_size_is_fixed_in_viewport_pixels():
    gizmo = DeformerGizmo("r", "rotation", np.array([[10, 10], [10, 0]], np.float32))
    for zoom in (0.5, 1.0, 4.0):
        lines, tris = gizmo_geometry([gizmo], zoom, handle_px=8)
        square = tris[:6, :2]
        assert np.ptp(square[:, 0]) * zoom == pytest.approx(8)
        np.testing.assert_array_equal(lines[:, :2], gizmo.points_px)
        np.testing.assert_allclose(tris[6:, 2:], np.tile(COLORS["rotate"], (len(tris) - 6, 1)), rtol=1e-6)


def test_squares_and_discs_shapes():
    assert squares(np.zeros((3, 2)), 1.0).shape == (18, 2)
    d = discs(np.array([[5.0, 5.0]]), 2.0, segments=8)
    assert d.shape == (24, 2)
    assert np.allclose(np.linalg.norm(d - 5.0, axis=1)[np.linalg.norm(d - 5.0, axis=1) > 0], 2.0)


def test_unknown_and_empty_gizmos_give_empty_arrays():
    lines, tris = gizmo_geometry([DeformerGizmo("x", "other", np.zeros((2, 2)))], 1.0)
    assert lines.shape == (0, 6) and tris.shape == (0, 6)


@pytest.mark.gl
def test_gizmos_render_handles_at_lattice_points(gl):
    ev = gizmo_scene()
    plain = render_to_array(ev, ctx=gl)
    shown = render_to_array(ev, ctx=gl, gizmos=True)
    changed = np.any(plain != shown, axis=-1)
    for x, y in ev.gizmos[0].points_px.reshape(-1, 2).astype(int):
        assert changed[y, x], (x, y)
    assert not changed[70, 40]  # inside a lattice cell, away from lines and handles
    big = render_to_array(ev, ctx=gl, size=256, gizmos=True)
    big_plain = render_to_array(ev, ctx=gl, size=256)
    # the rotate disc keeps its pixel size when the image doubles
    def disc_area(a, b, tip):
        y, x = tip
        return np.any(a[y - 8:y + 9, x - 8:x + 9] != b[y - 8:y + 9, x - 8:x + 9], axis=-1).sum()
    small_area, big_area = disc_area(plain, shown, (20, 64)), disc_area(big_plain, big, (40, 128))
    assert 25 <= small_area <= 80 and abs(big_area - small_area) <= 0.35 * small_area

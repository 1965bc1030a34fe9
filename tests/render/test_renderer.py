"""Renderer output against numpy references: coverage, textures, opacity, compositing, blend modes.

Tolerances: 2/255 per channel on straight-alpha output where alpha >= 64 (the RGBA8 target stores
premultiplied colour, so unpremultiplying amplifies rounding at low alpha); 1/255 on premultiplied output.
"""

from __future__ import annotations

import numpy as np
import pytest

from app.render.offscreen import offscreen_target, render_to_array
from app.render.renderer import Renderer
from app.render.view import View
from tests.render.scenes import (
    QUAD_UV,
    item,
    over,
    premul,
    quad,
    rect_coverage,
    scene,
    solid,
    straight_u8,
    triangle_coverage,
)

pytestmark = pytest.mark.gl
SIZE = (64, 48)


def assert_close(actual, expected, tol):
    diff = np.abs(actual.astype(int) - expected.astype(int))
    assert diff.max() <= tol, f"max diff {diff.max()} at {np.unravel_index(diff.argmax(), diff.shape)}"


def test_quad_covers_exactly_its_pixels(gl):
    rect = (10, 6, 41, 30)
    img = render_to_array(scene([quad("q", rect, "red")], {"red": solid((255, 0, 0, 255))}), ctx=gl)
    assert img.shape == (48, 64, 4) and img.dtype == np.uint8
    expected = rect_coverage(rect, SIZE)
    np.testing.assert_array_equal(img[..., 3] == 255, expected)
    np.testing.assert_array_equal(img[..., 3] == 0, ~expected)
    assert (img[expected][:, :3] == (255, 0, 0)).all()


def test_triangle_coverage_matches_edge_functions(gl):
    tri = np.array([[10.3, 5.2], [50.7, 12.9], [20.1, 40.6]], np.float32)
    ev = scene([item("t", tri, QUAD_UV[:3], [[0, 1, 2]], "white")], {"white": solid((255, 255, 255, 255))})
    img = render_to_array(ev, ctx=gl)
    expected = triangle_coverage(tri, SIZE)
    assert expected.sum() > 500
    np.testing.assert_array_equal(img[..., 3] > 0, expected)


def test_texture_colours_and_orientation(gl):
    rng = np.random.default_rng(3)
    texture = rng.integers(0, 256, (16, 16, 4), dtype=np.uint8)
    texture[..., 3] = rng.integers(64, 256, (16, 16))
    texture[:8, :8] = (255, 0, 0, 255)  # image top-left must land at the quad's top-left
    img = render_to_array(scene([quad("q", (20, 10, 36, 26), "tex")], {"tex": texture}), ctx=gl)
    assert_close(img[10:26, 20:36], texture, 2)
    assert (img[10:18, 20:28] == (255, 0, 0, 255)).all()


def test_opacity_scales_alpha_not_colour(gl):
    ev = scene([quad("q", (8, 8, 40, 40), "c", opacity=0.3)], {"c": solid((40, 200, 120, 255))})
    img = render_to_array(ev, ctx=gl)
    assert_close(img[20, 20], np.array([40, 200, 120, 77]), 2)


def test_two_semi_transparent_items_composite_premultiplied(gl):
    a_rgba, b_rgba = (255, 40, 0, 160), (0, 90, 255, 200)
    ev = scene([quad("a", (4, 4, 40, 36), "a", opacity=0.8), quad("b", (20, 12, 60, 44), "b", opacity=0.6)],
               {"a": solid(a_rgba), "b": solid(b_rgba)})
    dst = np.zeros((48, 64, 4))
    dst[rect_coverage((4, 4, 40, 36), SIZE)] = premul(a_rgba, 0.8)
    src = np.zeros((48, 64, 4))
    src[rect_coverage((20, 12, 60, 44), SIZE)] = premul(b_rgba, 0.6)
    expected = over(dst, src)
    got = render_to_array(ev, ctx=gl, premultiplied=True)
    assert_close(got, np.round(expected * 255), 1)
    straight = render_to_array(ev, ctx=gl)
    assert_close(straight[24, 30], straight_u8(expected[24, 30]), 2)  # the overlap


@pytest.mark.parametrize("mode", ["normal", "additive", "multiplicative"])
def test_blend_mode_over_opaque_base(gl, mode):
    base_rgba, top_rgba, opacity = (100, 150, 200, 255), (200, 60, 30, 180), 0.7
    ev = scene([quad("base", (0, 0, 64, 48), "base"), quad("top", (16, 8, 48, 40), "top", opacity=opacity,
                                                           blend_mode=mode)],
               {"base": solid(base_rgba), "top": solid(top_rgba)})
    d, s = premul(base_rgba), premul(top_rgba, opacity)
    expected = {
        "normal": s + d * (1 - s[3]),
        "additive": np.append(np.minimum(s[:3] + d[:3], 1.0), d[3]),
        "multiplicative": np.append(s[:3] * d[:3] + d[:3] * (1 - s[3]), d[3]),
    }[mode]
    got = render_to_array(ev, ctx=gl, premultiplied=True)
    assert_close(got[24, 32], np.round(expected * 255), 1)
    assert_close(got[2, 2], np.round(d * 255), 1)  # outside the top quad: untouched


@pytest.mark.parametrize("mode", ["additive", "multiplicative"])
def test_additive_and_multiplicative_keep_destination_alpha(gl, mode):
    ev = scene([quad("top", (16, 8, 48, 40), "top", blend_mode=mode)], {"top": solid((200, 60, 30, 255))})
    got = render_to_array(ev, ctx=gl, premultiplied=True)
    assert (got[..., 3] == 0).all()


def test_clip_mask_draws_only_inside_the_mask(gl):
    mask = quad("m", (8, 8, 32, 40), "mask_tex", opacity=0.0)  # invisible masks still clip
    clipped = quad("c", (0, 0, 64, 48), "green", mask_ids=("m",))
    ev = scene([clipped], {"mask_tex": solid((0, 0, 0, 255)), "green": solid((0, 255, 0, 255))}, masks=[mask])
    img = render_to_array(ev, ctx=gl)
    inside = rect_coverage((8, 8, 32, 40), SIZE)
    np.testing.assert_array_equal(img[..., 3] == 255, inside)
    np.testing.assert_array_equal(img[..., 3] == 0, ~inside)


def test_inverted_mask_draws_only_outside(gl):
    mask = quad("m", (8, 8, 32, 40), "mask_tex")
    clipped = quad("c", (0, 0, 64, 48), "green", mask_ids=("m",), invert_mask=True)
    ev = scene([clipped], {"mask_tex": solid((0, 0, 0, 255)), "green": solid((0, 255, 0, 255))}, masks=[mask])
    img = render_to_array(ev, ctx=gl)
    inside = rect_coverage((8, 8, 32, 40), SIZE)
    np.testing.assert_array_equal(img[..., 3] == 0, inside)
    assert (img[~inside] == (0, 255, 0, 255)).all()


def test_mask_union_and_partial_alpha(gl):
    # two half-transparent masks overlapping: coverage 0.5 alone, 0.75 where both (a + c (1 - a))
    masks = [quad("m1", (0, 0, 40, 48), "half"), quad("m2", (24, 0, 64, 48), "half")]
    clipped = quad("c", (0, 0, 64, 48), "white", mask_ids=("m2", "m1", "m2"))
    ev = scene([clipped], {"half": solid((9, 9, 9, 128)), "white": solid((255, 255, 255, 255))}, masks=masks)
    alpha = render_to_array(ev, ctx=gl)[..., 3].astype(int)
    half = 128 / 255
    assert abs(alpha[20, 10] - 255 * half) <= 1
    assert abs(alpha[20, 30] - 255 * (half + half * (1 - half))) <= 1
    assert abs(alpha[20, 50] - 255 * half) <= 1


def test_two_mask_sets_in_one_frame(gl):
    masks = [quad("left", (0, 0, 32, 48), "opaque"), quad("top", (0, 0, 64, 24), "opaque")]
    items = [quad("a", (0, 0, 64, 48), "red", mask_ids=("left",)),
             quad("b", (0, 0, 64, 48), "blue", mask_ids=("top",))]
    ev = scene(items, {"opaque": solid((0, 0, 0, 255)), "red": solid((255, 0, 0, 255)),
                       "blue": solid((0, 0, 255, 255))}, masks=masks)
    img = render_to_array(ev, ctx=gl)
    assert tuple(img[10, 10]) == (0, 0, 255, 255)  # both: blue drawn last
    assert tuple(img[40, 10]) == (255, 0, 0, 255)  # left only
    assert tuple(img[10, 50]) == (0, 0, 255, 255)  # top only
    assert img[40, 50, 3] == 0                      # neither


@pytest.mark.parametrize("alpha", [255, 128])
def test_multiply_and_screen_colours(gl, alpha):
    c = np.array([200, 120, 60]) / 255
    m, s = np.array([0.5, 1.0, 0.8]), np.array([0.0, 0.3, 0.6])
    ev = scene([quad("q", (8, 8, 40, 40), "c", multiply_rgb=tuple(m), screen_rgb=tuple(s))],
               {"c": solid((200, 120, 60, alpha))})
    img = render_to_array(ev, ctx=gl)
    cm = c * m
    expected = np.round(np.append(cm + s - cm * s, alpha / 255) * 255)
    assert_close(img[20, 20], expected, 2)


def test_wireframe_draws_on_the_edges(gl):
    ev = scene([quad("q", (8, 8, 56, 40), "grey")], {"grey": solid((128, 128, 128, 255))})
    plain = render_to_array(ev, ctx=gl)
    wired = render_to_array(ev, ctx=gl, wireframe=True)
    changed = np.any(plain != wired, axis=-1)
    ys, xs = np.nonzero(changed)
    # the shared diagonal (8, 8)-(56, 40) and the outline change; the interior off the diagonal does not
    assert changed.sum() > 100
    on_diagonal = np.abs((ys - 8) - (xs - 8) * 32 / 48) < 2
    on_border = (np.minimum(np.abs(xs - 8), np.abs(xs - 55)) < 2) | (np.minimum(np.abs(ys - 8), np.abs(ys - 39)) < 2)
    assert (on_diagonal | on_border).all()
    assert changed[24, 8 + 24] or changed[24, 8 + 23]
    assert not changed[30, 20]


def test_moved_vertices_and_new_texture_version_are_picked_up(gl):
    from rig.evaluate.types import LayerTexture

    renderer = Renderer(gl, SIZE)
    target = offscreen_target(gl).framebuffer(SIZE)
    try:
        first = scene([quad("q", (0, 0, 16, 16), "t")], {"t": solid((255, 0, 0, 255))})
        renderer.render(first, target)
        mesh = renderer.meshes.get(first.items[0], renderer.frame_index)
        moved = scene([quad("q", (32, 16, 48, 32), "t")], {})
        moved = type(moved)(SIZE, moved.items, {"t": LayerTexture("t", solid((0, 0, 255, 255)), 1)}, {})
        renderer.render(moved, target)
        assert renderer.meshes.get(moved.items[0], renderer.frame_index) is mesh  # same topology: reused
        img = np.flipud(np.frombuffer(target.read(components=4), np.uint8).reshape(48, 64, 4))
        assert img[4, 4, 3] == 0 and tuple(img[20, 40]) == (0, 0, 255, 255)
        renderer.render(scene([quad("q", (0, 0, 16, 16), "t", topology_version=1)], {"t": solid((0, 0, 0, 255))}),
                        target)
        assert renderer.meshes.get(moved.items[0], renderer.frame_index) is not mesh
        assert len(renderer.meshes) == 1 and len(renderer.textures) == 1
    finally:
        renderer.release()


def test_view_pan_and_zoom_move_the_image(gl):
    ev = scene([quad("q", (0, 0, 8, 8), "red")], {"red": solid((255, 0, 0, 255))})
    renderer = Renderer(gl, SIZE)
    target = offscreen_target(gl).framebuffer(SIZE)
    try:
        view = View(SIZE, SIZE, zoom=2.0, pan_px=(10.0, -4.0))
        renderer.render(ev, target, view)
        img = np.flipud(np.frombuffer(target.read(components=4), np.uint8).reshape(48, 64, 4))
        x0, y0 = view.canvas_to_viewport(np.array([[0.0, 0.0]]))[0]
        expected = rect_coverage((x0, y0, x0 + 16, y0 + 16), SIZE)
        np.testing.assert_array_equal(img[..., 3] == 255, expected)
    finally:
        renderer.release()

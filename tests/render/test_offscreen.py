"""render_to_array: output frame, size, background, straight alpha."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from app.render.offscreen import output_size, render_to_array, unpremultiply
from tests.render.scenes import quad, scene, solid

REPO = Path(__file__).resolve().parents[2]


def test_output_size():
    assert output_size((200, 100), None) == (200, 100)
    assert output_size((200, 100), 50) == (50, 25)
    assert output_size((200, 100), (30, 40)) == (30, 40)
    assert output_size((3, 1000), 1) == (1, 333)


def test_unpremultiply():
    p = np.array([[[64, 32, 0, 128], [9, 9, 9, 0], [200, 10, 10, 100]]], np.uint8)
    np.testing.assert_array_equal(unpremultiply(p), [[[128, 64, 0, 128], [0, 0, 0, 0], [255, 26, 26, 100]]])


def test_unpremultiply_is_the_rounded_quotient_for_every_alpha_and_channel():
    a, c = (v.astype(np.uint32) for v in np.meshgrid(np.arange(256), np.arange(256), indexing="ij"))
    expect = np.where(a == 0, 0, np.minimum((c * 255 + a // 2) // np.maximum(a, 1), 255))
    out = unpremultiply(np.stack([c, c, c, a], -1).astype(np.uint8)[::-1])  # a flipped view, as read back
    np.testing.assert_array_equal(out[::-1, :, :3], np.repeat(expect[..., None], 3, -1))
    np.testing.assert_array_equal(out[::-1, :, 3], a)


@pytest.mark.gl
def test_rows_top_to_bottom_and_scaling(gl):
    ev = scene([quad("top", (0, 0, 64, 12), "red"), quad("left", (0, 12, 16, 48), "blue")],
               {"red": solid((255, 0, 0, 255)), "blue": solid((0, 0, 255, 255))})
    img = render_to_array(ev, ctx=gl)
    assert tuple(img[0, 40]) == (255, 0, 0, 255) and tuple(img[40, 4]) == (0, 0, 255, 255)
    assert img[47, 63, 3] == 0
    half = render_to_array(ev, size=32, ctx=gl)
    assert half.shape == (24, 32, 4)
    assert tuple(half[2, 20]) == (255, 0, 0, 255) and tuple(half[20, 2]) == (0, 0, 255, 255)


@pytest.mark.gl
def test_background_is_straight_rgb_or_rgba(gl):
    ev = scene([quad("q", (8, 8, 40, 40), "c", opacity=0.5)], {"c": solid((255, 0, 0, 255))})
    img = render_to_array(ev, ctx=gl, background=(1.0, 1.0, 1.0))
    assert tuple(img[0, 0]) == (255, 255, 255, 255)
    assert np.abs(img[20, 20].astype(int) - (255, 128, 128, 255)).max() <= 1
    glass = render_to_array(ev, ctx=gl, background=(0.0, 0.0, 1.0, 0.5))
    assert np.abs(glass[0, 0].astype(int) - (0, 0, 255, 128)).max() <= 1


@pytest.mark.gl
def test_default_context_in_a_fresh_process(gl):
    # a second standalone context becomes current when created: keep it out of this test process
    code = (
        "import numpy as np\n"
        "from app.render.offscreen import render_to_array, standalone_context\n"
        "from tests.render.scenes import quad, scene, solid\n"
        "ev = scene([quad('q', (8, 8, 40, 40), 'c')], {'c': solid((0, 255, 0, 255))})\n"
        "img = render_to_array(ev, size=32)\n"
        "assert standalone_context() is standalone_context()\n"
        "assert img.shape == (24, 32, 4) and tuple(img[10, 10]) == (0, 255, 0, 255) and img[1, 1, 3] == 0\n"
        "assert standalone_context().error == 'GL_NO_ERROR'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr

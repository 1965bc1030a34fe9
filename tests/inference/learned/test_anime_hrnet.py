"""HRNetV2 anime landmark pre/post-processing against its documented formulas (DARK, flip, transform)."""

from __future__ import annotations

import numpy as np
import pytest

from inference.landmarks import anime_hrnet as AH

pytestmark = pytest.mark.learned


def gaussian(cx, cy, sigma=2.0, size=64):
    yy, xx = np.mgrid[0:size, 0:size]
    return np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * sigma**2))


@pytest.mark.parametrize("kernel", [0, 11])
def test_dark_recovers_a_subpixel_gaussian_peak(kernel):
    peaks = [(23.37, 40.81), (10.5, 10.5), (50.05, 7.9)]
    hm = np.stack([gaussian(x, y) for x, y in peaks])
    coords, vals = AH.dark_decode(hm, kernel)
    np.testing.assert_allclose(coords, peaks, atol=0.02 if kernel else 1e-4)
    argmax_only = np.stack([np.argwhere(h.T == h.max())[0] for h in hm])
    assert np.abs(argmax_only - peaks).max() > 0.3  # the Newton step matters
    assert np.all(vals > 0.8)


def test_flip_back_swaps_pairs_and_mirrors():
    hm = np.stack([gaussian(10 + i, 20) for i in range(28)])
    mirrored = hm[:, :, ::-1]
    back = AH.flip_back(mirrored, shift=False)
    for a, b in AH.FLIP_PAIRS:
        np.testing.assert_allclose(back[a], hm[b])
    np.testing.assert_allclose(back[2], hm[2])  # nose tip / chin centre: no pair


def test_crop_and_back_to_canvas_are_inverse():
    rgb = np.zeros((300, 400, 3), np.uint8)
    rgb[100:110, 200:210] = 255  # a white patch
    x, crop = AH.preprocess(rgb, (150, 80, 120, 100))
    assert x.shape == (1, 3, 256, 256) and x.dtype == np.float32
    cx, cy, side = crop
    assert (cx, cy, side) == pytest.approx((210, 130, 132))
    np.testing.assert_allclose(x[0, :, 0, 0], -AH.MEAN / AH.STD, atol=1e-5)  # black -> normalised zero
    ys, xs = np.nonzero(x[0, 0] > 0)
    centre_hm = np.array([[xs.mean() / 4, ys.mean() / 4]])  # 256 input px -> 64 heatmap px
    np.testing.assert_allclose(AH.to_canvas(centre_hm, crop), [[205, 105]], atol=1.0)

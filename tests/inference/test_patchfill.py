"""Exemplar completion (inference.layers.patchfill): texture continues where TELEA smears."""

from __future__ import annotations

import numpy as np

from inference.layers.patchfill import patch_fill, upsample_copy


def _stripes(h, w, period=6):
    xx = np.arange(w)[None, :].repeat(h, 0)
    v = np.where((xx // (period // 2)) % 2 == 0, 200.0, 60.0)
    return np.repeat(v[..., None], 3, axis=2).astype(np.float32)


def test_patch_fill_continues_stripes_better_than_telea():
    import cv2

    truth = _stripes(64, 64)
    known = np.ones((64, 64), bool)
    known[20:44, 20:44] = False
    telea = cv2.inpaint(np.where(known[..., None], truth, 0).astype(np.uint8), (~known).astype(np.uint8) * 255,
                        3, cv2.INPAINT_TELEA).astype(np.float32)
    out = patch_fill(truth, known, telea)
    assert out is not None
    filled, nnf = out
    np.testing.assert_array_equal(filled[known], truth[known])
    err_patch = np.abs(filled - truth)[~known].mean()
    err_telea = np.abs(telea - truth)[~known].mean()
    assert err_patch < 0.5 * err_telea
    # the stripes keep their contrast inside the hole (a smear would flatten them)
    assert filled[~known][:, 0].std() > 0.6 * truth[~known][:, 0].std()
    assert (nnf[known] == np.argwhere(known)).all()


def test_patch_fill_declines_without_sources_and_upsample_copies_full_resolution():
    img = _stripes(16, 16)
    known = np.zeros((16, 16), bool)
    known[:3, :3] = True
    assert patch_fill(img, known, img) is None
    # a field that maps every coarse pixel to itself copies the full-resolution image unchanged
    full = _stripes(48, 48, period=4)
    ident = np.stack(np.mgrid[0:16, 0:16], axis=-1).astype(np.int32)
    out = upsample_copy(full, np.ones((48, 48), bool), ident, np.zeros_like(full))
    np.testing.assert_array_equal(out, full)

"""The back hair under the side locks and the cheeks continues the visible hair (issue 14, lambda_00's side hair).

A head turn moves the face and the front hair by about 0.1 FW against the back hair (rigging.md 3): what
it uncovers beside the face is back hair that was hidden at rest. The generic completion
(``inference.layers.completion``, a coarse patch field faded to the shaded median) reads there as a
band of darker blocks; here, within the reach of a move (``MOVE_REACH_FW``) of the visible back hair:

- under a side lock of the front hair outside the face, the back hair is the input's own strands (the
  lock is the same hair mass, cut from the back hair along a strand edge by the part map);
- elsewhere (under the cheek's edge, under locks over the cheek) the visible hair is mirrored across its
  edge at full resolution (``inference.layers.patchfill.mirror_copy``), so strands continue as strands,
  fading back into the generic fill with the distance.

Masks (H, W) bool and colours uint8 RGB in the canvas frame of a cut ``Scene``.
"""

from __future__ import annotations

import numpy as np

from inference.layers.completion import dilate, erode, mask_box, median_color, polygon_mask
from inference.layers.reach import MOVE_REACH_FW

SIDE_LOCK_FACE_FW = 0.04
"""Front hair nearer the face outline than this (face widths) is not a side lock's own strands (the
outline and the cheek's edge stay out of the back hair beneath)."""
MIRROR_SKIP_FW = 0.04
"""The back hair's first this many face widths under a neighbour's edge are not mirrored (the band where
that neighbour's outline lay, which a mirrored line would leave behind); the mirror fades in over as many."""
LINE_KERNEL_FW = 0.06
LINE_DARK = 30.0
"""Line art: luma (0..255) darker than its surroundings (black-hat over ``LINE_KERNEL_FW`` squares) by this."""
SKIN_DEFAULT = (246, 222, 206)
HAIR_DEFAULT = (90, 60, 50)


def strands_under_side_locks(scene, target: np.ndarray, colors: np.ndarray, continued: np.ndarray) -> np.ndarray:
    """The back hair's fill ``colors`` (T, 3) uint8 of ``target`` (``np.nonzero`` order), with the visible
    hair continued beneath the side locks and the cheek's edge (see the module docstring); a new array.

    ``continued`` (H, W) bool is the visible hair the mirror continues: the back hair completion's source,
    which leaves out the rim along the figure's outside (its outline, its pale edge, the background halo
    handed to the hair), so that rim is not mirrored under the cheek as a stroke left behind on a turn."""
    import cv2

    from inference.layers.patchfill import mirror_copy

    reach = MOVE_REACH_FW * scene.fw
    box = mask_box(target, pad=int(2 * reach) + 4)
    if box is None:
        return colors
    x0, y0, x1, y1 = box
    crop = np.s_[y0:y1, x0:x1]
    rgb, tgt = scene.rgb[crop], target[crop]
    source = (continued & scene.opaque)[crop]
    if not source.any():
        return colors
    inner = erode(source, 2)
    inner = inner if inner.sum() >= 16 else source.copy()
    # hair, not the cheek's pale rim or skin a part parser left on the hair's edge
    skin = median_color(scene.rgb, scene.vis("Face"), SKIN_DEFAULT)
    hair = median_color(rgb, inner, HAIR_DEFAULT)
    c = rgb.astype(np.float32)
    hairlike = np.linalg.norm(c - hair, axis=2) <= np.linalg.norm(c - skin, axis=2)
    inner &= hairlike
    # line art (a frame's arm, an outline) is not continued: it would stay behind where it lay
    luma = rgb.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    k = max(5, int(LINE_KERNEL_FW * scene.fw) | 1)
    lines = cv2.morphologyEx(luma, cv2.MORPH_BLACKHAT, np.ones((k, k), np.uint8)) > LINE_DARK
    inner &= ~lines
    mirrored, weight = mirror_copy(rgb, inner, tgt, reach, MIRROR_SKIP_FW * scene.fw)
    visible = (scene.vis("BackHair") & scene.opaque)[crop]
    # nor is the hair beyond a streak it leaves out (skin, line art on the hair's edge) reflected beside
    # that streak; the mirror fades in over a line's width from there, so no step narrower than a line
    off = _nearest_is(visible, visible & (~hairlike | lines)) & tgt
    if off.any():
        ramp = np.clip(cv2.distanceTransform((~off).astype(np.uint8), cv2.DIST_L2, 3) / k, 0.0, 1.0)
        weight *= ramp[tgt]
    w = weight[:, None]
    out = np.clip(np.round(mirrored * w + colors.astype(np.float32) * (1.0 - w)), 0, 255).astype(np.uint8)
    face = dilate(polygon_mask(scene.shape, scene.face_contour), SIDE_LOCK_FACE_FW * scene.fw)[crop]
    dist = cv2.distanceTransform((~visible).astype(np.uint8), cv2.DIST_L2, 3)
    take = (scene.vis("FrontHair")[crop] & ~face & ~dilate(lines, 1) & (dist <= reach))[tgt]
    out[take] = rgb[tgt][take]
    return out


def _nearest_is(visible: np.ndarray, left_out: np.ndarray) -> np.ndarray:
    """(h, w) bool: pixels whose nearest ``visible`` back-hair pixel is in ``left_out`` (what the mirror
    does not continue: skin, a pale streak or line art on the hair's edge). A reflection across the hair beyond
    it would set a band of that hair's shading beside it, a dark line where the neighbour's outline lay
    (waifu_01's cheek: 21 of 264 face outline px left behind on AngleX +30, 6 without)."""
    from scipy import ndimage

    if not left_out.any():
        return np.zeros(visible.shape, bool)
    _, (ny, nx) = ndimage.distance_transform_edt(~visible, return_indices=True)
    return left_out[ny, nx]

"""The skin under the mouth continues the skin around it (issue 10: "the face layer is completed under
the whole eye [and mouth] with the surrounding skin, so it never shows a hole, a halo or a rectangle of
different skin"), judged on renders.

At ParamMouthForm -1 the lips' corners move in and uncover the Face layer's completion under them. Each
uncovered pixel is compared with the nearest pixel of the skin ring just outside the rest mouth, in the
same posed render (averaged locally, so photo grain does not count): their mean RGB distance (``corner_step``)
was 13 - 120 with the face's flat median fill (crypko_06, s1, s2, s12), a lighter patch with hard edges. Measures: :func:`corner_step`.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from app.render.offscreen import render_to_array
from rig.evaluate import evaluate
from tests.inference.mouth_metrics import MouthFrame, mouth_only

MAX_CORNER_STEP = 18.0
"""Mean RGB distance (0..441) between the skin a pose uncovers and the skin beside it (after the membrane
fill: s1 8.5, s2 15.0 at MouthOpenY 1 + MouthForm -1; before: 12.9, 21.7)."""
BEARD_STEP = 36.0
"""The same where the ring is a mustache and skin (s12: 119 before, 29.5 after; the ring's own grain 15 - 20)."""
CASES = [
    pytest.param("anime/crypko_06.png", MAX_CORNER_STEP, marks=pytest.mark.xfail(
        strict=False, reason="its part map labels most of the shaded skin around the mouth FrontHair, so the "
        "face completion there is the flat median and the ring is sparse: step 58.7 -> 41.8 (form -1 + open)")),
    ("portraits/s1.jpg", MAX_CORNER_STEP),
    ("portraits/s2.jpg", MAX_CORNER_STEP),
    ("portraits/s12.jpg", BEARD_STEP),
]
POSES = ({"ParamMouthForm": -1.0}, {"ParamMouthForm": -1.0, "ParamMouthOpenY": 1.0})
RING_FW = 0.03
"""Width of the skin ring around the rest mouth the uncovered skin is compared with, face widths."""


def corner_step(rig, face, values: dict[str, float]) -> dict[str, float]:
    """Mean RGB distance between the skin the mouth uncovers at ``values`` and the nearest ring skin.

    Uncovered: opaque in the rest render of ``PartMouth`` alone, transparent in the posed one. Ring: within
    ``RING_FW`` (from 2 px) outside the rest mouth, covered by no mouth piece in the pose and unchanged
    from the rest render. Both are read off the full posed render (canvas frame, RGB).
    """
    import cv2

    frame = MouthFrame.of(face)
    rest_a = render_to_array(mouth_only(rig, {}))[..., 3]
    pose_a = render_to_array(mouth_only(rig, values))[..., 3]
    rest = render_to_array(evaluate(rig, rig.default_values()))
    pose = render_to_array(evaluate(rig, rig.default_values() | values))
    win = np.zeros(rest_a.shape, bool)
    win[frame.window(rest_a.shape)] = True
    mouth = (rest_a > 0).astype(np.uint8)
    r = max(3, int(RING_FW * frame.fw))
    near = cv2.dilate(mouth, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))) > 0
    edge = cv2.dilate(mouth, np.ones((5, 5), np.uint8)) > 0
    same = np.abs(rest[..., :3].astype(int) - pose[..., :3].astype(int)).max(axis=-1) <= 2
    ring = win & near & ~edge & (pose_a == 0) & same
    if ring.sum() >= 16:  # skin only: not the hair, outline or background the ring may cross
        dev = np.linalg.norm(rest[..., :3].astype(np.float32) - np.median(rest[ring, :3], axis=0), axis=-1)
        ring &= dev <= 3.0 * float(np.median(dev[ring])) + 10.0
    uncovered = win & (rest_a > 200) & (pose_a < 30)
    if uncovered.sum() < 4 or ring.sum() < 16:
        return {"uncovered_px": int(uncovered.sum()), "step": 0.0}
    dist, lab = cv2.distanceTransformWithLabels((~ring).astype(np.uint8), cv2.DIST_L2, 3, labelType=cv2.DIST_LABEL_PIXEL)
    ry, rx = np.nonzero(ring)
    lut = np.zeros(int(lab.max()) + 1, np.int64)
    lut[lab[ry, rx]] = np.arange(len(ry))
    uy, ux = np.nonzero(uncovered)
    k = lut[lab[uy, ux]]
    a, b = _local_mean(pose, uncovered, 1), _local_mean(pose, ring, r)  # grain averaged out
    diff = np.linalg.norm(a[uy, ux] - b[ry[k], rx[k]], axis=1)
    texture = np.linalg.norm(pose[ry, rx, :3].astype(np.float32) - b[ry, rx], axis=1)  # the ring's own grain
    return {"uncovered_px": int(uncovered.sum()), "step": round(float(diff.mean()), 1),
            "ring_texture": round(float(texture.mean()), 1),
            "step_p90": round(float(np.percentile(diff, 90)), 1)}


def _local_mean(image: np.ndarray, mask: np.ndarray, radius: int) -> np.ndarray:
    """(H, W, 3) float32: the mean RGB of ``mask``'s pixels in the (2 radius + 1)^2 box about each pixel."""
    import cv2

    k = (2 * radius + 1, 2 * radius + 1)
    w = cv2.blur(mask.astype(np.float32), k)
    c = cv2.blur(image[..., :3].astype(np.float32) * mask[..., None], k)
    return c / np.maximum(w, 1e-6)[..., None]


@functools.cache
def _generated(path):
    from inference.pipeline import generate

    result = generate(path)
    return result.rig, result.face


@pytest.mark.slow
@pytest.mark.parametrize(("case", "max_step"), CASES)
def test_skin_uncovered_at_mouth_form_minus_one_matches_the_skin_around(case, max_step, shared_data):
    rig, face = _generated(shared_data / case)
    for values in POSES:
        m = corner_step(rig, face, values)
        assert m["uncovered_px"] >= 4, (values, m)  # the corners do move in
        assert m["step"] <= max_step, (values, m)



MAX_CLOSED_STEP, MAX_CLOSED_P90 = 28.0, 45.0
"""An open drawn input closed (MouthOpenY 0): mean and 90th percentile step between the skin it uncovers
and the skin around (tadne_r3c3: 31.9 / 58.5 with the completion taken from its outline band, 25.3 / 35.2
without; the band itself still shows, on the face layer, so the mean stays above ``MAX_CORNER_STEP``)."""


@pytest.mark.slow
@pytest.mark.parametrize("case", ["anime/tadne_r3c3.png"])
def test_skin_uncovered_when_an_open_input_closes_matches_the_skin_around(case, shared_data):
    """An open drawn input closed shows skin, not a pale-grey ghost of its opening: tadne_r3c3's grey
    outline and white band around the opening are face pixels, and the completion under the mouth took
    their colours (``inference.layers.mouth_skin.outline_band`` keeps them out of its sources)."""
    rig, face = _generated(shared_data / case)
    m = corner_step(rig, face, {"ParamMouthOpenY": 0.0})
    assert m["uncovered_px"] >= 4 and m["step"] <= MAX_CLOSED_STEP and m["step_p90"] <= MAX_CLOSED_P90, m

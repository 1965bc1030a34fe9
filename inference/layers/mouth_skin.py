"""The face skin completed under the mouth (issue 10; shared ``rigging.md`` 1, "paint the hidden areas").

When the lips move (MouthForm -1 pulls the corners in, MouthOpenY pulls the lips apart) they uncover
the Face layer's completion under the mouth. The generic face completion (``inference.layers.completion``)
fades to the face's median colour a few pixels from the visible skin, which left a flat patch of a
different tone with hard edges at the corners (crypko_06, s1, s2, s12). :func:`complete_under_mouth`
repaints it from the ring of skin around the mouth: a membrane (harmonic) fill of the shading
(``inference.layers.eyelid.membrane``), plus, on photos, grain matched to the ring's, so the skin
continues with its shading, colour and texture.

Canvas px (+y down); masks are (H, W) bool; colours uint8 RGB.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from inference.layers.eyelid import membrane

if TYPE_CHECKING:
    from inference.layers.cut import Scene

MOUTH_LAYERS = ("LipUpper", "LipLower", "MouthTongue", "MouthTeeth", "Mouth")
"""The cut layers the mouth part is split into (``inference.layers.mouth.split_mouth``)."""
EDGE_PX = 1
"""Visible skin this close to the mouth carries the lips' anti-aliased edge: not a membrane source."""
GRAIN_SIGMA_PX = 0.7
"""Blur of the synthetic grain (px), about the correlation length of a photo's skin noise."""


def mouth_mask(scene: Scene) -> np.ndarray:
    """(H, W) bool: the visible pixels of every mouth piece."""
    out = np.zeros(scene.shape, bool)
    for name in MOUTH_LAYERS:
        out |= scene.vis(name)
    return out


def complete_under_mouth(scene: Scene, target: np.ndarray, colors: np.ndarray) -> np.ndarray:
    """The Face layer's completed ``colors`` (T, 3) uint8 (``np.nonzero(target)`` order) with the
    pixels under the mouth repainted from the skin around it.

    The zone is the completed pixels within a few px of the mouth pieces; the known values are the
    visible face skin around them, ``EDGE_PX`` away from the lips. On photos (``scene.face.kind ==
    "real"``) grain with the ring's high-frequency spread is added (deterministic). Returns
    ``colors`` unchanged when there is no mouth or too little skin around it.
    """
    from inference.layers.completion import dilate, mask_box

    mouth = mouth_mask(scene)
    box = mask_box(mouth)
    if box is None:
        return colors
    mh = max(2, box[3] - box[1])
    zone = dilate(mouth, EDGE_PX + 2) & target
    if zone.sum() < 4:
        return colors
    known = scene.vis("Face") & ~dilate(mouth, EDGE_PX)
    pad = max(4, mh // 2)
    filled = membrane(scene.rgb, known, zone, pad=pad)
    if filled is None:
        return colors
    if scene.face is not None and scene.face.kind == "real":
        filled = filled + _grain(scene.rgb, known, zone, pad)
    order = np.full(scene.shape, -1, np.int64)  # pixel -> its row in ``colors``
    order[target] = np.arange(len(colors))
    out = colors.copy()
    out[order[zone]] = np.clip(np.round(filled), 0, 255).astype(np.uint8)
    return out


def _grain(rgb: np.ndarray, known: np.ndarray, zone: np.ndarray, pad: int) -> np.ndarray:
    """(Z, 3) float32 zero-mean noise for the ``zone`` pixels with the per-channel spread of the
    ``known`` skin's high frequencies (input minus a 1.5 px Gaussian blur) in the crop about the zone."""
    import cv2

    from inference.layers.completion import erode, mask_box

    x0, y0, x1, y1 = mask_box(zone, pad=pad)
    crop = rgb[y0:y1, x0:x1].astype(np.float32)
    kn = erode(known[y0:y1, x0:x1], 2)
    if kn.sum() < 16:
        return np.zeros((int(zone.sum()), 3), np.float32)
    high = crop - cv2.GaussianBlur(crop, (0, 0), 1.5)
    spread = np.std(high[kn], axis=0)  # (3,)
    rng = np.random.default_rng(int(zone.sum()))  # deterministic: the same input gives the same layer
    noise = cv2.GaussianBlur(rng.standard_normal(crop.shape[:2]).astype(np.float32), (0, 0), GRAIN_SIGMA_PX)
    ref = noise - cv2.GaussianBlur(noise, (0, 0), 1.5)  # the same high-pass as the measurement
    noise *= 1.0 / max(float(np.std(ref)), 1e-6)
    return noise[zone[y0:y1, x0:x1]][:, None] * spread[None, :]

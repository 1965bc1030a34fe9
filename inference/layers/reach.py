"""Overlap by construction: layers continue past the canvas edge where the art is cut off there.

An input cropped at the chest or at the sides cuts the body and long hair at the image border. When
the body turns or the hair tilts, the cut edge moves inward and a strip of background would open
along the border. Layers whose art touches a border are therefore continued beyond it by the largest
move (``reach_px``), repeating their outermost row or column (design.md "Generation" 5; issue 14:
"neighbouring layers overlap under the moving edge"). Outside the canvas nothing is drawn at rest,
so the rest composite is unchanged.
"""

from __future__ import annotations

import numpy as np

from inference.types import CutLayer

MOVE_REACH_FW = 0.25
"""How far (face widths) a lower layer reaches under its upper neighbours' edges and past the canvas:
the largest relative move of a standard pose (back hair tips on AngleZ 30 + BodyAngleX 10, ~0.2 FW)."""


def extend_past_canvas(
    image: np.ndarray,
    origin_px: tuple[float, float],
    canvas_shape: tuple[int, int],
    reach_px: int,
) -> tuple[np.ndarray, tuple[float, float]]:
    """Continue a layer image beyond every canvas border its opaque art touches.

    Parameters
    ----------
    image : (h, w, 4) uint8
        Straight-alpha RGBA layer image placed at ``origin_px`` (x, y canvas px, integers).
    canvas_shape : (H, W)
    reach_px : int
        How far to continue past the border (px); 0 leaves the image as it is.

    Returns
    -------
    image : (h', w', 4) uint8
        The image with the border row/column repeated outward on each touched side.
    origin_px : (x, y)
        The new top-left (negative where it continues past the left or top border).
    """
    if reach_px < 1 or image.size == 0:
        return image, origin_px
    h, w = image.shape[:2]
    x0, y0 = int(round(origin_px[0])), int(round(origin_px[1]))
    canvas_h, canvas_w = canvas_shape
    opaque = image[..., 3] >= 128
    pads = {"top": 0, "bottom": 0, "left": 0, "right": 0}
    # a side is cut off when the layer reaches that border and has opaque art in its outermost line
    if y0 <= 0 and opaque[0].sum() >= 2:
        pads["top"] = reach_px
    if y0 + h >= canvas_h and opaque[-1].sum() >= 2:
        pads["bottom"] = reach_px
    if x0 <= 0 and opaque[:, 0].sum() >= 2:
        pads["left"] = reach_px
    if x0 + w >= canvas_w and opaque[:, -1].sum() >= 2:
        pads["right"] = reach_px
    if not any(pads.values()):
        return image, origin_px
    out = np.pad(
        image,
        ((pads["top"], pads["bottom"]), (pads["left"], pads["right"]), (0, 0)),
        mode="edge",
    )
    return out, (float(x0 - pads["left"]), float(y0 - pads["top"]))


def reach_past_canvas(layers: list[CutLayer], canvas_shape: tuple[int, int], reach_px: int) -> list[CutLayer]:
    """:func:`extend_past_canvas` on every cut layer (synthesised ones, ``label`` None, untouched).

    Run after stage 5 and before meshing; ``visible_mask`` is padded with False, so it keeps the
    image's shape. The layers stage itself keeps its images inside the canvas (re-cuts compare them
    with the input).
    """
    out = []
    for la in layers:
        if la.label is None:
            out.append(la)
            continue
        image, origin = extend_past_canvas(la.image, la.origin_px, canvas_shape, reach_px)
        if image is la.image:
            out.append(la)
            continue
        vis = np.zeros(image.shape[:2], bool)
        dx, dy = int(la.origin_px[0] - origin[0]), int(la.origin_px[1] - origin[1])
        h, w = la.visible_mask.shape
        vis[dy : dy + h, dx : dx + w] = la.visible_mask
        out.append(CutLayer(la.name, la.label, image, origin, vis))
    return out

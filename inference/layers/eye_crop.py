"""Eye shapes measured on a crop of the canvas around the eye layers (memory bounded by the eyes)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np

from inference.types import CutLayer, FaceLandmarks


def shapes_on_eye_crop(face: FaceLandmarks, layers: list[CutLayer], canvas_size: tuple[int, int],
                       eye_shapes: Callable[[FaceLandmarks, dict[str, np.ndarray]], dict[str, Any]]) -> dict[str, Any]:
    """``eye_shapes(face, masks)`` (:func:`inference.layers.eyes.eye_shapes`) from cut layers.

    Their crop-local ``visible_mask`` is placed on the part of the canvas (W, H = ``canvas_size``)
    the eye layers cover, not on the whole canvas, so memory follows the eyes, not the input (eight
    canvas-sized masks were 0.5 GB at 8192 px); the eye landmarks are moved into that crop, and the
    resulting shapes (corners x, quadratic fits of y over the corner-normalised u) back to canvas px.
    """
    eyes = [la for la in layers if la.name.startswith(("EyeWhite", "Iris", "LashUpper", "LashLower"))]
    if not eyes:
        return eye_shapes(face, {})
    at = [(int(la.origin_px[0]), int(la.origin_px[1])) for la in eyes]
    x0, y0 = max(0, min(x for x, _ in at)), max(0, min(y for _, y in at))
    x1 = max(x0 + 1, min(canvas_size[0], max(x + la.visible_mask.shape[1] for (x, _), la in zip(at, eyes))))
    y1 = max(y0 + 1, min(canvas_size[1], max(y + la.visible_mask.shape[0] for (_, y), la in zip(at, eyes))))
    masks = {}
    for la, (x, y) in zip(eyes, at):
        m = masks[la.name] = np.zeros((y1 - y0, x1 - x0), bool)
        vm = la.visible_mask[max(0, y0 - y) : y1 - y, max(0, x0 - x) : x1 - x]
        m[max(0, y - y0) : max(0, y - y0) + vm.shape[0], max(0, x - x0) : max(0, x - x0) + vm.shape[1]] = vm
    d = np.array([x0, y0], np.float64)
    moved = {side: dataclasses.replace(
        e, center=tuple(e.center - d), box=(e.box[0] - x0, e.box[1] - y0, *e.box[2:]),
        iris_center=tuple(e.iris_center - d), upper_lid=e.upper_lid - d, lower_lid=e.lower_lid - d)
        for side, e in (("eye_l", face.eye_l), ("eye_r", face.eye_r))}  # fmt: skip
    return {side: dataclasses.replace(es, x0=es.x0 + x0, x1=es.x1 + x0, top=(*es.top[:2], es.top[2] + y0),
                                      bottom=(*es.bottom[:2], es.bottom[2] + y0))
            for side, es in eye_shapes(dataclasses.replace(face, **moved), masks).items()}  # fmt: skip

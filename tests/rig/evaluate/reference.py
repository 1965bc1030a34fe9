"""A slow, object-by-object evaluator written straight from the documented rules (test oracle).

It shares only the single-object maths (keyform interpolation, one warp, one rotation) with
``rig.evaluate``; ordering, flattening, batching, opacity and draw order are re-derived here.
"""

from __future__ import annotations

import numpy as np

from rig.evaluate.keyforms import interpolate_keyforms
from rig.evaluate.rotation import evaluate_rotation
from rig.evaluate.warp import evaluate_warp
from rig.model import Rig, WarpDeformer


def reference_evaluate(rig: Rig, values: dict[str, float]) -> dict[str, tuple[np.ndarray, float, float]]:
    """{mesh id: (canvas vertices, opacity, draw order)} for every art mesh (hidden ones included)."""
    params = {p.id: p for p in rig.parameters}
    kf = {
        o.id: interpolate_keyforms(o.keyforms, values, params)
        for o in [*rig.parts, *rig.deformers, *rig.art_meshes]
    }
    deformers = {d.id: d for d in rig.deformers}
    flat: dict[str, tuple] = {}

    def to_canvas(did: str, pts: np.ndarray) -> np.ndarray:
        d = deformers[did]
        if isinstance(d, WarpDeformer):
            return evaluate_warp(flat[did][0], d.rows, d.cols, pts).astype(np.float64)
        origin, angle, scale, rx, ry, _ = flat[did]
        return evaluate_rotation(pts, origin, angle, scale, rx, ry).astype(np.float64)

    def flatten(did: str) -> None:
        if did in flat:
            return
        d, k = deformers[did], kf[did]
        parent = d.parent_deformer_id
        if parent is not None:
            flatten(parent)
        if isinstance(d, WarpDeformer):
            grid = k["positions"] if parent is None else to_canvas(parent, k["positions"])
            flat[did] = (grid, 1.0 if parent is None else flat[parent][-1])
            return
        origin, angle, scale = k["origin"], float(k["angle_deg"]) + d.base_angle_deg, float(k["scale"])
        if parent is not None:
            delta = -0.1 if isinstance(deformers[parent], WarpDeformer) else -10.0
            o_t, p_t = to_canvas(parent, np.array([origin, origin + [0, delta]]))
            step = p_t - o_t
            turn = np.arctan2(step[1], step[0]) - np.arctan2(delta, 0.0)
            angle += np.rad2deg((turn + np.pi) % (2 * np.pi) - np.pi)
            origin, scale = o_t, scale * flat[parent][-1]
        flat[did] = (origin, angle, scale, bool(k["reflect_x"] > 0.5), bool(k["reflect_y"] > 0.5), scale)

    parts = {p.id: p for p in rig.parts}
    out = {}
    for m in rig.art_meshes:
        k = kf[m.id]
        pts, opacity = k["positions"], float(k["opacity"])
        if m.parent_deformer_id is not None:
            flatten(m.parent_deformer_id)
            pts = to_canvas(m.parent_deformer_id, pts)
        did = m.parent_deformer_id
        while did is not None:
            opacity *= float(kf[did]["opacity"])
            did = deformers[did].parent_deformer_id
        pid = m.part_id
        while pid is not None:
            opacity *= float(kf[pid]["opacity"])
            pid = parts[pid].parent_part_id
        out[m.id] = (pts, min(max(opacity, 0.0), 1.0), float(k["draw_order"]))
    return out

"""The plan's arrays packed into the flat tuple that the compiled kernel (:mod:`rig.evaluate.kernel`) takes.

Kept apart from the kernel so that module holds only the compiled code and its start-up.
"""

from __future__ import annotations

import numpy as np


def pack(plan) -> tuple:
    """The plan's arrays in the form :func:`rig.evaluate.kernel.run` takes (references, not copies, where the layout allows).

    ``plan`` is an :class:`rig.evaluate.plan.EvaluationPlan` whose ``packed`` field is not yet set.
    """
    t = plan.keyforms
    po = []  # (object, first blended point, points, first keyform point, corners) of each keyed point field
    for g in t.groups:
        objs = dict.fromkeys((g.weight_index[0] // t.corners).tolist())
        po += [(o, t.point_offset[o], t.point_count[o * t.corners], t.keyform_base[o], g.corners) for o in objs]
    po_arr = np.asarray(po, np.int64).reshape(-1, 5).T.copy()
    i64 = np.zeros(0, np.int64)
    cat = lambda parts: np.concatenate(parts).astype(np.int64) if parts else i64  # noqa: E731
    lv_rows, w_idx, w_base, w_rows, w_cols, rot_w, r_idx, r_par, rot_r = [[0] * 6], [], [], [], [], [], [], [], []
    for s in plan.levels:
        w_idx.append(s.warp_idx)
        w_base.append(s.warp_targets.base)
        w_rows.append(s.warp_targets.rows)
        w_cols.append(s.warp_targets.cols)
        rot_w.append(s.rot_w)
        r_idx.append(s.rot_idx)
        r_par.append(s.rot_parent)
        rot_r.append(s.rot_r)
        prev = lv_rows[-1]
        lv_rows.append([prev[0] + len(s.warp_idx), prev[1] + len(s.warp_targets.base), prev[2] + len(s.rot_w),
                        prev[3] + len(s.rot_idx), prev[4] + len(s.rot_parent), prev[5] + len(s.rot_r)])
    mt = plan.mesh_warp_targets
    return (
        t.bind_param, t.keys_padded, t.inv_width, t.max_segment, t.term_binding, t.term_c0, t.term_c1, t.term_bit,
        t.term_cap, t.term_stride, t.scalar_base, t.point_count, t.scalars,
        t.point_keyforms.view(np.float32).reshape(-1, 2), t.constant_points.view(np.float32).reshape(-1, 2),
        *po_arr, t.n_points, t.n_objects, t.corners,
        plan.rot_kobj, plan.rot_base_angle, plan.rot_scale_ancestors, np.asarray(lv_rows, np.int64),
        cat(w_idx), cat(w_base), cat(w_rows), cat(w_cols), cat(rot_w), cat(r_idx), cat(r_par), cat(rot_r),
        plan.mesh_warp_idx, mt.base, mt.rows, mt.cols, plan.mesh_rot_idx, plan.mesh_rot_parent,
        plan.mesh_opacity_chain,
    )  # fmt: skip

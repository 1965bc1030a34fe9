"""Static structure of the part and deformer trees for the evaluation plan.

Deformers are ordered parent-first (by depth, then rig order). Flattening happens level by level
(:mod:`rig.evaluate.rotation` explains the Core's rule): at depth ``d`` every child of a depth
``d - 1`` deformer is mapped through its already-flattened parent, in at most two batches (warp
parents, rotation parents). This module builds the index arrays for those batches, for the final
art-mesh batch, and the opacity and scale chains.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rig.errors import ValidationError
from rig.evaluate.rotation import PROBE_DELTA_UNDER_ROTATION, PROBE_DELTA_UNDER_WARP
from rig.evaluate.warp import WarpTargets
from rig.model import ArtMesh, Rig, WarpDeformer


@dataclass(frozen=True, slots=True, eq=False)
class LevelStep:
    """Flattening of the deformers at one depth of the deformer tree (parents already flattened).

    ``warp_idx`` / ``rot_idx``: point indices of child warp lattices whose parent is a warp / a rotation.
    ``rot_w`` / ``rot_r``: rotation numbers of child rotations whose parent is a warp / a rotation.
    ``warp_targets`` covers ``warp_idx`` then the origins, then the probes of ``rot_w``; ``rot_parent``
    gives the parent rotation number of ``rot_idx`` then of the origins and the probes of ``rot_r``.
    ``warp_delta`` / ``rot_delta``: probe steps (see :mod:`rig.evaluate.rotation`).
    """

    warp_idx: np.ndarray
    warp_targets: WarpTargets
    rot_w: np.ndarray
    rot_idx: np.ndarray
    rot_parent: np.ndarray
    rot_r: np.ndarray
    rotated: np.ndarray  # rot_w then rot_r
    delta: np.ndarray  # probe step of each of ``rotated``


@dataclass(frozen=True, slots=True, eq=False)
class DeformerTree:
    """Deformers parent-first with the numbers the plan uses for them."""

    ordered: list
    depth: dict[str, int]
    index: dict[str, int]  # deformer id -> position in ``ordered``
    rotation_number: dict[str, int]  # rotation id -> row in the per-rotation arrays
    visible: dict[str, bool]  # effective visibility (own flag, part chain, parent deformer)


def order_deformers(rig: Rig, part_visible: dict[str, bool]) -> DeformerTree:
    """Sort deformers parent-first; raise :class:`ValidationError` on cycles or dangling parents."""
    by_id = {d.id: d for d in rig.deformers}
    depth: dict[str, int] = {}
    for d in rig.deformers:
        chain, node = [], d
        while node is not None and node.id not in depth:
            if any(node is c for c in chain):
                raise ValidationError(f"deformer tree has a cycle through {node.id!r}")
            chain.append(node)
            pid = node.parent_deformer_id
            if pid is not None and pid not in by_id:
                raise ValidationError(f"{node.id!r}: parent deformer {pid!r} does not exist")
            node = by_id[pid] if pid is not None else None
        base = -1 if node is None else depth[node.id]
        for k, n in enumerate(reversed(chain)):
            depth[n.id] = base + 1 + k
    order = sorted(range(len(rig.deformers)), key=lambda i: (depth[rig.deformers[i].id], i))
    ordered = [rig.deformers[i] for i in order]
    visible: dict[str, bool] = {}
    for d in ordered:
        if d.part_id not in part_visible:
            raise ValidationError(f"{d.id!r}: part {d.part_id!r} does not exist")
        parent_ok = d.parent_deformer_id is None or visible[d.parent_deformer_id]
        visible[d.id] = bool(d.visible and part_visible[d.part_id] and parent_ok)
    rot_ids = [d.id for d in ordered if not isinstance(d, WarpDeformer)]
    return DeformerTree(
        ordered,
        depth,
        {d.id: i for i, d in enumerate(ordered)},
        {r: i for i, r in enumerate(rot_ids)},
        visible,
    )


def part_chains(rig: Rig) -> tuple[dict[str, list[str]], dict[str, bool]]:
    """Each part's ancestor chain (itself first) and whether the whole chain is visible."""
    by_id = {p.id: p for p in rig.parts}
    chains, visible = {}, {}
    for p in rig.parts:
        chain, node = [], p
        while node is not None:
            if node.id in chain:
                raise ValidationError(f"part tree has a cycle through {node.id!r}")
            chain.append(node.id)
            pid = node.parent_part_id
            if pid is not None and pid not in by_id:
                raise ValidationError(f"part {node.id!r}: parent part {pid!r} does not exist")
            node = by_id[pid] if pid is not None else None
        chains[p.id] = chain
        visible[p.id] = all(by_id[c].visible for c in chain)
    return chains, visible


def _targets_for(parents: list[WarpDeformer], offsets: list[int]) -> WarpTargets:
    return WarpTargets.build(
        np.asarray(offsets, np.int64),
        np.asarray([p.rows for p in parents], np.int64),
        np.asarray([p.cols for p in parents], np.int64),
    )


def build_levels(tree: DeformerTree, lattice_offset: dict[str, int]) -> tuple[LevelStep, ...]:
    """One :class:`LevelStep` per depth >= 1 (``lattice_offset``: warp id -> first point index)."""
    by_id = {d.id: d for d in tree.ordered}
    max_depth = max(tree.depth.values(), default=0)
    steps = []
    for level in range(1, max_depth + 1):
        w_idx, w_par, w_off, rot_w, rw_par = [], [], [], [], []
        r_idx, r_par, rot_r, rr_par = [], [], [], []
        for d in tree.ordered:
            if tree.depth[d.id] != level:
                continue
            parent = by_id[d.parent_deformer_id]
            if isinstance(d, WarpDeformer):
                idx = list(range(lattice_offset[d.id], lattice_offset[d.id] + d.point_count))
                if isinstance(parent, WarpDeformer):
                    w_idx += idx
                    w_par += [parent] * len(idx)
                    w_off += [lattice_offset[parent.id]] * len(idx)
                else:
                    r_idx += idx
                    r_par += [tree.rotation_number[parent.id]] * len(idx)
            elif isinstance(parent, WarpDeformer):
                rot_w.append(tree.rotation_number[d.id])
                rw_par.append(parent)
            else:
                rot_r.append(tree.rotation_number[d.id])
                rr_par.append(tree.rotation_number[parent.id])
        parents = w_par + rw_par + rw_par
        offsets = w_off + [lattice_offset[p.id] for p in rw_par] * 2
        steps.append(
            LevelStep(
                warp_idx=np.asarray(w_idx, np.int64),
                warp_targets=_targets_for(parents, offsets),
                rot_w=np.asarray(rot_w, np.int64),
                rot_idx=np.asarray(r_idx, np.int64),
                rot_parent=np.asarray(r_par + rr_par + rr_par, np.int64),
                rot_r=np.asarray(rot_r, np.int64),
                rotated=np.asarray(rot_w + rot_r, np.int64),
                delta=np.asarray(
                    [PROBE_DELTA_UNDER_WARP] * len(rot_w) + [PROBE_DELTA_UNDER_ROTATION] * len(rot_r)
                ),
            )
        )
    return tuple(steps)


def mesh_targets(
    meshes: list[ArtMesh], tree: DeformerTree, mesh_offset: list[int], lattice_offset: dict[str, int]
) -> tuple[np.ndarray, WarpTargets, np.ndarray, np.ndarray]:
    """Point indices and parents of mesh vertices under warps, then under rotations."""
    by_id = {d.id: d for d in tree.ordered}
    w_idx, w_par, w_off, r_idx, r_par = [], [], [], [], []
    for m, off in zip(meshes, mesh_offset):
        if m.parent_deformer_id is None:
            continue
        parent = by_id.get(m.parent_deformer_id)
        if parent is None:
            raise ValidationError(f"{m.id!r}: parent deformer {m.parent_deformer_id!r} does not exist")
        idx = list(range(off, off + m.vertex_count))
        if isinstance(parent, WarpDeformer):
            w_idx += idx
            w_par += [parent] * len(idx)
            w_off += [lattice_offset[parent.id]] * len(idx)
        else:
            r_idx += idx
            r_par += [tree.rotation_number[parent.id]] * len(idx)
    return (
        np.asarray(w_idx, np.int64),
        _targets_for(w_par, w_off),
        np.asarray(r_idx, np.int64),
        np.asarray(r_par, np.int64),
    )


def rotation_scale_ancestors(tree: DeformerTree) -> np.ndarray:
    """(R, D) rotation numbers of each rotation's rotation ancestors, padded with R (scale 1)."""
    by_id = {d.id: d for d in tree.ordered}
    rows = []
    for rid in tree.rotation_number:
        anc, node = [], by_id[rid].parent_deformer_id
        while node is not None:
            if node in tree.rotation_number:
                anc.append(tree.rotation_number[node])
            node = by_id[node].parent_deformer_id
        rows.append(anc)
    width = max([1, *(len(r) for r in rows)])
    pad = len(rows)
    return np.asarray([r + [pad] * (width - len(r)) for r in rows], np.int64).reshape(len(rows), width)


def mesh_opacity_chains(
    rig: Rig,
    tree: DeformerTree,
    chains: dict[str, list[str]],
    deformer_kobj: dict[str, int],
    part_kobj: dict[str, int],
    mesh_kobj_start: int,
    pad: int,
) -> np.ndarray:
    """(Nm, L) keyed-object indices whose opacities multiply into each mesh's, padded with ``pad``.

    A mesh's opacity = its keyform opacity x every ancestor deformer's x its part's x every ancestor
    part's (the deformers' own parts do not enter).
    """
    by_id = {d.id: d for d in tree.ordered}
    rows = []
    for i, m in enumerate(rig.art_meshes):
        if m.part_id not in chains:
            raise ValidationError(f"{m.id!r}: part {m.part_id!r} does not exist")
        row, node = [mesh_kobj_start + i], m.parent_deformer_id
        while node is not None:
            row.append(deformer_kobj[node])
            node = by_id[node].parent_deformer_id
        row += [part_kobj[p] for p in chains[m.part_id]]
        rows.append(row)
    width = max([1, *(len(r) for r in rows)])
    return np.asarray([r + [pad] * (width - len(r)) for r in rows], np.int64).reshape(len(rows), width)

"""Vertex selection of mesh edit mode and its hit tests (pure numpy, no Qt).

A selection holds, per art mesh id, the selected vertex indices. Hit tests work on the rest-pose
:class:`~rig.evaluate.types.DrawItem` vertices in canvas px (origin top-left, +y down).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from rig.evaluate.types import DrawItem


class VertexSelection:
    """Selected vertices: ``{mesh_id: sorted unique (n,) intp ndarray}`` (meshes with none are absent)."""

    def __init__(self) -> None:
        self._by_mesh: dict[str, np.ndarray] = {}

    # ---------------------------------------------------------------- reading
    def __len__(self) -> int:
        return sum(len(v) for v in self._by_mesh.values())

    def __contains__(self, key: object) -> bool:
        mesh_id, index = key  # type: ignore[misc]
        sel = self._by_mesh.get(mesh_id)
        return sel is not None and bool(np.isin(index, sel))

    def indices(self, mesh_id: str) -> np.ndarray:
        return self._by_mesh.get(mesh_id, np.zeros(0, np.intp))

    def mesh_ids(self) -> tuple[str, ...]:
        return tuple(self._by_mesh)

    def as_dict(self) -> dict[str, np.ndarray]:
        return {k: v.copy() for k, v in self._by_mesh.items()}

    # ---------------------------------------------------------------- writing
    def clear(self) -> None:
        self._by_mesh = {}

    def set(self, picks: Mapping[str, Iterable[int]], mode: str = "replace") -> None:
        """Combine ``picks`` with the selection: ``"replace"``, ``"add"``, ``"toggle"`` or ``"remove"``."""
        if mode == "replace":
            self._by_mesh = {}
        for mesh_id, idx in picks.items():
            new = np.unique(np.asarray(list(idx) if not isinstance(idx, np.ndarray) else idx, np.intp))
            old = self.indices(mesh_id)
            if mode in ("replace", "add"):
                merged = np.union1d(old, new)
            elif mode == "toggle":
                merged = np.setxor1d(old, new)
            elif mode == "remove":
                merged = np.setdiff1d(old, new)
            else:
                raise ValueError(f"unknown selection mode {mode!r}")
            self._store(mesh_id, merged)

    def restore(self, state: Mapping[str, np.ndarray]) -> None:
        self._by_mesh = {k: np.asarray(v, np.intp).copy() for k, v in state.items() if len(v)}

    def prune(self, vertex_counts: Mapping[str, int]) -> bool:
        """Drop meshes not in ``vertex_counts`` and indices beyond their counts; True if anything changed."""
        before = self.as_dict()
        out = {}
        for mesh_id, idx in self._by_mesh.items():
            n = vertex_counts.get(mesh_id)
            if n is not None and len(idx[idx < n]):
                out[mesh_id] = idx[idx < n]
        self._by_mesh = out
        return before.keys() != out.keys() or any(len(before[k]) != len(out[k]) for k in out)

    def _store(self, mesh_id: str, idx: np.ndarray) -> None:
        if len(idx):
            self._by_mesh[mesh_id] = idx.astype(np.intp)
        else:
            self._by_mesh.pop(mesh_id, None)


def nearest_vertex(items: Iterable[DrawItem], point_px, radius_px: float) -> tuple[str, int] | None:
    """The vertex nearest to ``point_px`` within ``radius_px`` (canvas px), topmost mesh first on ties."""
    best: tuple[float, str, int] | None = None
    p = np.asarray(point_px, np.float64)
    for item in reversed(tuple(items)):  # last drawn = topmost
        if not len(item.vertices_px):
            continue
        d = np.linalg.norm(np.asarray(item.vertices_px, np.float64) - p, axis=1)
        i = int(np.argmin(d))
        if d[i] <= radius_px and (best is None or d[i] < best[0] - 1e-9):
            best = (float(d[i]), item.art_mesh_id, i)
    return None if best is None else (best[1], best[2])


def vertices_in_box(items: Iterable[DrawItem], a_px, b_px) -> dict[str, np.ndarray]:
    """Vertices inside the axis-aligned box with corners ``a_px``, ``b_px`` (canvas px)."""
    lo, hi = np.minimum(a_px, b_px), np.maximum(a_px, b_px)
    out = {}
    for item in items:
        v = np.asarray(item.vertices_px, np.float64)
        hit = np.flatnonzero(((v >= lo) & (v <= hi)).all(axis=1))
        if len(hit):
            out[item.art_mesh_id] = hit
    return out


def points_in_polygon(points: np.ndarray, polygon: np.ndarray) -> np.ndarray:
    """(P,) bool: even-odd rule point-in-polygon for a closed (K, 2) polygon (K >= 3)."""
    pts = np.asarray(points, np.float64).reshape(-1, 2)
    poly = np.asarray(polygon, np.float64).reshape(-1, 2)
    inside = np.zeros(len(pts), bool)
    if len(poly) < 3:
        return inside
    x, y = pts[:, 0:1], pts[:, 1:2]
    x0, y0 = poly[:, 0][None], poly[:, 1][None]
    x1, y1 = np.roll(poly[:, 0], -1)[None], np.roll(poly[:, 1], -1)[None]
    crosses = (y0 > y) != (y1 > y)
    with np.errstate(divide="ignore", invalid="ignore"):
        x_at = x0 + (y - y0) * (x1 - x0) / (y1 - y0)
    return (np.sum(crosses & (x < x_at), axis=1) % 2) == 1


def vertices_in_lasso(items: Iterable[DrawItem], polygon_px: np.ndarray) -> dict[str, np.ndarray]:
    """Vertices inside a lasso polygon (canvas px)."""
    out = {}
    for item in items:
        hit = np.flatnonzero(points_in_polygon(item.vertices_px, polygon_px))
        if len(hit):
            out[item.art_mesh_id] = hit
    return out


def unique_edges(triangles: np.ndarray) -> np.ndarray:
    """(E, 2) intp: every triangle edge once (smaller index first)."""
    t = np.asarray(triangles, np.intp).reshape(-1, 3)
    if not len(t):
        return np.zeros((0, 2), np.intp)
    e = np.sort(np.concatenate([t[:, [0, 1]], t[:, [1, 2]], t[:, [2, 0]]]), axis=1)
    return np.unique(e, axis=0)

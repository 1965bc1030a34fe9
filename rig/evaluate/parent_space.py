"""Map points between an object's parent-deformer space and the canvas, both ways (Qt-free).

Keyform values of an ArtMesh (``positions``), of a WarpDeformer (lattice ``positions``) and of a
RotationDeformer (``origin``) live in the **parent deformer's space**; the viewport shows canvas px.
A tool that drags such points needs the inverse of the parent's map at the current pose.

The evaluator flattens every deformer into canvas space and maps each object **by its direct
parent only** (``rig/evaluate/evaluate.py``, steps 3 and 7; the Cubism Core's flattening), so the
parent's canvas form, read from the evaluated gizmos, *is* the whole chain:

* no parent: the identity (the object lives on the canvas);
* warp parent: ``evaluate_warp(canvas_lattice, rows, cols, p)`` with the gizmo's canvas lattice;
  inverted with Newton's method on a finite-difference Jacobian (bilinear per cell, so a few steps);
* rotation parent: ``origin + s R(a) F p`` with the gizmo's canvas origin and angle, the scale from
  the gizmo's handle length (``GIZMO_HANDLE_PX`` local units) and the reflection flags of the
  deformer's keyforms at the current values; inverted exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from rig.errors import ValidationError
from rig.evaluate.evaluate import GIZMO_HANDLE_PX
from rig.evaluate.keyforms import interpolate_keyforms
from rig.evaluate.types import EvaluatedRig
from rig.evaluate.warp import evaluate_warp
from rig.model import Rig, WarpDeformer

NEWTON_STEPS = 12
FD_STEP = 1e-4  # finite-difference step in the warp's normalised units


@dataclass(frozen=True, slots=True, eq=False)
class ParentMap:
    """The canvas form of one parent deformer (or the identity) at one pose.

    Attributes
    ----------
    kind : {"canvas", "warp", "rotation"}
    lattice_px : (rows + 1, cols + 1, 2) float32 ndarray or None
        Warp parent: its lattice in canvas px.
    rows, cols : int
    origin_px : (2,) float64 ndarray or None
        Rotation parent: canvas origin.
    matrix : (2, 2) float64 ndarray or None
        Rotation parent: ``s R(a) F`` (column vectors: canvas = origin + matrix @ p).
    """

    kind: str
    lattice_px: np.ndarray | None = None
    rows: int = 0
    cols: int = 0
    origin_px: np.ndarray | None = None
    matrix: np.ndarray | None = None

    # ----------------------------------------------------------------- construction
    @staticmethod
    def identity() -> ParentMap:
        return ParentMap("canvas")

    @staticmethod
    def of_deformer(rig: Rig, evaluated: EvaluatedRig, deformer_id: str | None,
                    values: Mapping[str, float]) -> ParentMap:
        """The canvas map of the space *inside* ``deformer_id`` (None: the canvas itself).

        Raises
        ------
        ValidationError
            No gizmo for the deformer in ``evaluated`` (evaluated from another rig).
        """
        if deformer_id is None:
            return ParentMap.identity()
        gizmo = next((g for g in evaluated.gizmos if g.deformer_id == deformer_id), None)
        if gizmo is None:
            raise ValidationError(f"no evaluated gizmo for deformer {deformer_id!r}; evaluate the rig again")
        deformer = rig.deformer(deformer_id)
        if isinstance(deformer, WarpDeformer):
            lattice = np.asarray(gizmo.points_px, np.float32).reshape(deformer.rows + 1, deformer.cols + 1, 2)
            return ParentMap("warp", lattice_px=lattice, rows=deformer.rows, cols=deformer.cols)
        origin, tip = np.asarray(gizmo.points_px, np.float64)
        scale = float(np.hypot(*(tip - origin))) / GIZMO_HANDLE_PX
        a = np.deg2rad(gizmo.angle_deg)
        rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
        blended = interpolate_keyforms(deformer.keyforms, values, {p.id: p for p in rig.parameters})
        flip = np.diag([-1.0 if blended["reflect_x"] > 0.5 else 1.0, -1.0 if blended["reflect_y"] > 0.5 else 1.0])
        return ParentMap("rotation", origin_px=origin, matrix=scale * rot @ flip)

    @staticmethod
    def of_object(rig: Rig, evaluated: EvaluatedRig, object_id: str, values: Mapping[str, float]) -> ParentMap:
        """The map of the space ``object_id``'s keyform positions live in (its parent deformer's)."""
        return ParentMap.of_deformer(rig, evaluated, rig.find(object_id).parent_deformer_id, values)

    # ----------------------------------------------------------------- mapping
    def to_canvas(self, points: np.ndarray) -> np.ndarray:
        """(N, 2) parent-space points -> (N, 2) float64 canvas px."""
        p = np.asarray(points, np.float64).reshape(-1, 2)
        if self.kind == "canvas":
            return p.copy()
        if self.kind == "rotation":
            return self.origin_px + p @ self.matrix.T
        return evaluate_warp(self.lattice_px, self.rows, self.cols, p.astype(np.float32)).astype(np.float64)

    def jacobian(self, points: np.ndarray) -> np.ndarray:
        """(N, 2, 2) float64 d(canvas)/d(parent) at ``points`` (central differences for warps)."""
        p = np.asarray(points, np.float64).reshape(-1, 2)
        if self.kind == "canvas":
            return np.broadcast_to(np.eye(2), (len(p), 2, 2)).copy()
        if self.kind == "rotation":
            return np.broadcast_to(self.matrix, (len(p), 2, 2)).copy()
        h = FD_STEP
        cols = []
        for axis in range(2):
            step = np.zeros(2)
            step[axis] = h
            cols.append((self.to_canvas(p + step) - self.to_canvas(p - step)) / (2 * h))
        return np.stack(cols, axis=-1)

    def to_parent(self, canvas_px: np.ndarray, guess: np.ndarray | None = None) -> np.ndarray:
        """(N, 2) canvas px -> (N, 2) float64 parent-space points (inverse of :meth:`to_canvas`).

        Parameters
        ----------
        canvas_px : (N, 2) array_like
        guess : (N, 2) array_like, optional
            Starting points for Newton's method (warp parents): e.g. the points before a drag.
            Default: the centre of the warp, (0.5, 0.5).
        """
        c = np.asarray(canvas_px, np.float64).reshape(-1, 2)
        if self.kind == "canvas":
            return c.copy()
        if self.kind == "rotation":
            return (c - self.origin_px) @ np.linalg.inv(self.matrix).T
        p = np.full_like(c, 0.5) if guess is None else np.asarray(guess, np.float64).reshape(-1, 2).copy()
        for _ in range(NEWTON_STEPS):
            residual = c - self.to_canvas(p)
            if np.abs(residual).max(initial=0.0) < 1e-4:
                break
            jac = self.jacobian(p)
            singular = np.abs(np.linalg.det(jac)) < 1e-12
            jac[singular] = np.eye(2)
            p = p + np.linalg.solve(jac, residual[..., None])[..., 0]
        return p

    def moved(self, parent_points: np.ndarray, delta_px: np.ndarray) -> np.ndarray:
        """Parent-space points whose canvas images move by ``delta_px`` ((2,) or (N, 2) canvas px)."""
        p = np.asarray(parent_points, np.float64).reshape(-1, 2)
        return self.to_parent(self.to_canvas(p) + np.asarray(delta_px, np.float64), guess=p)

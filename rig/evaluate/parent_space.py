"""Map points between an object's parent-deformer space and the canvas, both ways (Qt-free).

Keyform values of an ArtMesh (``positions``), of a WarpDeformer (lattice ``positions``) and of a
RotationDeformer (``origin``) live in the **parent deformer's space**; the viewport shows canvas px.
The drag tools (``app/viewport/tools``, through :mod:`rig.edit.keyforms`) and reparenting
(:mod:`rig.evaluate.reexpress`) both need the inverse of the parent's map at one pose; this module is
the one place that builds it.

The evaluator flattens every deformer into canvas space and maps each object **by its direct
parent only** (``rig/evaluate/evaluate.py``, steps 3 and 7; the Cubism Core's flattening), so the
parent's canvas form, read from the evaluated gizmos, *is* the whole chain:

* no parent: the identity (the object lives on the canvas);
* warp parent: ``evaluate_warp(canvas_lattice, rows, cols, p)`` with the gizmo's canvas lattice;
  inverted by :func:`rig.evaluate.warp_inverse.invert_warp` (far-field affine start or the caller's
  guess, damped Newton, restarts from every piece of the map);
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
from rig.evaluate.types import DeformerGizmo, EvaluatedRig
from rig.evaluate.warp import evaluate_warp
from rig.evaluate.warp_inverse import invert_warp
from rig.model import Rig, WarpDeformer


def gizmo_of(evaluated: EvaluatedRig, deformer_id: str) -> DeformerGizmo:
    """The evaluated gizmo of ``deformer_id``.

    Raises
    ------
    ValidationError
        No gizmo for the deformer in ``evaluated`` (evaluated from another rig, or without gizmos).
    """
    gizmo = next((g for g in evaluated.gizmos if g.deformer_id == deformer_id), None)
    if gizmo is None:
        raise ValidationError(f"no evaluated gizmo for deformer {deformer_id!r}; evaluate the rig again")
    return gizmo


def gizmo_scale(gizmo: DeformerGizmo) -> float:
    """A rotation gizmo's canvas scale: handle length (px) / ``GIZMO_HANDLE_PX`` local units."""
    origin, tip = np.asarray(gizmo.points_px, np.float64)
    return float(np.hypot(*(tip - origin))) / GIZMO_HANDLE_PX


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
    deformer_id : str or None
        The parent deformer (named in the warning of a warp inversion that does not converge).
    """

    kind: str
    lattice_px: np.ndarray | None = None
    rows: int = 0
    cols: int = 0
    origin_px: np.ndarray | None = None
    matrix: np.ndarray | None = None
    deformer_id: str | None = None

    # ----------------------------------------------------------------- construction
    @staticmethod
    def identity() -> ParentMap:
        return ParentMap("canvas")

    @staticmethod
    def of_deformer(rig: Rig, evaluated: EvaluatedRig, deformer_id: str | None,
                    values: Mapping[str, float]) -> ParentMap:
        """The canvas map of the space *inside* ``deformer_id`` (None: the canvas itself).

        Parameters
        ----------
        rig : Rig
        evaluated : EvaluatedRig
            ``evaluate(rig, values)`` with gizmos.
        deformer_id : str or None
        values : mapping of str to float
            The pose (a rotation parent's reflection flags are read from its keyforms there).

        Raises
        ------
        ValidationError
            No gizmo for the deformer in ``evaluated`` (evaluated from another rig).
        """
        if deformer_id is None:
            return ParentMap.identity()
        gizmo = gizmo_of(evaluated, deformer_id)
        deformer = rig.deformer(deformer_id)
        if isinstance(deformer, WarpDeformer):
            lattice = np.asarray(gizmo.points_px, np.float32).reshape(deformer.rows + 1, deformer.cols + 1, 2)
            return ParentMap("warp", lattice_px=lattice, rows=deformer.rows, cols=deformer.cols,
                             deformer_id=deformer_id)
        origin = np.asarray(gizmo.points_px[0], np.float64)
        a = np.deg2rad(gizmo.angle_deg)
        rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
        blended = interpolate_keyforms(deformer.keyforms, values, {p.id: p for p in rig.parameters})
        flip = np.diag([-1.0 if blended["reflect_x"] > 0.5 else 1.0, -1.0 if blended["reflect_y"] > 0.5 else 1.0])
        return ParentMap("rotation", origin_px=origin, matrix=gizmo_scale(gizmo) * rot @ flip,
                         deformer_id=deformer_id)

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

    def to_parent(self, canvas_px: np.ndarray, guess: np.ndarray | None = None, *, context: str = "") -> np.ndarray:
        """(N, 2) canvas px -> (N, 2) float64 parent-space points (inverse of :meth:`to_canvas`).

        Parameters
        ----------
        canvas_px : (N, 2) array_like
        guess : (N, 2) array_like, optional
            Warp parents: starting points (e.g. the points before a drag); default the inverse of
            the warp's four-corner affine far-field map. Points the start does not bring within
            :data:`rig.evaluate.warp_inverse.CONVERGED_PX` are restarted from every piece of the map.
        context : str
            Named (with the parent's id) in the warning logged for points that do not converge.

        Returns
        -------
        (N, 2) float64 ndarray
            Exact for the canvas and rotation parents; for a warp parent within ``CONVERGED_PX`` px
            (float32 evaluation) where a preimage exists, else the point of least residual found.
        """
        c = np.asarray(canvas_px, np.float64).reshape(-1, 2)
        if self.kind == "canvas":
            return c.copy()
        if self.kind == "rotation":
            return (c - self.origin_px) @ np.linalg.inv(self.matrix).T
        where = " in ".join(s for s in (context, self.deformer_id or "") if s)
        start = None if guess is None else np.asarray(guess, np.float64).reshape(-1, 2)
        return invert_warp(self.lattice_px.reshape(-1, 2), self.rows, self.cols, c, start, context=where)

    def moved(self, parent_points: np.ndarray, delta_px: np.ndarray) -> np.ndarray:
        """Parent-space points whose canvas images move by ``delta_px`` ((2,) or (N, 2) canvas px)."""
        p = np.asarray(parent_points, np.float64).reshape(-1, 2)
        return self.to_parent(self.to_canvas(p) + np.asarray(delta_px, np.float64), guess=p)

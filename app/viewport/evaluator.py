"""Evaluate-when-dirty with a cached evaluation plan (style.md section 4, "paintGL: if dirty").

The viewport asks :meth:`RigEvaluator.evaluated` every frame; the rig is evaluated only after the
parameter values or the document changed. The plan is a snapshot that *copies* keyform values
(``rig/evaluate/plan.py``, "Staleness"): a ``keyform`` or ``draw_order`` Change (a vertex drag, a
keyform slider) refreshes it in place of a recompile (:func:`rig.evaluate.refresh_plan` copies the
named objects' values and falls back to :func:`rig.evaluate.compile_plan` if the change turns out to
be structural); every other Change drops it; moving a parameter (the per-frame case) reuses it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from rig.document import Change
from rig.evaluate import EvaluationPlan, compile_plan, evaluate, refresh_plan
from rig.evaluate.types import EvaluatedRig
from rig.model import Rig


class RigEvaluator:
    """Caches ``compile_plan(rig)`` and the last :class:`EvaluatedRig`.

    Attributes
    ----------
    plan_compiles : int
        How many plans were compiled (tests and benchmarks read it).
    plan_refreshes : int
        How many plans were refreshed after a keyform-value change instead of recompiled.
    evaluations : int
        How many times the rig was evaluated.
    last_evaluate_s : float
        Seconds the last evaluation (plus plan compile, if any) took.
    """

    def __init__(self) -> None:
        self._rig: Rig | None = None
        self._plan: EvaluationPlan | None = None
        self._result: EvaluatedRig | None = None
        self._refresh_ids: set[str] = set()  # objects whose keyform values changed since the plan
        self.plan_compiles = 0
        self.plan_refreshes = 0
        self.evaluations = 0
        self.last_evaluate_s = 0.0

    def invalidate(self, change: Change | None = None) -> None:
        """The document changed (``change``, or anything when None): drop the result; refresh the
        plan on the next frame for keyform-value changes, else drop it."""
        self._result = None
        if change is not None and change.kind in ("keyform", "draw_order") and change.ids:
            self._refresh_ids |= change.ids
        else:
            self._plan = None
            self._refresh_ids.clear()

    def values_changed(self) -> None:
        """Parameter values moved: evaluate again on the next frame (the plan stays)."""
        self._result = None

    @property
    def dirty(self) -> bool:
        return self._result is None

    def plan(self, rig: Rig) -> EvaluationPlan:
        """The evaluation plan of ``rig`` as it is now: the cached one, refreshed after keyform-value
        changes or compiled after any other change. Plans are immutable snapshots (a refresh makes a
        new one), so another thread may evaluate the returned plan (``app.tracking.sink_worker``).

        Raises
        ------
        ValidationError
            If the rig cannot be compiled (a broken tree); the previous plan is dropped.
        """
        if rig is not self._rig:
            self._rig, self._plan, self._result = rig, None, None
            self._refresh_ids.clear()
        if self._plan is not None and self._refresh_ids:
            self._plan = refresh_plan(self._plan, rig, self._refresh_ids)
            self._refresh_ids.clear()
            self.plan_refreshes += self._plan is not None
        if self._plan is None:
            self._plan = compile_plan(rig)
            self.plan_compiles += 1
        return self._plan

    def evaluated(self, rig: Rig, values: Mapping[str, float]) -> EvaluatedRig:
        """The rig evaluated at ``values``; cached until :meth:`invalidate` / :meth:`values_changed`.

        Raises
        ------
        ValidationError
            If the rig cannot be compiled (a broken tree); the previous plan is dropped.
        """
        if rig is self._rig and self._result is not None:
            return self._result
        t0 = time.perf_counter()
        plan = self.plan(rig)
        self._result = evaluate(rig, values, plan)
        self.evaluations += 1
        self.last_evaluate_s = time.perf_counter() - t0
        return self._result

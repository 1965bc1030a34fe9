"""Evaluation of a rig at parameter values (design.md "Evaluation and physics").

``evaluate(rig, values, plan=None) -> EvaluatedRig`` is pure and deterministic; ``compile_plan(rig)``
precomputes the value-independent part once per document change (``refresh_plan`` updates it
without recompiling when only keyform values changed). Also here: keyform blending
(:mod:`.keyforms`), warps and their inverse (:mod:`.warp`, :mod:`.warp_inverse`), the one parent-space
map (:mod:`.parent_space`), re-expressing keyforms under a new parent (:mod:`.reexpress`) and physics
(:mod:`.physics`). The renderer imports only :mod:`rig.evaluate.types`; the editor's widgets import
this package's API and its types, nothing else (import-linter).

May import ``rig.model``, ``rig.errors``, numpy, scipy and (optionally, :mod:`.kernel`) numba; never ``rig.document``, ``rig.drive``,
``rig.edit`` or ``rig.formats``.
"""

from rig.evaluate.evaluate import evaluate
from rig.evaluate.plan import EvaluationPlan, compile_plan, refresh_plan, topology_signature

__all__ = ["EvaluationPlan", "compile_plan", "evaluate", "refresh_plan", "topology_signature"]

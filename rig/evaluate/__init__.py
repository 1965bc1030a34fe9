"""Evaluation of a rig at parameter values (design.md "Evaluation and physics").

``evaluate(rig, values, plan=None) -> EvaluatedRig`` is pure and deterministic; ``compile_plan(rig)``
precomputes the value-independent part once per document change. The renderer imports only
:mod:`rig.evaluate.types`.
"""

from rig.evaluate.evaluate import evaluate
from rig.evaluate.plan import EvaluationPlan, compile_plan, topology_signature

__all__ = ["EvaluationPlan", "compile_plan", "evaluate", "topology_signature"]

"""onnxruntime sessions for registered models: CUDA when present, else CPU; contract checked at load.
MediaPipe's import (:func:`import_mediapipe`), without the frames its stored import error keeps.

Tensor names are read from the model (``get_inputs()`` / ``get_outputs()``), never assumed, and bound
to the registry's roles (models.md §2.1): a model tensor whose name equals the spec's ``name`` is
preferred, otherwise tensors are matched by position. Rank, fixed dimensions and element type must then
agree with the :class:`~inference.models.registry.TensorSpec`; a symbolic (dynamic) dimension in the
model accepts any size.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from inference.models.registry import ModelSpec, TensorSpec
from rig.errors import RigError

log = logging.getLogger(__name__)

CUDA = "CUDAExecutionProvider"
CPU = "CPUExecutionProvider"

# onnxruntime's element type strings for the numpy dtypes the registry uses.
_ORT_TYPES = {
    "float32": "tensor(float)",
    "float16": "tensor(float16)",
    "uint8": "tensor(uint8)",
    "int64": "tensor(int64)",
}


class ModelContractError(RigError):
    """A model file's inputs or outputs do not match its registry contract, or it cannot be loaded."""


@dataclass(slots=True)
class ModelSession:
    """A loaded model with its tensors bound to roles.

    Attributes
    ----------
    spec : ModelSpec
    session : onnxruntime.InferenceSession
    input_names, output_names : dict[str, str]
        Role -> the tensor name read from the model.
    provider : str
        The execution provider actually used (``"CUDAExecutionProvider"`` or ``"CPUExecutionProvider"``).
    """

    spec: ModelSpec
    session: Any
    input_names: dict[str, str]
    output_names: dict[str, str]
    provider: str

    def run(self, feeds: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Run with inputs given by role; return outputs by role (arrays as onnxruntime returns them)."""
        named = {self.input_names[role]: value for role, value in feeds.items()}
        roles = list(self.output_names)
        results = self.session.run([self.output_names[r] for r in roles], named)
        return dict(zip(roles, results))


def choose_providers(available: list[str], prefer_gpu: bool = True) -> list[str]:
    """Execution providers to ask for, best first: CUDA (when available and wanted), then CPU."""
    if prefer_gpu and CUDA in available:
        return [CUDA, CPU]
    return [CPU]


def create_session(path: str | Path, spec: ModelSpec, *, prefer_gpu: bool = True) -> ModelSession:
    """Load ``path`` with onnxruntime and check it against ``spec``'s tensor contract.

    Parameters
    ----------
    path : str or Path
        The ``.onnx`` file (normally ``download.cached_model(spec)``).
    spec : ModelSpec
        Its registry entry; ``spec.runtime`` must be ``"onnxruntime"``.
    prefer_gpu : bool
        Use ``CUDAExecutionProvider`` when onnxruntime offers it; CPU otherwise.

    Raises
    ------
    ModelContractError
        The file cannot be loaded, or an input/output does not match the contract (the message names
        the model, the tensor and both shapes).
    """
    import onnxruntime as ort

    if spec.runtime != "onnxruntime":
        raise ModelContractError(f"model {spec.name!r} runs on {spec.runtime}, not onnxruntime")
    providers = choose_providers(ort.get_available_providers(), prefer_gpu)
    try:
        session = ort.InferenceSession(str(path), providers=providers)
    except Exception as exc:  # onnxruntime raises its own exception types for bad files
        raise ModelContractError(
            f"model {spec.name!r} at {path} could not be loaded by onnxruntime: {exc}. "
            f"Delete the file and download it again with 'kirie models pull {spec.name}'."
        ) from exc
    input_names = bind_tensors(spec, "input", spec.inputs, session.get_inputs())
    output_names = bind_tensors(spec, "output", spec.outputs, session.get_outputs())
    provider = session.get_providers()[0]
    log.info("model %s loaded on %s (inputs %s, outputs %s)", spec.name, provider, input_names, output_names)
    return ModelSession(spec, session, input_names, output_names, provider)


def bind_tensors(
    spec: ModelSpec, kind: str, expected: tuple[TensorSpec, ...], actual: list[Any]
) -> dict[str, str]:
    """Map each expected role to a model tensor name, checking count, rank, dims and element type.

    ``actual`` holds onnxruntime ``NodeArg``s (``.name``, ``.shape``, ``.type``). Raises
    :class:`ModelContractError` on the first mismatch.
    """
    extra_ok = kind == "output" and spec.extra_outputs_ok and len(actual) > len(expected)
    if len(actual) != len(expected) and not extra_ok:
        raise ModelContractError(
            f"model {spec.name!r} has {len(actual)} {kind}s ({[a.name for a in actual]}), "
            f"its contract expects {len(expected)} ({[e.role for e in expected]})"
        )
    by_name = {a.name: a for a in actual}
    bound: dict[str, str] = {}
    for index, want in enumerate(expected):
        arg = by_name.get(want.name) if want.name else None
        if arg is None:
            arg = actual[index]
        _check_tensor(spec, kind, want, arg)
        bound[want.role] = arg.name
    return bound


def _check_tensor(spec: ModelSpec, kind: str, want: TensorSpec, arg: Any) -> None:
    shape = tuple(arg.shape)
    fits = len(shape) == len(want.shape) and all(
        w is None or not isinstance(d, int) or d == w for d, w in zip(shape, want.shape)
    )
    if not fits:
        raise ModelContractError(
            f"model {spec.name!r}: {kind} {arg.name!r} ({want.role}) has shape {list(shape)}, "
            f"the contract expects {list(want.shape)} ({want.layout}). The file is not the registered "
            f"model; delete it and download it again with 'kirie models pull {spec.name}'."
        )
    ort_type = _ORT_TYPES.get(want.dtype)
    if ort_type is not None and arg.type != ort_type:
        raise ModelContractError(
            f"model {spec.name!r}: {kind} {arg.name!r} ({want.role}) has type {arg.type}, "
            f"the contract expects {ort_type}"
        )


def import_mediapipe():
    """``mediapipe`` with its tasks API imported, and :func:`drop_import_tracebacks` applied: every
    caller (generation's foreground and real-face landmarks, the live tracker) imports it through here,
    so the first import, wherever it happens, leaves no frames alive. Raises ImportError without it."""
    import mediapipe
    import mediapipe.tasks.python.vision  # noqa: F401 - the tasks API the callers use

    drop_import_tracebacks()
    return mediapipe


def drop_import_tracebacks() -> None:
    """Free the frames a lazily imported module keeps through a stored exception.

    mediapipe's audio module keeps the ``OSError`` of its failed ``import sounddevice`` (no
    PortAudio) as ``sd_error``; its traceback holds the frames that were live during the import
    (whatever called the first ``import mediapipe``: a generation's, with the full-resolution input,
    the working scene and the cut layers, about 0.5 GB for an 8192 px input; a tracking session's
    camera frames), and they stayed alive for the life of the process. The exception is kept, its
    traceback and chained exceptions dropped.
    """
    import sys

    mod = sys.modules.get("mediapipe.tasks.python.audio.core.audio_record")
    err = getattr(mod, "sd_error", None)
    if isinstance(err, BaseException):
        err.__traceback__ = None
        err.__context__ = err.__cause__ = None

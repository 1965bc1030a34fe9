"""Which backend runs each learnable stage: the classical (embedded) one or a learned model.

The user chooses ``backend`` (``classical`` | ``learned`` | ``auto``) and ``device`` (``auto`` | ``cpu``
| ``cuda``) once per run (``kirie generate --backend --device``, the New from Image dialog). For every
stage in :data:`LEARNED_STAGES` :func:`resolve` turns that choice into a :class:`StageBackend`:

- ``classical``: always the embedded pipeline (models.md §1).
- ``learned``: the stage's model must be in the cache and runnable on the device, else the run stops
  with :class:`LearnedBackendError`, whose message holds the ``kirie models pull NAME`` line to run.
- ``auto``: the learned model when it is cached and the device runs it in reasonable time (CUDA, or the
  CPU for models marked ``cpu_ok``), else the classical stage; a missing, unloadable or corrupt model
  never fails an ``auto`` run (:func:`run_stage` falls back and records why).

``device="cuda"`` asks for onnxruntime's ``CUDAExecutionProvider`` (package ``onnxruntime-gpu``);
``cpu`` forbids it; ``auto`` takes CUDA when onnxruntime offers it.

A stage may have alternatives (completion: LaMa, then the fast MI-GAN): the first whose models are
cached and that suits the device runs; with ``--device auto`` and no CUDA the CPU-friendly ones come
first (MI-GAN), since LaMa at 512² per hidden region is too slow on a CPU.

*Optional* stages (depth ordering, photo face parsing) have no classical counterpart to stop for: a
missing model means the stage is skipped (classical = the template's order / the heuristic label
map), in ``learned`` as in ``auto``, and the reason (with the pull line) is recorded; a corrupt model
still stops a ``learned`` run.
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from rig.errors import ModelDownloadError

log = logging.getLogger(__name__)

BACKENDS = ("classical", "learned", "auto")
DEVICES = ("auto", "cpu", "cuda")
CUDA = "CUDAExecutionProvider"
CPU = "CPUExecutionProvider"


class LearnedBackendError(ModelDownloadError):
    """``--backend learned`` cannot run a stage: model missing or corrupt, or the device is unavailable."""


@dataclass(frozen=True, slots=True)
class LearnedStage:
    """A stage that has a learned backend.

    Attributes
    ----------
    stage : str
        Pipeline stage name (``"foreground"``, ``"parts"``, ``"completion"``).
    models : tuple of str
        Registry names the backend needs (all of them).
    cpu_ok : bool
        True when the model runs in reasonable time on a 2-core CPU, so ``auto`` uses it without CUDA
        (isnetis ≈ 2 s per image; LaMa runs once per hidden region at 512², too slow on a CPU).
    anime_only : bool
        The model was trained on anime illustrations; ``auto`` skips it for real photos.
    real_only : bool
        The model parses real faces only; every backend skips it for anime faces.
    optional : bool
        A missing model skips the stage even under ``learned`` (see the module docstring).
    alternatives : tuple of LearnedStage
        Other models for the same stage, tried after this one (each with its own ``cpu_ok``).
    """

    stage: str
    models: tuple[str, ...]
    cpu_ok: bool
    anime_only: bool = False
    real_only: bool = False
    optional: bool = False
    alternatives: tuple[LearnedStage, ...] = ()

    @property
    def options(self) -> tuple[LearnedStage, ...]:
        return (self, *self.alternatives)


LEARNED_STAGES: dict[str, LearnedStage] = {
    "foreground": LearnedStage("foreground", ("anime_seg_isnetis",), cpu_ok=True),
    "parts": LearnedStage("parts", ("mobile_sam_encoder", "mobile_sam_decoder"), cpu_ok=True),
    "completion": LearnedStage(
        "completion", ("lama",), cpu_ok=False, alternatives=(LearnedStage("completion", ("migan",), cpu_ok=True),)
    ),
    "depth": LearnedStage("depth", ("depth_anything_v2_small",), cpu_ok=True, optional=True),
    "face_parsing": LearnedStage("face_parsing", ("bisenet_face_parsing",), cpu_ok=True, real_only=True,
                                 optional=True),
}


@dataclass(frozen=True, slots=True)
class BackendChoice:
    """The user's choice for a run. Raises ValueError for an unknown backend or device."""

    backend: str = "auto"
    device: str = "auto"

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ValueError(f"unknown backend {self.backend!r}; expected one of {', '.join(BACKENDS)}")
        if self.device not in DEVICES:
            raise ValueError(f"unknown device {self.device!r}; expected one of {', '.join(DEVICES)}")

    @property
    def prefer_gpu(self) -> bool:
        return self.device != "cpu"


@dataclass(slots=True)
class StageBackend:
    """What ran (or will run) one stage.

    Attributes
    ----------
    stage : str
    backend : str
        ``"classical"`` or ``"learned"``.
    models : tuple of str
        The learned models used (empty for classical).
    provider : str or None
        onnxruntime execution provider for learned stages.
    reason : str
        Why this backend, in words (shown in the log and in ``--json``).
    """

    stage: str
    backend: str
    models: tuple[str, ...] = ()
    provider: str | None = None
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["models"] = list(self.models)
        return d


def onnxruntime_available() -> bool:
    return importlib.util.find_spec("onnxruntime") is not None


def cuda_available() -> bool:
    """True when onnxruntime is importable and offers ``CUDAExecutionProvider``."""
    if not onnxruntime_available():
        return False
    import onnxruntime as ort

    return CUDA in ort.get_available_providers()


def pull_line(models: tuple[str, ...] | list[str]) -> str:
    """The commands that download ``models``: ``kirie models pull A`` (one line per model)."""
    return "; ".join(f"kirie models pull {m}" for m in models)


def resolve(stage: str, choice: BackendChoice, *, kind: str = "anime") -> StageBackend:
    """The backend that runs ``stage`` under ``choice`` (for a face of ``kind``, "anime" or "real").

    Raises
    ------
    LearnedBackendError
        ``choice.backend == "learned"`` and the stage's model is not in the cache, onnxruntime is
        missing, or ``device="cuda"`` without a CUDA provider. The message ends with the
        ``kirie models pull NAME`` line where a download is the fix.
    KeyError
        ``stage`` has no learned backend.
    """
    from inference.models.download import cached_model

    spec = LEARNED_STAGES[stage]
    if choice.backend == "classical":
        return StageBackend(stage, "classical", reason="--backend classical")
    if spec.real_only and kind != "real":
        return StageBackend(stage, "classical", reason=f"{', '.join(spec.models)} runs on photos of real people only (face: {kind})")
    strict = choice.backend == "learned"

    def fallback(reason: str, *, skippable: bool = False) -> StageBackend:
        if strict and not (skippable and spec.optional):
            raise LearnedBackendError(f"--backend learned: stage {stage!r}: {reason}")
        log.info("stage %s: classical backend (%s)", stage, reason)
        return StageBackend(stage, "classical", reason=reason)

    cached = [o for o in spec.options if all(cached_model(m) is not None for m in o.models)]
    if not cached:
        missing = [m for m in spec.models if cached_model(m) is None]
        also = "".join(f" (or {'+'.join(o.models)}: {pull_line(o.models)})" for o in spec.alternatives)
        return fallback(f"model {', '.join(missing)} not in the model cache; run: {pull_line(missing)}{also}",
                        skippable=True)
    if not onnxruntime_available():
        return fallback("onnxruntime is not installed (pip install onnxruntime, or onnxruntime-gpu for CUDA)")
    cuda = cuda_available()
    if choice.device == "cuda" and not cuda:
        return fallback("--device cuda, but onnxruntime offers no CUDAExecutionProvider (install onnxruntime-gpu)")
    provider = CUDA if cuda and choice.device != "cpu" else CPU
    if provider == CPU and choice.device == "auto":
        cached.sort(key=lambda o: not o.cpu_ok)  # stable: CPU-friendly models first, then the order given
    if not strict:
        if spec.anime_only and kind != "anime":
            return fallback(f"{', '.join(spec.models)} is trained on anime; the face is {kind}")
        if provider == CPU and choice.device == "auto":
            slow = [o for o in cached if not o.cpu_ok]
            cached = [o for o in cached if o.cpu_ok]
            if not cached:
                fast = "".join(f"; {pull_line(o.models)} runs on a CPU" for o in spec.alternatives if o.cpu_ok)
                names = ", ".join(m for o in slow for m in o.models)
                return fallback(f"no CUDA device and {names} is slow on a CPU (--device cpu forces it){fast}")
    chosen = cached[0]
    reason = "--backend learned" if strict else "model cached and runnable"
    log.info("stage %s: learned backend %s on %s", stage, ", ".join(chosen.models), provider)
    return StageBackend(stage, "learned", chosen.models, provider, reason)


def run_stage(
    chosen: StageBackend,
    choice: BackendChoice,
    learned: Callable[[], Any],
    classical: Callable[[], Any],
) -> tuple[Any, StageBackend]:
    """Run ``learned()`` when ``chosen`` is learned, else ``classical()``; return (output, what ran).

    In ``auto`` any exception of the learned call (corrupt file, contract mismatch, runtime error) is
    logged and the classical call runs instead, with the reason recorded; in ``learned`` it propagates
    as :class:`LearnedBackendError` (with the pull line to re-download the model).
    """
    from rig.errors import CancelledError

    if chosen.backend != "learned":
        return classical(), chosen
    try:
        return learned(), chosen
    except CancelledError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure of an optional model falls back in auto
        if choice.backend == "learned":
            raise LearnedBackendError(
                f"--backend learned: stage {chosen.stage!r} failed with {', '.join(chosen.models)}: {exc}. "
                f"If the file is damaged, delete it and run: {pull_line(chosen.models)}"
            ) from exc
        log.warning("stage %s: learned backend failed (%s); using the classical one", chosen.stage, exc)
        return classical(), StageBackend(chosen.stage, "classical", reason=f"learned backend failed: {exc}")

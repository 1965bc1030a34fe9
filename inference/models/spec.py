"""Model registry records: licence, tensor contract and download spec (see :mod:`inference.models.registry`)."""

from __future__ import annotations

from dataclasses import dataclass

APACHE_2_0_URL = "https://www.apache.org/licenses/LICENSE-2.0"


@dataclass(frozen=True, slots=True)
class Licence:
    """A licence as an SPDX id (``"Apache-2.0"``) and a link to its text."""

    spdx: str
    url: str


@dataclass(frozen=True, slots=True)
class TensorSpec:
    """One input or output of a model's tensor contract.

    Attributes
    ----------
    role : str
        What the tensor means to Kirie (``"image"``, ``"mask"``); code addresses tensors by role.
    shape : tuple of (int or None)
        Expected shape; None is a dimension of any size.
    dtype : str
        numpy dtype name (``"float32"``).
    layout : str
        Axis order and channel meaning, e.g. ``"NCHW RGB"``.
    value_range : str
        Human-readable value range, e.g. ``"[0, 1], RGB / 255"``.
    name : str or None
        The tensor's name in the published file, when known. The runtime reads the real names from the
        model; a tensor with this name is preferred, otherwise tensors are matched by position.
    """

    role: str
    shape: tuple[int | None, ...]
    dtype: str = "float32"
    layout: str = ""
    value_range: str = ""
    name: str | None = None


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """One downloadable model.

    Attributes
    ----------
    name : str
        Registry key and CLI name (``kirie models pull NAME``).
    purpose : str
        One line for the user.
    filename : str
        File name in the model cache (``inference.models.cache.cache_dir()``).
    url : str
        Official download URL (for Hugging Face: ``/resolve/<revision>/<file>``).
    size_bytes : int
        Exact file size.
    sha256 : str
        Lower-case hex digest the downloaded file must have.
    licence : Licence
    homepage : str
        Model card or official page, shown with the licence.
    source : str
        Where the URL comes from, in words (repo, file, revision; or the MediaPipe storage bucket).
    runtime : str
        ``"onnxruntime"`` or ``"mediapipe"`` (the latter is not checked by :mod:`runtime`).
    inputs, outputs : tuple of TensorSpec
        The tensor contract (models.md §2.3).
    hf_repo, hf_file, hf_revision : str or None
        The Hugging Face coordinates, when the model lives there.
    """

    name: str
    purpose: str
    filename: str
    url: str
    size_bytes: int
    sha256: str
    licence: Licence
    homepage: str
    source: str
    runtime: str
    inputs: tuple[TensorSpec, ...]
    outputs: tuple[TensorSpec, ...]
    hf_repo: str | None = None
    hf_file: str | None = None
    hf_revision: str | None = None


def hf_url(repo: str, filename: str, revision: str) -> str:
    """The Hugging Face Hub download URL of ``filename`` in ``repo`` at ``revision`` (commit or branch)."""
    return f"https://huggingface.co/{repo}/resolve/{revision}/{filename}"

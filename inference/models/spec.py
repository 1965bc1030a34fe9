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
        File size in bytes: exact when ``size_exact``, else the host's rounded figure (``"99.1 MB"``).
    sha256 : str or None
        Lower-case hex digest the downloaded file must have; None when no official source publishes it
        ("pin on first download": ``kirie models pull`` refuses unless asked with ``--unpinned``, then
        prints the digest to pin, see :mod:`inference.models.download`).
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
    size_exact : bool
        False when ``size_bytes`` is only the host's rounded size (no official exact figure).
    notes : str
        Shown with the licence before any download: training-data terms, non-commercial caveats.
    pin_note : str
        Why ``sha256`` is None (or where a non-official hash was reported), in words.
    extra_outputs_ok : bool
        The published graph may have more outputs than the contract (e.g. BiSeNet's two auxiliary
        heads); the contract's outputs are bound by name, else the first ones by position.
    """

    name: str
    purpose: str
    filename: str
    url: str
    size_bytes: int
    sha256: str | None
    licence: Licence
    homepage: str
    source: str
    runtime: str
    inputs: tuple[TensorSpec, ...]
    outputs: tuple[TensorSpec, ...]
    hf_repo: str | None = None
    hf_file: str | None = None
    hf_revision: str | None = None
    size_exact: bool = True
    notes: str = ""
    pin_note: str = ""
    extra_outputs_ok: bool = False

    @property
    def pinned(self) -> bool:
        """True when the registry holds the file's sha256 (every pull is verified against it)."""
        return self.sha256 is not None


MIT_URL = "https://opensource.org/license/mit"


def hf_url(repo: str, filename: str, revision: str) -> str:
    """The Hugging Face Hub download URL of ``filename`` in ``repo`` at ``revision`` (commit or branch)."""
    return f"https://huggingface.co/{repo}/resolve/{revision}/{filename}"

"""Download a registered model into the model cache (models.md §2.1).

The rules: ask first (the caller shows licence and size through ``confirm``), report progress, honour
Cancel, write to a temporary file beside the target, verify size and sha256, then rename atomically.
A failed, cancelled or mismatching download leaves nothing behind. Nothing here runs at import time.

*Unpinned* models (``spec.sha256 is None``: no official source publishes the digest) are refused
with :class:`UnpinnedModelError` unless the caller passes ``allow_unpinned=True`` (``kirie models pull
NAME --unpinned``). Then the download is checked against the rounded size (within
:data:`SIZE_SLACK`), its sha256 is logged as a warning ("pin this in the registry") and written beside
the file as ``<filename>.sha256``; a later pull of the same file compares against that local pin.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from inference.models.cache import cache_dir, ensure_cache_dir
from inference.models.registry import ModelSpec, get_model
from inference.models.shipped import shipped_path
from inference.types import CancelToken
from rig.errors import CancelledError, ModelDownloadError

log = logging.getLogger(__name__)

DownloadProgress = Callable[[int, int], None]
"""``progress(bytes_done, bytes_total)``; called once with 0 before the first chunk."""

ConfirmCallback = Callable[[ModelSpec], bool]
"""``confirm(spec) -> bool``: show ``spec.licence``, ``spec.size_bytes`` (see :func:`describe`), ask."""

CHUNK_BYTES = 1 << 20
TIMEOUT_S = 30.0
SIZE_SLACK = 0.05
"""Relative tolerance on the size of a model whose registered size is the host's rounded figure."""


class DownloadDeclinedError(ModelDownloadError):
    """The user answered no when asked to download a model."""


class UnpinnedModelError(ModelDownloadError):
    """The model has no registered sha256 and the caller did not accept an unpinned download."""


def pin_path(spec: ModelSpec) -> Path:
    """Where the sha256 of an unpinned model's first download is kept (beside the file)."""
    return cache_dir() / f"{spec.filename}.sha256"


def describe(spec: ModelSpec) -> str:
    """What the user is asked to accept: name, size, licence with link, model card and source URL."""
    size = f"{spec.size_bytes:,} bytes" if spec.size_exact else "rounded, as the host shows it"
    lines = [
        f"{spec.name} ({spec.purpose})",
        f"  size:    {'' if spec.size_exact else 'about '}{format_size(spec.size_bytes)} ({size})",
        f"  licence: {spec.licence.spdx} <{spec.licence.url}>",
    ]
    if spec.notes:
        lines.append(f"  note:    {spec.notes}")
    lines += [f"  model:   {spec.homepage}", f"  from:    {spec.url}"]
    lines.append(f"  sha256:  {spec.sha256}" if spec.pinned else f"  sha256:  NOT PINNED ({spec.pin_note})")
    return "\n".join(lines)


def format_size(n_bytes: int) -> str:
    """``n_bytes`` as ``"176.1 MB"`` (decimal megabytes; kilobytes below 1 MB)."""
    if n_bytes < 1_000_000:
        return f"{n_bytes / 1000:.1f} kB"
    return f"{n_bytes / 1_000_000:.1f} MB"


def sha256_file(path: Path) -> str:
    """Lower-case hex sha256 of the file at ``path``, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


def cached_model(model: str | ModelSpec) -> Path | None:
    """The file of ``model``: its verified shipped copy (:mod:`inference.models.shipped`), else the
    cached file if present with its registered size, else None.

    For the cache only the size is checked (cheap); the sha256 was verified when the file was downloaded.
    A model whose size is only known rounded (``size_exact`` False) is accepted when present; a damaged
    file is then caught when it loads (:mod:`inference.models.runtime`), and ``auto`` falls back.
    """
    spec = get_model(model) if isinstance(model, str) else model
    shipped = shipped_path(spec.filename)
    if shipped is not None:
        return shipped
    path = cache_dir() / spec.filename
    if path.is_file() and (not spec.size_exact or path.stat().st_size == spec.size_bytes):
        return path
    return None


def download_model(
    model: str | ModelSpec,
    *,
    confirm: ConfirmCallback,
    progress: DownloadProgress | None = None,
    cancel: CancelToken | None = None,
    force: bool = False,
    allow_unpinned: bool = False,
) -> Path:
    """Download ``model`` from its official URL into the cache, unless it is already there.

    Parameters
    ----------
    model : str or ModelSpec
        A registry name or entry.
    confirm : callable
        Asked (with the entry) before any byte is fetched; return False to decline. Not called when
        the file is already cached.
    progress : callable, optional
        ``progress(bytes_done, bytes_total)`` after every chunk.
    cancel : CancelToken, optional
        Checked before every chunk.
    force : bool
        Download even if a file of the right size is cached (it is replaced only on success).
    allow_unpinned : bool
        Accept a model without a registered sha256 (see the module docstring); refused otherwise.

    Returns
    -------
    Path
        ``cache_dir() / spec.filename``, verified.

    Raises
    ------
    DownloadDeclinedError
        ``confirm`` returned False.
    UnpinnedModelError
        The model has no registered sha256 and ``allow_unpinned`` is False (nothing is fetched).
    rig.errors.CancelledError
        ``cancel`` was set; the partial file was deleted.
    rig.errors.ModelDownloadError
        Network or file error, wrong size or sha256 mismatch; the partial file was deleted.
    KeyError
        Unknown model name.
    """
    spec = get_model(model) if isinstance(model, str) else model
    cached = cached_model(spec)
    if cached is not None and not force:
        log.info("model %s is already cached at %s", spec.name, cached)
        return cached
    if not spec.pinned and not allow_unpinned:
        raise UnpinnedModelError(
            f"model {spec.name!r} has no sha256 from an official source ({spec.pin_note}), so its download "
            f"cannot be verified. To download it anyway and pin the digest it has, run: "
            f"kirie models pull {spec.name} --unpinned"
        )
    if not confirm(spec):
        raise DownloadDeclinedError(f"download of model {spec.name!r} was declined; nothing was written")
    target = ensure_cache_dir() / spec.filename
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{spec.filename}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            digest, n_bytes = _fetch(spec, out, progress, cancel)
            out.flush()
            os.fsync(out.fileno())
        _verify(spec, n_bytes, digest)
        os.replace(tmp, target)
    except BaseException:  # KeyboardInterrupt included: never leave a partial file behind
        tmp.unlink(missing_ok=True)
        raise
    if not spec.pinned:
        pin_path(spec).write_text(f"{digest}  {spec.filename}\n", encoding="utf-8")
        log.warning(
            "model %s was downloaded UNPINNED (%d bytes, sha256 %s); compare it with %s and pin it in the "
            "registry", spec.name, n_bytes, digest, spec.pin_note or "an official source",
        )
        return target
    log.info("downloaded model %s (%d bytes, sha256 ok) to %s", spec.name, n_bytes, target)
    return target


def _max_bytes(spec: ModelSpec) -> int:
    return spec.size_bytes if spec.size_exact else int(spec.size_bytes * (1 + SIZE_SLACK))


def _fetch(
    spec: ModelSpec, out: BinaryIO, progress: DownloadProgress | None, cancel: CancelToken | None
) -> tuple[str, int]:
    """Stream ``spec.url`` into ``out``; return (sha256 hex, byte count)."""
    import http.client
    import urllib.error
    import urllib.request

    request = urllib.request.Request(spec.url, headers={"User-Agent": "kirie-model-download"})
    log.info("downloading model %s from %s", spec.name, spec.url)
    digest = hashlib.sha256()
    done = 0
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            total = int(response.headers.get("Content-Length") or spec.size_bytes)
            if progress is not None:
                progress(0, total)
            while True:
                if cancel is not None and cancel.cancelled:
                    raise CancelledError(
                        f"download of model {spec.name!r} was cancelled; nothing was written"
                    )
                chunk = response.read(CHUNK_BYTES)
                if not chunk:
                    break
                out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                if done > _max_bytes(spec):
                    raise ModelDownloadError(
                        f"model {spec.name!r} from {spec.url} is larger than the registered "
                        f"{spec.size_bytes:,} bytes; the download was stopped and deleted"
                    )
                if progress is not None:
                    progress(done, total)
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        raise ModelDownloadError(
            f"could not download model {spec.name!r} from {spec.url}: {exc}. "
            "Check the network connection and try again."
        ) from exc
    return digest.hexdigest(), done


def _verify(spec: ModelSpec, n_bytes: int, digest: str) -> None:
    """Raise ModelDownloadError unless size and sha256 match the registry (or, for an unpinned model,
    the size is within :data:`SIZE_SLACK` of the rounded one and any earlier local pin matches)."""
    if not spec.size_exact:
        if abs(n_bytes - spec.size_bytes) > SIZE_SLACK * spec.size_bytes:
            raise ModelDownloadError(
                f"model {spec.name!r}: got {n_bytes:,} bytes from {spec.url}, expected about "
                f"{format_size(spec.size_bytes)}; the file was deleted"
            )
    elif n_bytes != spec.size_bytes:
        raise ModelDownloadError(
            f"model {spec.name!r}: got {n_bytes:,} bytes from {spec.url}, expected {spec.size_bytes:,}; "
            "the partial file was deleted. Try again."
        )
    expected = spec.sha256
    if expected is None:
        pin = pin_path(spec)
        expected = pin.read_text(encoding="utf-8").split()[0] if pin.is_file() else digest
    if digest != expected:
        raise ModelDownloadError(
            f"model {spec.name!r}: sha256 mismatch (expected {expected}, got {digest}); the file was "
            f"deleted. The download was corrupted or the file at {spec.url} changed: try again, and "
            "report it if it persists."
        )

"""Download a registered model into the model cache (models.md §2.1).

The rules: ask first (the caller shows licence and size through ``confirm``), report progress, honour
Cancel, write to a temporary file beside the target, verify size and sha256, then rename atomically.
A failed, cancelled or mismatching download leaves nothing behind. Nothing here runs at import time.
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


class DownloadDeclinedError(ModelDownloadError):
    """The user answered no when asked to download a model."""


def describe(spec: ModelSpec) -> str:
    """What the user is asked to accept: name, size, licence with link, model card and source URL."""
    return (
        f"{spec.name} ({spec.purpose})\n"
        f"  size:    {format_size(spec.size_bytes)} ({spec.size_bytes:,} bytes)\n"
        f"  licence: {spec.licence.spdx} <{spec.licence.url}>\n"
        f"  model:   {spec.homepage}\n"
        f"  from:    {spec.url}"
    )


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
    """
    spec = get_model(model) if isinstance(model, str) else model
    shipped = shipped_path(spec.filename)
    if shipped is not None:
        return shipped
    path = cache_dir() / spec.filename
    if path.is_file() and path.stat().st_size == spec.size_bytes:
        return path
    return None


def download_model(
    model: str | ModelSpec,
    *,
    confirm: ConfirmCallback,
    progress: DownloadProgress | None = None,
    cancel: CancelToken | None = None,
    force: bool = False,
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

    Returns
    -------
    Path
        ``cache_dir() / spec.filename``, verified.

    Raises
    ------
    DownloadDeclinedError
        ``confirm`` returned False.
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
    log.info("downloaded model %s (%d bytes, sha256 ok) to %s", spec.name, n_bytes, target)
    return target


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
                if done > spec.size_bytes:
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
    """Raise ModelDownloadError unless size and sha256 match the registry."""
    if n_bytes != spec.size_bytes:
        raise ModelDownloadError(
            f"model {spec.name!r}: got {n_bytes:,} bytes from {spec.url}, expected {spec.size_bytes:,}; "
            "the partial file was deleted. Try again."
        )
    if digest != spec.sha256:
        raise ModelDownloadError(
            f"model {spec.name!r}: sha256 mismatch (expected {spec.sha256}, got {digest}); the file was "
            f"deleted. The download was corrupted or the file at {spec.url} changed: try again, and "
            "report it if it persists."
        )

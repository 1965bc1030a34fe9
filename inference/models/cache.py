"""Where model files live: ``$KIRIE_MODEL_CACHE`` if set, else ``platformdirs.user_cache_dir("kirie")/models``.

The small models shipped in the package (:mod:`inference.models.shipped`) are found before the cache.
Tests set ``KIRIE_MODEL_CACHE`` to ``../shared/models`` so nothing is ever downloaded.
"""

from __future__ import annotations

import os
from pathlib import Path

CACHE_ENV = "KIRIE_MODEL_CACHE"


def cache_dir() -> Path:
    """The model cache folder (not created here)."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("kirie")) / "models"


def cached_path(filename: str) -> Path | None:
    """Path of ``filename``: the verified shipped copy if there is one, else the cache's if it exists, else None."""
    from inference.models.shipped import shipped_path

    shipped = shipped_path(filename)
    if shipped is not None:
        return shipped
    path = cache_dir() / filename
    return path if path.is_file() else None


def ensure_cache_dir() -> Path:
    """The model cache folder, created (with parents) if missing."""
    path = cache_dir()
    path.mkdir(parents=True, exist_ok=True)
    return path

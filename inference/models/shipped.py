"""Models shipped inside the package (``resources/models/``), found before the user's model cache.

Only small, redistributable files ship: MediaPipe's ``face_landmarker.task`` (3.8 MB) and the legacy
selfie segmentation model (0.25 MB), both Apache-2.0; ``resources/models/README.md`` gives their source
URLs, licence and sha256, and the licence text lies beside them. A shipped file is used only if its
size and sha256 match the registry; the hash is computed once per process (about 10 ms for 4 MB).

``KIRIE_SHIPPED_MODELS=0`` hides the shipped files, so the download path and the "model missing"
messages can be exercised (tests do this).
"""

from __future__ import annotations

import hashlib
import logging
import os
from functools import cache
from importlib import resources
from pathlib import Path

log = logging.getLogger(__name__)

SHIPPED_ENV = "KIRIE_SHIPPED_MODELS"


def shipped_dir() -> Path:
    """The folder of the shipped models inside the installed package (may not exist in a stripped build)."""
    return Path(str(resources.files("resources") / "models"))


def shipped_enabled() -> bool:
    """False when ``$KIRIE_SHIPPED_MODELS`` is ``0``, ``no``, ``false`` or ``off``."""
    return os.environ.get(SHIPPED_ENV, "1").strip().lower() not in ("0", "no", "false", "off")


def shipped_path(filename: str) -> Path | None:
    """The shipped file ``filename`` if present, registered and verified (size and sha256), else None.

    A file that fails verification is logged once as a warning and ignored (the user cache is then
    consulted by the callers), so a damaged install degrades to a download instead of a wrong model.
    """
    if not shipped_enabled():
        return None
    path = shipped_dir() / filename
    if not path.is_file():
        return None
    from inference.models.registry import REGISTRY

    spec = next((s for s in REGISTRY.values() if s.filename == filename), None)
    if spec is None:
        return None
    stat = path.stat()
    return path if _verified(str(path), stat.st_size, stat.st_mtime_ns, spec.size_bytes, spec.sha256) else None


@cache
def _verified(path: str, size: int, mtime_ns: int, want_size: int, want_sha256: str) -> bool:
    """Size and sha256 check, memoised per (path, size, mtime) so it runs once per process and file."""
    if size != want_size:
        log.warning("shipped model %s has %d bytes, expected %d; ignoring it", path, size, want_size)
        return False
    with open(path, "rb") as f:
        digest = hashlib.file_digest(f, "sha256").hexdigest()
    if digest != want_sha256:
        log.warning("shipped model %s has sha256 %s, expected %s; ignoring it", path, digest, want_sha256)
        return False
    return True

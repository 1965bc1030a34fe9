"""Atomic output files: every file Kirie writes goes to a temporary beside it, then is renamed.

A temporary is named ``.<name>.<pid>-<token>.tmp`` (``.tmp<suffix>`` with ``keep_suffix``, for
writers that choose the container by extension, such as OpenCV's video writer), in the folder of
the destination, so the final ``os.replace`` stays on one file system and is atomic. The writer
flushes and fsyncs the temporary, keeps the old file's permission bits, renames, and fsyncs the
folder. On any error, including ``KeyboardInterrupt``, the temporary is removed and the old file is
left as it was.

A process killed with ``kill -9`` cannot clean up: the next write to the same destination removes
the temporaries of that destination that are stale (:func:`clean_stale_temporaries`): written by a
process that no longer exists and untouched for :data:`DEAD_WRITER_GRACE_S`, or untouched for
:data:`STALE_AFTER_S` whatever their writer (a pid may have been reused, or the file came from
another machine). Temporaries of the older ``tempfile.mkstemp`` naming (no pid) go by age only.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)

#: A temporary untouched this long is removed whoever wrote it (seconds).
STALE_AFTER_S = 3600.0
#: A temporary of a dead process is removed once untouched this long (seconds).
DEAD_WRITER_GRACE_S = 10.0
# ``.<name>.<pid>-<8 hex>.tmp[.suffix]``, or ``.<name>.<8 chars>.tmp`` as tempfile.mkstemp named them before
_TEMP = re.compile(r"^\.(?P<name>.+)\.(?:(?P<pid>\d+)-[0-9a-f]{8}|[a-z0-9_]{8})\.tmp(?:\.[A-Za-z0-9]+)?$")


def temporary_path(path: str | os.PathLike[str], keep_suffix: bool = False) -> Path:
    """A fresh temporary name for ``path``, beside it (not created).

    ``keep_suffix`` appends ``path``'s suffix (``.tmp.mp4``) for writers that pick the format by
    extension.
    """
    path = Path(path)
    tail = path.suffix if keep_suffix and path.suffix else ""
    return path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp{tail}")


def write_atomically(path: str | os.PathLike[str], data: bytes) -> None:
    """Replace ``path`` with ``data``: temporary file in the same folder, fsync, ``os.replace``.

    Raises
    ------
    OSError
        If the folder cannot be written (full disk, read-only, missing); the temporary is removed
        and the old ``path`` is left untouched.
    """
    with atomic_path(path) as tmp:
        with open(tmp, "xb") as f:
            f.write(data)


def write_png_atomically(path: str | os.PathLike[str], image) -> None:
    """Save ``image`` (an (H, W[, 3|4]) uint8 ndarray or a PIL image) as a PNG at ``path``, atomically.

    Raises
    ------
    OSError
        If the folder cannot be written; the old ``path`` is left untouched.
    """
    from PIL import Image

    pil = image if isinstance(image, Image.Image) else Image.fromarray(image)
    with atomic_path(path) as tmp:
        pil.save(tmp, format="PNG")


@contextmanager
def atomic_path(path: str | os.PathLike[str], keep_suffix: bool = False) -> Iterator[Path]:
    """Context manager: a temporary path to write ``path``'s new content to; renamed over ``path``
    when the block ends normally, removed when it raises.

    The block must create the file (and close it). Stale temporaries of ``path`` are cleaned first.
    The new file keeps the old file's permission bits (0o644 for a new file).

    Raises
    ------
    OSError
        If the file is missing at the end of the block, or cannot be synced or renamed.
    """
    path = Path(path)
    folder = path.parent
    clean_stale_temporaries(path)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    tmp = temporary_path(path, keep_suffix)
    try:
        yield tmp
        _fsync_file(tmp)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if exc.filename is None or str(exc.filename) == str(tmp):  # name the destination, not the temporary
            raise type(exc)(exc.errno, exc.strerror or str(exc), str(path)) from exc
        raise
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_folder(folder)


def make_temporary_folder(path: str | os.PathLike[str]) -> Path:
    """Create and return an empty temporary folder beside the folder ``path`` (mode 0o755).

    The caller moves its files into place and removes it (``shutil.rmtree``); stale temporary
    folders of ``path`` are cleaned first.
    """
    path = Path(path)
    clean_stale_temporaries(path)
    tmp = temporary_path(path)
    tmp.mkdir()
    os.chmod(tmp, 0o755)  # the renamed folder should look like any other, whatever the umask
    return tmp


def clean_stale_temporaries(path: str | os.PathLike[str], now: float | None = None) -> list[Path]:
    """Remove the stale temporaries (files or folders) of the destination ``path``; return them.

    See the module docstring for what counts as stale. Errors while removing are logged and
    skipped: cleaning never stops a write.
    """
    path = Path(path)
    now = time.time() if now is None else now
    removed = []
    try:
        candidates = [p for p in path.parent.iterdir() if p.name.startswith(f".{path.name}.")]
    except OSError:
        return removed
    for tmp in candidates:
        match = _TEMP.match(tmp.name)
        if match is None or match["name"] != path.name:
            continue
        try:
            age_s = now - tmp.lstat().st_mtime
        except OSError:
            continue
        pid = int(match["pid"]) if match["pid"] else None
        dead = pid is not None and pid != os.getpid() and not _alive(pid)
        if age_s >= STALE_AFTER_S or (dead and age_s >= DEAD_WRITER_GRACE_S):
            try:
                if tmp.is_dir() and not tmp.is_symlink():
                    shutil.rmtree(tmp)
                else:
                    tmp.unlink()
            except OSError as exc:
                log.warning("cannot remove the stale temporary %s: %s", tmp, exc)
                continue
            log.info("removed the stale temporary %s (left by an interrupted write)", tmp)
            removed.append(tmp)
    return removed


def _alive(pid: int) -> bool:
    """Whether process ``pid`` exists on this machine (POSIX); assumed alive elsewhere."""
    if os.name != "posix":
        return True  # os.kill(pid, 0) would terminate the process on Windows
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _fsync_file(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDWR)
    except PermissionError:
        fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_folder(folder: Path) -> None:
    """Make a rename durable where the OS allows opening a folder (POSIX); a no-op elsewhere."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)

"""Argument checks shared by the subcommands: output files, finite numbers, output sizes.

Each check raises :class:`UsageError` with one line naming the option and what is expected;
:func:`app.cli.main.run_guarded` turns it into exit status 2. Checks run before any work, so a
refused command writes nothing.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from rig.formats.project_limits import MAX_CANVAS_PIXELS, MAX_CANVAS_SIDE_PX


class UsageError(ValueError):
    """A bad command-line value found by a subcommand (exit status 2, one line)."""


def output_file(path: str | os.PathLike[str], suffixes: tuple[str, ...], option: str,
                inputs: tuple[str | os.PathLike[str], ...] = ()) -> Path:  # fmt: skip
    """``path`` as a Path, checked to be a file Kirie may write.

    Parameters
    ----------
    path : path-like
    suffixes : tuple of str
        Accepted endings, lower case with the dot (``(".png",)``); compared case-insensitively.
    option : str
        The option's name for the message (``-o``).
    inputs : tuple of path-like
        Files the command reads; the output must not be one of them.

    Raises
    ------
    UsageError
        Wrong extension, the output is an input, or it is an existing folder.
    """
    out = Path(path)
    if not out.name.lower().endswith(suffixes):
        raise UsageError(f"{option} {out}: expected a {' or '.join(suffixes)} file")
    if out.is_dir():
        raise UsageError(f"{option} {out}: is a folder; give a file name")
    for source in inputs:
        if same_file(out, Path(source)):
            raise UsageError(f"{option} {out}: is the input file; choose another name so the input is kept")
    return out


def same_file(a: Path, b: Path) -> bool:
    """Whether ``a`` and ``b`` name the same file (existing: by inode; else by resolved path)."""
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
        return a.resolve() == b.resolve()
    except OSError:
        return False


def finite(value: float, option: str, low: float | None = None, high: float | None = None,
           low_open: bool = False) -> float:  # fmt: skip
    """``value`` if it is a finite number within [low, high] (``(low, high]`` with ``low_open``)."""
    if not math.isfinite(value):
        raise UsageError(f"{option}: expected a finite number, got {value}")
    if (low is not None and (value < low or (low_open and value == low))) or (high is not None and value > high):
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        raise UsageError(f"{option}: expected a number in {'(' if low_open else '['}{lo}, {hi}], got {value:g}")
    return value


def check_image_size(width_px: int, height_px: int, option: str) -> None:
    """Refuse an output image larger than a canvas Kirie can render (or an empty one)."""
    if width_px < 1 or height_px < 1:
        raise UsageError(f"{option}: the image would be {width_px} x {height_px} px; both sides must be >= 1")
    if max(width_px, height_px) > MAX_CANVAS_SIDE_PX or width_px * height_px > MAX_CANVAS_PIXELS:
        raise UsageError(
            f"{option}: the image would be {width_px} x {height_px} px, over the limit of {MAX_CANVAS_SIDE_PX} px "
            f"a side and {MAX_CANVAS_PIXELS / 1e6:.0f} megapixels"
        )

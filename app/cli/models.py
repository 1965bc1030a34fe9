"""``kirie models``: list the optional learned models, or download one into the model cache.

``kirie models list`` prints name, size, licence, whether it is cached, purpose and path.
``kirie models pull NAME [--yes]`` shows the licence and size, asks on the terminal (unless ``--yes``),
downloads with a text progress bar on stderr and verifies the sha256. Ctrl-C cancels and leaves
nothing behind. A model without an official sha256 ("unpinned" in the list) is refused unless
``--unpinned`` is given; then its digest is printed to be pinned.
"""

from __future__ import annotations

import argparse
import logging
import sys

from inference.models.cache import CACHE_ENV, cache_dir
from inference.models.download import (
    DownloadDeclinedError,
    UnpinnedModelError,
    cached_model,
    describe,
    download_model,
    format_size,
)
from inference.models.registry import REGISTRY, ModelSpec

log = logging.getLogger("kirie.models")

BAR_WIDTH = 30


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="models_command", metavar="ACTION")
    sub.add_parser("list", help="list the models, their licences and whether they are downloaded (default)")
    pull = sub.add_parser("pull", help="download a model from its official URL into the model cache")
    pull.add_argument("name", help="model name, as in 'kirie models list'")
    pull.add_argument("-y", "--yes", action="store_true", help="accept the licence and size without asking")
    pull.add_argument("--force", action="store_true", help="download again even if the model is cached")
    pull.add_argument("--unpinned", action="store_true",
                      help="accept a model that has no official sha256 (its digest is printed to pin)")


def run(args: argparse.Namespace) -> int:
    if args.models_command == "pull":
        return _pull(args.name, yes=args.yes, force=args.force, unpinned=getattr(args, "unpinned", False))
    return _list()


def _list() -> int:
    out = sys.stdout
    out.write(f"model cache: {cache_dir()} (override with ${CACHE_ENV})\n")
    out.write(f"{'NAME':<25}{'SIZE':>10}  {'LICENCE':<12}{'CACHED':<8}PURPOSE\n")
    for spec in REGISTRY.values():
        path = cached_model(spec)
        cached = "yes" if path is not None else "no"
        out.write(
            f"{spec.name:<25}{('~' if not spec.size_exact else '') + format_size(spec.size_bytes):>10}  {spec.licence.spdx:<12}{cached:<8}{spec.purpose}\n"
        )
        out.write(f"{'':<25}path: {path or cache_dir() / spec.filename}\n")
        if spec.notes:
            out.write(f"{'':<25}note: {spec.notes}\n")
        if not spec.pinned:
            out.write(f"{'':<25}sha256: unpinned ({spec.pin_note}); pull needs --unpinned\n")
    from inference.models.candidates import CANDIDATES

    out.write("\n  not offered (inference.models.candidates):\n")
    for c in CANDIDATES:
        out.write(f"  {c.name:<23}licence: {c.licence}\n  {'':<23}why: {c.missing}\n")
    return 0


def _pull(name: str, *, yes: bool, force: bool, unpinned: bool = False) -> int:
    spec = REGISTRY.get(name)
    if spec is None:
        log.error("unknown model %r; known models: %s", name, ", ".join(REGISTRY))
        return 2
    bar = _ProgressBar()
    try:
        path = download_model(spec, confirm=lambda s: _confirm(s, yes), progress=bar, force=force,
                              allow_unpinned=unpinned)
    except UnpinnedModelError as exc:
        log.error("%s", exc)
        return 1
    except DownloadDeclinedError:
        sys.stderr.write("nothing was downloaded\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("\ndownload cancelled; nothing was written\n")
        return 130
    finally:
        bar.finish()
    sys.stdout.write(f"{spec.name}: {path}\n")
    return 0


def _confirm(spec: ModelSpec, yes: bool) -> bool:
    """Show what will be downloaded; ask on the terminal unless ``yes``. EOF counts as no."""
    sys.stderr.write(describe(spec) + "\n")
    if yes:
        return True
    sys.stderr.write(
        f"Download {format_size(spec.size_bytes)} and accept the {spec.licence.spdx} licence? [y/N] "
    )
    sys.stderr.flush()
    answer = sys.stdin.readline().strip().lower()
    return answer in ("y", "yes")


class _ProgressBar:
    """A one-line text progress bar on stderr, redrawn when the whole percentage changes."""

    def __init__(self) -> None:
        self._last_percent = -1
        self._drawn = False

    def __call__(self, done: int, total: int) -> None:
        percent = int(100 * done / total) if total > 0 else 0
        if percent == self._last_percent:
            return
        self._last_percent = percent
        filled = BAR_WIDTH * min(percent, 100) // 100
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        sys.stderr.write(f"\r[{bar}] {percent:3d}%  {format_size(done)} / {format_size(total)}")
        sys.stderr.flush()
        self._drawn = True

    def finish(self) -> None:
        if self._drawn:
            sys.stderr.write("\n")
            self._drawn = False

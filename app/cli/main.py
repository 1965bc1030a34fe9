"""The ``kirie`` command line: ``kirie [PROJECT]`` opens the editor; subcommands work headless.

Each subcommand lives in its own module ``app.cli.<name>`` with ``add_arguments(parser)`` and
``run(args) -> int``; it is imported only when used, so ``kirie --help`` stays fast.

Errors reach the user as one line on stderr, never as a traceback (``--debug`` shows it):

* exit 2: a bad argument (argparse or a subcommand's own checks, raised as :class:`app.cli.checks.UsageError`),
  a project, image or export that Kirie refuses (:class:`~rig.errors.RigError`), or a file that
  cannot be read or written (``OSError``: full disk, read-only folder, missing file);
* exit 1: anything unexpected (a bug: ``internal error: ...; run with --debug``);
* exit 130: interrupted with Ctrl+C.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from app import __version__

# name -> one-line help. The module app.cli.<name> implements it.
SUBCOMMANDS: dict[str, str] = {
    "generate": "generate a rigged .kirie project from one character image",
    "render": "render a project (optionally posed) to a PNG",
    "info": "print a project's parameters, parts, meshes and deformers",
    "models": "list or download the optional learned models",
    "track": "drive a project from a video file or camera",
    "export": "export a project to Cubism, Inochi2D or PSD",
}


log = logging.getLogger("kirie")


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line (``kirie render: error: ...``) and exit status 2."""

    def error(self, message: str):  # noqa: D102 - argparse API
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="kirie", description="Kirie: one character image in, a moving rig out.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    parser.add_argument("--debug", action="store_true", help="show the full traceback of an error")
    parser.add_argument("--version", action="version", version=f"kirie {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_text in SUBCOMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(_module=f"app.cli.{name}")
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        try:
            importlib.import_module(f"app.cli.{name}").add_arguments(p)
        except ModuleNotFoundError as exc:
            if exc.name != f"app.cli.{name}":
                raise
            p.set_defaults(_missing=True)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or (len(argv) == 1 and not argv[0].startswith("-") and argv[0] not in SUBCOMMANDS):
        return _open_editor(argv[0] if argv else None)
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if args.command is None:
        parser.print_help()
        return 0
    if getattr(args, "_missing", False):
        parser.error(f"'{args.command}' is not available in this version of Kirie yet")
    module = importlib.import_module(args._module)
    return run_guarded(lambda: module.run(args), debug=args.debug)


def run_guarded(work, debug: bool = False) -> int:
    """Run ``work() -> int | None`` and turn every error into one logged line and an exit status
    (module docstring); with ``debug`` the traceback is logged too."""
    from app.cli.checks import UsageError
    from rig.errors import RigError

    try:
        return int(work() or 0)
    except KeyboardInterrupt:
        log.error("interrupted")
        return 130
    except (RigError, UsageError) as exc:
        log.error("%s", exc, exc_info=debug)
        return 2
    except OSError as exc:
        log.error("%s", os_error_message(exc), exc_info=debug)
        return 2
    except MemoryError:
        log.error("out of memory", exc_info=debug)
        return 2
    except Exception as exc:  # noqa: BLE001 - the last net: one line, never a traceback without --debug
        log.error("internal error: %s: %s; run with --debug for the traceback and report it", type(exc).__name__,
                  exc, exc_info=debug)  # fmt: skip
        return 1


def os_error_message(exc: OSError) -> str:
    """``out.png: No space left on device``: the file and the system's reason, on one line."""
    reason = exc.strerror or str(exc)
    if exc.filename is not None:
        return f"{exc.filename}: {reason}"
    return reason


def _open_editor(project: str | None) -> int:
    from app.opencv_qt import prepare_for_qt

    prepare_for_qt()
    try:
        from app.editor.main_window import run_editor
    except ModuleNotFoundError as exc:
        if exc.name != "app.editor.main_window":
            raise
        logging.getLogger("kirie").error("the editor is not available in this version yet; see 'kirie --help'")
        return 2
    return run_editor(project)

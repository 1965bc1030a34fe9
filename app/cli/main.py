"""The ``kirie`` command line: ``kirie [PROJECT]`` opens the editor; subcommands work headless.

Each subcommand lives in its own module ``app.cli.<name>`` with ``add_arguments(parser)`` and
``run(args) -> int``; it is imported only when used, so ``kirie --help`` stays fast.
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kirie", description="Kirie: one character image in, a moving rig out.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    parser.add_argument("--version", action="version", version=f"kirie {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_text in SUBCOMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(_module=f"app.cli.{name}")
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
    from rig.errors import RigError

    try:
        return int(module.run(args) or 0)
    except RigError as exc:
        logging.getLogger("kirie").error("%s", exc)
        return 2
    except KeyboardInterrupt:
        logging.getLogger("kirie").error("interrupted")
        return 130


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

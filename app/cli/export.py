"""``kirie export PROJECT.kirie -o OUT --format cubism|inp|psd``: export a project headless.

* ``cubism`` (default): OUT is the model folder (created when missing): it receives ``NAME.model3.json``,
  ``NAME.moc3``, ``NAME.<size>/texture_00.png`` ... (:func:`rig.formats.cubism.export_cubism`), the same
  layout as the editor's File > Export into a chosen folder; ``--name`` sets the file-name stem.
* ``inp``: OUT is an Inochi2D ``.inp`` file (``rig.formats.inochi.export_inp``).
* ``psd``: OUT is a layered ``.psd`` file (``rig.formats.psd.export_psd``).

Exit status 0 on success, 2 when the project cannot be read or the export is refused (the message
says why; nothing half-written is left behind).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import time
from pathlib import Path

from rig.errors import RigError

log = logging.getLogger("kirie.export")

# format -> (module, function); each function takes (rig, path).
_EXPORTERS = {
    "inp": ("rig.formats.inochi", "export_inp"),
    "psd": ("rig.formats.psd", "export_psd"),
}


class ExportUnavailableError(RigError):
    """The requested export format is not part of this version of Kirie yet."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("project", type=Path, help="the .kirie project to export")
    parser.add_argument("-o", "--output", type=Path, required=True,
                        help="output folder (cubism) or file (inp, psd)")  # fmt: skip
    parser.add_argument("--format", choices=("cubism", "inp", "psd"), default="cubism", help="export format")
    parser.add_argument("--name", default=None, help="file-name stem of a Cubism export (default: the rig's name)")


_SUFFIXES = {"inp": (".inp",), "psd": (".psd",)}


def run(args: argparse.Namespace) -> int:
    from app.cli.checks import UsageError, output_file, same_file
    from rig.formats.project import load_project

    if args.format in _SUFFIXES:
        output_file(args.output, _SUFFIXES[args.format], "-o", inputs=(args.project,))
    elif args.output.exists() and not args.output.is_dir():
        raise UsageError(f"-o {args.output}: a Cubism export is a folder, and this is a file")
    elif same_file(args.output, args.project):
        raise UsageError(f"-o {args.output}: is the input project")
    rig = load_project(args.project, with_source=False).rig
    start = time.perf_counter()
    if args.format == "cubism":
        from rig.formats.cubism import export_cubism

        written = export_cubism(rig, args.output, name=args.name,
                                progress=lambda f, stage: log.debug("%3.0f%% %s", 100 * f, stage))  # fmt: skip
        for path in written:
            log.info("wrote %s", path)
    else:
        exporter = _exporter(args.format)
        if args.format == "psd":  # each layer image is freed once in the PSD (the rig is not used after)
            exporter(rig, args.output, release_layers=True)
        else:
            exporter(rig, args.output)
        log.info("wrote %s", args.output)
    log.info("exported %s as %s in %.2f s", args.project, args.format, time.perf_counter() - start)
    return 0


def _exporter(fmt: str):
    module_name, func_name = _EXPORTERS[fmt]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        module = None
    func = getattr(module, func_name, None)
    if func is None:
        raise ExportUnavailableError(f"export to {fmt!r} is not available in this version of Kirie yet")
    return func

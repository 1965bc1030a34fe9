"""``kirie render PROJECT.kirie -o OUT.png [--set PARAM_ID=VALUE ...] [--size W] [--wireframe]``.

Loads a project, sets parameter values (every other parameter at its default), evaluates the rig
once (no physics) and renders it headless (EGL) to an RGBA PNG with straight alpha and a transparent
background, one pixel per canvas pixel unless ``--size`` is given.

Parameter values: an unknown id is an error (exit status 2, the message lists the known ids);
a value outside ``[min, max]`` is clamped with a warning, as Cubism clamps, except for a parameter
with ``repeat`` set, whose value wraps around into its range.
"""

from __future__ import annotations

import argparse
import logging
import math
from pathlib import Path

log = logging.getLogger("kirie.render")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("project", type=Path, help="the .kirie project to render")
    parser.add_argument("-o", "--output", type=Path, required=True, help="the PNG file to write (replaced atomically)")
    parser.add_argument("--set", dest="values", action="append", default=[], metavar="PARAM_ID=VALUE",
                        help="set a parameter (repeatable), e.g. --set ParamAngleX=30")
    parser.add_argument("--size", type=int, metavar="W", help="output width in pixels (height keeps the aspect)")
    parser.add_argument("--wireframe", action="store_true", help="draw the triangle edges on top")
    parser.add_argument("--background", metavar="#RRGGBB", help="opaque background colour (default transparent)")


def parse_assignments(assignments: list[str]) -> dict[str, float]:
    """``["ParamAngleX=30", ...]`` -> ``{"ParamAngleX": 30.0}``; raises ValueError on bad syntax."""
    values: dict[str, float] = {}
    for text in assignments:
        name, sep, value = text.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"--set expects PARAM_ID=VALUE, got {text!r}")
        try:
            number = float(value)
        except ValueError:
            raise ValueError(f"--set {text!r}: {value!r} is not a number") from None
        if not math.isfinite(number):
            raise ValueError(f"--set {text!r}: expected a finite number")
        values[name.strip()] = number
    return values


def resolve_values(parameters, requested: dict[str, float]) -> dict[str, float]:
    """Every parameter's value: defaults, overridden by ``requested`` (clamped or wrapped into range).

    Parameters
    ----------
    parameters : sequence of rig.model.Parameter
    requested : dict of str to float

    Raises
    ------
    ValueError
        If ``requested`` names a parameter the rig does not have.
    """
    by_id = {p.id: p for p in parameters}
    unknown = sorted(set(requested) - set(by_id))
    if unknown:
        known = ", ".join(by_id) or "none"
        raise ValueError(f"unknown parameter(s) {', '.join(unknown)}; this rig has: {known}")
    values = {p.id: p.default for p in parameters}
    for pid, value in requested.items():
        p = by_id[pid]
        if p.min <= value <= p.max:
            values[pid] = value
        elif p.repeat and p.max > p.min:
            values[pid] = p.min + (value - p.min) % (p.max - p.min)
            log.warning("%s=%g wrapped to %g (repeating range [%g, %g])", pid, value, values[pid], p.min, p.max)
        else:
            values[pid] = min(max(value, p.min), p.max)
            log.warning("%s=%g is outside [%g, %g]; clamped to %g", pid, value, p.min, p.max, values[pid])
    return values


def parse_color(text: str | None) -> tuple[float, float, float] | None:
    """``"#RRGGBB"`` -> RGB floats in [0, 1]; raises ValueError otherwise."""
    if text is None:
        return None
    digits = text.lstrip("#")
    if len(digits) != 6:
        raise ValueError(f"--background expects #RRGGBB, got {text!r}")
    return tuple(int(digits[i:i + 2], 16) / 255.0 for i in (0, 2, 4))


def run(args: argparse.Namespace) -> int:
    from app.cli.checks import UsageError, check_image_size, output_file
    from app.render.offscreen import output_size, render_to_array
    from rig.evaluate import evaluate
    from rig.formats.atomic import write_png_atomically
    from rig.formats.project import load_project

    try:
        requested = parse_assignments(args.values)
        background = parse_color(args.background)
        if args.size is not None and args.size < 1:
            raise ValueError(f"--size must be a positive width, got {args.size}")
    except ValueError as exc:
        log.error("%s", exc)
        return 2
    output = output_file(args.output, (".png",), "-o", inputs=(args.project,))
    rig = load_project(args.project, with_source=False).rig
    try:
        values = resolve_values(rig.parameters, requested)
    except ValueError as exc:
        log.error("%s: %s", args.project, exc)
        return 2
    check_image_size(*output_size((rig.canvas_width_px, rig.canvas_height_px), args.size), "--size")
    try:
        image = render_to_array(evaluate(rig, values), size=args.size, background=background, wireframe=args.wireframe)
    except ValueError as exc:  # a size this GPU cannot render
        raise UsageError(f"--size: {exc}") from exc
    output.parent.mkdir(parents=True, exist_ok=True)
    write_png_atomically(output, image)
    log.info("wrote %s (%dx%d)", output, image.shape[1], image.shape[0])
    return 0

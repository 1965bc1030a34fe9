"""Load GLSL programs from ``shaders/<name>.glsl``: one file per program.

A program file holds both stages behind ``#if defined VERTEX_SHADER`` / ``#elif defined
FRAGMENT_SHADER`` (the moderngl-window "single file" layout, ``moderngl/moderngl-window :
moderngl_window/loaders/program/single.py``). The loader

1. reads the file from the ``shaders`` package directory,
2. resolves ``#include "include/x.glsl"`` (paths relative to the ``shaders`` directory; cycles
   raise; a file included twice is pasted twice, so shared files that may be included from two
   places guard themselves with ``#ifndef``),
3. injects ``#define`` lines (the stage name plus the caller's defines) right after ``#version``,
4. compiles and links with moderngl, and on failure raises :class:`ShaderError` whose message holds
   the compiler log and the line-numbered final source, so the log's line numbers can be read off.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import moderngl

from rig.errors import RigError

_INCLUDE = re.compile(r'^\s*#include\s+"([^"]+)"\s*$')
_VERSION = re.compile(r"^\s*#version\b")
STAGES = ("VERTEX_SHADER", "FRAGMENT_SHADER")
Defines = Mapping[str, object]


class ShaderError(RigError):
    """A shader file is missing, has a bad ``#include``, or fails to compile or link."""


def shader_dir() -> Path:
    """The directory of the ``shaders`` package (where the ``*.glsl`` files are installed)."""
    import shaders

    return Path(shaders.__file__).resolve().parent


def read_shader(name: str, root: Path | None = None) -> str:
    """The text of ``<root>/<name>.glsl`` (``name`` may also end in ``.glsl``).

    Raises
    ------
    ShaderError
        If the file does not exist.
    """
    root = shader_dir() if root is None else root
    path = root / (name if name.endswith(".glsl") else f"{name}.glsl")
    if not path.is_file():
        raise ShaderError(f"shader file {path} not found (expected shaders/<name>.glsl)")
    return path.read_text(encoding="utf-8")


def resolve_includes(source: str, root: Path | None = None, *, _stack: tuple[str, ...] = ()) -> str:
    """Replace every ``#include "path"`` line with that file's text, recursively.

    Paths are relative to ``root`` (default: the ``shaders`` directory). An include cycle raises.

    Raises
    ------
    ShaderError
        On a missing include file or an include cycle.
    """
    root = shader_dir() if root is None else root
    out: list[str] = []
    for line in source.splitlines():
        match = _INCLUDE.match(line)
        if match is None:
            out.append(line)
            continue
        rel = match.group(1)
        if rel in _stack:
            raise ShaderError(f"#include cycle: {' -> '.join((*_stack, rel))}")
        path = root / rel
        if not path.is_file():
            raise ShaderError(f'#include "{rel}" not found under {root}')
        text = path.read_text(encoding="utf-8")
        out.append(resolve_includes(text, root, _stack=(*_stack, rel)))
    return "\n".join(out)


def inject_defines(source: str, defines: Defines) -> str:
    """Insert ``#define NAME VALUE`` lines right after the ``#version`` line (or at the top).

    A value of ``None`` or ``True`` defines the name without a value.
    """
    lines = [f"#define {k}" if v is None or v is True else f"#define {k} {v}" for k, v in defines.items()]
    src = source.splitlines()
    at = next((i + 1 for i, line in enumerate(src) if _VERSION.match(line)), 0)
    return "\n".join(src[:at] + lines + src[at:])


def stage_source(name: str, stage: str, defines: Defines | None = None, root: Path | None = None) -> str:
    """The final GLSL text of one stage of program ``name``: includes resolved, defines injected.

    Parameters
    ----------
    name : str
        Program file name without ``.glsl`` (``"art_mesh"``).
    stage : str
        ``"VERTEX_SHADER"`` or ``"FRAGMENT_SHADER"``.
    defines : mapping, optional
        Extra ``#define`` names and values.
    """
    if stage not in STAGES:
        raise ShaderError(f"unknown shader stage {stage!r}; expected one of {STAGES}")
    text = resolve_includes(read_shader(name, root), root)
    return inject_defines(text, {stage: None, **(defines or {})})


def number_lines(source: str) -> str:
    """``source`` with a 1-based line number in front of every line (for error messages)."""
    lines = source.splitlines()
    width = len(str(len(lines)))
    return "\n".join(f"{i:>{width}}: {line}" for i, line in enumerate(lines, 1))


def build_program(ctx: moderngl.Context, name: str, defines: Defines | None = None,
                  root: Path | None = None) -> moderngl.Program:
    """Compile and link program ``name`` from ``shaders/<name>.glsl``.

    Raises
    ------
    ShaderError
        If the file or an include is missing, or compilation or linking fails. The message has
        the compiler log followed by the line-numbered source of the failing stage(s).
    """
    sources = {stage: stage_source(name, stage, defines, root) for stage in STAGES}
    try:
        return ctx.program(vertex_shader=sources["VERTEX_SHADER"], fragment_shader=sources["FRAGMENT_SHADER"])
    except moderngl.Error as exc:
        log = str(exc)
        failing = [s for s, key in zip(STAGES, ("vertex_shader", "fragment_shader")) if key in log]
        listing = "\n\n".join(f"--- {s} of {name}.glsl ---\n{number_lines(sources[s])}" for s in failing or STAGES)
        raise ShaderError(f"shader program {name!r} (defines {dict(defines or {})}) failed to build:\n"
                          f"{log}\n\n{listing}") from exc


class ShaderLibrary:
    """Programs of one context, built on first use and cached by name and defines."""

    def __init__(self, ctx: moderngl.Context, root: Path | None = None) -> None:
        self.ctx = ctx
        self.root = root
        self._programs: dict[tuple[str, tuple[tuple[str, str], ...]], moderngl.Program] = {}

    def get(self, name: str, defines: Defines | None = None) -> moderngl.Program:
        """The program ``name`` built with ``defines`` (see :func:`build_program`)."""
        key = (name, tuple(sorted((k, str(v)) for k, v in (defines or {}).items())))
        program = self._programs.get(key)
        if program is None:
            program = self._programs[key] = build_program(self.ctx, name, defines, self.root)
        return program

    def release(self) -> None:
        for program in self._programs.values():
            program.release()
        self._programs.clear()

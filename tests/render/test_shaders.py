"""The shader loader: includes, defines, errors with line numbers; every shipped program builds."""

from __future__ import annotations

import re

import pytest

from app.render.shaders import (
    ShaderError,
    ShaderLibrary,
    build_program,
    inject_defines,
    number_lines,
    resolve_includes,
    shader_dir,
    stage_source,
)


def test_shader_dir_holds_the_programs():
    names = {p.stem for p in shader_dir().glob("*.glsl")}
    assert {"art_mesh", "mask", "overlay"} <= names
    assert (shader_dir() / "include" / "view.glsl").is_file()


def test_stage_source_resolves_includes_and_defines_after_version():
    vertex = stage_source("art_mesh", "VERTEX_SHADER", {"FOO": 3})
    lines = vertex.splitlines()
    assert lines[0].startswith("#version 330")
    assert lines[1:3] == ["#define VERTEX_SHADER", "#define FOO 3"]
    assert "#include" not in vertex
    assert "vec4 canvas_to_clip(vec2 position_px)" in vertex
    fragment = stage_source("art_mesh", "FRAGMENT_SHADER")
    assert "#define FRAGMENT_SHADER" in fragment and "apply_multiply_screen" in fragment


def test_inject_defines_without_version_goes_on_top():
    assert inject_defines("void main() {}", {"A": None, "B": True}).splitlines()[:2] == ["#define A", "#define B"]


def test_nested_include_and_cycle(tmp_path):
    (tmp_path / "a.glsl").write_text('#include "b.glsl"\nint a;')
    (tmp_path / "b.glsl").write_text("int b;")
    assert resolve_includes('#include "a.glsl"\nint main_;', tmp_path).split() == ["int", "b;", "int", "a;",
                                                                                  "int", "main_;"]
    (tmp_path / "b.glsl").write_text('#include "a.glsl"')
    with pytest.raises(ShaderError, match="cycle"):
        resolve_includes('#include "a.glsl"', tmp_path)


def test_missing_file_and_include_raise(tmp_path):
    with pytest.raises(ShaderError, match="not found"):
        stage_source("no_such_program", "VERTEX_SHADER")
    with pytest.raises(ShaderError, match="missing.glsl"):
        resolve_includes('#include "missing.glsl"', tmp_path)


def test_number_lines():
    assert number_lines("a\nb") == "1: a\n2: b"


@pytest.mark.gl
@pytest.mark.parametrize("name,defines", [("art_mesh", None), ("mask", None), ("overlay", None),
                                          ("overlay", {"VERTEX_COLOR": 1})])
def test_shipped_programs_build(gl, name, defines):
    program = build_program(gl, name, defines)
    assert "u_mvp" in program
    program.release()


@pytest.mark.gl
def test_compile_error_names_the_line(gl, tmp_path):
    (tmp_path / "broken.glsl").write_text(
        "#version 330 core\n#if defined VERTEX_SHADER\nvoid main() { gl_Position = vec4(0.0); }\n"
        "#elif defined FRAGMENT_SHADER\nout vec4 f_color;\nvoid main() { f_color = undefined_name; }\n#endif\n")
    with pytest.raises(ShaderError) as info:
        build_program(gl, "broken", root=tmp_path)
    message = str(info.value)
    assert "undefined_name" in message
    # the log's line number (Mesa "0:7(...)", NVIDIA "0(7)") is the listing's: 7 after the injected define
    assert re.search(r"0[:(]7\b", message)
    assert "\n7: void main() { f_color = undefined_name; }" in message
    assert "FRAGMENT_SHADER of broken.glsl" in message


@pytest.mark.gl
def test_library_caches_by_name_and_defines(gl):
    library = ShaderLibrary(gl)
    try:
        assert library.get("overlay") is library.get("overlay")
        assert library.get("overlay", {"VERTEX_COLOR": 1}) is not library.get("overlay")
    finally:
        library.release()

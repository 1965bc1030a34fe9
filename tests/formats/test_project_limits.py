"""Hostile and damaged ``.kirie`` files: every one raises the one ProjectFormatError, fast, leaving the file as it was.

The reproductions of issue 16 (a 3 GiB zero entry, a 2 GiB rig.json, 12000 px layers, canvases of
10**9 px and 0 x -5, deep nesting, the zip "encrypted" flag, 1e39 in uvs, physics fps 0) plus the
limits around them, and a hypothesis test that mutates rig.json fields at random.
"""

from __future__ import annotations

import copy
import json
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rig.errors import ProjectFormatError, RigError, UnsupportedVersionError
from rig.formats.inochi.export import inp_bytes
from rig.formats.project import load_project, save_project
from rig.formats.project_limits import MAX_ENTRIES
from tests.formats.hostile import deep_json, rewrite_project, streamed_png
from tests.formats.rigs import format_test_rig


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("limits") / "base.kirie"
    save_project(path, format_test_rig())
    return path


def zero_entry_project(tmp_path_factory, base: Path) -> Path:
    """``base`` plus a 3 GiB zero-filled entry (about 3 MB on disk), made once per session."""
    path = tmp_path_factory.getbasetemp() / "zero3g.kirie"
    if not path.exists():
        rewrite_project(base, path, zero_entries={"junk.bin": 3 << 30})
    return path


def _fails(path: Path, match: str) -> str:
    before = path.read_bytes()
    with pytest.raises(ProjectFormatError, match=match) as info:
        load_project(path)
    assert path.read_bytes() == before  # a reader never writes
    message = str(info.value)
    assert "\n" not in message and message.startswith(path.name)
    return message


def _edit(tmp_path: Path, base: Path, edit) -> Path:
    return rewrite_project(base, tmp_path / "bad.kirie", edit=edit)


# ----------------------------------------------------------------------------- archive limits
def test_three_gib_zero_entry_is_refused_from_its_header(tmp_path_factory, base):
    path = zero_entry_project(tmp_path_factory, base)
    assert path.stat().st_size < 8 << 20
    assert "junk.bin: 3072.0 MiB uncompressed, over the limit" in _fails(path, "over the limit")


def test_two_gib_rig_json_is_refused(tmp_path, base):
    path = rewrite_project(base, tmp_path / "rig2g.kirie", zero_entries={"rig.json": 2 << 30})
    _fails(path, r"rig.json: 2048.0 MiB uncompressed, over the limit of 64.0 MiB")


def test_too_many_entries(tmp_path, base):
    path = rewrite_project(base, tmp_path / "many.kirie",
                           replace={f"x/{i}.bin": b"" for i in range(MAX_ENTRIES + 1)})  # fmt: skip
    _fails(path, f"{MAX_ENTRIES + 5} entries, over the limit of {MAX_ENTRIES}")


def test_encrypted_entry(tmp_path, base):
    path = rewrite_project(base, tmp_path / "enc.kirie", encrypted=("rig.json",))
    _fails(path, "rig.json: encrypted")


def test_deep_nesting(tmp_path, base):
    _fails(rewrite_project(base, tmp_path / "deep.kirie", raw_rig_json=deep_json(100_000)), "rig.json: nested too deeply")
    _fails(rewrite_project(base, tmp_path / "deep2.kirie", raw_rig_json=deep_json(200)), "nested deeper than 32")
    meta = rewrite_project(base, tmp_path / "deep3.kirie", replace={"editor.json": b'{"a": ' + b"[" * 100 + b"]" * 100 + b"}"})
    _fails(meta, "editor.json: nested deeper than 32")


# ----------------------------------------------------------------------------- canvas and layers
@pytest.mark.parametrize(("size", "match"), [
    ((10**9, 10**9), "over Kirie's limit"),
    ((40000, 40000), "over Kirie's limit"),
    ((16385, 16), "over Kirie's limit"),
    ((0, -5), "is empty"),
    ((2**40, 1), "fits 32 bits"),
])  # fmt: skip
def test_canvas_sizes_outside_what_renders_and_exports(tmp_path, base, size, match):
    def edit(doc):
        doc["canvas_width_px"], doc["canvas_height_px"] = size
        doc.pop("source", None)

    _fails(_edit(tmp_path, base, edit), match)


def test_huge_layer_png_is_refused_before_decoding(tmp_path, base):
    """Two 12000 x 12000 PNGs of 0.5 MB each: refused by rig.json's sizes, or by the PNG header when rig.json lies."""
    doc = json.loads(zipfile.ZipFile(base).read("rig.json"))
    entries = [la["image"] for la in doc["layers"][:2]]
    png = streamed_png(12000, 12000)
    assert len(png) < 1 << 20

    def claim(doc):
        for la in doc["layers"][:2]:
            la["size_px"] = [12000, 12000]

    both = rewrite_project(base, tmp_path / "big.kirie", edit=claim, replace=dict.fromkeys(entries, png))
    _fails(both, r"size 12000 x 12000 px is empty or over the limit")
    lying = rewrite_project(base, tmp_path / "lying.kirie", replace=dict.fromkeys(entries, png))
    _fails(lying, r"image is \(12000, 12000\), rig.json says")


def test_layers_adding_up_over_the_area_budget(tmp_path, base):
    def many(doc):
        layer = doc["layers"][0]
        doc["layers"] += [dict(layer, id=f"Extra{i}", size_px=[4096, 4096]) for i in range(4)]

    _fails(_edit(tmp_path, base, many), "layer images add up to")


# ----------------------------------------------------------------------------- numbers, physics, ids
def _first_mesh(doc):
    return doc["art_meshes"][0]


@pytest.mark.parametrize(("edit", "match"), [
    (lambda d: _first_mesh(d)["uvs"][0].__setitem__(0, 1e39), "finite numbers that fit a float32"),
    (lambda d: d["parameters"][0].__setitem__("min", -1e39), "fits a float32"),
    (lambda d: d["physics"].__setitem__("fps", 0), r"physics.fps: expected a number in \(0, 1000\]"),
    (lambda d: d["physics"].__setitem__("fps", -30), r"physics.fps"),
    (lambda d: d["physics"].__setitem__("fps", 1e12), r"physics.fps"),
    (lambda d: d["physics"]["settings"][0]["particles"][1].__setitem__("mobility", 2.0), "mobility"),
    (lambda d: d["physics"]["settings"][0]["particles"][1].__setitem__("delay", -1.0), "delay"),
    (lambda d: d["physics"]["settings"][0]["normalization"].__setitem__("angle_min", 50.0), "angle_min <="),
    (lambda d: _first_mesh(d).__setitem__("topology_version", 2**40), "fits 32 bits"),
    (lambda d: d["deformers"][0].__setitem__("rows", 100000), r"rows: expected an integer in \[1, 256\]"),
    (lambda d: d["parts"][0].__setitem__("id", ""), "expected an id of 1 to 256"),
    (lambda d: d["parts"][0].__setitem__("id", "Part\nRoot"), "printable"),
    (lambda d: d["layers"][0].__setitem__("id", "../evil"), "cannot be a file name"),
])  # fmt: skip
def test_bad_values_are_named(tmp_path, base, edit, match):
    _fails(_edit(tmp_path, base, edit), match)


# ----------------------------------------------------------------------------- fuzzing
def _paths(node, prefix=()):
    """Every (path, value) in a JSON document, containers included."""
    yield prefix, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node[:6]):  # the first few items of long arrays are enough
            yield from _paths(v, (*prefix, i))


_INTERESTING = st.sampled_from([0, 0.0, -1, -1.0, 1e39, -1e39, 3.5e38, 2**31, 2**63, 1e-45, 0.5, 1e6, -0.0, 65536])
_SCALARS = st.one_of(
    _INTERESTING, _INTERESTING, _INTERESTING,
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False), st.sampled_from([1e39, -1e39, 3.5e38, 0.0, -0.0, 1e-45, 2**31]),
    st.text(max_size=8), st.sampled_from(["", "warp", "rotation", "normal", "x", "angle", "\x00", "ParamAngleX"]),
)  # fmt: skip
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
                       max_leaves=8)  # fmt: skip


@pytest.fixture(scope="module")
def base_doc(base):
    with zipfile.ZipFile(base) as zf:
        return json.loads(zf.read("rig.json")), {i.filename: zf.read(i) for i in zf.infolist()}


def _load_and_export(doc: dict, entries: dict[str, bytes], target: Path) -> None:
    """Write ``doc`` as rig.json beside ``entries``; loading raises only the project error, and what loads exports."""
    with zipfile.ZipFile(target, "w") as zf:
        for name, raw in entries.items():
            zf.writestr(name, json.dumps(doc) if name == "rig.json" else raw)
    try:
        rig = load_project(target).rig
    except (ProjectFormatError, UnsupportedVersionError) as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    try:  # what loads must also export (the inp exporter used to crash on inf uvs and fps 0)
        inp_bytes(rig)
    except RigError:
        pass


def _by_field(doc, leaves_only: bool = False) -> dict[tuple, list[tuple]]:
    """Paths grouped by field (list indices as "*"), so that every field is equally likely to be drawn."""
    out: dict[tuple, list[tuple]] = {}
    for p, value in _paths(doc):
        if p and (not leaves_only or (isinstance(value, (int, float)) and not isinstance(value, bool))):
            out.setdefault(tuple("*" if isinstance(k, int) else k for k in p), []).append(p)
    return out


def _set(doc, path, value) -> None:
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_numbers_only_ever_raise_the_project_error(base_doc, tmp_path, data):
    doc, entries = copy.deepcopy(base_doc[0]), base_doc[1]
    fields = _by_field(doc, leaves_only=True)
    for _ in range(data.draw(st.integers(1, 4), label="mutations")):
        field = data.draw(st.sampled_from(sorted(fields, key=repr)), label="field")
        _set(doc, data.draw(st.sampled_from(fields[field]), label="path"), data.draw(_INTERESTING, label="value"))
    _load_and_export(doc, entries, tmp_path / "fuzz.kirie")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_rig_json_only_ever_raises_the_project_error(base_doc, tmp_path, data):
    doc, entries = copy.deepcopy(base_doc[0]), base_doc[1]
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        by_field = _by_field(doc)
        field = data.draw(st.sampled_from(sorted(by_field, key=repr)), label="field")
        path = data.draw(st.sampled_from(by_field[field]), label="path")
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        action = data.draw(st.sampled_from(["replace", "delete", "duplicate"]), label="action")
        if action == "delete":
            del parent[path[-1]]
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[path[-1]]))
        else:
            parent[path[-1]] = data.draw(_VALUES, label="value")
    _load_and_export(doc, entries, tmp_path / "fuzz.kirie")


def test_every_number_field_with_hostile_values(base_doc, tmp_path):
    """Systematic companion of the fuzz tests: each numeric field (first occurrence) set to each hostile value."""
    doc0, entries = base_doc
    fields = _by_field(doc0, leaves_only=True)
    assert len(fields) > 30
    for paths in fields.values():
        for value in (0, -1.0, 1e39, 2**31, 1e-45):
            doc = copy.deepcopy(doc0)
            _set(doc, paths[0], value)
            _load_and_export(doc, entries, tmp_path / "each.kirie")

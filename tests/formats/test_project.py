"""``.kirie`` projects: exact round trip, deterministic bytes, atomic save, clear errors for bad files."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import rig.formats.atomic as atomic
from rig.errors import ProjectFormatError, UnsupportedVersionError
from rig.formats.project import SCHEMA_VERSION, autosave_path, load_project, save_project
from rig.formats.project_write import zip_bytes
from rig.model import deep_equal
from tests.formats.rigs import format_test_rig

META = {"folded": ["PartHair"], "colour_tags": {"ArtMesh1": "red"}, "psd_paths": {"LayerFace": "Head/Face"}}


@pytest.fixture()
def saved(tmp_path) -> Path:
    path = tmp_path / "character.kirie"
    save_project(path, format_test_rig(), META)
    return path


def _entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _rewrite(path: Path, edit_json=None, drop=(), replace=None) -> bytes:
    """Rewrite the project with ``rig.json`` edited, entries dropped or replaced; return the new bytes."""
    entries = _entries(path)
    if edit_json is not None:
        doc = json.loads(entries["rig.json"])
        edit_json(doc)
        entries["rig.json"] = json.dumps(doc).encode()
    for name in drop:
        del entries[name]
    entries.update(replace or {})
    path.write_bytes(zip_bytes(entries))
    return path.read_bytes()


def _load_fails(path: Path, error, match: str) -> None:
    """Loading raises ``error`` matching ``match`` and leaves the file byte-identical."""
    before = path.read_bytes() if path.is_file() else None
    with pytest.raises(error, match=match):
        load_project(path)
    assert (path.read_bytes() if path.is_file() else None) == before


# --------------------------------------------------------------------------------- round trip
def test_round_trip_is_exact(saved):
    project = load_project(saved)
    assert deep_equal(project.rig, format_test_rig())
    assert project.editor_meta == META
    mesh = project.rig.art_mesh("ArtMesh3")
    assert mesh.triangles.shape == (0, 3) and mesh.triangles.dtype == np.uint16
    assert project.rig.layer("LayerFace").image[0, :, :3].any()  # colour under alpha 0 kept


def test_float32_extremes_round_trip_bit_exact(tmp_path):
    rig = format_test_rig()
    uvs = rig.art_mesh("ArtMesh1").uvs
    uvs[:] = np.array([[0.1, np.finfo(np.float32).max], [np.float32(1e-45), -0.0],
                       [1 / 3, np.finfo(np.float32).tiny], [np.nextafter(np.float32(1), np.float32(2)), 7e-8]],
                      np.float32)  # fmt: skip
    save_project(tmp_path / "x.kirie", rig)
    back = load_project(tmp_path / "x.kirie").rig.art_mesh("ArtMesh1").uvs
    assert back.dtype == np.float32 and back.tobytes() == uvs.tobytes()


def test_save_load_save_gives_identical_bytes(saved, tmp_path):
    again = tmp_path / "again.kirie"
    project = load_project(saved)
    save_project(again, project.rig, project.editor_meta)
    assert again.read_bytes() == saved.read_bytes()
    with zipfile.ZipFile(saved) as zf:
        infos = zf.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert [i.filename for i in infos] == [
        "editor.json",
        "layers/LayerFace.png",
        "layers/LayerHair.png",
        "rig.json",
    ]
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert json.loads(_entries(saved)["rig.json"])["schema_version"] == SCHEMA_VERSION == 1


def test_no_editor_meta_loads_as_empty_dict(tmp_path):
    save_project(tmp_path / "p.kirie", format_test_rig())
    assert load_project(tmp_path / "p.kirie").editor_meta == {}


# ------------------------------------------------------------------------------- atomic save
def test_failed_save_leaves_old_file_and_no_temporary(saved):
    before = saved.read_bytes()
    bad = format_test_rig()
    bad.art_meshes[0].keyforms.values["opacity"][0] = np.nan
    with pytest.raises(ProjectFormatError, match="rig.json"):
        save_project(saved, bad)
    assert saved.read_bytes() == before
    assert sorted(p.name for p in saved.parent.iterdir()) == ["character.kirie"]


@pytest.mark.parametrize("stage", ["fsync", "replace"])
def test_crash_while_writing_leaves_old_file(saved, monkeypatch, stage):
    before = saved.read_bytes()

    def boom(*args, **kwargs):
        raise OSError(f"simulated failure in {stage}")

    monkeypatch.setattr(atomic.os, stage, boom)
    with pytest.raises(OSError, match="simulated"):
        save_project(saved, format_test_rig(seed=99), {"other": True})
    monkeypatch.undo()
    assert saved.read_bytes() == before
    assert sorted(p.name for p in saved.parent.iterdir()) == ["character.kirie"]
    assert load_project(saved).editor_meta == META


def test_save_replaces_and_keeps_permissions(saved):
    os.chmod(saved, 0o640)
    save_project(saved, format_test_rig(seed=3))
    assert saved.stat().st_mode & 0o777 == 0o640
    assert deep_equal(load_project(saved).rig, format_test_rig(seed=3))


def test_layer_id_must_be_a_file_name(tmp_path):
    rig = format_test_rig()
    rig.layers[0].id = "../evil"
    with pytest.raises(ProjectFormatError, match="cannot be a file name"):
        save_project(tmp_path / "p.kirie", rig)
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------------------ errors
def test_missing_file(tmp_path):
    _load_fails(tmp_path / "nope.kirie", ProjectFormatError, "no such file")


def test_not_a_zip(tmp_path):
    path = tmp_path / "image.kirie"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    _load_fails(path, ProjectFormatError, "not a Kirie project")


def test_truncated_file(saved):
    saved.write_bytes(saved.read_bytes()[: len(saved.read_bytes()) // 2])
    _load_fails(saved, ProjectFormatError, "truncated")


def test_corrupted_entry_fails_crc(saved):
    data = bytearray(saved.read_bytes())
    offset = data.index(b"IDAT") + 8  # inside the first stored PNG's image data
    data[offset] ^= 0xFF
    saved.write_bytes(bytes(data))
    _load_fails(saved, ProjectFormatError, "corrupt")


def test_missing_layer_png(saved):
    _rewrite(saved, drop=["layers/LayerHair.png"])
    _load_fails(saved, ProjectFormatError, r"layers/LayerHair\.png: missing \(layer 'LayerHair'\)")


def test_corrupt_layer_png(saved):
    png = _entries(saved)["layers/LayerFace.png"]
    _rewrite(saved, replace={"layers/LayerFace.png": png[:40]})
    _load_fails(saved, ProjectFormatError, r"layers/LayerFace\.png: corrupt PNG")


def test_layer_png_of_wrong_size(saved):
    buf = io.BytesIO()
    Image.new("RGBA", (2, 2)).save(buf, format="PNG")
    _rewrite(saved, replace={"layers/LayerHair.png": buf.getvalue()})
    _load_fails(saved, ProjectFormatError, r"image is \(2, 2\), rig.json says \(7, 3\)")


def test_missing_rig_json(saved):
    _rewrite(saved, drop=["rig.json"])
    _load_fails(saved, ProjectFormatError, "rig.json: missing")


def test_invalid_json(saved):
    _rewrite(saved, replace={"rig.json": b'{"schema_version": 1, "name": '})
    _load_fails(saved, ProjectFormatError, "rig.json: invalid JSON at line 1")


def test_keyform_shape_mismatch_names_the_field(saved):
    def drop_vertex(doc):
        doc["art_meshes"][0]["keyforms"]["values"]["positions"] = [
            block[:-1] for block in doc["art_meshes"][0]["keyforms"]["values"]["positions"]
        ]

    _rewrite(saved, drop_vertex)
    _load_fails(
        saved,
        ProjectFormatError,
        r"^character\.kirie: rig\.json: art_meshes\[0\]\.keyforms\.values\.positions: expected \(6, 4, 2\), "
        r"got \(6, 3, 2\)$",
    )


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (lambda d: d["art_meshes"][1].pop("uvs"), r"art_meshes\[1\]\.uvs: missing"),
        (
            lambda d: d["parameters"][1].update(name=5),
            r"parameters\[1\]\.name: expected a string, got an integer",
        ),
        (
            lambda d: d["deformers"][0].update(rows="2"),
            r"deformers\[0\]\.rows: expected an integer, got a string",
        ),
        (
            lambda d: d["deformers"][1].update(type="bone"),
            r"deformers\[1\]\.type: expected 'warp' or 'rotation'",
        ),
        (
            lambda d: d["art_meshes"][0].update(blend_mode="screen"),
            r"art_meshes\[0\]\.blend_mode: expected one of",
        ),
        (
            lambda d: d["art_meshes"][0]["triangles"].append([0, 1, 9]),
            r"art_meshes\[0\]\.triangles: vertex index 9",
        ),
        (
            lambda d: d["art_meshes"][0]["triangles"].append([0, -1, 2]),
            r"triangles: expected integers in \[0, 65535\]",
        ),
        (
            lambda d: d["parts"][1]["keyforms"]["values"].pop("opacity"),
            r"parts\[1\]\.keyforms\.values: missing fields",
        ),
        (
            lambda d: d["deformers"][1]["keyforms"]["values"].update(reflect_x=[1, 0, 1]),
            "expected an array of true/false",
        ),
        (
            lambda d: d["physics"]["settings"][0]["inputs"][0].update(kind="Z"),
            r"inputs\[0\]\.kind: expected one of",
        ),
        (lambda d: d["parameters"][0].update(min=40), r"parameters\[0\]: parameter 'ParamAngleX': need min"),
        (
            lambda d: d["art_meshes"][1].update(mask_ids=["ArtMesh9"]),
            "invalid rig: art mesh 'ArtMesh2': mask",
        ),
        (lambda d: d.update(layers={}), "layers: expected an array, got an object"),
        (lambda d: d.pop("schema_version"), "schema_version: missing"),
        (lambda d: d.update(schema_version=0), "schema_version: expected a version >= 1"),
    ],
)
def test_bad_fields_are_named(saved, edit, match):
    _rewrite(saved, edit)
    _load_fails(saved, ProjectFormatError, match)


def test_future_schema_version(saved):
    def future(doc):
        doc["schema_version"] = 7
        doc["art_meshes"] = "a new layout this Kirie cannot parse"

    _rewrite(saved, future)
    _load_fails(
        saved,
        UnsupportedVersionError,
        r"character\.kirie was written by a newer Kirie \(schema 7\); this Kirie reads up to 1 — update Kirie",
    )


# ---------------------------------------------------------------------------------- autosave
def test_autosave_path(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    a = autosave_path(tmp_path / "one" / "rig.kirie")
    b = autosave_path(tmp_path / "two" / "rig.kirie")
    untitled = autosave_path("Untitled")
    assert a.parent == b.parent == untitled.parent == tmp_path / "data" / "kirie" / "recovery"
    assert a.parent.is_dir()
    assert a != b and a.name.startswith("rig-") and a.suffix == ".kirie"
    assert a == autosave_path(tmp_path / "one" / "rig.kirie")
    assert untitled.name == "Untitled.kirie"
    save_project(a, format_test_rig())  # usable as a save target
    assert deep_equal(load_project(a).rig, format_test_rig())


@pytest.mark.parametrize("make", ["tiny", "synthetic"])
def test_round_trip_of_shared_test_rigs(tmp_path, make):
    from rig.testing import BENCHMARK_SIZES, synthetic_rig, tiny_rig

    rig = tiny_rig() if make == "tiny" else synthetic_rig(**BENCHMARK_SIZES["small"], seed=5)
    save_project(tmp_path / "a.kirie", rig)
    back = load_project(tmp_path / "a.kirie").rig
    assert deep_equal(back, rig)
    save_project(tmp_path / "b.kirie", back)
    assert (tmp_path / "a.kirie").read_bytes() == (tmp_path / "b.kirie").read_bytes()

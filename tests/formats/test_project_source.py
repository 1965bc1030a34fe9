"""The optional ``source`` record of ``.kirie`` projects: round trip, old files, bad records."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest
from PIL import Image

from rig.errors import ProjectFormatError
from rig.formats.project import load_project, save_project
from rig.formats.project_write import zip_bytes
from rig.model import SourceImage, deep_equal
from tests.formats.rigs import format_test_rig


def _with_source(seed: int = 7):
    rig = format_test_rig(seed)
    rng = np.random.default_rng(seed)
    h, w = rig.canvas_height_px, rig.canvas_width_px
    rgba = rng.integers(0, 256, (h, w, 4), dtype=np.uint8)
    labels = rng.integers(0, 3, (h, w), dtype=np.uint8)
    contour = np.array([[1.5, 2.25], [w - 3.0, 4.0], [w / 2, h - 1.0]], np.float32)
    rig.source = SourceImage(rgba, labels, ("LayerFace", "LayerHair"), ("Face", "FrontHair"),
                             (10.0, 12.5, 40.0, 44.0), contour, (30.0, 56.5))  # fmt: skip
    rig.validate()
    return rig


def _entries(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def test_source_round_trips_exactly_and_deterministically(tmp_path):
    rig = _with_source()
    path, again = tmp_path / "a.kirie", tmp_path / "b.kirie"
    save_project(path, rig)
    back = load_project(path).rig
    assert deep_equal(back, rig) and back.source is not None
    save_project(again, back)
    assert again.read_bytes() == path.read_bytes()
    entries = _entries(path)
    assert {"source/image.png", "source/labels.png"} <= set(entries)
    with Image.open(io.BytesIO(entries["source/labels.png"])) as img:
        assert img.mode == "L"


def test_a_rig_without_source_writes_no_record_and_loads_as_before(tmp_path):
    path = tmp_path / "old.kirie"
    save_project(path, format_test_rig())
    entries = _entries(path)
    assert not any(n.startswith("source/") for n in entries)
    assert "source" not in json.loads(entries["rig.json"])
    assert load_project(path).rig.source is None
    # the rest of rig.json is the same whether or not a source is present
    save_project(tmp_path / "new.kirie", _with_source())
    doc = json.loads(_entries(tmp_path / "new.kirie")["rig.json"])
    doc.pop("source")
    assert doc == json.loads(entries["rig.json"])


def _rewrite(path, edit=None, drop=(), replace=None):
    entries = _entries(path)
    if edit is not None:
        doc = json.loads(entries["rig.json"])
        edit(doc["source"])
        entries["rig.json"] = json.dumps(doc).encode()
    for name in drop:
        del entries[name]
    entries.update(replace or {})
    path.write_bytes(zip_bytes(entries))


def _png(array) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(array).save(buf, format="PNG")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"drop": ["source/labels.png"]}, "source/labels.png: missing"),
        ({"replace": {"source/image.png": b"not a png"}}, "source/image.png: corrupt PNG"),
        ({"replace": {"source/labels.png": _png(np.zeros((4, 4, 4), np.uint8))}}, "expected a L PNG"),
        ({"replace": {"source/labels.png": _png(np.zeros((4, 4), np.uint8))}}, r"image is \(4, 4\)"),
        ({"replace": {"source/labels.png": _png(np.full((480, 640), 9, np.uint8))}}, "label value 9"),
        ({"edit": lambda s: s.pop("chin_px")}, "source.chin_px: missing"),
        ({"edit": lambda s: s["layer_kinds"].pop()}, "one per layer id"),
    ],
)
def test_bad_source_records_are_named(tmp_path, kwargs, match):
    path = tmp_path / "bad.kirie"
    save_project(path, _with_source())
    _rewrite(path, **kwargs)
    with pytest.raises(ProjectFormatError, match=match):
        load_project(path)

"""export_cubism: the folder's files, their cross references, atomicity of refusals."""

from __future__ import annotations

import json

import pytest

from rig.errors import CubismFormatError
from rig.formats.cubism import export_cubism
from tests.formats.cubism.moc3_reader import read_moc3
from tests.formats.cubism.physics_rig import tiny_rig_with_physics


def test_folder_contents_and_references(tmp_path):
    stages = []
    out = tmp_path / "model"
    written = export_cubism(tiny_rig_with_physics(), out, name="Tiny Rig", progress=lambda f, s: stages.append(f))
    names = sorted(p.relative_to(out).as_posix() for p in written)
    assert names == ["Tiny_Rig.128/texture_00.png", "Tiny_Rig.cdi3.json", "Tiny_Rig.moc3", "Tiny_Rig.model3.json",
                     "Tiny_Rig.physics3.json", "motions/idle.motion3.json"]  # fmt: skip
    assert written[0].name == "Tiny_Rig.model3.json" and stages[-1] == 1.0
    model = json.loads(written[0].read_text())
    refs = model["FileReferences"]
    for rel in [refs["Moc"], refs["Physics"], refs["DisplayInfo"], *refs["Textures"], refs["Motions"]["Idle"][0]["File"]]:
        assert (out / rel).is_file(), rel
    moc = read_moc3((out / refs["Moc"]).read_bytes())
    assert max(moc.array("mesh.texture")) < len(refs["Textures"])
    assert model["Groups"][0]["Ids"] == ["ParamEyeLOpen"]


def test_refused_export_writes_nothing(tmp_path):
    rig = tiny_rig_with_physics()
    rig.art_meshes[0].keyforms.values["draw_order"][:] = -5
    with pytest.raises(CubismFormatError, match="draw order"):
        export_cubism(rig, tmp_path / "model")
    assert list(tmp_path.iterdir()) == []


def test_existing_folder_keeps_other_files(tmp_path):
    out = tmp_path / "model"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    export_cubism(tiny_rig_with_physics(), out)
    export_cubism(tiny_rig_with_physics(), out)  # overwrite in place
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / "tiny.moc3").is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["model"], "no temporary folder left behind"

"""``kirie info``: text and JSON descriptions of a saved project; a clear failure for a bad file."""

from __future__ import annotations

import json

import pytest

from app.cli.main import main
from rig.formats.project import save_project
from tests.formats.rigs import format_test_rig


@pytest.fixture()
def project(tmp_path):
    path = tmp_path / "character.kirie"
    save_project(path, format_test_rig())
    return path


def test_info_text(project, capsys):
    assert main(["info", str(project)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == f"{project}: 'Format test', canvas 640 x 480 px"
    assert "  ParamAngleX          [-30, 30] default 0  keys -30, 0, 30  group ParamGroupFace" in lines
    assert "  ParamSpin            [-180, 180] default 0  keys none  repeat" in lines
    # the part and deformer trees are indented by depth
    assert lines.index("    PartFace 'Face'") == lines.index("  PartRoot 'Root'") + 1
    assert "    Rotation1 (rotation, part PartHair, 3 keyforms on ParamHairFront)" in lines
    assert "      Warp2 (warp 1x1, part PartHair, 1 keyform)" in lines
    assert any(
        line.startswith("  ArtMesh1 ")
        and "4 vertices, 2 triangles, parent Warp1, layer LayerFace, "
        "6 keyforms on ParamAngleX x ParamEyeLOpen"
        in line
        for line in lines
    )
    assert any("ArtMesh3" in line and "0 triangles, parent canvas" in line for line in lines)
    assert "  LayerHair    7 x 3 px at (0, 0)" in lines
    assert "Physics (1 settings, 30 fps)" in lines
    assert any("PhysicsSetting1 'Front hair': 3 particles; in ParamAngleX 60% X, ParamSpin 40% Angle reflect" in line
               for line in lines)  # fmt: skip
    assert lines[-1] == (
        "Totals: 4 parameters, 3 parts, 2 warp + 1 rotation deformers, 3 art meshes (12 vertices, 5 triangles), "
        "17 keyforms, 2 layers (51 px), 1 physics settings"
    )


def test_info_json(project, capsys):
    assert main(["info", str(project), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["canvas_px"] == [640, 480]
    assert [p["id"] for p in info["parameters"]] == [
        "ParamAngleX",
        "ParamEyeLOpen",
        "ParamHairFront",
        "ParamSpin",
    ]
    mesh = {m["id"]: m for m in info["art_meshes"]}
    assert (mesh["ArtMesh2"]["vertices"], mesh["ArtMesh2"]["triangles"]) == (5, 3)
    assert mesh["ArtMesh2"]["masks"] == ["ArtMesh1"] and mesh["ArtMesh2"]["parent_deformer"] == "Rotation1"
    assert {la["id"]: la["size_px"] for la in info["layers"]} == {"LayerFace": [5, 6], "LayerHair": [7, 3]}
    assert info["physics"]["settings"][0]["outputs"][0] == {
        "parameter": "ParamHairFront", "particle": 2, "scale": 1.4, "weight": 100.0, "kind": "Angle", "reflect": True,
    }  # fmt: skip
    assert info["totals"]["vertices"] == 12 and info["totals"]["keyforms"] == 6 + 3 + 1 + 3 + 3 + 1


def test_info_on_a_bad_file_fails_cleanly(tmp_path, capsys, caplog):
    bad = tmp_path / "broken.kirie"
    bad.write_bytes(b"not a zip")
    assert main(["info", str(bad)]) == 2
    assert capsys.readouterr().out == ""
    assert "not a Kirie project" in caplog.text

"""``kirie export``: Cubism folder from a project, clear error for formats not available."""

from __future__ import annotations

import app.cli.export as cli_export
from app.cli.main import main
from rig.formats.project import save_project
from tests.formats.cubism.physics_rig import tiny_rig_with_physics


def test_export_cubism_folder(tmp_path):
    project = tmp_path / "tiny.kirie"
    save_project(project, tiny_rig_with_physics())
    assert main(["export", str(project), "-o", str(tmp_path / "out"), "--name", "t"]) == 0
    assert (tmp_path / "out" / "t.model3.json").is_file() and (tmp_path / "out" / "t.moc3").is_file()


def test_unavailable_format_is_a_clear_error(tmp_path, monkeypatch, caplog):
    project = tmp_path / "tiny.kirie"
    save_project(project, tiny_rig_with_physics())
    monkeypatch.setitem(cli_export._EXPORTERS, "psd", ("rig.formats.no_such_module", "export_psd"))
    assert main(["export", str(project), "-o", str(tmp_path / "x.psd"), "--format", "psd"]) == 2
    assert "not available" in caplog.text
    assert not (tmp_path / "x.psd").exists()


def test_unreadable_project_exits_2(tmp_path):
    bad = tmp_path / "bad.kirie"
    bad.write_bytes(b"not a zip")
    assert main(["export", str(bad), "-o", str(tmp_path / "out")]) == 2

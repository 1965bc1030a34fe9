"""``kirie generate``: a project and a preview from a real image; clear failures leave nothing behind."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from app.cli.main import main
from rig.formats.project import load_project


@pytest.mark.gl
def test_generate_writes_project_summary_and_preview(shared_data, tmp_path, capsys):
    out, preview = tmp_path / "w.kirie", tmp_path / "w.png"
    rc = main(["generate", str(shared_data / "anime" / "waifu_00.png"), "-o", str(out), "--json", "--preview", str(preview)])
    assert rc == 0
    summary = json.loads(capsys.readouterr().out)
    rig = load_project(out).rig
    assert summary["vertices"] == sum(m.vertex_count for m in rig.art_meshes)
    assert set(summary["stages_s"]) >= {"load", "foreground", "landmarks", "parts", "layers", "meshes", "rig"}
    sheet = np.asarray(Image.open(preview).convert("RGB"))
    assert sheet.shape[0] > 100 and sheet.shape[1] > 4 * 100
    assert sheet.std() > 10  # not blank: the character is drawn


@pytest.mark.parametrize("case", ["dog", "corrupt"])
def test_failures_exit_2_and_write_nothing(case, shared_data, tmp_path):
    if case == "dog":
        src = shared_data / "portraits" / "s30.jpg"
    else:
        src = tmp_path / "broken.png"
        src.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    out = tmp_path / "x.kirie"
    assert main(["generate", str(src), "-o", str(out)]) == 2
    assert not out.exists() and not list(tmp_path.glob("*.tmp*"))


def _no_face_model(*args, **kwargs):
    from inference.landmarks import real

    raise FileNotFoundError(real.MODEL)


@pytest.mark.gl
def test_cli_generate_reports_the_detector_in_json_and_log(shared_data, tmp_path, monkeypatch, capsys, caplog):
    from inference.landmarks import real

    monkeypatch.setattr(real, "run_mesh", _no_face_model)
    caplog.set_level("INFO")
    assert main(["generate", str(shared_data / "portraits" / "s2.jpg"), "-o", str(tmp_path / "s2.kirie"), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["face"]["kind"] == "anime"
    assert summary["face"]["detection"].startswith("anime face found by animeface at ")
    assert any("skipped" in t for t in summary["face"]["tried"])
    assert any("kirie models pull face_landmarker" in n for n in summary["notices"])
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any("rigged as an anime face" in w for w in warnings)
    assert any(r.getMessage().startswith("landmarks: anime face found by animeface") for r in caplog.records)

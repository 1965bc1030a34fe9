"""``kirie generate --backend --device``: which backend ran per stage is in the log and in --json."""

from __future__ import annotations

import json
import logging

import pytest

from app.cli.main import main
from inference.models import cache
from tests.inference.learned.tiny_models import const_lama, install

pytestmark = pytest.mark.learned


def test_auto_reports_backends_per_stage(shared_data, tmp_path, monkeypatch, capsys, caplog):
    install(monkeypatch, tmp_path / "models", "lama", const_lama(tmp_path / "l.onnx", (0.2, 0.6, 0.4)))
    out = tmp_path / "c.kirie"
    with caplog.at_level(logging.INFO, logger="kirie.generate"):
        rc = main(["generate", str(shared_data / "anime" / "crypko_00.png"), "-o", str(out), "--json",
                   "--backend", "auto", "--device", "cpu"])
    assert rc == 0 and out.is_file()
    backends = json.loads(capsys.readouterr().out)["backends"]
    assert backends["completion"] == {"stage": "completion", "backend": "learned", "models": ["lama"],
                                      "provider": "CPUExecutionProvider", "reason": "model cached and runnable"}
    assert backends["parts"]["backend"] == "classical" and "kirie models pull mobile_sam_encoder" in backends["parts"]["reason"]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "completion: learned backend (lama on CPUExecutionProvider)" in logged
    assert "parts: classical backend" in logged


def test_learned_without_models_exits_2_with_the_pull_lines(shared_data, tmp_path, monkeypatch, caplog):
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "empty"))
    out = tmp_path / "c.kirie"
    with caplog.at_level(logging.ERROR):
        rc = main(["generate", str(shared_data / "anime" / "crypko_00.png"), "-o", str(out), "--backend", "learned"])
    assert rc == 2 and not out.exists()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "kirie models pull mobile_sam_encoder" in logged and "kirie models pull lama" in logged


def test_contradicting_flags_are_a_usage_error(shared_data, tmp_path):
    rc = main(["generate", str(shared_data / "anime" / "crypko_00.png"), "-o", str(tmp_path / "c.kirie"),
               "--no-learned", "--backend", "learned"])
    assert rc == 2

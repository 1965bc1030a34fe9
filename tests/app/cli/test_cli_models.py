"""``kirie models list`` and ``kirie models pull`` (downloads from local file:// URLs only)."""

from __future__ import annotations

import dataclasses
import hashlib
import io

import numpy as np
import pytest

import app.cli.models as cli_models
from app.cli.main import main
from inference.models import cache
from inference.models.registry import REGISTRY

SIZE = 3_000_000


@pytest.fixture()
def cache_root(tmp_path, monkeypatch):
    root = tmp_path / "cache"
    monkeypatch.setenv(cache.CACHE_ENV, str(root))
    return root


@pytest.fixture()
def local_lama(tmp_path, monkeypatch):
    """Point the ``lama`` entry at a local file of random bytes; return its bytes."""
    data = np.random.default_rng(3).integers(0, 256, SIZE, dtype=np.uint8).tobytes()
    src = tmp_path / "lama_src.onnx"
    src.write_bytes(data)
    spec = dataclasses.replace(
        REGISTRY["lama"], url=src.as_uri(), size_bytes=SIZE, sha256=hashlib.sha256(data).hexdigest()
    )
    monkeypatch.setitem(REGISTRY, "lama", spec)
    return data


def test_list_shows_every_model_and_cache_state(shared_models, monkeypatch, capsys):
    if not (shared_models / "face_landmarker.task").is_file():
        pytest.skip("face_landmarker.task not in the shared models")
    monkeypatch.setenv(cache.CACHE_ENV, str(shared_models))
    assert main(["models", "list"]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines()[2:] if line and not line.startswith(" ")}
    assert set(lines) == set(REGISTRY)
    assert "3.8 MB" in lines["face_landmarker"] and " yes " in lines["face_landmarker"]
    assert "176.1 MB" in lines["anime_seg_isnetis"] and " no " in lines["anime_seg_isnetis"]
    assert all(REGISTRY[name].licence.spdx in line for name, line in lines.items())
    assert "pull needs --unpinned" in out and "non-commercial" in out
    assert "not offered" in out and "see_through" in out and "anime_face_hrnetv2" in out
    assert f"path: {shared_models / 'isnetis.onnx'}" in out


def test_models_without_action_lists(cache_root, capsys):
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    assert f"model cache: {cache_root}" in out
    assert all(name in out for name in REGISTRY)


def test_pull_yes_downloads_with_progress(cache_root, local_lama, capsys):
    assert main(["models", "pull", "lama", "--yes"]) == 0
    captured = capsys.readouterr()
    assert (cache_root / "lama_fp32.onnx").read_bytes() == local_lama
    assert "Apache-2.0" in captured.err and "3.0 MB" in captured.err
    assert "100%" in captured.err and "[" + "#" * cli_models.BAR_WIDTH + "]" in captured.err
    assert str(cache_root / "lama_fp32.onnx") in captured.out


@pytest.mark.parametrize(("answer", "rc"), [("n\n", 1), ("", 1), ("yes\n", 0)])
def test_pull_asks_first(cache_root, local_lama, monkeypatch, capsys, answer, rc):
    monkeypatch.setattr("sys.stdin", io.StringIO(answer))
    assert main(["models", "pull", "lama"]) == rc
    err = capsys.readouterr().err
    assert "[y/N]" in err and "Apache-2.0" in err
    assert (cache_root / "lama_fp32.onnx").is_file() == (rc == 0)


def test_pull_of_a_cached_model_does_not_ask(cache_root, local_lama, monkeypatch, capsys):
    cache_root.mkdir()
    (cache_root / "lama_fp32.onnx").write_bytes(local_lama)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # a prompt would read EOF and decline
    assert main(["models", "pull", "lama"]) == 0
    assert "[y/N]" not in capsys.readouterr().err


def test_pull_unknown_model(cache_root):
    assert main(["models", "pull", "nope", "--yes"]) == 2


def test_pull_sha_mismatch_fails_and_leaves_nothing(cache_root, local_lama, monkeypatch):
    monkeypatch.setitem(REGISTRY, "lama", dataclasses.replace(REGISTRY["lama"], sha256="f" * 64))
    assert main(["models", "pull", "lama", "--yes"]) == 2
    assert list(cache_root.iterdir()) == []


def test_ctrl_c_cancels_cleanly(cache_root, local_lama, monkeypatch, capsys):
    original = cli_models._ProgressBar.__call__

    def interrupt(self, done, total):
        original(self, done, total)
        if done > 0:
            raise KeyboardInterrupt

    monkeypatch.setattr(cli_models._ProgressBar, "__call__", interrupt)
    assert main(["models", "pull", "lama", "--yes"]) == 130
    assert "cancelled" in capsys.readouterr().err
    assert list(cache_root.iterdir()) == []


def test_pull_of_an_unpinned_model_needs_consent(cache_root, tmp_path, monkeypatch, capsys, caplog):
    data = np.random.default_rng(5).integers(0, 256, SIZE, dtype=np.uint8).tobytes()
    src = tmp_path / "migan_src.onnx"
    src.write_bytes(data)
    monkeypatch.setitem(REGISTRY, "migan", dataclasses.replace(REGISTRY["migan"], url=src.as_uri(), size_bytes=SIZE))
    assert main(["models", "pull", "migan", "--yes"]) == 1
    assert "--unpinned" in caplog.text and not (cache_root / "migan_pipeline_v2.onnx").exists()
    assert main(["models", "pull", "migan", "--yes", "--unpinned"]) == 0
    err = capsys.readouterr().err
    assert "NOT PINNED" in err and "Places2" in err and "MIT" in err
    assert (cache_root / "migan_pipeline_v2.onnx").read_bytes() == data
    assert (cache_root / "migan_pipeline_v2.onnx.sha256").read_text().split()[0] == hashlib.sha256(data).hexdigest()

"""Model download against local files only: file:// URLs and an http.server on 127.0.0.1."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import http.server
import threading
from pathlib import Path

import numpy as np
import pytest

from inference.models import cache
from inference.models.download import (
    CHUNK_BYTES,
    DownloadDeclinedError,
    download_model,
    sha256_file,
)
from inference.models.registry import REGISTRY
from inference.types import CancelToken
from rig.errors import CancelledError, ModelDownloadError

PAYLOAD_BYTES = 2 * CHUNK_BYTES + 12_345  # three chunks


def yes(_spec) -> bool:
    return True


@pytest.fixture()
def payload(tmp_path) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    path = src / "tiny.bin"
    path.write_bytes(np.random.default_rng(7).integers(0, 256, PAYLOAD_BYTES, dtype=np.uint8).tobytes())
    return path


@pytest.fixture()
def cache_root(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "cache"
    monkeypatch.setenv(cache.CACHE_ENV, str(root))
    return root


def spec_for(path: Path, url: str | None = None, **changes):
    data = path.read_bytes()
    fields = dict(
        name="tiny",
        filename="tiny.bin",
        url=url or path.as_uri(),
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    fields.update(changes)
    return dataclasses.replace(REGISTRY["lama"], **fields)


def test_success_verifies_and_renames(payload, cache_root):
    spec = spec_for(payload)
    seen = []
    asked = []
    path = download_model(
        spec, confirm=lambda s: asked.append(s) or True, progress=lambda d, t: seen.append((d, t))
    )
    assert path == cache_root / "tiny.bin"
    assert path.read_bytes() == payload.read_bytes()
    assert asked == [spec]
    assert seen[0] == (0, PAYLOAD_BYTES) and seen[-1] == (PAYLOAD_BYTES, PAYLOAD_BYTES)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen) and len(seen) == 4
    assert sorted(p.name for p in cache_root.iterdir()) == ["tiny.bin"]


def test_sha_mismatch_deletes_and_raises(payload, cache_root):
    spec = spec_for(payload, sha256="0" * 64)
    with pytest.raises(ModelDownloadError, match="sha256 mismatch"):
        download_model(spec, confirm=yes)
    assert list(cache_root.iterdir()) == []


def test_size_mismatch_deletes_and_raises(payload, cache_root):
    with pytest.raises(ModelDownloadError, match="expected"):
        download_model(spec_for(payload, size_bytes=PAYLOAD_BYTES + 1), confirm=yes)
    with pytest.raises(ModelDownloadError, match="larger than"):
        download_model(spec_for(payload, size_bytes=PAYLOAD_BYTES - 1), confirm=yes)
    assert list(cache_root.iterdir()) == []


def test_cancel_leaves_nothing(payload, cache_root):
    token = CancelToken()

    def progress(done, total):
        if done > 0:
            token.cancel()

    with pytest.raises(CancelledError, match="cancelled"):
        download_model(spec_for(payload), confirm=yes, progress=progress, cancel=token)
    assert list(cache_root.iterdir()) == []


def test_keyboard_interrupt_leaves_nothing(payload, cache_root):
    def progress(done, total):
        if done > 0:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        download_model(spec_for(payload), confirm=yes, progress=progress)
    assert list(cache_root.iterdir()) == []


def test_declined_fetches_nothing(tmp_path, cache_root, payload):
    spec = spec_for(payload, url=(tmp_path / "missing.bin").as_uri())
    with pytest.raises(DownloadDeclinedError):
        download_model(spec, confirm=lambda s: False)
    assert not cache_root.exists() or list(cache_root.iterdir()) == []


def test_already_cached_is_skipped(payload, cache_root, tmp_path):
    cache_root.mkdir()
    (cache_root / "tiny.bin").write_bytes(payload.read_bytes())
    spec = spec_for(payload, url=(tmp_path / "missing.bin").as_uri())

    def never(_spec):
        raise AssertionError("confirm must not be called for a cached model")

    assert download_model(spec, confirm=never) == cache_root / "tiny.bin"


def test_force_replaces_a_cached_file(payload, cache_root):
    cache_root.mkdir()
    (cache_root / "tiny.bin").write_bytes(b"x" * PAYLOAD_BYTES)  # right size, wrong bytes
    path = download_model(spec_for(payload), confirm=yes, force=True)
    assert sha256_file(path) == spec_for(payload).sha256


def test_missing_source_is_a_download_error(tmp_path, cache_root, payload):
    spec = spec_for(payload, url=(tmp_path / "missing.bin").as_uri())
    with pytest.raises(ModelDownloadError, match="could not download"):
        download_model(spec, confirm=yes)
    assert list(cache_root.iterdir()) == []


def test_cache_dir_env_override(tmp_path, monkeypatch):
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "x"))
    assert cache.cache_dir() == tmp_path / "x"
    assert not (tmp_path / "x").exists()  # never created by a lookup
    assert cache.ensure_cache_dir().is_dir()
    monkeypatch.delenv(cache.CACHE_ENV)
    import platformdirs

    assert cache.cache_dir() == Path(platformdirs.user_cache_dir("kirie")) / "models"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture()
def http_root(payload):
    handler = functools.partial(_QuietHandler, directory=str(payload.parent))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_http_download(payload, cache_root, http_root):
    seen = []
    path = download_model(
        spec_for(payload, url=f"{http_root}/tiny.bin"), confirm=yes, progress=lambda d, t: seen.append((d, t))
    )
    assert path.read_bytes() == payload.read_bytes()
    assert seen[-1] == (PAYLOAD_BYTES, PAYLOAD_BYTES)


def test_http_404_is_a_download_error(payload, cache_root, http_root):
    with pytest.raises(ModelDownloadError, match="404"):
        download_model(spec_for(payload, url=f"{http_root}/nope.bin"), confirm=yes)
    assert list(cache_root.iterdir()) == []


def test_unpinned_model_is_refused_without_consent(payload, cache_root):
    from inference.models.download import UnpinnedModelError

    spec = spec_for(payload, sha256=None, size_exact=False, pin_note="no official sha256")
    asked = []
    with pytest.raises(UnpinnedModelError, match=r"kirie models pull tiny --unpinned"):
        download_model(spec, confirm=lambda s: asked.append(s) or True)
    assert asked == [] and not cache_root.exists()  # refused before asking or fetching


def test_unpinned_download_pins_its_digest_and_checks_it_next_time(payload, cache_root, caplog):
    from inference.models.download import pin_path

    rounded = round(PAYLOAD_BYTES, -4)  # the host shows a rounded size
    spec = spec_for(payload, sha256=None, size_bytes=rounded, size_exact=False, pin_note="no official sha256")
    with caplog.at_level("WARNING", logger="inference.models.download"):
        path = download_model(spec, confirm=yes, allow_unpinned=True)
    digest = sha256_file(payload)
    assert path.read_bytes() == payload.read_bytes()
    assert pin_path(spec).read_text().split()[0] == digest
    assert any("UNPINNED" in r.getMessage() and digest in r.getMessage() for r in caplog.records)
    # a later forced pull must match the local pin: a changed file at the URL is refused and deleted
    changed = bytearray(payload.read_bytes())
    changed[100] ^= 0xFF
    payload.write_bytes(bytes(changed))
    with pytest.raises(ModelDownloadError, match="sha256 mismatch"):
        download_model(spec, confirm=yes, allow_unpinned=True, force=True)
    assert path.read_bytes() != bytes(changed)  # the first, pinned file is kept


def test_unpinned_size_far_from_the_rounded_one_is_refused(payload, cache_root):
    spec = spec_for(payload, sha256=None, size_bytes=PAYLOAD_BYTES * 2, size_exact=False)
    with pytest.raises(ModelDownloadError, match="expected about"):
        download_model(spec, confirm=yes, allow_unpinned=True)
    assert sorted(p.name for p in cache_root.iterdir()) == []

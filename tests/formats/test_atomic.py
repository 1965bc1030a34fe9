"""``rig.formats.atomic``: temporaries beside the target, renamed when complete, stale ones of killed writers removed."""

from __future__ import annotations

import errno
import os
import subprocess
import time

import pytest

import rig.formats.atomic as atomic
from rig.formats.atomic import atomic_path, clean_stale_temporaries, make_temporary_folder, write_atomically


def _dead_pid() -> int:
    proc = subprocess.Popen(["sleep", "0"])
    proc.wait()
    return proc.pid


def _age(path, seconds):
    t = time.time() - seconds
    os.utime(path, (t, t))


def test_write_replaces_and_keeps_mode(tmp_path):
    out = tmp_path / "a.bin"
    out.write_bytes(b"old")
    out.chmod(0o600)
    write_atomically(out, b"new")
    assert out.read_bytes() == b"new" and (out.stat().st_mode & 0o777) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.bin"]


def test_keep_suffix_for_writers_that_pick_the_format_by_extension(tmp_path):
    with atomic_path(tmp_path / "v.mp4", keep_suffix=True) as tmp:
        assert tmp.parent == tmp_path and tmp.name.startswith(".v.mp4.") and tmp.name.endswith(".tmp.mp4")
        tmp.write_bytes(b"video")
    assert (tmp_path / "v.mp4").read_bytes() == b"video"


@pytest.mark.parametrize("error", [OSError(errno.ENOSPC, "No space left on device"), KeyboardInterrupt()])
def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch, error):
    out = tmp_path / "a.bin"
    out.write_bytes(b"old")

    def fail(*args):
        raise error

    monkeypatch.setattr(atomic.os, "replace", fail)
    with pytest.raises(type(error)) as info:
        write_atomically(out, b"new")
    if isinstance(error, OSError):
        assert info.value.filename == str(out) and info.value.errno == errno.ENOSPC  # names the target
    assert out.read_bytes() == b"old" and sorted(p.name for p in tmp_path.iterdir()) == ["a.bin"]


def test_stale_temporaries_are_removed_and_live_ones_kept(tmp_path):
    target = tmp_path / "out.png"
    dead = _dead_pid()
    dead_old = tmp_path / f".out.png.{dead}-0badf00d.tmp"  # killed writer, untouched for a minute
    dead_fresh = tmp_path / f".out.png.{dead}-00000001.tmp"  # killed writer, but just written: grace period
    live = tmp_path / f".out.png.{os.getpid()}-00000002.tmp"  # this process, old: only the hour rule
    legacy_old = tmp_path / ".out.png.k3j_x9q1.tmp"  # tempfile.mkstemp naming, two hours old
    legacy_new = tmp_path / ".out.png.abcdefgh.tmp"
    folder = tmp_path / f".out.png.{dead}-0000beef.tmp"  # an interrupted Cubism export folder
    other = tmp_path / f".other.png.{dead}-0badf00d.tmp"  # another target's: not ours to judge
    for p in (dead_old, dead_fresh, live, legacy_old, legacy_new, other):
        p.write_bytes(b"partial")
    folder.mkdir()
    (folder / "x.moc3").write_bytes(b"partial")
    for p, age in ((dead_old, 60), (live, 600), (legacy_old, 7200), (folder, 60), (other, 60)):
        _age(p, age)
    removed = clean_stale_temporaries(target)
    assert sorted(removed) == sorted([dead_old, legacy_old, folder])
    assert all(p.exists() for p in (dead_fresh, live, legacy_new, other))


def test_temporary_folder_cleans_first(tmp_path):
    stale = tmp_path / f".model.{_dead_pid()}-0000beef.tmp"
    stale.mkdir()
    _age(stale, 60)
    tmp = make_temporary_folder(tmp_path / "model")
    assert tmp.is_dir() and not stale.exists() and (tmp.stat().st_mode & 0o777) == 0o755

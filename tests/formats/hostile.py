"""Small generated hostile inputs for the bad-input tests, and a subprocess runner that measures peak memory.

Everything is made on the fly and stays small on disk: a 3 GiB entry is a streamed deflated run of
zeros (about 3 MB), a 12000 x 12000 layer PNG is streamed row by row (about 0.5 MB) without ever
holding its pixels.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
_CHUNK = bytes(16 << 20)


def rewrite_project(src: Path, dst: Path, edit: Callable[[dict], Any] | None = None,
                    replace: dict[str, bytes] | None = None, zero_entries: dict[str, int] | None = None,
                    encrypted: tuple[str, ...] = (), raw_rig_json: bytes | None = None) -> Path:  # fmt: skip
    """Copy the project zip ``src`` to ``dst`` with changes.

    ``edit(doc)`` changes the parsed ``rig.json`` in place; ``raw_rig_json`` replaces its bytes;
    ``replace`` replaces or adds entries; ``zero_entries`` adds or replaces entries with that many
    zero bytes, streamed (deflated, so 3 GiB take about 3 MB); ``encrypted`` sets the zip
    "encrypted" flag on those entries (their bytes stay plain).
    """
    replace = dict(replace or {})
    zero_entries = dict(zero_entries or {})
    with zipfile.ZipFile(src) as zin:
        entries = {i.filename: zin.read(i) for i in zin.infolist()}
    if edit is not None:
        doc = json.loads(entries["rig.json"])
        edit(doc)
        entries["rig.json"] = json.dumps(doc).encode()
    if raw_rig_json is not None:
        entries["rig.json"] = raw_rig_json
    entries.update(replace)
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in entries.items():
            if name in zero_entries:
                continue
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(info, data)
        for name, size in zero_entries.items():
            _write_zeros(zout, name, size)
    if encrypted:
        _set_encrypted_flag(dst, encrypted)
    return dst


def _write_zeros(zout: zipfile.ZipFile, name: str, size: int) -> None:
    """A deflated entry of ``size`` zero bytes (a multiple of 16 MiB), streamed in 16 MiB chunks.

    Each chunk deflates to the same full-flushed block (byte-aligned, no back references), so the
    block is computed once and repeated: the entry is a valid deflate stream with a true CRC, made
    in the time the CRC takes.
    """
    assert size % len(_CHUNK) == 0
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = comp.compress(_CHUNK) + comp.flush(zlib.Z_FULL_FLUSH)
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    with zout.open(info, "w", force_zip64=True) as f:
        f._compressor = _RepeatedBlock(block)  # zipfile's writer: counts sizes and the CRC, writes our bytes
        for _ in range(size // len(_CHUNK)):
            f.write(_CHUNK)


class _RepeatedBlock:
    def __init__(self, block: bytes) -> None:
        self.block = block

    def compress(self, data: bytes) -> bytes:
        assert data is _CHUNK
        return self.block

    def flush(self) -> bytes:
        return zlib.compressobj(9, zlib.DEFLATED, -15).flush()  # the empty final block


def _set_encrypted_flag(path: Path, names: tuple[str, ...]) -> None:
    """Set bit 0 ("encrypted") of the general-purpose flags of ``names`` in both zip headers."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        infos = [zf.getinfo(n) for n in names]
    for info in infos:
        data[info.header_offset + 6] |= 0x1  # local header: flags at offset 6
    at = data.find(b"PK\x01\x02")
    while at >= 0:  # central directory headers: flags at 8, name length at 28, name at 46
        length = struct.unpack("<H", data[at + 28 : at + 30])[0]
        if data[at + 46 : at + 46 + length].decode() in names:
            data[at + 8] |= 0x1
        at = data.find(b"PK\x01\x02", at + 46)
    path.write_bytes(bytes(data))


def streamed_png(width: int, height: int, rgba: tuple[int, int, int, int] = (0, 0, 0, 0)) -> bytes:
    """A valid RGBA PNG of ``width`` x ``height`` pixels of one colour (transparent by default), encoded row by row."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    comp = zlib.compressobj(9)
    row = b"\x00" + bytes(rgba) * width  # filter byte 0 + the pixels
    idat = b"".join(comp.compress(row) for _ in range(height)) + comp.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def deep_json(depth: int) -> bytes:
    """``rig.json`` bytes whose ``name`` is an array nested ``depth`` levels."""
    return b'{"schema_version": 1, "name": ' + b"[" * depth + b"]" * depth + b"}"


def run_measured(args: list[str], timeout_s: float = 300, env: dict[str, str] | None = None,
                 cwd: Path = REPO) -> tuple[int, str, str, float]:  # fmt: skip
    """Run ``python -m app.cli ARGS`` in a subprocess; return (exit code, stdout, stderr, peak RSS in MB).

    The peak is the child's own VmHWM, written at exit by a small wrapper around ``app.cli.main``: it
    counts this process image alone (``ru_maxrss`` would also count the pytest process forked before exec).
    A child that dies without writing it falls back to ``ru_maxrss`` from ``os.wait4``.
    """
    out_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"kirie-cli-{os.getpid()}-{id(args)}"
    with open(f"{out_path}.out", "w+b") as out, open(f"{out_path}.err", "w+b") as err:
        hwm = Path(f"{out_path}.hwm")
        proc = subprocess.Popen([sys.executable, "-c", _PEAK_WRAPPER, *map(str, args)], cwd=cwd, stdout=out,
                                stderr=err, env={**os.environ, **(env or {}), "KIRIE_TEST_HWM": str(hwm)})  # fmt: skip
        try:
            _, status, usage = _wait4(proc, timeout_s)
        finally:
            if proc.poll() is None:
                proc.kill()
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    peak_mb = usage.ru_maxrss / 1024.0
    if hwm.exists() and hwm.read_text().split():
        peak_mb = int(hwm.read_text().split()[1]) / 1024.0  # "VmHWM:  123456 kB"
    for suffix in (".out", ".err", ".hwm"):
        Path(f"{out_path}{suffix}").unlink(missing_ok=True)
    code = os.waitstatus_to_exitcode(status)
    return code, stdout, stderr, peak_mb


_PEAK_WRAPPER = """
import atexit, os, sys

def _peak():
    with open("/proc/self/status") as st, open(os.environ["KIRIE_TEST_HWM"], "w") as f:
        f.write(next(line for line in st if line.startswith("VmHWM")))

atexit.register(_peak)
sys.argv[0] = "kirie"
from app.cli.main import main
raise SystemExit(main())
"""


def _wait4(proc: subprocess.Popen, timeout_s: float):
    import time

    deadline = time.monotonic() + timeout_s
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return pid, status, usage
        if time.monotonic() > deadline:
            proc.kill()
            raise TimeoutError(f"{proc.args} ran over {timeout_s} s")
        time.sleep(0.02)


def folder_listing(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones included) -> its bytes: 'nothing changed, no junk left'."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}

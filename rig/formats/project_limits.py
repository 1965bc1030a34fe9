"""Bounded reading of ``.kirie`` archives: what a hostile or damaged project may cost to open.

A project is opened as a :class:`ProjectArchive`, a read-only mapping from entry name to bytes
that reads an entry only when asked (so unused entries cost nothing and decoded layers do not
overlap with every compressed one). Before anything is decompressed the archive is checked
against the limits below, from the sizes the zip declares; a read never returns more than the
declared size (``zipfile`` stops there and the CRC check catches a lie). Every violation raises
:class:`~rig.errors.ProjectFormatError` naming the entry and the limit.

The limits are about 100 times what Kirie writes for an 8192 px canvas (a generated 512 px
character: 21 entries, ``rig.json`` 0.6 MB, layers 0.6 canvas areas), so a real project never
meets them, while the memory needed to open the worst accepted file stays bounded: at most
:data:`MAX_TOTAL_BYTES` of entries (one read at a time), :data:`MAX_JSON_BYTES` of JSON, and
``4 * MAX_CANVAS_PIXELS * (1 + MAX_LAYER_AREA_FACTOR)`` bytes of decoded pixels.
"""

from __future__ import annotations

import io
import struct
import warnings
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from rig.errors import ProjectFormatError
from rig.formats.project_json import format_shape

#: Most entries an archive may hold (Kirie writes layers + 4).
MAX_ENTRIES = 4096
#: Largest central directory (the list of entries) in bytes.
MAX_DIRECTORY_BYTES = 8 * 2**20
#: Largest uncompressed JSON entry (``rig.json``, ``editor.json``).
MAX_JSON_BYTES = 64 * 2**20
#: Largest uncompressed entry of any other kind (a layer PNG).
MAX_ENTRY_BYTES = 512 * 2**20
#: Largest sum of all declared uncompressed sizes.
MAX_TOTAL_BYTES = 1536 * 2**20
#: Deepest nesting of arrays and objects in a JSON entry (``rig.json`` needs 8).
MAX_JSON_DEPTH = 32
#: Longest canvas side; what GPUs render to (``GL_MAX_RENDERBUFFER_SIZE`` >= 16384 on current ones).
MAX_CANVAS_SIDE_PX = 16384
#: Largest canvas area, that of the 8192 px canvas ``inference.load`` makes at most; keeps a full-canvas
#: render (``kirie render``), the PSD composite and the source image within a few hundred MB.
MAX_CANVAS_PIXELS = 8192 * 8192
#: Largest layer image: two canvas areas, as layers reach past the canvas edge (hair and body that
#: move in from outside); a generated 8192 px rig's back hair is 8928 x 7944 px.
MAX_LAYER_PIXELS = 2 * MAX_CANVAS_PIXELS
#: Sum of the layer image areas, in canvas areas (a generated rig has about 0.6).
MAX_LAYER_AREA_FACTOR = 4

_EOCD = b"PK\x05\x06"
_JSON_SUFFIX = ".json"


def check_canvas(width_px: int, height_px: int, where: str) -> None:
    """Raise ProjectFormatError unless ``width_px`` x ``height_px`` is a canvas Kirie can render and export."""
    if width_px < 1 or height_px < 1:
        raise ProjectFormatError(f"{where}: canvas {width_px} x {height_px} px is empty; both sides must be >= 1")
    if max(width_px, height_px) > MAX_CANVAS_SIDE_PX or width_px * height_px > MAX_CANVAS_PIXELS:
        raise ProjectFormatError(
            f"{where}: canvas {width_px} x {height_px} px is over Kirie's limit ({MAX_CANVAS_SIDE_PX} px a side, "
            f"{MAX_CANVAS_PIXELS / 1e6:.0f} megapixels)"
        )


def check_json_depth(value: Any, name: str) -> None:
    """Raise ProjectFormatError when ``value`` nests arrays/objects deeper than :data:`MAX_JSON_DEPTH` (iterative)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise ProjectFormatError(f"{name}: nested deeper than {MAX_JSON_DEPTH} levels")
        children = item.values() if isinstance(item, dict) else item
        stack.extend((c, depth + 1) for c in children if isinstance(c, (list, dict)))


def decode_png(data: bytes, entry: str, size_px: tuple[int, int], mode: str | None, what: str) -> np.ndarray:
    """Decode PNG ``data`` of ``size_px`` (checked in the header first) into uint8 pixels.

    ``mode`` None converts any mode to (H, W, 4) RGBA; "RGBA" or "L" require that mode (no conversion).

    Raises
    ------
    ProjectFormatError
        Not a PNG, another size or mode, or corrupt data; the message names ``entry`` and ``what``.
    """
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # the size is checked below
            img = Image.open(io.BytesIO(data))
        with img:
            if img.format != "PNG" or (mode is not None and img.mode != mode):
                raise ProjectFormatError(f"{entry}: expected a {mode + ' ' if mode else ''}PNG, got {img.format} {img.mode} ({what})")
            if img.size != tuple(size_px):
                raise ProjectFormatError(
                    f"{entry}: image is {format_shape(img.size)}, rig.json says {format_shape(tuple(size_px))}"
                )
            if mode is None and img.mode != "RGBA":
                img = img.convert("RGBA")
            return np.array(img, dtype=np.uint8)  # one copy: Pillow's buffer is freed on return
    except ProjectFormatError:
        raise
    except Exception as exc:  # noqa: BLE001 - Pillow raises many types for corrupt data
        raise ProjectFormatError(f"{entry}: corrupt PNG ({what}): {exc}") from exc


class ProjectArchive(Mapping[str, bytes]):
    """The entries of an open ``.kirie`` zip, read on demand within the module's limits.

    Use as a context manager (``with ProjectArchive(path) as entries:``); ``entries[name]`` returns the
    entry's bytes (CRC-checked), ``name in entries`` and iteration list the file entries.

    Raises
    ------
    ProjectFormatError
        On opening: missing file, a folder, not a zip, truncated, too many entries, an encrypted entry,
        an entry or a total over the limits. On reading: a corrupt entry.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        _check_directory(self.path)
        try:
            self._zip = zipfile.ZipFile(self.path)
        except FileNotFoundError as exc:
            raise ProjectFormatError(f"{self.path}: no such file") from exc
        except IsADirectoryError as exc:
            raise ProjectFormatError(f"{self.path}: is a folder, not a Kirie project") from exc
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError, OverflowError) as exc:
            raise ProjectFormatError(f"{self.path.name}: not a Kirie project, or truncated/corrupt ({exc})") from exc
        try:
            self._infos = _checked_infos(self._zip)
        except BaseException:
            self._zip.close()
            raise

    def __enter__(self) -> ProjectArchive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._zip.close()

    def __getitem__(self, name: str) -> bytes:
        info = self._infos[name]
        try:
            with self._zip.open(info) as f:
                data = f.read(info.file_size + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError, RuntimeError,
                OSError) as exc:  # fmt: skip
            raise ProjectFormatError(f"{name}: corrupt entry ({exc})") from exc
        if len(data) != info.file_size:
            raise ProjectFormatError(f"{name}: corrupt entry (size {len(data)}, expected {info.file_size})")
        return data

    def __contains__(self, name: object) -> bool:
        return name in self._infos

    def __iter__(self) -> Iterator[str]:
        return iter(self._infos)

    def __len__(self) -> int:
        return len(self._infos)


def _check_directory(path: Path) -> None:
    """Check the entry count and directory size from the end record, before ``zipfile`` parses the directory."""
    try:
        with open(path, "rb") as f:
            f.seek(0, 2)
            size = f.tell()
            f.seek(max(0, size - 65557))
            tail = f.read()
    except FileNotFoundError as exc:
        raise ProjectFormatError(f"{path}: no such file") from exc
    except IsADirectoryError as exc:
        raise ProjectFormatError(f"{path}: is a folder, not a Kirie project") from exc
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < 22:
        return  # zipfile reports the damage
    entries, directory_bytes = struct.unpack("<HI", tail[at + 10 : at + 16])
    if entries > MAX_ENTRIES:
        raise ProjectFormatError(f"{path.name}: {entries} entries, over the limit of {MAX_ENTRIES}")
    if directory_bytes > MAX_DIRECTORY_BYTES and directory_bytes != 0xFFFFFFFF:
        raise ProjectFormatError(f"{path.name}: entry list of {directory_bytes} bytes, over the limit")


def _checked_infos(zf: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    infos = [i for i in zf.infolist() if not i.is_dir()]
    if len(infos) > MAX_ENTRIES:
        raise ProjectFormatError(f"{len(infos)} entries, over the limit of {MAX_ENTRIES}")
    total = 0
    out: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        name = info.filename
        if info.flag_bits & 0x1:
            raise ProjectFormatError(f"{name}: encrypted; Kirie projects are never encrypted")
        limit = MAX_JSON_BYTES if name.endswith(_JSON_SUFFIX) else MAX_ENTRY_BYTES
        if info.file_size > limit:
            raise ProjectFormatError(
                f"{name}: {_mib(info.file_size)} uncompressed, over the limit of {_mib(limit)} for one entry"
            )
        total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise ProjectFormatError(f"entries add up to more than {_mib(MAX_TOTAL_BYTES)} uncompressed")
        if name in out:
            raise ProjectFormatError(f"{name}: stored twice")
        out[name] = info
    return out


def _mib(n: int) -> str:
    return f"{n / 2**20:.1f} MiB"

"""Writing ``.kirie`` projects: :class:`~rig.model.Rig` → ``rig.json`` + layer PNGs → zip, atomically.

The JSON is encoded first (so a bad value fails before any file is touched); the layer PNGs are then
encoded one at a time straight into the zip in a temporary file in the destination folder (memory
holds one encoded PNG, not the whole archive), which is flushed, fsynced and moved over the old file
with ``os.replace``. The bytes depend only on the rig: fixed zip timestamps and attributes, entries in
sorted order, compact JSON in a fixed key order, PNGs encoded by Pillow with fixed settings and no
metadata. The format is described in :mod:`rig.formats.project`. The atomic write itself is
:func:`rig.formats.atomic.write_atomically` (re-exported here).
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable
from typing import Any, BinaryIO

import numpy as np

from rig.errors import ProjectFormatError
from rig.formats.atomic import write_atomically  # noqa: F401 - re-exported
from rig.formats.project_json import RIG_ENTRY
from rig.formats.project_read import EDITOR_ENTRY, LAYER_FOLDER, SCHEMA_VERSION
from rig.formats.project_source import SOURCE_IMAGE_ENTRY, SOURCE_LABELS_ENTRY, source_to_json
from rig.model import (
    ArtMesh,
    KeyformGrid,
    Layer,
    Parameter,
    Part,
    PhysicsRig,
    Rig,
    RotationDeformer,
    WarpDeformer,
)

#: The earliest date a zip entry can carry; used for every entry so that bytes do not depend on time.
ZIP_DATE_TIME = (1980, 1, 1, 0, 0, 0)
_SAFE_ID = re.compile(r"^[A-Za-z0-9_.-]+$")


# --------------------------------------------------------------------------- JSON
def _keyforms(grid: KeyformGrid) -> dict[str, Any]:
    return {
        "bindings": [{"parameter_id": b.parameter_id, "keys": list(b.keys)} for b in grid.bindings],
        "values": {name: np.asarray(grid.values[name]).tolist() for name in sorted(grid.values)},
    }


def _parameter(p: Parameter) -> dict[str, Any]:
    return {"id": p.id, "name": p.name, "min": p.min, "default": p.default, "max": p.max, "keys": list(p.keys),
            "group": p.group, "repeat": p.repeat}  # fmt: skip


def _part(p: Part) -> dict[str, Any]:
    return {"id": p.id, "name": p.name, "parent_part_id": p.parent_part_id, "visible": p.visible,
            "keyforms": _keyforms(p.keyforms)}  # fmt: skip


def _deformer(d: WarpDeformer | RotationDeformer) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "warp" if isinstance(d, WarpDeformer) else "rotation", "id": d.id, "name": d.name,
                           "part_id": d.part_id, "parent_deformer_id": d.parent_deformer_id, "visible": d.visible}  # fmt: skip
    if isinstance(d, WarpDeformer):
        out.update(rows=d.rows, cols=d.cols)
    else:
        out["base_angle_deg"] = d.base_angle_deg
    out["keyforms"] = _keyforms(d.keyforms)
    return out


def _art_mesh(m: ArtMesh) -> dict[str, Any]:
    return {
        "id": m.id, "name": m.name, "part_id": m.part_id, "parent_deformer_id": m.parent_deformer_id,
        "layer_id": m.layer_id, "uvs": m.uvs.tolist(), "triangles": m.triangles.tolist(),
        "blend_mode": m.blend_mode.value, "mask_ids": list(m.mask_ids), "invert_mask": m.invert_mask,
        "visible": m.visible, "culling": m.culling, "topology_version": m.topology_version,
        "keyforms": _keyforms(m.keyforms),
    }  # fmt: skip


def layer_entry(layer: Layer) -> str:
    """Zip entry of a layer's PNG: ``layers/<layer_id>.png``.

    Raises
    ------
    ProjectFormatError
        If the id has characters other than letters, digits, ``_``, ``.`` and ``-``.
    """
    if not _SAFE_ID.match(layer.id) or layer.id in {".", ".."}:
        raise ProjectFormatError(
            f"layer id {layer.id!r} cannot be a file name; use letters, digits, '_', '.', '-'"
        )
    return f"{LAYER_FOLDER}{layer.id}.png"


def _layer(layer: Layer) -> dict[str, Any]:
    return {"id": layer.id, "name": layer.name, "origin_px": list(layer.origin_px), "version": layer.version,
            "size_px": list(layer.size_px), "image": layer_entry(layer)}  # fmt: skip


def _physics(p: PhysicsRig) -> dict[str, Any]:
    settings = []
    for s in p.settings:
        n = s.normalization
        settings.append({
            "id": s.id, "name": s.name,
            "inputs": [{"parameter_id": i.parameter_id, "weight": i.weight, "kind": i.kind.value,
                        "reflect": i.reflect} for i in s.inputs],
            "outputs": [{"parameter_id": o.parameter_id, "particle_index": o.particle_index, "scale": o.scale,
                         "weight": o.weight, "kind": o.kind.value, "reflect": o.reflect} for o in s.outputs],
            "particles": [{"position": list(q.position), "mobility": q.mobility, "delay": q.delay,
                           "acceleration": q.acceleration, "radius": q.radius} for q in s.particles],
            "normalization": {"position_min": n.position_min, "position_default": n.position_default,
                              "position_max": n.position_max, "angle_min": n.angle_min,
                              "angle_default": n.angle_default, "angle_max": n.angle_max},
        })  # fmt: skip
    return {"gravity": list(p.gravity), "wind": list(p.wind), "fps": p.fps, "settings": settings}


def rig_to_json(rig: Rig) -> dict[str, Any]:
    """The ``rig.json`` document of ``rig`` (snake_case keys, arrays as nested lists).

    ``source`` is present only when the rig has a source record (``rig.formats.project_source``).
    """
    doc = {
        "schema_version": SCHEMA_VERSION,
        "name": rig.name,
        "canvas_width_px": rig.canvas_width_px,
        "canvas_height_px": rig.canvas_height_px,
        "parameters": [_parameter(p) for p in rig.parameters],
        "parameter_groups": [{"id": g.id, "name": g.name} for g in rig.parameter_groups],
        "parts": [_part(p) for p in rig.parts],
        "deformers": [_deformer(d) for d in rig.deformers],
        "art_meshes": [_art_mesh(m) for m in rig.art_meshes],
        "layers": [_layer(la) for la in rig.layers],
        "physics": _physics(rig.physics),
    }
    if rig.source is not None:
        doc["source"] = source_to_json(rig.source)
    return doc


def _dump(name: str, document: Any, sort_keys: bool) -> bytes:
    try:
        text = json.dumps(
            document, ensure_ascii=False, allow_nan=False, separators=(",", ":"), sort_keys=sort_keys
        )
    except (TypeError, ValueError) as exc:
        raise ProjectFormatError(f"cannot save {name}: {exc}") from exc
    return text.encode("utf-8")


def encode_png(image: np.ndarray) -> bytes:
    """PNG bytes of an (H, W, 4) uint8 RGBA (or (H, W) uint8 greyscale) image, deterministic for the same pixels."""
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image)).save(buf, format="PNG", compress_level=6)
    return buf.getvalue()


def project_entries(rig: Rig, editor_meta: dict[str, Any] | None) -> dict[str, bytes]:
    """Every zip entry: ``rig.json``, ``editor.json``, ``layers/<id>.png`` and the optional ``source/*.png``."""
    return {name: make() for name, make in entry_makers(rig, editor_meta).items()}


def entry_makers(rig: Rig, editor_meta: dict[str, Any] | None) -> dict[str, Callable[[], bytes]]:
    """The entries of :func:`project_entries` as functions that encode them when called, so a writer
    can hold one encoded PNG at a time. The JSON entries are encoded here (a bad value or a
    duplicate layer id raises ``ProjectFormatError`` before anything is written)."""
    rig_json = _dump(RIG_ENTRY, rig_to_json(rig), sort_keys=False)
    editor_json = _dump(EDITOR_ENTRY, editor_meta or {}, sort_keys=True)
    makers: dict[str, Callable[[], bytes]] = {RIG_ENTRY: lambda: rig_json, EDITOR_ENTRY: lambda: editor_json}
    for layer in rig.layers:
        name = layer_entry(layer)
        if name in makers:
            raise ProjectFormatError(f"two layers have the id {layer.id!r}")
        makers[name] = lambda image=layer.image: encode_png(image)
    if rig.source is not None:
        source = rig.source
        makers[SOURCE_IMAGE_ENTRY] = lambda: encode_png(source.rgba)
        makers[SOURCE_LABELS_ENTRY] = lambda: encode_png(source.labels)
    return makers


# ------------------------------------------------------------------------ archive
def zip_bytes(entries: dict[str, bytes]) -> bytes:
    """A zip of ``entries`` in sorted order, fixed timestamps; PNGs stored, JSON deflated."""
    buf = io.BytesIO()
    write_zip(buf, {name: (lambda data=data: data) for name, data in entries.items()})
    return buf.getvalue()


def write_zip(file: BinaryIO, makers: dict[str, Callable[[], bytes]]) -> None:
    """Write the zip of :func:`zip_bytes` to ``file`` (seekable), calling each entry's maker in sorted
    name order and dropping its bytes once written: the same bytes as ``zip_bytes``."""
    with zipfile.ZipFile(file, "w") as zf:
        for name in sorted(makers):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE_TIME)
            info.create_system = 3  # "Unix" everywhere, so the bytes do not depend on the OS
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_STORED if name.endswith(".png") else zipfile.ZIP_DEFLATED
            zf.writestr(
                info, makers[name](), compresslevel=6 if info.compress_type == zipfile.ZIP_DEFLATED else None
            )

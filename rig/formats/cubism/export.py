"""``export_cubism(rig, out_dir)``: write a Cubism model folder that Cubism hosts load.

Folder layout (``NAME`` defaults to the rig's name, made file-safe)::

    NAME.model3.json        file references, EyeBlink / LipSync groups
    NAME.moc3               file version 4 (rig.formats.cubism.moc3)
    NAME.physics3.json      when the rig has physics
    NAME.cdi3.json          display names
    NAME.<size>/texture_NN.png   atlas pages, straight RGBA (rig.formats.cubism.atlas)
    motions/idle.motion3.json    breath + sway, group "Idle", when the rig has those parameters

Everything is built and validated in memory first, so an export refused with
:class:`~rig.errors.CubismFormatError` writes nothing. Files are then written into a temporary
folder beside ``out_dir`` (each fsynced) and moved into place: the whole folder is renamed when
``out_dir`` does not exist yet, else each file is replaced atomically (other files are left alone).
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np

from rig.errors import CubismFormatError
from rig.formats.atomic import fsync_folder, make_temporary_folder
from rig.formats.cubism.atlas import pack_atlas
from rig.formats.cubism.json_files import IDLE_GROUP, cdi3_json, idle_motion3_json, model3_json, physics3_json
from rig.formats.cubism.moc3 import encode_moc3
from rig.model import Rig

Progress = Callable[[float, str], None]


def safe_name(name: str) -> str:
    """A file-name stem from ``name``: letters, digits, ``_``, ``-``, ``.``; ``model`` when empty."""
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._")
    return stem or "model"


def _png(image) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image, np.uint8)).save(buf, format="PNG", compress_level=6)
    return buf.getvalue()


def _json(doc) -> bytes:
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def build_cubism_files(rig: Rig, name: str, progress: Progress | None = None) -> dict[str, bytes]:
    """Every file of the model folder, relative path -> bytes, without touching the disk.

    Raises
    ------
    CubismFormatError
        If the rig cannot be written (the message names the object and the rule).
    """
    report = progress or (lambda f, s: None)
    report(0.0, "packing textures")
    atlas = pack_atlas(rig)
    tex_dir = f"{name}.{atlas.size}"
    textures = [f"{tex_dir}/texture_{i:02d}.png" for i in range(len(atlas.pages))]
    uvs, pages = {}, {}
    for m in rig.art_meshes:
        pages[m.id], uvs[m.id] = atlas.remap_uvs(m.layer_id, m.uvs)
    report(0.3, "writing .moc3")
    files: dict[str, bytes] = {f"{name}.moc3": encode_moc3(rig, uvs, pages, len(atlas.pages))}
    report(0.5, "writing JSON files")
    physics = physics3_json(rig.physics)
    if physics is not None:
        files[f"{name}.physics3.json"] = _json(physics)
    files[f"{name}.cdi3.json"] = _json(cdi3_json(rig))
    motions = {}
    idle = idle_motion3_json(rig)
    if idle is not None:
        files["motions/idle.motion3.json"] = _json(idle)
        motions[IDLE_GROUP] = ["motions/idle.motion3.json"]
    model = model3_json(
        f"{name}.moc3", textures, f"{name}.physics3.json" if physics else None, f"{name}.cdi3.json", motions,
        {p.id for p in rig.parameters},
    )
    files[f"{name}.model3.json"] = _json(model)
    report(0.6, "encoding textures")
    for path, page in zip(textures, atlas.pages):
        files[path] = _png(page)
    return files


def export_cubism(rig: Rig, out_dir: str | os.PathLike[str], name: str | None = None,
                  progress: Progress | None = None) -> list[Path]:  # fmt: skip
    """Write ``rig`` as a Cubism model folder into ``out_dir`` (module docstring).

    Parameters
    ----------
    rig : Rig
    out_dir : path
        The folder to create or update.
    name : str, optional
        File-name stem; defaults to ``rig.name`` made file-safe.
    progress : callable(fraction, stage), optional

    Returns
    -------
    list of Path
        The files written, ``NAME.model3.json`` first.

    Raises
    ------
    CubismFormatError
        If the rig breaks a rule of the format; nothing is written then.
    OSError
        If the folder cannot be written.
    """
    out = Path(out_dir)
    stem = safe_name(name if name is not None else rig.name)
    files = build_cubism_files(rig, stem, progress)
    if out.exists() and not out.is_dir():
        raise CubismFormatError(f"{out} exists and is not a folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = make_temporary_folder(out)  # rig.formats.atomic: also removes stale ones of killed exports
    try:
        for rel, data in files.items():
            path = tmp / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        if not out.exists():
            os.replace(tmp, out)
        else:
            for rel in files:
                (out / rel).parent.mkdir(parents=True, exist_ok=True)
                os.replace(tmp / rel, out / rel)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    fsync_folder(out.parent)
    if progress:
        progress(1.0, "done")
    order = sorted(files, key=lambda r: (not r.endswith(".model3.json"), r))
    return [out / rel for rel in order]

"""``.kirie`` project files: save, load, autosave location.

Format (schema version 1)
-------------------------
A zip archive (entries in sorted order, all dated 1980-01-01, JSON deflated, PNGs stored):

``rig.json``
    UTF-8 JSON, compact, snake_case keys: ``schema_version`` (int, 1), ``name``, ``canvas_width_px``,
    ``canvas_height_px``, ``parameters``, ``parameter_groups``, ``parts``, ``deformers`` (each with
    ``type`` ``"warp"`` or ``"rotation"``), ``art_meshes``, ``layers`` (``id``, ``name``,
    ``origin_px``, ``version``, ``size_px`` = [width, height], ``image`` = its zip entry) and
    ``physics``. Field names follow the :mod:`rig.model` attributes. A keyform grid is
    ``{"bindings": [{"parameter_id", "keys"}], "values": {field: nested list}}`` with the first
    binding varying fastest. **Arrays are nested lists** (``ndarray.tolist()``); their dtype and
    shape are fixed by the model (uvs (N, 2) float32, triangles (M, 3) uint16, keyform fields as in
    each class's ``keyform_fields``), so the file does not repeat them. A float32 value written this
    way is a Python float holding it exactly; ``json`` writes the shortest repr that reads back as
    the same double, and casting that to float32 is exact, so arrays round-trip bit for bit.
    NaN and infinities are refused both ways.
``editor.json``
    The editor-only metadata (``Project.editor_meta``), JSON with sorted keys; ``{}`` when none.
``layers/<layer_id>.png``
    Each layer's (H, W, 4) uint8 RGBA image, straight alpha, encoded by Pillow (compress level 6).
``source/image.png``, ``source/labels.png`` (optional)
    The rig's :class:`~rig.model.SourceImage` (input image + visible-layer owner map, what re-cutting
    a layer after mask painting needs), described by the optional ``rig.json`` member ``source``;
    written only when ``Rig.source`` is set, so files without it are unchanged and still load
    (``Rig.source = None``). Details in :mod:`rig.formats.project_source`.

Saving is atomic (temporary file in the same folder, fsync, ``os.replace``) and deterministic:
save → load → save produces identical bytes. Loading raises :class:`~rig.errors.ProjectFormatError`
naming the entry and field (``rig.json: art_meshes[3].keyforms.values.positions: expected (4, 12, 2),
got (4, 11, 2)``) and :class:`~rig.errors.UnsupportedVersionError` for a newer ``schema_version``.
A reader never writes, so a bad file stays as it is on disk.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rig.errors import ProjectFormatError, RigError, UnsupportedVersionError
from rig.formats.atomic import atomic_path
from rig.formats.project_json import RIG_ENTRY, JsonNode
from rig.formats.project_limits import ProjectArchive
from rig.formats.project_read import (
    EDITOR_ENTRY,
    SCHEMA_VERSION,
    build_rig,
    check_schema_version,
    parse_json_entry,
    parse_rig_json,
)
from rig.formats.project_write import entry_makers, write_zip
from rig.model import Rig

__all__ = ["SCHEMA_VERSION", "Project", "autosave_path", "load_project", "save_project"]

PROJECT_SUFFIX = ".kirie"


@dataclass(slots=True)
class Project:
    """A loaded project: the rig and the editor-only metadata (folding state, colour tags, PSD paths)."""

    rig: Rig
    editor_meta: dict[str, Any] = field(default_factory=dict)


def save_project(path: str | os.PathLike[str], rig: Rig, editor_meta: dict[str, Any] | None = None) -> None:
    """Write ``rig`` (and ``editor_meta``) to the ``.kirie`` file ``path``, atomically.

    Parameters
    ----------
    path : path-like
        Destination; its folder must exist. An existing file is replaced only once the new one is
        completely written and synced.
    rig : Rig
        The rig to save (not validated here; :func:`load_project` validates).
    editor_meta : dict, optional
        JSON-serialisable editor metadata.

    Raises
    ------
    ProjectFormatError
        If a value cannot be stored (NaN, a layer id unusable as a file name, metadata that is not
        JSON); nothing is written then.
    OSError
        If the folder cannot be written; the old file is left intact.
    """
    makers = entry_makers(rig, editor_meta)  # JSON checked here, before any file is made
    with atomic_path(Path(path)) as tmp, open(tmp, "xb") as f:
        write_zip(f, makers)


def load_project(path: str | os.PathLike[str], with_source: bool = True) -> Project:
    """Read a ``.kirie`` file, within the limits of :mod:`rig.formats.project_limits`.

    Parameters
    ----------
    path : path-like
    with_source : bool
        Decode the optional source record (input image and owner map, what mask painting re-cuts
        from; two canvas-sized images). False leaves ``rig.source`` None: less memory for readers
        that do not re-cut (the command-line tools).

    Raises
    ------
    ProjectFormatError
        If the file is missing, not a zip, truncated or corrupt, over a size limit, or if ``rig.json``,
        ``editor.json`` or a layer PNG is missing or wrong (a number that is not finite as a float32,
        a bad canvas, physics or id); the message names the file, entry and field. This is the only
        error a damaged or hostile file raises besides ``UnsupportedVersionError`` (and ``OSError``
        when the file cannot be read at all).
    UnsupportedVersionError
        If it was written by a newer Kirie (``schema_version`` > :data:`SCHEMA_VERSION`).
    """
    path = Path(path)
    try:
        with ProjectArchive(path) as entries:
            root = JsonNode(parse_json_entry(entries, RIG_ENTRY))
            root.object()
            check_schema_version(root, path.name)
            rig = build_rig(parse_rig_json(root), entries, with_source)
            meta = parse_json_entry(entries, EDITOR_ENTRY) if EDITOR_ENTRY in entries else {}
            if not isinstance(meta, dict):
                raise ProjectFormatError(f"{EDITOR_ENTRY}: expected an object")
    except UnsupportedVersionError:
        raise
    except ProjectFormatError as exc:
        if str(exc).startswith((path.name, str(path))):
            raise
        raise ProjectFormatError(f"{path.name}: {exc}") from exc
    except (ValueError, TypeError, IndexError, KeyError, OverflowError, ZeroDivisionError, RecursionError,
            RigError) as exc:  # fmt: skip
        # a check this loader lacks: still the one project error, never a traceback
        raise ProjectFormatError(f"{path.name}: unusable content ({type(exc).__name__}: {exc})") from exc
    except MemoryError as exc:
        raise ProjectFormatError(f"{path.name}: too large to open in the memory available") from exc
    return Project(rig, meta)


def autosave_path(project_path_or_name: str | os.PathLike[str]) -> Path:
    """Where the autosave of a project goes: ``user_data_dir("kirie")/recovery/<stem>-<hash>.kirie``.

    ``<hash>`` is 8 hex digits of the absolute path for a saved project (two ``rig.kirie`` in
    different folders do not collide); an unsaved project passes a bare name (``"Untitled"``) and
    gets ``<name>.kirie``. The recovery folder is created if needed. On Linux the base folder follows
    ``$XDG_DATA_HOME`` (platformdirs).
    """
    import platformdirs

    folder = platformdirs.user_data_path("kirie") / "recovery"
    folder.mkdir(parents=True, exist_ok=True)
    given = Path(project_path_or_name)
    if given.parent == Path(".") and given.suffix != PROJECT_SUFFIX:
        return folder / f"{given.name}{PROJECT_SUFFIX}"
    digest = hashlib.sha256(str(given.expanduser().resolve()).encode("utf-8")).hexdigest()[:8]
    return folder / f"{given.stem}-{digest}{PROJECT_SUFFIX}"

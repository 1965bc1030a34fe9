"""``export_inp(rig, path)``: write a rig as an Inochi2D puppet (``.inp``, INP version 1).

Container (cubism-formats.md 3.1; ``Inochi2D/inochi2d`` v0.8.7 ``source/inochi2d/fmt/package.d``
``inWriteINPPuppetMemory`` and ``inLoadINPPuppet``, all integers big-endian u32):

``TRNSRTS\\0`` | JSON length | UTF-8 JSON puppet | ``TEX_SECT`` | texture count | per texture
(u32 length, u8 encoding, data). Kirie writes one PNG (encoding 0) per layer image used by an art
mesh, RGBA with straight alpha, and no ``EXT_SECT``.

JSON (cubism-formats.md 3.2, ``core/puppet.d`` ``serializeSelf``): ``meta``, ``physics``, ``nodes``
(:mod:`rig.formats.inochi.nodes`), ``param`` (:mod:`rig.formats.inochi.params`, with bindings from
:mod:`rig.formats.inochi.bake` and :mod:`rig.formats.inochi.physics`), ``automation`` (empty) and
``animations`` (empty). Node and parameter uuids are assigned in order from 1, so the same rig
always gives the same bytes.
"""

from __future__ import annotations

import io
import json
import struct
from pathlib import Path

import numpy as np
from PIL import Image

from rig.formats.atomic import write_atomically
from rig.formats.inochi.bake import MeshBake, bake, opacity_factors
from rig.formats.inochi.nodes import PX_DIGITS, node_tree, part_node
from rig.formats.inochi.params import build_params
from rig.formats.inochi.physics import GRAVITY_M_S2, PIXELS_PER_METER, physics_nodes
from rig.model import Rig

MAGIC = b"TRNSRTS\0"
TEX_SECTION = b"TEX_SECT"
#: ``TEX_SECT`` encoding byte of a PNG texture (``IN_TEX_PNG``).
TEXTURE_PNG = 0
#: ``meta.version``: the Inochi2D version whose serialisers this writer follows.
INOCHI_VERSION = "v0.8.7"
#: ``uint.max``: no thumbnail (``core/puppet.d`` ``NO_THUMBNAIL``).
NO_THUMBNAIL = 0xFFFFFFFF


def export_inp(rig: Rig, path: str | Path) -> Path:
    """Write ``rig`` to ``path`` as an Inochi2D ``.inp`` puppet, atomically.

    Parameters
    ----------
    rig : Rig
        A valid rig (``rig.validate()`` is called).
    path : str or Path
        Destination; replaced atomically (temporary file, fsync, rename), so a failed export
        leaves an existing file untouched.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    ValidationError, KeyformMismatchError
        If the rig is invalid; nothing is written.
    """
    path = Path(path)
    write_atomically(path, inp_bytes(rig))
    return path


def inp_bytes(rig: Rig) -> bytes:
    """The complete ``.inp`` file of ``rig`` (see the module docstring)."""
    rig.validate()
    layer_ids = [la.id for la in rig.layers if any(m.layer_id == la.id for m in rig.art_meshes)]
    puppet = puppet_json(rig, {lid: i for i, lid in enumerate(layer_ids)})
    text = json.dumps(puppet, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
    out = bytearray(MAGIC)
    out += struct.pack(">I", len(text)) + text
    out += TEX_SECTION + struct.pack(">I", len(layer_ids))
    for lid in layer_ids:
        png = _png(rig.layer(lid).image)
        out += struct.pack(">IB", len(png), TEXTURE_PNG) + png
    return bytes(out)


def _png(image: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image)).save(buf, format="PNG", compress_level=6)
    return buf.getvalue()


def puppet_json(rig: Rig, textures: dict[str, int]) -> dict:
    """The puppet JSON object; ``textures`` maps layer ids to ``TEX_SECT`` indices."""
    uuid = 1
    ids: dict[str, int] = {"<root>": uuid}
    for obj in [*rig.parts, *rig.art_meshes]:
        uuid += 1
        ids[obj.id] = uuid
    params = build_params(rig, uuid + 1)
    phys, phys_bindings = physics_nodes(rig, params, uuid + 1 + len(params))
    baked = bake(rig, params)
    parts: dict[str, list[dict]] = {}
    bindings: dict[str, list[dict]] = {q.name: [] for q in params}
    for index, m in enumerate(rig.art_meshes):
        b = baked[m.id]
        base, factors = opacity_factors(b, params)
        node = part_node(rig, m, index, b, ids, textures[m.layer_id], base)
        parts.setdefault(m.part_id, []).append(node)
        _mesh_bindings(ids[m.id], b, factors, bindings)
    param = [q.to_json(bindings[q.name] + phys_bindings.get(q.uuid, [])) for q in params]
    return {
        "meta": _meta(rig),
        "physics": {"pixelsPerMeter": PIXELS_PER_METER, "gravity": GRAVITY_M_S2},
        "nodes": node_tree(rig, parts, ids, phys),
        "param": param,
        "automation": [],
        "animations": {},
    }


def _meta(rig: Rig) -> dict:
    return {
        "name": rig.name, "version": INOCHI_VERSION, "rigger": "", "artist": "", "copyright": "",
        "licenseURL": "", "contact": "", "reference": "", "thumbnailId": NO_THUMBNAIL, "preservePixels": False,
    }


def _binding(node: int, name: str, values: list) -> dict:
    return {
        "node": node, "param_name": name, "values": values,
        "isSet": [[True] * len(values[0]) for _ in values], "interpolate_mode": "Linear",
    }


def _mesh_bindings(node: int, b: MeshBake, factors: dict[str, np.ndarray], out: dict[str, list[dict]]) -> None:
    """Append the ``deform``, ``opacity`` and ``zSort`` bindings of one Part to ``out`` (by parameter)."""
    for name, delta in b.deform.items():
        out[name].append(_binding(node, "deform", np.round(delta, PX_DIGITS).tolist()))
    for name, f in factors.items():
        out[name].append(_binding(node, "opacity", np.round(f, 6).tolist()))
    for name, order in b.draw_order.items():  # zSort is additive and inverted (see nodes.py)
        out[name].append(_binding(node, "zSort", np.round(-(order - b.rest_draw_order), 6).tolist()))


__all__ = ["export_inp", "inp_bytes", "puppet_json"]

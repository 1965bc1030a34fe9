"""Byte layout of a ``.moc3`` file, file version 4 ("4.2"): header, section offset table, sections.

Written from the public descriptions named in cubism-formats.md section 1 (``OpenL2D/moc3ingbird :
src/moc3.hexpat`` for the order of the arrays in the section offset table, ``MahouTechnologies/moc3-rs :
moc3-rs/src/data.rs`` / ``write.rs`` for the header reserve, the runtime area and the alignment rules).

File layout (all little-endian):

======  =====================================================================================
0x000   ``MOC3``, u8 version (4), u8 big-endian flag (0), zero padding to 0x40
0x040   section offset table: 160 u32 absolute offsets, one per slot; unused slots 0
0x2C0   runtime area, zero (the Core writes pointers here when it revives the file)
0x7C0   body: slot 0 count-info table (128 B), slot 1 canvas info (64 B), then one array per slot
======  =====================================================================================

Every section starts on a 64-byte boundary; the file is padded to a multiple of 64 and to at least
4096 bytes. This module knows nothing about rigs: it turns named flat arrays into bytes.
"""

from __future__ import annotations

import struct

import numpy as np

MAGIC = b"MOC3"
FILE_VERSION = 4
SOT_OFFSET = 0x40
SOT_SLOTS = 160
BODY_START = 1984  # moc3-rs HEADER_RESERVE; the runtime area 0x2C0..0x7C0 stays zero
ALIGN = 64
MIN_FILE_SIZE = 4096
COUNT_TABLE_BYTES = 128
COUNT_FIELDS = 32  # version 4 uses count fields 0..31
CANVAS_BYTES = 64
ID_BYTES = 64

# Count-info field index of each object class (cubism-formats.md 1.4).
COUNT_NAMES = (
    "parts", "deformers", "warp_deformers", "rotation_deformers", "art_meshes", "parameters",
    "part_keyforms", "warp_keyforms", "rotation_keyforms", "art_mesh_keyforms", "keyform_position_floats",
    "parameter_binding_indices", "keyform_bindings", "parameter_bindings", "keys", "uv_floats",
    "position_indices", "drawable_masks", "draw_order_groups", "draw_order_group_objects", "glues",
    "glue_infos", "glue_keyforms", "keyform_multiply_colors", "keyform_screen_colors",
    "blend_shape_parameter_bindings", "blend_shape_keyform_bindings", "blend_shape_warp_targets",
    "blend_shape_art_mesh_targets", "blend_shape_constraint_indices", "blend_shape_constraints",
    "blend_shape_constraint_values",
)  # fmt: skip

# Element kinds: "rt" = runtime pointer table (count x 8 zero bytes), "id" = 64-byte NUL-padded UTF-8.
_I32, _F32, _U8, _U16 = "<i4", "<f4", "u1", "<u2"


def _group(count: str, prefix: str, fields: str, dtype: str = _I32) -> list[tuple[str, str, str]]:
    return [(f"{prefix}.{f}", count, dtype) for f in fields.split()]


# (array name, count name, element kind) for slots 2..136, in slot order (hexpat SectionOffsetTable).
SLOTS: tuple[tuple[str, str, str], ...] = tuple(
    [("part.rt", "parts", "rt"), ("part.id", "parts", "id")]
    + _group("parts", "part", "keyform_binding keyform_begin keyform_count visible enabled parent_part")
    + [("deformer.rt", "deformers", "rt"), ("deformer.id", "deformers", "id")]
    + _group("deformers", "deformer", "keyform_binding visible enabled parent_part parent_deformer type specific")
    + _group("warp_deformers", "warp", "keyform_binding keyform_begin keyform_count vertex_count rows cols")
    + _group("rotation_deformers", "rotation", "keyform_binding keyform_begin keyform_count")
    + [("rotation.base_angle", "rotation_deformers", _F32)]
    + [(f"art_mesh.rt{k}", "art_meshes", "rt") for k in range(4)]
    + [("art_mesh.id", "art_meshes", "id")]
    + _group("art_meshes", "art_mesh", "keyform_binding keyform_begin keyform_count visible enabled parent_part "
             "parent_deformer texture")
    + [("art_mesh.flags", "art_meshes", _U8)]
    + _group("art_meshes", "art_mesh", "vertex_count uv_begin index_begin index_count mask_begin mask_count")
    + [("parameter.rt", "parameters", "rt"), ("parameter.id", "parameters", "id")]
    + _group("parameters", "parameter", "max min default", _F32)
    + _group("parameters", "parameter", "repeat decimal_places binding_begin binding_count")
    + [("part_keyform.draw_order", "part_keyforms", _F32)]
    + [("warp_keyform.opacity", "warp_keyforms", _F32), ("warp_keyform.position_begin", "warp_keyforms", _I32)]
    + _group("rotation_keyforms", "rotation_keyform", "opacity angle origin_x origin_y scale", _F32)
    + _group("rotation_keyforms", "rotation_keyform", "reflect_x reflect_y")
    + _group("art_mesh_keyforms", "art_mesh_keyform", "opacity draw_order", _F32)
    + [("art_mesh_keyform.position_begin", "art_mesh_keyforms", _I32)]
    + [("positions", "keyform_position_floats", _F32)]
    + [("parameter_binding_indices", "parameter_binding_indices", _I32)]
    + _group("keyform_bindings", "keyform_binding", "begin count")
    + _group("parameter_bindings", "parameter_binding", "keys_begin keys_count")
    + [("keys", "keys", _F32), ("uvs", "uv_floats", _F32), ("position_indices", "position_indices", _U16)]
    + [("drawable_masks", "drawable_masks", _I32)]
    + _group("draw_order_groups", "draw_order_group", "object_begin object_count object_total max_draw_order "
             "min_draw_order")
    + _group("draw_order_group_objects", "draw_order_group_object", "type index self_index")
    + [("glue.rt", "glues", "rt"), ("glue.id", "glues", "id")]
    + _group("glues", "glue", "keyform_binding keyform_begin keyform_count art_mesh_a art_mesh_b info_begin "
             "info_count")
    + [("glue_info.weight", "glue_infos", _F32), ("glue_info.position_index", "glue_infos", _U16)]
    + [("glue_keyform.intensity", "glue_keyforms", _F32)]
    + [("warp.quad_source", "warp_deformers", _I32)]  # v3.3
    + [("parameter.keys_rt", "parameters", "rt")]  # v4.2 from here on
    + _group("parameters", "parameter", "keys_begin keys_count")
    + [("warp.color_begin", "warp_deformers", _I32), ("rotation.color_begin", "rotation_deformers", _I32)]
    + [("art_mesh.color_begin", "art_meshes", _I32)]
    + _group("keyform_multiply_colors", "multiply", "r g b", _F32)
    + _group("keyform_screen_colors", "screen", "r g b", _F32)
    + _group("parameters", "parameter", "type blend_shape_begin blend_shape_count")
    + _group("blend_shape_parameter_bindings", "bs_parameter_binding", "keys_begin keys_count base_key")
    + _group("blend_shape_keyform_bindings", "bs_keyform_binding", "parameter_binding constraint_begin "
             "constraint_count keyform_begin keyform_count")
    + _group("blend_shape_warp_targets", "bs_warp", "target binding_begin binding_count")
    + _group("blend_shape_art_mesh_targets", "bs_art_mesh", "target binding_begin binding_count")
    + [("bs_constraint_index", "blend_shape_constraint_indices", _I32)]
    + _group("blend_shape_constraints", "bs_constraint", "parameter value_begin value_count")
    + _group("blend_shape_constraint_values", "bs_constraint_value", "key", _F32)
    + _group("blend_shape_constraint_values", "bs_constraint_value", "weight", _F32)
)  # fmt: skip

FIRST_ARRAY_SLOT = 2
LAST_SLOT = FIRST_ARRAY_SLOT + len(SLOTS) - 1  # 136 for version 4
assert LAST_SLOT == 136, LAST_SLOT


def encode_ids(ids: list[str]) -> bytes:
    """64-byte NUL-padded UTF-8 records (the caller has checked length <= 63 bytes and no NUL)."""
    return b"".join(i.encode("utf-8").ljust(ID_BYTES, b"\0") for i in ids)


def _pad(buf: bytearray, align: int = ALIGN) -> None:
    buf.extend(b"\0" * (-len(buf) % align))


def canvas_bytes(pixels_per_unit: float, origin_x: float, origin_y: float, width: float, height: float) -> bytes:
    """Canvas info: f32 ppu, origin x/y (px), width/height (px), u8 flags (0 = y not reversed)."""
    return struct.pack("<5fB", pixels_per_unit, origin_x, origin_y, width, height, 0).ljust(CANVAS_BYTES, b"\0")


def element_bytes(name: str, kind: str, value) -> bytes:
    """The packed bytes of one array (``value``: list of str for ids, int count for rt, else ndarray)."""
    if kind == "rt":
        return b"\0" * (8 * int(value))
    if kind == "id":
        return encode_ids(value)
    return np.ascontiguousarray(value, dtype=np.dtype(kind)).tobytes()


def assemble(counts: dict[str, int], canvas: bytes, arrays: dict[str, object]) -> bytes:
    """Lay out a version-4 file from ``counts`` (by :data:`COUNT_NAMES`), canvas info and ``arrays``.

    ``arrays`` maps every name of :data:`SLOTS` to its data: ids as a list of str, runtime tables
    as the element count, everything else as a 1-D array of the slot's dtype. Lengths are checked
    by the validator beforehand; this function only packs.
    """
    body = bytearray()
    offsets: list[int] = []

    def section(data: bytes) -> None:
        _pad(body)
        offsets.append(BODY_START + len(body))
        body.extend(data)

    table = struct.pack(f"<{COUNT_FIELDS}I", *(counts[n] for n in COUNT_NAMES))
    section(table.ljust(COUNT_TABLE_BYTES, b"\0"))
    section(canvas)
    for name, _count, kind in SLOTS:
        section(element_bytes(name, kind, arrays[name]))
    _pad(body)
    header = bytearray(MAGIC + bytes([FILE_VERSION, 0]))
    header.extend(b"\0" * (BODY_START - len(header)))
    header[SOT_OFFSET : SOT_OFFSET + 4 * len(offsets)] = struct.pack(f"<{len(offsets)}I", *offsets)
    out = header + body
    if len(out) < MIN_FILE_SIZE:
        out.extend(b"\0" * (MIN_FILE_SIZE - len(out)))
    return bytes(out)

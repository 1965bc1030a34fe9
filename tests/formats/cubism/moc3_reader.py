"""A small, independent ``.moc3`` reader for tests (file version 4), written from cubism-formats.md 1.3-1.5.

It does not use the writer's tables: slot numbers and field positions are spelled out here from the
document, so a mistake in the writer's layout shows up as a mismatch.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np

# count-info field indices (cubism-formats.md 1.4)
PARTS, DEFORMERS, WARPS, ROTATIONS, ART_MESHES, PARAMETERS = 0, 1, 2, 3, 4, 5
PART_KF, WARP_KF, ROT_KF, MESH_KF, POSITIONS, PBI, KB, PB, KEYS, UVS, INDICES, MASKS, DOG, DOG_OBJ = range(6, 20)
MUL_COLORS, SCR_COLORS = 23, 24

# slot -> (count field, element size in bytes) for the arrays the tests read
SLOT = {
    "part.id": (3, PARTS, 64), "part.parent": (9, PARTS, 4),
    "deformer.id": (11, DEFORMERS, 64), "deformer.parent_deformer": (16, DEFORMERS, 4), "deformer.type": (17, DEFORMERS, 4),
    "warp.rows": (23, WARPS, 4), "warp.cols": (24, WARPS, 4),
    "mesh.id": (33, ART_MESHES, 64), "mesh.kf_begin": (35, ART_MESHES, 4), "mesh.kf_count": (36, ART_MESHES, 4),
    "mesh.parent_deformer": (40, ART_MESHES, 4), "mesh.texture": (41, ART_MESHES, 4), "mesh.flags": (42, ART_MESHES, 1),
    "mesh.vertex_count": (43, ART_MESHES, 4), "mesh.uv_begin": (44, ART_MESHES, 4),
    "mesh.index_begin": (45, ART_MESHES, 4), "mesh.index_count": (46, ART_MESHES, 4),
    "mesh.mask_begin": (47, ART_MESHES, 4), "mesh.mask_count": (48, ART_MESHES, 4),
    "param.id": (50, PARAMETERS, 64), "param.max": (51, PARAMETERS, 4), "param.min": (52, PARAMETERS, 4),
    "param.default": (53, PARAMETERS, 4),
    "meshkf.opacity": (68, MESH_KF, 4), "meshkf.draw_order": (69, MESH_KF, 4), "meshkf.position_begin": (70, MESH_KF, 4),
    "positions": (71, POSITIONS, 4), "keys": (77, KEYS, 4), "uvs": (78, UVS, 4), "indices": (79, INDICES, 2),
    "masks": (80, MASKS, 4), "warp.quad_source": (101, WARPS, 4),
    "param.keys_begin": (103, PARAMETERS, 4), "param.keys_count": (104, PARAMETERS, 4),
    "multiply.r": (108, MUL_COLORS, 4), "screen.b": (113, SCR_COLORS, 4),
}  # fmt: skip
_DTYPES = {"mesh.flags": "u1", "indices": "<u2"}
_FLOATS = {"param.max", "param.min", "param.default", "meshkf.opacity", "meshkf.draw_order", "positions", "keys", "uvs",
           "multiply.r", "screen.b"}  # fmt: skip


@dataclass
class Moc3File:
    data: bytes
    version: int
    offsets: list[int]
    counts: list[int]
    canvas: tuple[float, float, float, float, float]
    flags: int

    def array(self, name: str):
        slot, count_field, size = SLOT[name]
        n, off = self.counts[count_field], self.offsets[slot]
        raw = self.data[off : off + n * size]
        if size == 64:
            return [raw[i * 64 : (i + 1) * 64].split(b"\0", 1)[0].decode("utf-8") for i in range(n)]
        dtype = _DTYPES.get(name, "<f4" if name in _FLOATS else "<i4")
        return np.frombuffer(raw, dtype=dtype).copy()


def read_moc3(data: bytes) -> Moc3File:
    """Parse the header, offset table, count table and canvas; raise AssertionError on a layout fault."""
    assert data[:4] == b"MOC3", data[:4]
    version, big_endian = data[4], data[5]
    assert big_endian == 0
    offsets = list(struct.unpack_from("<160I", data, 0x40))
    counts = list(struct.unpack_from("<32I", data, offsets[0]))
    ppu, ox, oy, w, h, flags = struct.unpack_from("<5fB", data, offsets[1])
    return Moc3File(data, version, offsets, counts, (ppu, ox, oy, w, h), flags)

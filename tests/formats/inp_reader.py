"""An independent INP1 reader and Inochi2D v0.8 evaluator for tests (no code shared with the writer).

Written from ``Inochi2D/inochi2d`` v0.8.7 (BSD-2-Clause): ``fmt/package.d`` ``inLoadINPPuppet`` for
the container; ``core/param/package.d`` (``mapValue``, ``findOffset``), ``core/param/binding.d``
(``interpolateLinear``), ``core/nodes/defstack.d`` (deform offsets add up), ``core/nodes/part``
(``opacity`` bindings multiply), ``core/nodes/package.d`` (``zSort`` offsets add; the world zSort is
the sum over ancestors) for evaluation.
"""

from __future__ import annotations

import io
import json
import struct
from dataclasses import dataclass, field

import numpy as np
from PIL import Image


@dataclass
class InpFile:
    puppet: dict
    textures: list[tuple[int, bytes]]  # (encoding, data)
    trailing: bytes = b""

    def texture_rgba(self, index: int) -> np.ndarray:
        return np.asarray(Image.open(io.BytesIO(self.textures[index][1])).convert("RGBA"))


def read_inp(data: bytes) -> InpFile:
    """Parse the container; raise AssertionError on any structural problem."""
    assert data[:8] == b"TRNSRTS\0", data[:8]
    (n,) = struct.unpack(">I", data[8:12])
    puppet = json.loads(data[12 : 12 + n].decode("utf-8"))
    pos = 12 + n
    assert data[pos : pos + 8] == b"TEX_SECT"
    (count,) = struct.unpack(">I", data[pos + 8 : pos + 12])
    pos += 12
    textures = []
    for _ in range(count):
        length, enc = struct.unpack(">IB", data[pos : pos + 5])
        textures.append((enc, data[pos + 5 : pos + 5 + length]))
        assert len(textures[-1][1]) == length
        pos += 5 + length
    return InpFile(puppet, textures, data[pos:])


def walk(node: dict, parent_trans=(0.0, 0.0), parent_z=0.0, enabled=True):
    """Yield (node, world translation, world zsort, enabled incl. ancestors), depth first."""
    t = node["transform"]["trans"]
    trans = (parent_trans[0] + t[0], parent_trans[1] + t[1])
    z = parent_z + node["zsort"]
    on = enabled and node["enabled"]
    yield node, trans, z, on
    for child in node.get("children", []):
        yield from walk(child, trans, z, on)


@dataclass
class Puppet:
    """The puppet JSON with Inochi2D v0.8 semantics for Part positions, opacity and zSort."""

    data: dict
    canvas_size: tuple[int, int]
    nodes: dict[int, tuple[dict, tuple[float, float], float, bool]] = field(default_factory=dict)

    def __post_init__(self):
        for node, trans, z, on in walk(self.data["nodes"]):
            assert node["uuid"] not in self.nodes, f"duplicate uuid {node['uuid']}"
            self.nodes[node["uuid"]] = (node, trans, z, on)

    def parts(self) -> list[dict]:
        return [n for n, *_ in self.nodes.values() if n["type"] == "Part"]

    def part(self, name: str) -> dict:
        (found,) = [p for p in self.parts() if p["name"] == name]
        return found

    def param(self, name: str) -> dict:
        (found,) = [p for p in self.data["param"] if p["name"] == name]
        return found

    @staticmethod
    def _offset(param: dict, value: tuple[float, float]):
        """``mapValue`` + ``findOffset``: left axis-point index and fraction per axis."""
        out = []
        for axis in range(2 if param["is_vec2"] else 1):
            lo, hi = param["min"][axis], param["max"][axis]
            x = min(1.0, max(0.0, (value[axis] - lo) / (hi - lo)))
            pts = param["axis_points"][axis]
            for i in range(len(pts) - 1):
                if pts[i + 1] > x or i == len(pts) - 2:
                    out.append((i, (x - pts[i]) / (pts[i + 1] - pts[i])))
                    break
        return out

    def _interp(self, param: dict, values, value) -> np.ndarray:
        v = np.asarray(values, np.float64)
        offs = self._offset(param, value)
        (i, fx) = offs[0]
        if param["is_vec2"]:
            (j, fy) = offs[1]
            p0 = v[i, j] * (1 - fy) + v[i, j + 1] * fy
            p1 = v[i + 1, j] * (1 - fy) + v[i + 1, j + 1] * fy
        else:
            p0, p1 = v[i, 0], v[i + 1, 0]
        return p0 * (1 - fx) + p1 * fx

    def _bindings(self, uuid: int, name: str, values: dict[str, tuple[float, float]]):
        for param in self.data["param"]:
            value = values.get(param["name"], tuple(param["defaults"]))
            for b in param["bindings"]:
                if b["node"] == uuid and b["param_name"] == name:
                    yield self._interp(param, b["values"], value)

    def positions(self, part: dict, values: dict[str, tuple[float, float]]) -> np.ndarray:
        """Canvas positions (px, origin top-left) of a Part at Inochi2D parameter values."""
        _, trans, _, _ = self.nodes[part["uuid"]]
        verts = np.asarray(part["mesh"]["verts"], np.float64).reshape(-1, 2)
        for offsets in self._bindings(part["uuid"], "deform", values):
            verts = verts + offsets
        centre = np.array(self.canvas_size, np.float64) / 2
        return verts + np.asarray(trans) + centre

    def opacity(self, part: dict, values) -> float:
        out = part["opacity"]
        for f in self._bindings(part["uuid"], "opacity", values):
            out *= float(f)
        return out

    def zsort(self, part: dict, values) -> float:
        z = self.nodes[part["uuid"]][2]
        return z + sum(float(v) for v in self._bindings(part["uuid"], "zSort", values))


def inochi_values(puppet: Puppet, kirie_values: dict[str, float]) -> dict[str, tuple[float, float]]:
    """Inochi2D parameter values for Kirie values, pairing ``<p>XY`` vec2 parameters with ``<p>X``/``<p>Y``."""
    out = {}
    for param in puppet.data["param"]:
        name = param["name"]
        if param["is_vec2"]:
            x, y = name[:-1], name[:-2] + "Y"
            out[name] = (kirie_values.get(x, param["defaults"][0]), kirie_values.get(y, param["defaults"][1]))
        else:
            out[name] = (kirie_values.get(name, param["defaults"][0]), 0.0)
    return out

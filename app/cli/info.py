"""``kirie info PROJECT.kirie [--json]``: what a project contains.

Prints the parameters (id, range, default, keys), the part tree, the deformer tree, the art meshes
(vertex and triangle counts, parent, layer, keyforms), the layers (sizes), the physics settings and
totals. ``--json`` prints the same facts as one JSON object (stable keys, for scripts).
A project that cannot be read ends with exit status 2 and the loader's message.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("project", type=Path, help="the .kirie project to describe")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")


def run(args: argparse.Namespace) -> int:
    from rig.formats.project import load_project

    project = load_project(args.project, with_source=False)
    info = project_info(project.rig, args.project)
    text = (
        json.dumps(info, indent=2, ensure_ascii=False) + "\n"
        if args.json
        else "\n".join(format_info(info)) + "\n"
    )
    sys.stdout.write(text)
    return 0


# ------------------------------------------------------------------------------------ facts
def project_info(rig, path: Path) -> dict[str, Any]:
    """The facts ``kirie info`` reports, as JSON-ready data (``rig`` is a :class:`rig.model.Rig`)."""
    from rig.model import WarpDeformer

    meshes = [
        {"id": m.id, "name": m.name, "part": m.part_id, "parent_deformer": m.parent_deformer_id, "layer": m.layer_id,
         "vertices": m.vertex_count, "triangles": int(m.triangles.shape[0]), "keyforms": m.keyforms.count,
         "bound_to": list(m.keyforms.parameter_ids), "masks": list(m.mask_ids), "blend_mode": m.blend_mode.value}
        for m in rig.art_meshes
    ]  # fmt: skip
    deformers = []
    for d in rig.deformers:
        entry = {"id": d.id, "name": d.name, "type": "warp" if isinstance(d, WarpDeformer) else "rotation",
                 "part": d.part_id, "parent_deformer": d.parent_deformer_id, "keyforms": d.keyforms.count,
                 "bound_to": list(d.keyforms.parameter_ids)}  # fmt: skip
        if isinstance(d, WarpDeformer):
            entry.update(rows=d.rows, cols=d.cols)
        deformers.append(entry)
    return {
        "file": str(path),
        "name": rig.name,
        "canvas_px": [rig.canvas_width_px, rig.canvas_height_px],
        "parameters": [
            {
                "id": p.id,
                "name": p.name,
                "min": p.min,
                "default": p.default,
                "max": p.max,
                "keys": list(p.keys),
                "group": p.group,
                "repeat": p.repeat,
            }
            for p in rig.parameters
        ],  # fmt: skip
        "parts": [
            {"id": p.id, "name": p.name, "parent": p.parent_part_id, "visible": p.visible} for p in rig.parts
        ],
        "deformers": deformers,
        "art_meshes": meshes,
        "layers": [
            {"id": la.id, "name": la.name, "size_px": list(la.size_px), "origin_px": list(la.origin_px)}
            for la in rig.layers
        ],  # fmt: skip
        "physics": _physics_info(rig.physics),
        "totals": {
            "parameters": len(rig.parameters),
            "parts": len(rig.parts),
            "warp_deformers": sum(d["type"] == "warp" for d in deformers),
            "rotation_deformers": sum(d["type"] == "rotation" for d in deformers),
            "art_meshes": len(meshes),
            "vertices": sum(m["vertices"] for m in meshes),
            "triangles": sum(m["triangles"] for m in meshes),
            "keyforms": sum(m["keyforms"] for m in meshes) + sum(d["keyforms"] for d in deformers),
            "layers": len(rig.layers),
            "layer_pixels": sum(la.size_px[0] * la.size_px[1] for la in rig.layers),
            "physics_settings": len(rig.physics.settings),
        },
    }


def _physics_info(physics) -> dict[str, Any]:
    return {
        "fps": physics.fps,
        "gravity": list(physics.gravity),
        "wind": list(physics.wind),
        "settings": [
            {"id": s.id, "name": s.name, "particles": len(s.particles),
             "inputs": [{"parameter": i.parameter_id, "weight": i.weight, "kind": i.kind.value, "reflect": i.reflect}
                        for i in s.inputs],
             "outputs": [{"parameter": o.parameter_id, "particle": o.particle_index, "scale": o.scale,
                          "weight": o.weight, "kind": o.kind.value, "reflect": o.reflect} for o in s.outputs]}
            for s in physics.settings
        ],
    }  # fmt: skip


# ------------------------------------------------------------------------------------- text
def _tree(items: list[dict[str, Any]], parent_key: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(depth, item)`` depth-first, children in list order; orphans of missing parents at the root."""
    ids = {it["id"] for it in items}
    children: dict[str | None, list[dict[str, Any]]] = {}
    for it in items:
        parent = it[parent_key] if it[parent_key] in ids else None
        children.setdefault(parent, []).append(it)

    def walk(parent: str | None, depth: int) -> Iterator[tuple[int, dict[str, Any]]]:
        for it in children.get(parent, []):
            yield depth, it
            yield from walk(it["id"], depth + 1)

    yield from walk(None, 0)


def _num(x: float) -> str:
    return f"{x:g}"


def format_info(info: dict[str, Any]) -> list[str]:
    """Human-readable lines of :func:`project_info`."""
    w, h = info["canvas_px"]
    lines = [
        f"{info['file']}: {info['name']!r}, canvas {w} x {h} px",
        "",
        f"Parameters ({len(info['parameters'])})",
    ]
    for p in info["parameters"]:
        keys = ", ".join(_num(k) for k in p["keys"]) or "none"
        extra = (f"  group {p['group']}" if p["group"] else "") + ("  repeat" if p["repeat"] else "")
        lines.append(
            f"  {p['id']:<20} [{_num(p['min'])}, {_num(p['max'])}] default {_num(p['default'])}  keys {keys}{extra}"
        )
    lines += ["", f"Parts ({len(info['parts'])})"]
    for depth, p in _tree(info["parts"], "parent"):
        lines.append(f"  {'  ' * depth}{p['id']} {p['name']!r}" + ("" if p["visible"] else "  (hidden)"))
    lines += ["", f"Deformers ({len(info['deformers'])})"]
    for depth, d in _tree(info["deformers"], "parent_deformer"):
        kind = f"warp {d['rows']}x{d['cols']}" if d["type"] == "warp" else "rotation"
        lines.append(f"  {'  ' * depth}{d['id']} ({kind}, part {d['part']}, {_keyforms(d)})")
    lines += ["", f"Art meshes ({len(info['art_meshes'])})"]
    for m in info["art_meshes"]:
        masks = f", masks {', '.join(m['masks'])}" if m["masks"] else ""
        lines.append(f"  {m['id']:<12} {m['vertices']} vertices, {m['triangles']} triangles, parent "
                     f"{m['parent_deformer'] or 'canvas'}, layer {m['layer']}, {_keyforms(m)}{masks}")  # fmt: skip
    lines += ["", f"Layers ({len(info['layers'])})"]
    for la in info["layers"]:
        ox, oy = la["origin_px"]
        lines.append(
            f"  {la['id']:<12} {la['size_px'][0]} x {la['size_px'][1]} px at ({_num(ox)}, {_num(oy)})"
        )
    lines += ["", *_physics_lines(info["physics"]), "", _totals_line(info["totals"])]
    return lines


def _keyforms(obj: dict[str, Any]) -> str:
    on = f" on {' x '.join(obj['bound_to'])}" if obj["bound_to"] else ""
    return f"{obj['keyforms']} keyform{'s' if obj['keyforms'] != 1 else ''}{on}"


def _physics_lines(physics: dict[str, Any]) -> list[str]:
    lines = [f"Physics ({len(physics['settings'])} settings, {_num(physics['fps'])} fps)"]
    for s in physics["settings"]:
        ins = ", ".join(f"{i['parameter']} {_num(i['weight'])}% {i['kind']}" + (" reflect" if i["reflect"] else "")
                        for i in s["inputs"])  # fmt: skip
        outs = ", ".join(f"{o['parameter']} (particle {o['particle']}, {o['kind']}, scale {_num(o['scale'])}, "
                         f"{_num(o['weight'])}%" + (", reflect" if o["reflect"] else "") + ")"
                         for o in s["outputs"])  # fmt: skip
        lines.append(
            f"  {s['id']} {s['name']!r}: {s['particles']} particles; in {ins or 'none'}; out {outs or 'none'}"
        )
    return lines


def _totals_line(t: dict[str, int]) -> str:
    return (
        f"Totals: {t['parameters']} parameters, {t['parts']} parts, {t['warp_deformers']} warp + "
        f"{t['rotation_deformers']} rotation deformers, {t['art_meshes']} art meshes ({t['vertices']} vertices, "
        f"{t['triangles']} triangles), {t['keyforms']} keyforms, {t['layers']} layers ({t['layer_pixels']} px), "
        f"{t['physics_settings']} physics settings"
    )

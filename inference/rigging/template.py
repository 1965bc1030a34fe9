"""Rig templates: declarative descriptions of a rig (``resources/templates/*.json``).

A template names the parameters and their keys, the parts, the deformer tree (which layers each
deformer covers and which recipe keys it), the layer → part/deformer/draw-order assignment, the
motion magnitudes in face widths (medians of the shared ``rigging.md``), and the physics settings.
The recipes themselves are code (``inference.rigging.recipes_*``), referenced by name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from rig.errors import RigError

TEMPLATE_SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class DeformerSpec:
    id: str
    kind: str  # "warp" or "rotation"
    parent: str | None
    part: str
    recipe: str
    grid: tuple[int, int] = (3, 3)  # (rows, cols) for warps
    covers: tuple[str, ...] | str = ()
    feature: str = ""


@dataclass(frozen=True, slots=True)
class LayerSpec:
    name: str
    part: str
    deformer: str
    order: float
    density: str
    recipe: str = ""
    side: str = ""
    mask: str = ""


@dataclass(frozen=True, slots=True)
class Template:
    name: str
    parameters: dict[str, tuple[float, ...]]
    parts: tuple[tuple[str, str, str | None], ...]
    layers: dict[str, LayerSpec]
    deformers: tuple[DeformerSpec, ...]
    motion: dict[str, Any]
    physics: tuple[dict[str, Any], ...]
    physics_inputs: tuple[tuple[str, float, str], ...]
    physics_particle: dict[str, float]


def template_path(name: str = "default") -> Path:
    """Path of the bundled template ``name`` (``resources/templates/<name>.json``)."""
    return Path(str(resources.files("resources") / "templates" / f"{name}.json"))


def load_template(name_or_path: str | Path = "default") -> Template:
    """Load and check a template; raises :class:`RigError` naming the bad field."""
    path = Path(name_or_path)
    if not path.suffix:
        path = template_path(str(name_or_path))
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:  # ValueError: bad JSON or not UTF-8
        raise RigError(f"cannot read rig template {path}: {exc}") from exc
    if not isinstance(raw, dict):
        raise RigError(f"rig template {path} is malformed: expected a JSON object, got {type(raw).__name__}")
    try:
        return _parse(raw)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise RigError(f"rig template {path} is malformed: {exc!r}") from exc


def _parse(raw: dict[str, Any]) -> Template:
    if raw.get("schema_version", 1) > TEMPLATE_SCHEMA_VERSION:
        raise RigError(f"rig template schema {raw['schema_version']} is newer than this Kirie reads")
    layers = {name: LayerSpec(name=name, **spec) for name, spec in raw["layers"].items()}
    deformers = []
    for d in raw["deformers"]:
        d = dict(d)
        if "grid" in d:
            d["grid"] = tuple(d["grid"])
        if isinstance(d.get("covers"), list):
            d["covers"] = tuple(d["covers"])
        deformers.append(DeformerSpec(**d))
    ids = {d.id for d in deformers}
    for d in deformers:
        if d.parent is not None and d.parent not in ids:
            raise ValueError(f"deformer {d.id}: unknown parent {d.parent}")
    for spec in layers.values():
        if spec.deformer not in ids:
            raise ValueError(f"layer {spec.name}: unknown deformer {spec.deformer}")
    return Template(
        name=raw["name"],
        parameters={k: tuple(float(x) for x in v) for k, v in raw["parameters"].items()},
        parts=tuple((p[0], p[1], p[2]) for p in raw["parts"]),
        layers=layers,
        deformers=tuple(deformers),
        motion=raw["motion"],
        physics=tuple(raw["physics"]),
        physics_inputs=tuple((a, float(w), k) for a, w, k in raw["physics_inputs"]),
        physics_particle=dict(raw["physics_particle"]),
    )

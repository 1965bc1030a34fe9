"""Reading ``.kirie`` projects: zip → ``rig.json`` → typed records → :class:`~rig.model.Rig`.

Two phases, as in ``biolab/orange-canvas-core : orangecanvas/scheme/readwrite.py``: :func:`parse_rig_json`
checks every field of the JSON document and turns it into typed records (objects that refer to
others by id; leaf value objects such as parameters and physics are built directly), then
:func:`build_rig` creates the model objects, checks each keyform block against its object (vertex
count, lattice size, key counts) and runs :meth:`Rig.validate`. Every problem raises
:class:`~rig.errors.ProjectFormatError` naming the entry and field path. The file format itself is
described in :mod:`rig.formats.project`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rig.errors import ProjectFormatError, RigError, UnsupportedVersionError
from rig.formats.project_json import FLOAT32_MAX, RIG_ENTRY, JsonNode
from rig.formats.project_limits import (
    MAX_CANVAS_SIDE_PX,
    MAX_LAYER_AREA_FACTOR,
    MAX_LAYER_PIXELS,
    check_canvas,
    check_json_depth,
    decode_png,
)
from rig.formats.project_source import parse_source
from rig.model import (
    ArtMesh,
    BlendMode,
    KeyformBinding,
    KeyformGrid,
    Layer,
    Parameter,
    ParameterGroup,
    Part,
    PhysicsInput,
    PhysicsNormalization,
    PhysicsOutput,
    PhysicsParticle,
    PhysicsRig,
    PhysicsSetting,
    PhysicsSource,
    Rig,
    RotationDeformer,
    WarpDeformer,
)

SCHEMA_VERSION = 1
#: Most cells a warp deformer may have along one side (Kirie's templates use up to 10).
MAX_WARP_CELLS = 256
#: Highest physics rate (Hz) and largest particle delay / acceleration factor a project may hold.
MAX_PHYSICS_FPS = 1000.0
MAX_PHYSICS_FACTOR = 1e6
EDITOR_ENTRY = "editor.json"
LAYER_FOLDER = "layers/"


# --------------------------------------------------------------------------- records
@dataclass(frozen=True, slots=True)
class KeyformRecord:
    """Bindings and raw value arrays; shapes are checked when the owner is known."""

    bindings: tuple[KeyformBinding, ...]
    values: dict[str, JsonNode]
    node: JsonNode


@dataclass(frozen=True, slots=True)
class ObjectRecord:
    """A part, deformer or art mesh: constructor arguments without keyforms, plus its keyforms."""

    kind: type
    args: dict[str, Any]
    keyforms: KeyformRecord


@dataclass(frozen=True, slots=True)
class LayerRecord:
    id: str
    name: str
    origin_px: tuple[float, float]
    version: int
    size_px: tuple[int, int]
    entry: str


@dataclass(frozen=True, slots=True)
class RigRecord:
    canvas_px: tuple[int, int]
    name: str
    parameters: list[Parameter]
    parameter_groups: list[ParameterGroup]
    objects: list[ObjectRecord]
    layers: list[LayerRecord]
    physics: PhysicsRig
    source: JsonNode | None = None  # the optional ``source`` member (rig.formats.project_source)


# ----------------------------------------------------------------------- parsing
def check_schema_version(root: JsonNode, file_name: str) -> None:
    """Raise :class:`UnsupportedVersionError` for a newer schema, ProjectFormatError for a bad one."""
    version = root["schema_version"].int()
    if version > SCHEMA_VERSION:
        raise UnsupportedVersionError(
            f"{file_name} was written by a newer Kirie (schema {version}); this Kirie reads up to "
            f"{SCHEMA_VERSION} — update Kirie"
        )
    if version < 1:
        root["schema_version"].fail(f"expected a version >= 1, got {version}")


def parse_rig_json(root: JsonNode) -> RigRecord:
    """Type-check the whole ``rig.json`` document and return its records."""
    canvas_px = (root["canvas_width_px"].int(), root["canvas_height_px"].int())
    check_canvas(*canvas_px, RIG_ENTRY)
    objects = [_parse_part(n) for n in root["parts"].items()]
    objects += [_parse_deformer(n) for n in root["deformers"].items()]
    objects += [_parse_art_mesh(n) for n in root["art_meshes"].items()]
    layers = [_parse_layer(n) for n in root["layers"].items()]
    _check_layer_area(layers, canvas_px)
    return RigRecord(
        canvas_px=canvas_px,
        name=root["name"].str(),
        parameters=[_parse_parameter(n) for n in root["parameters"].items()],
        parameter_groups=[
            ParameterGroup(n["id"].id(), n["name"].str()) for n in root["parameter_groups"].items()
        ],
        objects=objects,
        layers=layers,
        physics=_parse_physics(root["physics"]),
        source=root.get("source", None),
    )


def _check_layer_area(layers: list[LayerRecord], canvas_px: tuple[int, int]) -> None:
    """Refuse layer images larger than a canvas, or adding up to more than the area budget, before decoding."""
    for la in layers:
        w, h = la.size_px
        if w < 1 or h < 1 or max(w, h) > MAX_CANVAS_SIDE_PX or w * h > MAX_LAYER_PIXELS:
            raise ProjectFormatError(f"{RIG_ENTRY}: layer {la.id!r}: size {w} x {h} px is empty or over the limit")
    budget = MAX_LAYER_AREA_FACTOR * max(canvas_px[0] * canvas_px[1], 2048 * 2048)
    total = sum(la.size_px[0] * la.size_px[1] for la in layers)
    if total > budget:
        raise ProjectFormatError(
            f"{RIG_ENTRY}: the layer images add up to {total / 1e6:.0f} megapixels, over the limit of "
            f"{budget / 1e6:.0f} ({MAX_LAYER_AREA_FACTOR} canvas areas)"
        )


def _parse_parameter(n: JsonNode) -> Parameter:
    args = (n["id"].id(), n["name"].str(), n["min"].float(), n["default"].float(), n["max"].float())
    try:
        return Parameter(*args, keys=n["keys"].floats(), group=n["group"].str(), repeat=n["repeat"].bool())
    except RigError as exc:
        n.fail(str(exc))


def _parse_keyforms(n: JsonNode) -> KeyformRecord:
    bindings = []
    for b in n["bindings"].items():
        try:
            bindings.append(KeyformBinding(b["parameter_id"].str(), b["keys"].floats()))
        except RigError as exc:
            b.fail(str(exc))
    return KeyformRecord(tuple(bindings), n["values"].members(), n["values"])


def _parse_part(n: JsonNode) -> ObjectRecord:
    args = {
        "id": n["id"].id(),
        "name": n["name"].str(),
        "parent_part_id": n["parent_part_id"].opt_str(),
        "visible": n["visible"].bool(),
    }
    return ObjectRecord(Part, args, _parse_keyforms(n["keyforms"]))


def _parse_deformer(n: JsonNode) -> ObjectRecord:
    args = {
        "id": n["id"].id(),
        "name": n["name"].str(),
        "part_id": n["part_id"].str(),
        "parent_deformer_id": n["parent_deformer_id"].opt_str(),
        "visible": n["visible"].bool(),
    }
    kind = n["type"].str()
    if kind == "warp":
        args.update(rows=_positive(n["rows"], MAX_WARP_CELLS), cols=_positive(n["cols"], MAX_WARP_CELLS))
        return ObjectRecord(WarpDeformer, args, _parse_keyforms(n["keyforms"]))
    if kind == "rotation":
        args["base_angle_deg"] = n["base_angle_deg"].float()
        return ObjectRecord(RotationDeformer, args, _parse_keyforms(n["keyforms"]))
    n["type"].fail(f"expected 'warp' or 'rotation', got {kind!r}")


def _positive(n: JsonNode, most: int) -> int:
    value = n.int()
    if not 1 <= value <= most:
        n.fail(f"expected an integer in [1, {most}], got {value}")
    return value


def _parse_art_mesh(n: JsonNode) -> ObjectRecord:
    blend = n["blend_mode"].str()
    if blend not in {m.value for m in BlendMode}:
        n["blend_mode"].fail(f"expected one of {sorted(m.value for m in BlendMode)}, got {blend!r}")
    uvs = n["uvs"].array("float32", (None, 2))
    args = {
        "id": n["id"].id(),
        "name": n["name"].str(),
        "part_id": n["part_id"].str(),
        "parent_deformer_id": n["parent_deformer_id"].opt_str(),
        "layer_id": n["layer_id"].str(),
        "uvs": uvs,
        "triangles": n["triangles"].array("uint16", (None, 3)),
        "blend_mode": BlendMode(blend),
        "mask_ids": n["mask_ids"].strs(),
        "invert_mask": n["invert_mask"].bool(),
        "visible": n["visible"].bool(),
        "culling": n["culling"].bool(),
        "topology_version": n["topology_version"].int(),
    }
    if args["triangles"].size and int(args["triangles"].max()) >= len(uvs):
        n["triangles"].fail(f"vertex index {int(args['triangles'].max())} >= {len(uvs)} vertices")
    return ObjectRecord(ArtMesh, args, _parse_keyforms(n["keyforms"]))


def _parse_layer(n: JsonNode) -> LayerRecord:
    size = n["size_px"].items()
    if len(size) != 2:
        n["size_px"].fail("expected [width, height]")
    return LayerRecord(
        n["id"].id(file_name=True),
        n["name"].str(),
        n["origin_px"].floats(2),  # type: ignore[arg-type]
        n["version"].int(),
        (size[0].int(), size[1].int()),
        n["image"].str(),
    )


def _source(n: JsonNode) -> PhysicsSource:
    try:
        return PhysicsSource(n.str())
    except ValueError:
        n.fail(f"expected one of {[s.value for s in PhysicsSource]}, got {n.value!r}")


def _in_range(n: JsonNode, lo: float, hi: float, lo_open: bool = False) -> float:
    """A number in [lo, hi] (or (lo, hi] with ``lo_open``)."""
    value = n.float()
    if value > hi or value < lo or (lo_open and value == lo):
        n.fail(f"expected a number in {'(' if lo_open else '['}{lo:g}, {hi:g}], got {value:g}")
    return value


def _parse_particle(p: JsonNode) -> PhysicsParticle:
    return PhysicsParticle(
        p["position"].floats(2),  # type: ignore[arg-type]
        _in_range(p["mobility"], 0.0, 1.0),
        _in_range(p["delay"], 0.0, MAX_PHYSICS_FACTOR),
        _in_range(p["acceleration"], 0.0, MAX_PHYSICS_FACTOR),
        _in_range(p["radius"], 0.0, FLOAT32_MAX),
    )


def _parse_normalization(n: JsonNode) -> PhysicsNormalization:
    values = [n[k].float() for k in _NORMALIZATION_KEYS]
    for lo, mid, hi, what in ((*values[:3], "position"), (*values[3:], "angle")):
        if not lo <= mid <= hi or lo == hi:
            n.fail(f"expected {what}_min <= {what}_default <= {what}_max and min < max, got {lo:g}, {mid:g}, {hi:g}")
    return PhysicsNormalization(*values)


def _parse_setting(s: JsonNode) -> PhysicsSetting:
    inputs = [
        PhysicsInput(i["parameter_id"].str(), i["weight"].float(), _source(i["kind"]), i["reflect"].bool())
        for i in s["inputs"].items()
    ]
    outputs = [
        PhysicsOutput(o["parameter_id"].str(), o["particle_index"].int(), o["scale"].float(), o["weight"].float(),
                      _source(o["kind"]), o["reflect"].bool())  # fmt: skip
        for o in s["outputs"].items()
    ]
    particles = [_parse_particle(p) for p in s["particles"].items()]
    return PhysicsSetting(s["id"].id(), s["name"].str(), inputs, outputs, particles,
                          _parse_normalization(s["normalization"]))  # fmt: skip


def _parse_physics(n: JsonNode) -> PhysicsRig:
    settings = [_parse_setting(s) for s in n["settings"].items()]
    fps = _in_range(n["fps"], 0.0, MAX_PHYSICS_FPS, lo_open=True)
    return PhysicsRig(settings, n["gravity"].floats(2), n["wind"].floats(2), fps)  # type: ignore[arg-type]


_NORMALIZATION_KEYS = (
    "position_min",
    "position_default",
    "position_max",
    "angle_min",
    "angle_default",
    "angle_max",
)


# ----------------------------------------------------------------------- building
def build_keyforms(
    record: KeyformRecord, fields: dict[str, tuple[tuple[int | None, ...], str]]
) -> KeyformGrid:
    """Convert the raw value arrays for an owner with keyform ``fields`` (name → (shape, dtype))."""
    count = math.prod(len(b.keys) for b in record.bindings)
    missing = sorted(set(fields) - set(record.values))
    extra = sorted(set(record.values) - set(fields))
    if missing or extra:
        record.node.fail(f"missing fields {missing}, unexpected fields {extra}")
    values = {
        name: record.values[name].array(dtype, (count, *shape)) for name, (shape, dtype) in fields.items()
    }
    return KeyformGrid(record.bindings, values)


def build_object(record: ObjectRecord) -> Part | WarpDeformer | RotationDeformer | ArtMesh:
    """The model object of ``record`` with its keyforms checked against it."""
    obj = record.kind(**record.args, keyforms=KeyformGrid())
    fields = obj.KEYFORM_FIELDS if isinstance(obj, Part) else obj.keyform_fields()
    obj.keyforms = build_keyforms(record.keyforms, fields)
    return obj


def decode_layer(record: LayerRecord, data: bytes | None) -> Layer:
    """Decode a layer PNG (any mode, converted to RGBA) and check its size against ``rig.json``.

    The size in the PNG header is compared before the pixels are decoded, so a small PNG declaring
    a huge image costs nothing.
    """
    if data is None:
        raise ProjectFormatError(f"{record.entry}: missing (layer {record.id!r})")
    image = decode_png(data, record.entry, record.size_px, None, f"layer {record.id!r}")
    return Layer(record.id, record.name, image, record.origin_px, record.version)


def build_rig(record: RigRecord, entries: Mapping[str, bytes], with_source: bool = True) -> Rig:
    """Build and validate the :class:`Rig`; layer images come from the zip ``entries``.

    ``with_source=False`` leaves ``Rig.source`` None without decoding its images (for readers that
    never re-cut layers: render, export, info, track).
    """
    objects = [build_object(o) for o in record.objects]
    rig = Rig(
        record.canvas_px[0],
        record.canvas_px[1],
        record.name,
        record.parameters,
        record.parameter_groups,
        [o for o in objects if isinstance(o, Part)],
        [o for o in objects if isinstance(o, (WarpDeformer, RotationDeformer))],
        [o for o in objects if isinstance(o, ArtMesh)],
        [decode_layer(la, entries.get(la.entry)) for la in record.layers],
        record.physics,
        parse_source(record.source, entries, record.canvas_px) if record.source is not None and with_source else None,
    )
    try:
        rig.validate()
    except RigError as exc:
        raise ProjectFormatError(f"{RIG_ENTRY}: invalid rig: {exc}") from exc
    return rig


# ------------------------------------------------------------------------ archive
def parse_json_entry(entries: Mapping[str, bytes], name: str) -> Any:
    """Decode one JSON entry; NaN and Infinity are refused, and nesting deeper than ``MAX_JSON_DEPTH``."""
    if name not in entries:
        raise ProjectFormatError(f"{name}: missing from the project")

    def _no_constants(token: str) -> Any:
        raise ProjectFormatError(f"{name}: {token} is not allowed")

    try:
        value = json.loads(entries[name].decode("utf-8"), parse_constant=_no_constants)
    except RecursionError as exc:
        raise ProjectFormatError(f"{name}: nested too deeply") from exc
    except UnicodeDecodeError as exc:
        raise ProjectFormatError(f"{name}: not UTF-8 text ({exc})") from exc
    except json.JSONDecodeError as exc:
        raise ProjectFormatError(
            f"{name}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from exc
    check_json_depth(value, name)
    return value

"""The Rig: canvas, parameters, parts, deformers, art meshes, layers and physics.

Objects refer to each other by id. Lists keep a meaningful order: ``parameters`` is the display
order, ``parts`` the part tree's sibling order, ``art_meshes`` the tie-break order for equal
draw-order values. ``deformers`` may be in any order; evaluation sorts them parent-first.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from rig.errors import KeyformMismatchError, ValidationError
from rig.model.base import ModelObject
from rig.model.objects import ArtMesh, Deformer, Layer, Part, RotationDeformer, WarpDeformer
from rig.model.parameter import Parameter
from rig.model.physics import PhysicsRig
from rig.model.source import SourceImage


@dataclass(slots=True, eq=False)
class ParameterGroup(ModelObject):
    """A named group of parameters for display (cdi3 ``ParameterGroups``)."""

    id: str
    name: str


@dataclass(slots=True, eq=False)
class Rig(ModelObject):
    """A whole character rig.

    Attributes
    ----------
    canvas_width_px, canvas_height_px : int
        Canvas size in pixels (the input image's size); canvas frame is origin top-left, +y down.
    source : SourceImage or None
        The input image and visible-layer owner map a generated rig was cut from (what re-cutting a
        layer after mask painting needs); None for rigs without one (imported, hand-made).
    """

    canvas_width_px: int
    canvas_height_px: int
    name: str = "Untitled"
    parameters: list[Parameter] = field(default_factory=list)
    parameter_groups: list[ParameterGroup] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)
    deformers: list[Deformer] = field(default_factory=list)
    art_meshes: list[ArtMesh] = field(default_factory=list)
    layers: list[Layer] = field(default_factory=list)
    physics: PhysicsRig = field(default_factory=PhysicsRig)
    source: SourceImage | None = None

    # ------------------------------------------------------------------ lookup
    def objects(self) -> Iterator[Parameter | Part | Deformer | ArtMesh | Layer]:
        """Every object with an id (parameters, parts, deformers, art meshes, layers)."""
        yield from self.parameters
        yield from self.parts
        yield from self.deformers
        yield from self.art_meshes
        yield from self.layers

    def find(self, object_id: str):
        """The object with ``object_id``; raises KeyError naming the id."""
        for obj in self.objects():
            if obj.id == object_id:
                return obj
        raise KeyError(f"no object with id {object_id!r} in rig {self.name!r}")

    def parameter(self, parameter_id: str) -> Parameter:
        for p in self.parameters:
            if p.id == parameter_id:
                return p
        raise KeyError(f"no parameter {parameter_id!r}")

    def deformer(self, deformer_id: str) -> Deformer:
        for d in self.deformers:
            if d.id == deformer_id:
                return d
        raise KeyError(f"no deformer {deformer_id!r}")

    def art_mesh(self, mesh_id: str) -> ArtMesh:
        for m in self.art_meshes:
            if m.id == mesh_id:
                return m
        raise KeyError(f"no art mesh {mesh_id!r}")

    def layer(self, layer_id: str) -> Layer:
        for layer in self.layers:
            if layer.id == layer_id:
                return layer
        raise KeyError(f"no layer {layer_id!r}")

    def part(self, part_id: str) -> Part:
        for p in self.parts:
            if p.id == part_id:
                return p
        raise KeyError(f"no part {part_id!r}")

    def default_values(self) -> dict[str, float]:
        """Every parameter at its default, as ``{id: value}``."""
        return {p.id: p.default for p in self.parameters}

    def new_id(self, prefix: str) -> str:
        """A fresh id ``prefix<N>`` unused in this rig (Cubism style: ``ArtMesh12``, ``Warp3``)."""
        used = {o.id for o in self.objects()}
        n = 1
        while f"{prefix}{n}" in used:
            n += 1
        return f"{prefix}{n}"

    # -------------------------------------------------------------- validation
    def validate(self) -> None:
        """Check every invariant; raise :class:`ValidationError` / :class:`KeyformMismatchError`.

        Checked: unique ids per class and globally, references resolve, no cycles in the part and
        deformer trees, keyform grids match their object, bound parameters exist and keys are
        within their range, meshes are well formed, the source record (if any) fits the canvas.
        """
        seen: set[str] = set()
        for obj in self.objects():
            if obj.id in seen:
                raise ValidationError(f"duplicate id {obj.id!r}")
            seen.add(obj.id)
        params = {p.id: p for p in self.parameters}
        parts = {p.id for p in self.parts}
        deformers = {d.id: d for d in self.deformers}
        layers = {la.id for la in self.layers}
        meshes = {m.id for m in self.art_meshes}
        for part in self.parts:
            if part.parent_part_id is not None and part.parent_part_id not in parts:
                raise ValidationError(f"part {part.id!r}: parent part {part.parent_part_id!r} does not exist")
            part.keyforms.check(part.id, Part.KEYFORM_FIELDS)
        self._check_acyclic({p.id: p.parent_part_id for p in self.parts}, "part")
        self._check_acyclic({d.id: d.parent_deformer_id for d in self.deformers}, "deformer")
        for d in self.deformers:
            self._check_owner(d, parts, deformers)
            d.keyforms.check(d.id, d.keyform_fields())
        for m in self.art_meshes:
            self._check_owner(m, parts, deformers)
            if m.layer_id not in layers:
                raise ValidationError(f"art mesh {m.id!r}: layer {m.layer_id!r} does not exist")
            m.check_topology()
            m.keyforms.check(m.id, m.keyform_fields())
            for mask in m.mask_ids:
                if mask not in meshes or mask == m.id:
                    raise ValidationError(f"art mesh {m.id!r}: mask {mask!r} is not another art mesh")
        for obj in [*self.parts, *self.deformers, *self.art_meshes]:
            for b in obj.keyforms.bindings:
                p = params.get(b.parameter_id)
                if p is None:
                    raise ValidationError(f"{obj.id!r} is keyed on missing parameter {b.parameter_id!r}")
                if b.keys[0] < p.min - 1e-6 or b.keys[-1] > p.max + 1e-6:
                    raise KeyformMismatchError(f"{obj.id!r}: keys {b.keys} outside {p.id} range [{p.min}, {p.max}]")
        for s in self.physics.settings:
            for io in [*s.inputs, *s.outputs]:
                if io.parameter_id not in params:
                    raise ValidationError(f"physics {s.id!r} uses missing parameter {io.parameter_id!r}")
            for o in s.outputs:
                if not 0 < o.particle_index < len(s.particles):
                    raise ValidationError(f"physics {s.id!r}: output particle {o.particle_index} out of range")
        if self.source is not None:
            self.source.check((self.canvas_width_px, self.canvas_height_px))

    @staticmethod
    def _check_owner(obj: ArtMesh | WarpDeformer | RotationDeformer, parts: set[str], deformers: dict) -> None:
        if obj.part_id not in parts:
            raise ValidationError(f"{obj.id!r}: part {obj.part_id!r} does not exist")
        if obj.parent_deformer_id is not None and obj.parent_deformer_id not in deformers:
            raise ValidationError(f"{obj.id!r}: parent deformer {obj.parent_deformer_id!r} does not exist")

    @staticmethod
    def _check_acyclic(parent_of: dict[str, str | None], what: str) -> None:
        for start in parent_of:
            seen = {start}
            node = parent_of[start]
            while node is not None:
                if node in seen:
                    raise ValidationError(f"{what} tree has a cycle through {start!r}")
                seen.add(node)
                node = parent_of.get(node)

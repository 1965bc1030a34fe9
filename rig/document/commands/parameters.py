"""Parameter definitions and keys: Add/RemoveParameter, SetParameterDefinition, Add/RemoveParameterKey.

Key edits are implemented once, on the parameter, and fan out to every KeyformGrid bound to it
(parts, deformers, art meshes), as in ``Inochi2D/inochi2d : source/inochi2d/core/param/package.d``
(``insertAxisPoint`` tells every binding to insert keypoints).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from rig.document.change import Change
from rig.document.commands.base import BaseCommand, DeleteObject, InsertObject, check_new_object, index_of
from rig.document.commands.grid_ops import insert_key, remove_key
from rig.errors import KeyformMismatchError, ValidationError
from rig.model import KeyformGrid, Parameter, Rig

if TYPE_CHECKING:
    from rig.document.document import Document


def _parameter(rig: Rig, parameter_id: str) -> Parameter:
    try:
        return rig.parameter(parameter_id)
    except KeyError:
        raise ValidationError(f"no parameter {parameter_id!r} in rig {rig.name!r}") from None


def _keyed_objects(rig: Rig):
    return [*rig.parts, *rig.deformers, *rig.art_meshes]


class AddParameter(InsertObject):
    """Add a parameter definition.

    ``do`` inserts ``parameter`` into ``rig.parameters`` at ``index`` (the end when None).
    Reports ``Change("parameter_definition", {parameter.id})``.

    Raises
    ------
    ValidationError
        The id is already used.
    """

    def __init__(self, rig: Rig, parameter: Parameter, index: int | None = None) -> None:
        if not isinstance(parameter, Parameter):
            raise TypeError(f"expected a Parameter, got {type(parameter).__name__}")
        check_new_object(rig, parameter)
        super().__init__(rig, parameter, index, kind="parameter_definition")
        self.label = f"Add parameter {parameter.name}"


class RemoveParameter(DeleteObject):
    """Remove a parameter nothing uses.

    ``do`` removes it from ``rig.parameters``; undo restores it at its index. Reports
    ``Change("parameter_definition", {parameter_id})``.

    Raises
    ------
    ValidationError
        No such parameter, or keyform grids or physics settings still use it (named in the
        message): remove its keys (``RemoveParameterKey``) and physics inputs/outputs first.
    """

    def __init__(self, rig: Rig, parameter_id: str) -> None:
        _parameter(rig, parameter_id)
        users = [o.id for o in _keyed_objects(rig) if parameter_id in o.keyforms.parameter_ids]
        users += [
            s.id
            for s in rig.physics.settings
            if any(io.parameter_id == parameter_id for io in [*s.inputs, *s.outputs])
        ]
        if users:
            raise ValidationError(
                f"parameter {parameter_id!r} is still used by {', '.join(users)}; remove its keys and physics "
                "inputs/outputs first"
            )
        super().__init__(rig, parameter_id, kind="parameter_definition")
        self.label = f"Remove parameter {parameter_id}"


class _SwapParameter(BaseCommand):
    """Replace the Parameter object at a captured index (old and new objects both kept)."""

    def __init__(self, rig: Rig, parameter_id: str, new: Parameter) -> None:
        self.parameter_id = parameter_id
        self.index = index_of(rig.parameters, parameter_id)
        self.old_param, self.new_param = rig.parameters[self.index], new

    def _put(self, doc: Document, param: Parameter) -> None:
        params = doc.rig.parameters
        if params[self.index].id != self.parameter_id:
            raise RuntimeError(f"{self.label!r}: rig.parameters[{self.index}] is not {self.parameter_id!r}")
        params[self.index] = param


class SetParameterDefinition(_SwapParameter):
    """Change a parameter's name, range, default, group or repeat flag (not its keys).

    ``do`` replaces the Parameter object (same id) in ``rig.parameters``. Reports
    ``Change("parameter_definition", {parameter_id})``. Consecutive edits of the same parameter
    merge.

    Raises
    ------
    ValidationError
        No such parameter, or not ``min <= default <= max`` with ``min < max``.
    KeyformMismatchError
        A key of the parameter or of a binding would fall outside the new range (remove it first).
    """

    def __init__(
        self,
        rig: Rig,
        parameter_id: str,
        *,
        name: str | None = None,
        min: float | None = None,
        default: float | None = None,
        max: float | None = None,
        group: str | None = None,
        repeat: bool | None = None,
    ) -> None:
        old = _parameter(rig, parameter_id)
        changes = {"name": name, "min": min, "default": default, "max": max, "group": group, "repeat": repeat}
        new = dataclasses.replace(old, **{k: v for k, v in changes.items() if v is not None})
        keys = set(new.keys)
        for o in _keyed_objects(rig):
            keys.update(*(b.keys for b in o.keyforms.bindings if b.parameter_id == parameter_id))
        outside = sorted(k for k in keys if not new.min - 1e-6 <= k <= new.max + 1e-6)
        if outside:
            raise KeyformMismatchError(
                f"parameter {parameter_id!r}: keys {outside} would lie outside [{new.min}, {new.max}]; remove them first"
            )
        super().__init__(rig, parameter_id, new)
        self.label = f"Edit parameter {parameter_id}"

    def do(self, doc: Document) -> Change:
        self._put(doc, self.new_param)
        return Change("parameter_definition", frozenset({self.parameter_id}))

    def undo(self, doc: Document) -> Change:
        self._put(doc, self.old_param)
        return Change("parameter_definition", frozenset({self.parameter_id}))

    def merge(self, other: object) -> bool:
        if isinstance(other, SetParameterDefinition) and other.parameter_id == self.parameter_id:
            self.new_param = other.new_param
            return True
        return False


class _KeyEdit(_SwapParameter):
    """A parameter-key edit fanned out to every grid bound to the parameter."""

    def __init__(self, rig: Rig, parameter_id: str, new: Parameter, edit, value: float) -> None:
        super().__init__(rig, parameter_id, new)
        self.grids: list[tuple[str, KeyformGrid, KeyformGrid]] = []  # (object id, old grid, new grid)
        for obj in _keyed_objects(rig):
            grid = edit(obj.keyforms, parameter_id, value)
            if grid is not None:
                self.grids.append((obj.id, obj.keyforms, grid))

    def _apply(self, doc: Document, new: bool) -> Change:
        self._put(doc, self.new_param if new else self.old_param)
        for object_id, old_grid, new_grid in self.grids:
            doc.rig.find(object_id).keyforms = new_grid if new else old_grid
        return Change("keyform", frozenset({self.parameter_id, *(g[0] for g in self.grids)}))

    def do(self, doc: Document) -> Change:
        return self._apply(doc, True)

    def undo(self, doc: Document) -> Change:
        return self._apply(doc, False)

    @property
    def object_ids(self) -> tuple[str, ...]:
        """Ids of the objects whose keyforms the edit changes."""
        return tuple(g[0] for g in self.grids)


class AddParameterKey(_KeyEdit):
    """Add a key to a parameter and to every keyform binding on it.

    ``do`` adds ``value`` to ``Parameter.keys`` and inserts, in every bound KeyformGrid that
    lacks it, keyforms interpolated at ``value`` (linear between the neighbouring keys, nearest
    key for bool fields, a copy of the end keyform outside the key range), so the evaluated pose
    is unchanged. Reports ``Change("keyform", {parameter_id, *bound object ids})``.

    Raises
    ------
    ValidationError
        No such parameter, ``value`` outside its range, or already a key.
    """

    def __init__(self, rig: Rig, parameter_id: str, value: float) -> None:
        old = _parameter(rig, parameter_id)
        value = float(value)
        if not old.min <= value <= old.max:
            raise ValidationError(f"key {value} is outside {parameter_id} range [{old.min}, {old.max}]")
        if value in old.keys:
            raise ValidationError(f"{parameter_id} already has a key at {value}")
        new = dataclasses.replace(old, keys=(*old.keys, value))
        super().__init__(rig, parameter_id, new, insert_key, value)
        self.label = f"Add key {value:g} to {parameter_id}"


class RemoveParameterKey(_KeyEdit):
    """Remove a key from a parameter and from every keyform binding on it.

    ``do`` drops ``value`` from ``Parameter.keys`` and, in every bound grid that has the key,
    the keyforms at that key; a binding left with no key is removed (the object stops depending
    on the parameter). Reports ``Change("keyform", {parameter_id, *affected object ids})``.

    Raises
    ------
    ValidationError
        No such parameter or no such key on it.
    """

    def __init__(self, rig: Rig, parameter_id: str, value: float) -> None:
        old = _parameter(rig, parameter_id)
        value = float(value)
        if value not in old.keys:
            raise ValidationError(f"{parameter_id} has no key at {value}; its keys are {old.keys}")
        new = dataclasses.replace(old, keys=tuple(k for k in old.keys if k != value))
        super().__init__(rig, parameter_id, new, remove_key, value)
        self.label = f"Remove key {value:g} from {parameter_id}"

"""Per-object keyform structure: SetKeyformGrid plus the pure grid edits it is built from.

``AddParameterKey`` adds a key to a *parameter* and to every grid already bound to it. Two edits it
cannot do are per object: binding an object to a parameter it does not depend on yet (Cubism
Editor's "add keyforms to the parameter" for a selection) and giving one object's binding a key the
parameter already has. Both keep the object's pose unchanged at every parameter value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from rig.document.change import Change
from rig.document.commands.base import BaseCommand, check_bindings, find, keyform_fields
from rig.document.commands.grid_ops import insert_key
from rig.errors import KeyformMismatchError, ValidationError
from rig.model import KeyformBinding, KeyformGrid, Rig

if TYPE_CHECKING:
    from rig.document.document import Document


def add_binding(grid: KeyformGrid, parameter_id: str, keys: tuple[float, ...]) -> KeyformGrid:
    """A new grid that is also bound to ``parameter_id`` (as the last, slowest-varying binding).

    Every existing keyform block is repeated once per new key, so the pose is unchanged at every
    parameter value.

    Raises
    ------
    KeyformMismatchError
        The grid is already bound to ``parameter_id`` or ``keys`` is empty or not ascending.
    """
    if parameter_id in grid.parameter_ids:
        raise KeyformMismatchError(f"already keyed on {parameter_id!r}")
    binding = KeyformBinding(parameter_id, tuple(keys))
    n = len(binding.keys)
    values = {name: np.concatenate([arr] * n, axis=0) for name, arr in grid.values.items()}
    return KeyformGrid((*grid.bindings, binding), values)


class SetKeyformGrid(BaseCommand):
    """Replace one object's whole KeyformGrid (bindings and values).

    Parameters
    ----------
    rig : Rig
    object_id : str
        A part, deformer or art mesh.
    grid : KeyformGrid
        The new grid; checked against the object's keyform fields and the rig's parameters.
    label : str, optional

    Notes
    -----
    ``do`` swaps in ``grid``, ``undo`` puts the old grid object back. Reports
    ``Change("keyform", {object_id})``. Use :meth:`bind` and :meth:`add_key` to build it.

    Raises
    ------
    ValidationError, KeyformMismatchError
        No such object, or the grid does not fit it.
    """

    def __init__(self, rig: Rig, object_id: str, grid: KeyformGrid, label: str | None = None) -> None:
        obj = find(rig, object_id)
        if not hasattr(obj, "keyforms"):
            raise ValidationError(f"{object_id!r} has no keyforms")
        grid.check(object_id, keyform_fields(obj))
        check_bindings(rig, object_id, grid)
        self.object_id, self.old, self.new = object_id, obj.keyforms, grid
        self.label = label or f"Edit keyforms of {object_id}"

    @classmethod
    def bind(cls, rig: Rig, object_id: str, parameter_id: str, keys: tuple[float, ...] | None = None) -> SetKeyformGrid:
        """Key ``object_id`` on ``parameter_id`` at ``keys`` (default: the parameter's keys)."""
        try:
            param = rig.parameter(parameter_id)
        except KeyError:
            raise ValidationError(f"no parameter {parameter_id!r}") from None
        keys = tuple(sorted(param.keys if keys is None else keys))
        grid = add_binding(find(rig, object_id).keyforms, parameter_id, keys)
        return cls(rig, object_id, grid, f"Key {object_id} on {parameter_id}")

    @classmethod
    def add_key(cls, rig: Rig, object_id: str, parameter_id: str, value: float) -> SetKeyformGrid:
        """Give ``object_id``'s binding on ``parameter_id`` a key at ``value`` (interpolated keyforms).

        Raises
        ------
        ValidationError
            The object is not keyed on the parameter or already has that key.
        """
        grid = insert_key(find(rig, object_id).keyforms, parameter_id, float(value))
        if grid is None:
            raise ValidationError(f"{object_id!r} is not keyed on {parameter_id!r} or already has a key at {value:g}")
        return cls(rig, object_id, grid, f"Add key {value:g} of {parameter_id} to {object_id}")

    def _put(self, doc: Document, grid: KeyformGrid) -> Change:
        doc.rig.find(self.object_id).keyforms = grid
        return Change("keyform", frozenset({self.object_id}))

    def do(self, doc: Document) -> Change:
        return self._put(doc, self.new)

    def undo(self, doc: Document) -> Change:
        return self._put(doc, self.old)

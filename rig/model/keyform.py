"""Keyform grids: values of an object at every combination of its parameters' keys.

Cubism semantics (cubism-formats.md 1.6): an object bound to parameters P0..Pn-1 with key counts
n0..nn-1 has ``K = n0 * n1 * ...`` keyforms; **the first binding varies fastest**, so the keyform for
key indices (i0, i1, i2) is ``i0 + n0*i1 + n0*n1*i2``. An object bound to no parameter has exactly
one keyform.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from rig.errors import KeyformMismatchError
from rig.model.base import ModelObject


@dataclass(slots=True, eq=False)
class KeyformBinding(ModelObject):
    """One parameter an object is keyed on, with the keys this object uses.

    Attributes
    ----------
    parameter_id : str
        Id of the bound :class:`~rig.model.parameter.Parameter` (``ParamAngleX`` ...).
    keys : tuple of float
        Strictly ascending parameter values with a keyform; a subset of the parameter's keys.
    """

    parameter_id: str
    keys: tuple[float, ...]

    def __post_init__(self) -> None:
        self.keys = tuple(float(k) for k in self.keys)
        if not self.keys:
            raise KeyformMismatchError(f"binding to {self.parameter_id!r} has no keys")
        if any(b <= a for a, b in zip(self.keys, self.keys[1:])):
            raise KeyformMismatchError(f"keys of binding to {self.parameter_id!r} are not strictly ascending: {self.keys}")


@dataclass(slots=True, eq=False)
class KeyformGrid(ModelObject):
    """Keyed values of one object.

    Attributes
    ----------
    bindings : tuple of KeyformBinding
        The bound parameters, first varies fastest. Empty for an unkeyed object (one keyform).
    values : dict of str to ndarray
        One array per keyed field, each with leading dimension ``K = count``. Which fields an object
        has is fixed by its class (``ArtMesh.KEYFORM_FIELDS`` ...): e.g. an ArtMesh has
        ``positions`` (K, N, 2) float32, ``opacity`` (K,) float32, ``draw_order`` (K,) float32.
    """

    bindings: tuple[KeyformBinding, ...] = ()
    values: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def shape(self) -> tuple[int, ...]:
        """Key counts per binding, first binding first."""
        return tuple(len(b.keys) for b in self.bindings)

    @property
    def count(self) -> int:
        """Number of keyforms, the product of the key counts (1 when unbound)."""
        return math.prod(self.shape)

    @property
    def parameter_ids(self) -> tuple[str, ...]:
        return tuple(b.parameter_id for b in self.bindings)

    def flat_index(self, key_indices: tuple[int, ...]) -> int:
        """Keyform index of key indices ``(i0, i1, ...)`` (first binding fastest)."""
        if len(key_indices) != len(self.bindings):
            raise KeyformMismatchError(f"expected {len(self.bindings)} key indices, got {len(key_indices)}")
        index, stride = 0, 1
        for i, n in zip(key_indices, self.shape):
            if not 0 <= i < n:
                raise KeyformMismatchError(f"key index {i} out of range 0..{n - 1}")
            index += i * stride
            stride *= n
        return index

    def key_indices(self, flat: int) -> tuple[int, ...]:
        """Inverse of :meth:`flat_index`."""
        out = []
        for n in self.shape:
            out.append(flat % n)
            flat //= n
        return tuple(out)

    def check(self, owner_id: str, fields: dict[str, tuple[tuple[int | None, ...], str]]) -> None:
        """Raise :class:`KeyformMismatchError` unless ``values`` matches ``fields``.

        ``fields`` maps a field name to (per-keyform shape, dtype); ``None`` in a shape matches any size.
        """
        if len({b.parameter_id for b in self.bindings}) != len(self.bindings):
            raise KeyformMismatchError(f"{owner_id}: a parameter is bound twice")
        missing = set(fields) - set(self.values)
        extra = set(self.values) - set(fields)
        if missing or extra:
            raise KeyformMismatchError(f"{owner_id}: keyform fields missing {sorted(missing)}, unexpected {sorted(extra)}")
        for name, (shape, dtype) in fields.items():
            arr = self.values[name]
            if not isinstance(arr, np.ndarray) or arr.dtype != np.dtype(dtype):
                raise KeyformMismatchError(f"{owner_id}: keyform field {name!r} must be a {dtype} ndarray")
            if arr.ndim != 1 + len(shape) or arr.shape[0] != self.count or any(
                s is not None and s != a for s, a in zip(shape, arr.shape[1:])
            ):
                raise KeyformMismatchError(
                    f"{owner_id}: keyform field {name!r} has shape {arr.shape}, expected ({self.count}, "
                    f"{', '.join('*' if s is None else str(s) for s in shape)})"
                )

    @classmethod
    def constant(cls, **fields: np.ndarray) -> KeyformGrid:
        """An unbound grid (one keyform) holding ``fields`` (each given without the K axis)."""
        return cls((), {k: np.asarray(v)[None].copy() for k, v in fields.items()})

    @classmethod
    def tiled(cls, bindings: tuple[KeyformBinding, ...], **fields: np.ndarray) -> KeyformGrid:
        """A grid over ``bindings`` whose every keyform is a copy of ``fields`` (the rest pose)."""
        k = math.prod(len(b.keys) for b in bindings)
        vals = {}
        for name, v in fields.items():
            v = np.asarray(v)
            vals[name] = np.repeat(v[None], k, axis=0).copy()
        return cls(tuple(bindings), vals)

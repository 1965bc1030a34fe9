"""Deep equality for model objects that hold numpy arrays.

Dataclasses compare fields with ``==``, which is ambiguous for arrays. :func:`deep_equal` compares
arrays by shape, dtype and exact values, and recurses through dataclasses, dicts, lists and tuples.
Undo tests rely on it: ``undo`` must restore a rig that is ``deep_equal`` to the one before.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np


def deep_equal(a: Any, b: Any) -> bool:
    """Return True when ``a`` and ``b`` are structurally identical (arrays exactly, dtypes included)."""
    if a is b:
        return True
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
            return False
        return a.shape == b.shape and a.dtype == b.dtype and bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))
    if type(a) is not type(b):
        return False
    if dataclasses.is_dataclass(a):
        return all(deep_equal(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(deep_equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(deep_equal(x, y) for x, y in zip(a, b))
    return bool(a == b)


class ModelObject:
    """Mixin giving slotted model dataclasses array-aware ``==`` (see :func:`deep_equal`)."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        return deep_equal(self, other)

    __hash__ = None  # type: ignore[assignment]

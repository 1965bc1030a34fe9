"""Typed access to parsed ``rig.json``: every read names the field path in its error.

:class:`JsonNode` wraps one JSON value with its path (``art_meshes[3].keyforms.values.positions``);
its accessors check the type and raise :class:`~rig.errors.ProjectFormatError` with a message such as
``rig.json: art_meshes[3].keyforms.values.positions: expected (4, 12, 2), got (4, 11, 2)``.
"""

from __future__ import annotations

import math
import re
from typing import Any, NoReturn

import numpy as np

from rig.errors import ProjectFormatError

RIG_ENTRY = "rig.json"
#: Largest magnitude a float32 holds: numbers are checked against it, as every one is cast to float32
#: somewhere (arrays on load, parameters and physics in the exporters).
FLOAT32_MAX = 3.4028234663852886e38
#: Integers must fit an int32 (the exporters' files store int32).
INT32_MAX = 2**31 - 1
MAX_ID_CHARS = 256
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: Characters of a layer id (it names the layer's zip entry ``layers/<id>.png``).
SAFE_FILE_ID = re.compile(r"^[A-Za-z0-9_.-]+$")


def format_shape(shape: tuple[int | None, ...]) -> str:
    """``(4, 12, 2)``; ``None`` (any size) prints as ``*``."""
    inner = ", ".join("*" if s is None else str(s) for s in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


class JsonNode:
    """One value of the parsed JSON document and the path that leads to it."""

    __slots__ = ("value", "path")

    def __init__(self, value: Any, path: str = "") -> None:
        self.value = value
        self.path = path

    def fail(self, message: str) -> NoReturn:
        where = f"{self.path}: " if self.path else ""
        raise ProjectFormatError(f"{RIG_ENTRY}: {where}{message}")

    def _child_path(self, key: str | int) -> str:
        if isinstance(key, int):
            return f"{self.path}[{key}]"
        return f"{self.path}.{key}" if self.path else key

    # ----------------------------------------------------------------- structure
    def __getitem__(self, key: str) -> JsonNode:
        """The required member ``key`` of an object."""
        obj = self.object()
        if key not in obj:
            raise ProjectFormatError(f"{RIG_ENTRY}: {self._child_path(key)}: missing")
        return JsonNode(obj[key], self._child_path(key))

    def get(self, key: str, default: Any) -> JsonNode:
        """The optional member ``key``; ``default`` when absent."""
        return JsonNode(self.object().get(key, default), self._child_path(key))

    def object(self) -> dict[str, Any]:
        if not isinstance(self.value, dict):
            self.fail(f"expected an object, got {_kind(self.value)}")
        return self.value

    def members(self) -> dict[str, JsonNode]:
        return {k: JsonNode(v, self._child_path(k)) for k, v in self.object().items()}

    def items(self) -> list[JsonNode]:
        if not isinstance(self.value, list):
            self.fail(f"expected an array, got {_kind(self.value)}")
        return [JsonNode(v, self._child_path(i)) for i, v in enumerate(self.value)]

    # -------------------------------------------------------------------- scalars
    def str(self) -> str:
        if not isinstance(self.value, str):
            self.fail(f"expected a string, got {_kind(self.value)}")
        return self.value

    def id(self, file_name: bool = False) -> str:
        """An object id: a non-empty string of at most 256 printable characters; with ``file_name``, only
        letters, digits, ``_``, ``.`` and ``-`` (and not ``.`` or ``..``)."""
        value = self.str()
        if not value or len(value) > MAX_ID_CHARS or _CONTROL.search(value):
            self.fail(f"expected an id of 1 to {MAX_ID_CHARS} printable characters, got {value[:40]!r}")
        if file_name and (not SAFE_FILE_ID.match(value) or value in {".", ".."}):
            self.fail(f"id {value!r} cannot be a file name; use letters, digits, '_', '.', '-'")
        return value

    def opt_str(self) -> str | None:
        return None if self.value is None else self.str()

    def bool(self) -> bool:
        if not isinstance(self.value, bool):
            self.fail(f"expected true or false, got {_kind(self.value)}")
        return self.value

    def int(self) -> int:
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            self.fail(f"expected an integer, got {_kind(self.value)}")
        if not -INT32_MAX - 1 <= self.value <= INT32_MAX:
            self.fail(f"expected an integer that fits 32 bits, got {self.value}")
        return self.value

    def float(self) -> float:
        if isinstance(self.value, bool) or not isinstance(self.value, (int, float)):
            self.fail(f"expected a number, got {_kind(self.value)}")
        try:
            value = float(self.value)
        except OverflowError:
            self.fail("expected a finite number that fits a float32")
        if not math.isfinite(value) or abs(value) > FLOAT32_MAX:
            self.fail(f"expected a finite number that fits a float32, got {value:g}")
        return value

    def floats(self, count: int | None = None) -> tuple[float, ...]:
        values = tuple(n.float() for n in self.items())
        if count is not None and len(values) != count:
            self.fail(f"expected {count} numbers, got {len(values)}")
        return values

    def strs(self) -> tuple[str, ...]:
        return tuple(n.str() for n in self.items())

    # --------------------------------------------------------------------- arrays
    def array(self, dtype: str, shape: tuple[int | None, ...]) -> np.ndarray:
        """A nested list as an ndarray of ``dtype`` with ``shape`` (``None`` = any size).

        Numbers are converted with ``np.asarray(..., dtype)``; float32 values written from
        ``ndarray.tolist()`` come back bit-exact. Empty lists take the expected trailing dimensions.
        """
        if not isinstance(self.value, list):
            self.fail(f"expected an array, got {_kind(self.value)}")
        try:
            raw = np.asarray(self.value)
        except (ValueError, TypeError, OverflowError, RecursionError):
            self.fail("ragged nested array")
        if raw.size == 0:
            target = tuple(
                s if s is not None else (raw.shape[i] if i < raw.ndim else 0) for i, s in enumerate(shape)
            )
            if raw.shape == target[: raw.ndim] and 0 in target:
                raw = raw.reshape(target)
        if raw.ndim != len(shape) or any(s is not None and s != a for s, a in zip(shape, raw.shape)):
            self.fail(f"expected {format_shape(shape)}, got {format_shape(raw.shape)}")
        return self._convert(raw, np.dtype(dtype))

    def _convert(self, raw: np.ndarray, dtype: np.dtype) -> np.ndarray:
        if raw.size == 0:
            return raw.astype(dtype)
        if dtype == np.bool_:
            if raw.dtype != np.bool_:
                self.fail("expected an array of true/false")
            return raw.copy()
        if raw.dtype.kind not in "iuf":
            self.fail(f"expected an array of numbers, got {raw.dtype.kind!r} elements")
        if not np.all(np.isfinite(raw)):
            self.fail("expected finite numbers")
        if dtype.kind in "iu":
            info = np.iinfo(dtype)
            if raw.dtype.kind == "f" or raw.min() < info.min or raw.max() > info.max:
                self.fail(f"expected integers in [{info.min}, {info.max}]")
            return raw.astype(dtype)
        with np.errstate(over="ignore"):
            out = raw.astype(dtype)
        if not np.all(np.isfinite(out)):
            self.fail(f"expected finite numbers that fit a {dtype.name}")
        return out


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return {dict: "an object", list: "an array", str: "a string", int: "an integer", float: "a number"}.get(
        type(value), type(value).__name__
    )

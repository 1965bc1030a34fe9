"""Parameters: the named inputs of a rig (``ParamAngleX`` ...), Live2D standard ids and ranges."""

from __future__ import annotations

from dataclasses import dataclass

from rig.errors import ValidationError
from rig.model.base import ModelObject


@dataclass(slots=True, eq=False)
class Parameter(ModelObject):
    """A rig parameter definition (document state; current values live in ``ParameterValues``).

    Attributes
    ----------
    id : str
        Stable id, the Live2D standard one where it exists (``ParamAngleX``, ``ParamEyeLOpen``...).
    name : str
        Display name.
    min, default, max : float
        Range and rest value, ``min <= default <= max``.
    keys : tuple of float
        Ascending values at which some object has a keyform (the union over all bindings).
    group : str
        Parameter group id (``ParamGroupFace`` ...), "" for none.
    repeat : bool
        Cubism's ``isRepeat``: the value wraps around (rarely used).
    """

    id: str
    name: str
    min: float
    default: float
    max: float
    keys: tuple[float, ...] = ()
    group: str = ""
    repeat: bool = False

    def __post_init__(self) -> None:
        self.min, self.default, self.max = float(self.min), float(self.default), float(self.max)
        self.keys = tuple(sorted({float(k) for k in self.keys}))
        if not (self.min <= self.default <= self.max) or self.min == self.max:
            raise ValidationError(
                f"parameter {self.id!r}: need min <= default <= max and min < max, got "
                f"{self.min}, {self.default}, {self.max}"
            )

    def clamp(self, value: float) -> float:
        """``value`` clamped to [min, max] (wrapped instead when ``repeat``)."""
        if self.repeat:
            span = self.max - self.min
            return self.min + (value - self.min) % span
        return min(self.max, max(self.min, float(value)))

"""Current parameter values: slider positions, tracking and physics output (style.md section 2).

Values are not document state: they never enter the undo history and are not saved with the rig.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from psygnal import Signal

from rig.model import Parameter, Rig


class ParameterValues:
    """The current value of every parameter of a rig, clamped to the parameters' ranges.

    Parameters
    ----------
    parameters : Rig or iterable of Parameter
        The parameter definitions (a rig's ``parameters``). Values start at the defaults.

    Events
    ------
    changed : Signal(dict)
        ``{parameter_id: new_value}`` of the values that actually changed; one emission per
        :meth:`set`, :meth:`update`, :meth:`reset` or :meth:`sync` call.

    Notes
    -----
    Values are clamped with :meth:`Parameter.clamp` (wrapped for ``repeat`` parameters). The
    definitions are copied when given; call :meth:`sync` after the document's parameter
    definitions change (:meth:`follow` does that automatically).
    """

    changed = Signal(dict)

    def __init__(self, parameters: Rig | Iterable[Parameter]) -> None:
        self._params: dict[str, Parameter] = {}
        self._values: dict[str, float] = {}
        self._load(parameters)
        self._values = {pid: p.default for pid, p in self._params.items()}

    def _load(self, parameters: Rig | Iterable[Parameter]) -> None:
        params = parameters.parameters if isinstance(parameters, Rig) else parameters
        self._params = {
            p.id: Parameter(p.id, p.name, p.min, p.default, p.max, p.keys, p.group, p.repeat) for p in params
        }

    # ---------------------------------------------------------------- reading
    def __getitem__(self, parameter_id: str) -> float:
        try:
            return self._values[parameter_id]
        except KeyError:
            raise KeyError(f"no parameter {parameter_id!r} in these parameter values") from None

    def get(self, parameter_id: str, default: float | None = None) -> float | None:
        return self._values.get(parameter_id, default)

    def __contains__(self, parameter_id: object) -> bool:
        return parameter_id in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def as_dict(self) -> dict[str, float]:
        """A copy of ``{parameter_id: value}`` (what ``rig.evaluate`` takes)."""
        return dict(self._values)

    def is_default(self) -> bool:
        return all(v == self._params[k].default for k, v in self._values.items())

    # ---------------------------------------------------------------- writing
    def set(self, parameter_id: str, value: float) -> float:
        """Set one value (clamped); return the stored value.

        Raises
        ------
        KeyError
            If ``parameter_id`` is not a parameter.
        """
        self.update({parameter_id: value})
        return self._values[parameter_id]

    def __setitem__(self, parameter_id: str, value: float) -> None:
        self.set(parameter_id, value)

    def update(self, values: Mapping[str, float]) -> dict[str, float]:
        """Set several values (each clamped) and emit one ``changed`` event.

        Returns
        -------
        dict
            The values that changed (also the event payload); empty when none did.

        Raises
        ------
        KeyError
            If an id is not a parameter; nothing is changed then.
        """
        unknown = [k for k in values if k not in self._params]
        if unknown:
            raise KeyError(f"no parameters {unknown} in these parameter values")
        return self._apply({k: self._params[k].clamp(float(v)) for k, v in values.items()})

    def reset(self, parameter_ids: Iterable[str] | None = None) -> dict[str, float]:
        """Return the given parameters (all when None) to their defaults; one event."""
        ids = list(self._params) if parameter_ids is None else list(parameter_ids)
        return self.update({pid: self._params[pid].default for pid in ids})

    def sync(self, parameters: Rig | Iterable[Parameter]) -> dict[str, float]:
        """Adopt new definitions: new parameters start at their default, removed ones are
        dropped, kept ones are re-clamped to the new range. Emits one event naming the new and
        re-clamped values (removed ids are not in it)."""
        self._load(parameters)
        self._values = {pid: v for pid, v in self._values.items() if pid in self._params}
        new = {pid: p.default for pid, p in self._params.items() if pid not in self._values}
        clamped = {pid: self._params[pid].clamp(v) for pid, v in self._values.items()}
        self._values.update(new)
        self._values = {pid: self._values[pid] for pid in self._params}  # follow the rig's order
        changed = self._apply(clamped, emit=False)
        changed.update(new)
        if changed:
            self.changed.emit(changed)
        return changed

    def follow(self, document) -> None:
        """Call :meth:`sync` whenever ``document`` reports a parameter-definition or structure change."""

        def _on_change(change) -> None:
            if change.kind in ("parameter_definition", "structure"):
                self.sync(document.rig)

        document.changed.connect(_on_change)
        self._follow_slot = _on_change  # keep the closure alive (psygnal holds weak refs to methods only)

    def _apply(self, values: dict[str, float], emit: bool = True) -> dict[str, float]:
        changed = {k: v for k, v in values.items() if self._values.get(k) != v}
        self._values.update(changed)
        if changed and emit:
            self.changed.emit(changed)
        return changed

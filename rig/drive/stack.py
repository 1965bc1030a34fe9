"""One value stack over a rig's :class:`~rig.drive.values.ParameterValues`: defaults < preview < tracking < physics.

Several sources drive parameter values at once: the preview animation (breath, blinking) or a motion
playing back, face tracking (a camera; later a microphone), and the rig's physics on top of them
(VTube Studio's provider order, anchors.md section 3.2). :class:`ValueStack` is the one place that

* keeps one **layer** per running source (:class:`Layer`); a parameter takes the value of the
  highest running layer that drives it, so tracking wins over the preview for the parameters it
  drives while the preview keeps blinking and breathing on the others;
* remembers the **base** value of every driven parameter (the slider position when the first layer
  touched it) and puts it back when the last layer driving it stops;
* builds the **physics** simulator once per start or rig change, steps it after the topmost running
  layer's writes (that layer is the physics clock, so two sources never step it twice a frame) with
  the elapsed time clamped to [0, :data:`MAX_DT_S`], writes its outputs over every layer, and
  switches physics off with a logged reason (:attr:`ValueStack.physics_off_reason`) when the rig's
  physics cannot be built or a step fails;
* writes each step's values in **one** :meth:`ParameterValues.update` (one ``changed`` event).

Values only: nothing here enters the undo history. Qt-free; the editor holds one stack per window
(``app.bridge.DocumentBridge.drive``), ``kirie track`` one per :class:`app.tracking.puppet.Puppet`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from enum import IntEnum

from psygnal import Signal

from rig.drive.values import ParameterValues
from rig.evaluate.physics import PhysicsSimulator
from rig.model import Rig

log = logging.getLogger(__name__)

#: Longest physics step (s): a stalled timer or stream must not make the hair jump.
MAX_DT_S = 0.1


class Layer(IntEnum):
    """The value layers a source writes to, lowest first (physics is always above them)."""

    PREVIEW = 1  # preview animation, motion playback
    TRACKING = 2  # camera face tracking (later: microphone lip sync)


def build_physics(rig: Rig, purpose: str) -> tuple[PhysicsSimulator | None, str | None]:
    """A physics simulator for ``rig`` and None, or (None, the reason) when it has none or it is broken.

    ``purpose`` names what goes on without physics in the warning logged for a broken one.
    """
    if not rig.physics.settings:
        return None, "the rig has no physics"
    try:
        return PhysicsSimulator(rig.physics, rig.parameters), None
    except Exception as exc:  # noqa: BLE001 - broken physics must not stop a preview or tracking
        log.warning("physics disabled during %s: %s", purpose, exc)
        return None, f"physics could not be built: {exc}"


class ValueStack:
    """The layers driving one :class:`ParameterValues` (module docstring).

    Parameters
    ----------
    values : ParameterValues
        The values written to (the editor's current values, or a headless puppet's).
    rig : Rig
        The rig whose physics runs; read again on :meth:`rig_changed` and :meth:`attach`.
    physics : bool
        Run the rig's physics while a layer runs.

    Attributes
    ----------
    simulator : PhysicsSimulator or None
        The physics while any layer runs and physics is on and working.
    physics_off_reason : str or None
        Why physics is not running although layers are ("the rig has no physics", a build or step
        error); None while it runs or no layer does.

    Events
    ------
    stopped : Signal(Layer)
        A layer stopped (by :meth:`stop`, :meth:`stop_all` or its owner); emitted after its
        parameters were put back.
    """

    stopped = Signal(object)

    def __init__(self, values: ParameterValues, rig: Rig, physics: bool = True) -> None:
        self.values = values
        self.rig = rig
        self.physics_enabled = physics
        self.simulator: PhysicsSimulator | None = None
        self.physics_off_reason: str | None = None
        self._base: dict[str, float] = {}
        self._layers: dict[Layer, dict[str, float]] = {}
        self._claims: dict[Layer, set[str]] = {}
        self._clock: dict[Layer, float | None] = {}

    # ---------------------------------------------------------------- reading
    @property
    def running(self) -> bool:
        return bool(self._layers)

    def is_running(self, layer: Layer) -> bool:
        return layer in self._layers

    @property
    def top(self) -> Layer | None:
        """The highest running layer (the physics clock), or None."""
        return max(self._layers, default=None)

    def base(self, parameter_id: str) -> float:
        """The value ``parameter_id`` returns to when no layer drives it (its current value if none does).

        Raises
        ------
        KeyError
            Not a parameter of the values.
        """
        return self._base[parameter_id] if parameter_id in self._base else self.values[parameter_id]

    # ---------------------------------------------------------------- start / stop
    def start(self, layer: Layer, parameter_ids: Iterable[str] = (), time_s: float | None = None) -> None:
        """Run ``layer``, remembering the base values of ``parameter_ids`` (and, for the first layer,
        of the physics outputs; physics is built then).

        ``time_s`` starts the layer's clock (the first write's physics step is ``time - time_s``);
        None: the first write steps by 0. Starting a running layer keeps its values.
        """
        if not self._layers and self.physics_enabled:
            self._build_physics()
        self._layers.setdefault(layer, {})
        claims = self._claims.setdefault(layer, set())
        self._clock[layer] = time_s
        ids = [pid for pid in parameter_ids if pid in self.values]
        claims.update(ids)
        self._remember(ids)

    def stop(self, layer: Layer) -> dict[str, float]:
        """Stop ``layer``: its parameters go to the next running layer's value or back to their base;
        the physics outputs go back too when no layer is left. One update; returns what changed."""
        if layer not in self._layers:
            return {}
        self._layers.pop(layer)
        released = self._claims.pop(layer)
        self._clock.pop(layer, None)
        restore: dict[str, float] = {}
        for pid in released:
            if self._layers and self._physics_output(pid):
                continue  # physics keeps writing it
            if any(pid in claims for claims in self._claims.values()):
                restore[pid] = self._composed(pid)  # still driven: the highest remaining value
            elif pid in self._base:
                restore[pid] = self._base.pop(pid)
        if not self._layers:
            restore.update(self._base)
            self._base.clear()
            self.simulator, self.physics_off_reason = None, None
        changed = self.values.update({k: v for k, v in restore.items() if k in self.values})
        self.stopped.emit(layer)
        return changed

    def stop_all(self) -> None:
        """Stop every layer, highest first (every driven parameter back to its base)."""
        for layer in sorted(self._layers, reverse=True):
            self.stop(layer)

    # ---------------------------------------------------------------- writing
    def write(self, layer: Layer, values: Mapping[str, float], time_s: float | None = None,
              replace: bool = False) -> dict[str, float]:
        """Set ``layer``'s values (unknown ids dropped) and, when it is the top layer, step physics.

        Parameters
        ----------
        layer : Layer
            A running layer; writes to a stopped layer are ignored (a late frame after Stop).
        values : mapping of str to float
        time_s : float, optional
            The source's clock (s); the physics step is the time since the layer's previous write,
            clamped to [0, :data:`MAX_DT_S`]; None steps by 0.
        replace : bool
            The layer drives exactly ``values`` now: parameters it drove before and not now fall to
            the layers below or their base.

        Returns
        -------
        dict
            Every value written (clamped by :class:`ParameterValues`), including physics outputs.
        """
        if layer not in self._layers:
            return {}
        known = {pid: float(v) for pid, v in values.items() if pid in self.values}
        self._remember(known)
        self._claims[layer].update(known)
        mine = self._layers[layer]
        out: dict[str, float] = {}
        if replace:
            for pid in [p for p in mine if p not in known]:
                del mine[pid]
                self._claims[layer].discard(pid)
                out[pid] = self._composed(pid)
        mine.update(known)
        higher = [self._layers[x] for x in self._layers if x > layer]
        out.update({pid: v for pid, v in known.items() if not any(pid in h for h in higher)})
        dt = self._tick(layer, time_s)
        out = {pid: v for pid, v in out.items() if not self._physics_output(pid)}
        if self.simulator is not None and layer == self.top:
            current = self.values.as_dict()
            current.update(out)
            # physics reads its outputs' values from below it (a layer's or the base), not its last output
            current.update({pid: self._composed(pid) for pid in self.simulator.output_parameter_ids if pid in current})
            try:
                out.update({k: v for k, v in self.simulator.step(current, dt).items() if k in self.values})
            except Exception as exc:  # noqa: BLE001 - keep the sources running without physics
                log.warning("physics step failed, physics stopped: %s", exc)
                self.simulator, self.physics_off_reason = None, f"physics step failed: {exc}"
        if out:
            self.values.update(out)
        return {pid: self.values[pid] for pid in out}

    # ---------------------------------------------------------------- rig and values
    def rig_changed(self, rig: Rig | None = None) -> None:
        """The rig's structure or parameters changed (values already synced): rebuild physics while
        running, forget parameters that are gone."""
        if rig is not None:
            self.rig = rig
        self._forget_missing()
        self._base = {pid: v for pid, v in self._base.items() if pid in self.values}
        if self._layers and self.physics_enabled:
            self._build_physics()

    def attach(self, values: ParameterValues, rig: Rig) -> None:
        """Drive other values (another document was opened): running layers keep running; the base
        is read again from ``values``; physics is rebuilt for ``rig``."""
        self.values, self.rig = values, rig
        self._base.clear()
        self._forget_missing()
        for claims in self._claims.values():
            self._remember(claims)
        if self._layers and self.physics_enabled:
            self._build_physics()

    # ---------------------------------------------------------------- internals
    def _build_physics(self) -> None:
        self.simulator, self.physics_off_reason = build_physics(self.rig, "the preview and tracking")
        if self.simulator is not None:
            self._remember(self.simulator.output_parameter_ids)

    def _remember(self, parameter_ids: Iterable[str]) -> None:
        for pid in parameter_ids:
            if pid not in self._base and pid in self.values:
                self._base[pid] = self.values[pid]

    def _forget_missing(self) -> None:
        for layer in self._layers:
            self._layers[layer] = {p: v for p, v in self._layers[layer].items() if p in self.values}
            self._claims[layer] = {p for p in self._claims[layer] if p in self.values}

    def _physics_output(self, pid: str) -> bool:
        return self.simulator is not None and pid in self.simulator.output_parameter_ids

    def _composed(self, pid: str) -> float:
        for layer in sorted(self._layers, reverse=True):
            if pid in self._layers[layer]:
                return self._layers[layer][pid]
        return self.base(pid)

    def _tick(self, layer: Layer, time_s: float | None) -> float:
        last = self._clock.get(layer)
        self._clock[layer] = time_s if time_s is not None else last
        if time_s is None or last is None:
            return 0.0
        return min(max(time_s - last, 0.0), MAX_DT_S)

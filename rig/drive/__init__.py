"""Parameter values and what drives them (Qt-free).

* :class:`ParameterValues` (:mod:`rig.drive.values`): the current value of every parameter, clamped,
  with one ``changed`` event per update; never document state, never in the undo history.
* :class:`ValueStack` (:mod:`rig.drive.stack`): the one value stack over them, defaults < preview /
  motion playback < tracking < physics, that owns starting and stopping its sources, the physics
  simulator and the clamped time step.

May import ``rig.model`` and ``rig.evaluate`` (the physics simulator), psygnal and numpy; never
``rig.document`` (a document is passed in duck-typed), ``rig.formats``, ``rig.edit``, Qt, GL or ML.
"""

from rig.drive.stack import MAX_DT_S, Layer, ValueStack, build_physics
from rig.drive.values import ParameterValues

__all__ = ["MAX_DT_S", "Layer", "ParameterValues", "ValueStack", "build_physics"]

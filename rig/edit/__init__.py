"""Qt-free edit operations that build commands: keys and keyforms (arm, add/remove key, mirror, paste),
draw order, mesh operations, deformer factories and reparenting.

Each function reads the rig and returns a :class:`rig.document.Command` (or raises a ``RigError``); the
caller pushes it. May import ``rig.model``, ``rig.evaluate`` and ``rig.document``; no Qt, GL or ML.
"""

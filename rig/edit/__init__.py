"""Qt-free edit operations that build commands: keys and keyforms (arm, add/remove key, mirror, paste),
draw order, mesh operations, deformer factories and reparenting.

Modules: :mod:`.keyforms` (key state, add/remove key, reset, paste, mirror; re-exports the drag tools'
:class:`~rig.evaluate.parent_space.ParentMap`), :mod:`.draw_order`, :mod:`.mesh_ops`, :mod:`.deformers`.
Each function reads the rig and returns a :class:`rig.document.Command` (or raises a ``RigError``); the
caller (the editor's one push path) pushes it. May import ``rig.model``, ``rig.evaluate``,
``rig.document`` and ``rig.errors``; no Qt, GL or ML, and nothing from ``app`` (tested without Qt).
"""

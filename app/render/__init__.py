"""The GL renderer: moderngl + numpy only, no Qt (``Renderer``, its passes, GPU caches, shader loader,
the viewport's background pass, off-screen rendering for the CLI and thumbnails).

Draws an :class:`rig.evaluate.types.EvaluatedRig`. May import ``rig.evaluate`` result types, ``moderngl``
and ``numpy``; never ``PySide6``, ``rig.model`` or ``rig.document`` (import-linter contract).
"""

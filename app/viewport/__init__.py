"""The canvas: :class:`app.viewport.viewport.Viewport` (a QOpenGLWidget hosting :mod:`app.render`), the
evaluator that keeps an :class:`~rig.evaluate.types.EvaluatedRig` for the current values, hit testing,
and the editing tools (:mod:`app.viewport.tools`).

May import ``app.bridge``, ``app.render``, ``rig`` (model, document, edit, evaluate and its types); never
``inference`` (work that needs it, like the brush's re-cut, is handed in by ``app.editor``), ``app.jobs``,
``app.panels`` or ``app.editor``. Which tool is active is decided by ``app.editor.modes.ModeController``.
"""

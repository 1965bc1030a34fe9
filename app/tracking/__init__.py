"""Live tracking in the app: camera discovery and media dialogs, persisted tracking settings, the driver
that turns tracked values into the editor's parameter values, and the headless puppet (``kirie track``).

May import ``rig``, ``inference.tracking`` and ``app.render``; never ``app.editor``.
"""

"""Live tracking in the app: the session controller the Tracking dock drives (:mod:`app.tracking.controller`),
camera discovery and media dialogs, persisted tracking settings, the driver that turns tracked values
into the editor's parameter values, and the headless puppet (``kirie track``). The tracking thread
itself is a job (:mod:`app.jobs.tracking`).

May import ``rig``, ``inference.tracking``, ``app.bridge``, ``app.settings``, ``app.jobs`` and ``app.render``;
never ``app.editor``, ``app.panels`` or ``app.viewport``.
"""

"""Background work of the editor, all on the one :class:`app.jobs.base.BackgroundJob` shape: generation,
Auto-mesh, export, tracking. A job runs on a QThread and reports progress, outcome and errors by signal.

May import ``rig``, ``inference`` and ``app.render``; never ``app.editor``, ``app.panels`` or ``app.viewport``.
"""

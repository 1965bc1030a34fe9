"""Background work of the editor, all on the one :class:`app.jobs.base.BackgroundJob` shape with its
:class:`~app.jobs.base.JobRunner`: generation, Auto-mesh, export, the brush's re-cut, and face tracking
(a streaming job). A job runs on a QThread and reports progress, partial results, outcome and errors by
signal.

May import ``rig``, ``inference``, ``app.bridge``, ``app.render`` and ``app.tracking.media``; never
``app.editor``, ``app.panels`` or ``app.viewport``.
"""

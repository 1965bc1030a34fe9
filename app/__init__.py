"""Kirie's application layer, the only one with Qt: the editor, its docks and viewport, background jobs,
live tracking, the GL renderer and the ``kirie`` command line.

The root holds only what every sub-package shares: :mod:`app.bridge` (``DocumentBridge``, the one place
where the document's events become Qt signals and where commands are built, pushed and refused:
``DocumentBridge.apply``), :mod:`app.settings` (the editor's QSettings), :mod:`app.qt_images`
(numpy <-> QImage) and :mod:`app.opencv_qt` (OpenCV beside Qt). Sub-packages, from the top down:
``app.cli`` (headless), ``app.editor`` (the window, menus, modes), ``app.panels`` (docks),
``app.viewport`` (canvas and tools), ``app.jobs`` (threads), ``app.tracking`` (tracking glue),
``app.render`` (moderngl + numpy, no Qt).

May import ``inference`` and ``rig`` (``app > inference > rig``, checked by import-linter).
"""

__version__ = "0.1.0"
"""Kirie's version; pyproject.toml reads it from here (``[tool.setuptools.dynamic]``)."""

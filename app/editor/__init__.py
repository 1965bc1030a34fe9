"""The editor window: main window, menus and actions, the mode controller that owns the viewport tool
(:mod:`app.editor.modes`), the modes (deform, mesh, paint) on the :class:`app.editor.host.EditorHost`
protocol, project files, export actions, the preview animation and the modal dialogs.

May import everything below ``app`` (``app.panels``, ``app.viewport``, ``app.jobs``, ``app.tracking``,
``app.render``, ``inference``, ``rig``). Only ``main_window`` assembles the window; nothing else here
imports it (the modes, menus and exports take an ``EditorHost``).
"""

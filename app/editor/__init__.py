"""The editor window: main window, menus and actions, the modes (deform, mesh, paint), project files,
export actions, the preview animation and the modal dialogs.

May import everything below ``app`` (``app.panels``, ``app.viewport``, ``app.jobs``, ``app.tracking``,
``app.render``, ``inference``, ``rig``). Only ``main_window`` assembles the window; nothing else here
imports it.
"""

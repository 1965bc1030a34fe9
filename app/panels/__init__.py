"""The editor's docks: widgets and the item models behind them (Parts & Layers and Deformers trees on
:class:`app.panels.tree_sync.ObjectTreeModel`, Parameters, Properties, Tracking, Log).

A panel reads the document through :class:`app.bridge.DocumentBridge` and edits it only through
commands (``DocumentBridge.apply``). May import ``app.bridge``, ``app.qt_images``, ``app.settings``,
``app.tracking`` (the Tracking dock), ``rig.model``, ``rig.document``, ``rig.drive`` and ``rig.edit``; never
``inference``, ``app.viewport``, ``app.render``, ``app.jobs`` or ``app.editor``.
The Tracking dock is the view of :class:`app.tracking.controller.LiveTracking` (which owns the
session and the ``inference.tracking`` objects); the Parameters dock is handed the window's preview
animation. No panel imports ``inference``.
"""

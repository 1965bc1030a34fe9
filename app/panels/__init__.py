"""The editor's docks: widgets and the item models behind them (Parts & Layers and Deformers trees on
:class:`app.panels.tree_sync.ObjectTreeModel`, Parameters, Properties, Tracking, Log).

A panel reads the document through :class:`app.bridge.DocumentBridge` and edits it only through
commands (``DocumentBridge.apply``). May import ``app.bridge``, ``app.qt_images``, ``app.settings``,
``rig.model``, ``rig.document`` and ``rig.edit``; never ``app.viewport``, ``app.render`` or ``app.editor``.
One exception remains: the Tracking dock still creates its tracking session (``app.jobs.tracking``,
``app.tracking``, ``inference.tracking`` types); it writes through the bridge's one value stack
(``rig.drive.ValueStack``). The Parameters dock is handed the window's preview animation.
"""

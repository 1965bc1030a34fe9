"""Viewport tools: each editing mode is a :class:`~app.viewport.tools.base.Tool` the viewport forwards
mouse and key events to, and whose overlay it draws (keyform, deformer, mesh and brush tools).

A tool edits the document only through commands (``DocumentBridge.apply``) and reports through its
``status`` signal. May import what :mod:`app.viewport` may; never ``inference`` (the brush gets its
re-cut runner from the mode controller) nor ``app.jobs``.
"""

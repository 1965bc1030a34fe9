"""Viewport tools: each editing mode is a :class:`~app.viewport.tools.base.Tool` the viewport forwards
mouse and key events to, and whose overlay it draws."""

"""Kirie's application layer: the Qt editor, the renderer, the command line."""

__version__ = "0.1.0"
"""Kirie's version; pyproject.toml reads it from here (``[tool.setuptools.dynamic]``)."""

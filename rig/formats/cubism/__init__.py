"""Cubism export: a model folder (model3.json, .moc3 file version 4, physics3, cdi3, motion3,
texture atlas) loadable by Live2D Cubism runtimes. See :func:`export_cubism` and cubism-formats.md.

The ``.moc3`` writer lives in :mod:`rig.formats.cubism.moc3` and is used only through
``encode_moc3``, so it can be replaced or removed without touching the rest.
"""

from rig.formats.cubism.export import build_cubism_files, export_cubism

__all__ = ["build_cubism_files", "export_cubism"]

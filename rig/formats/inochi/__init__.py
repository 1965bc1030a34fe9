"""Inochi2D puppet export (``.inp``, INP version 1, Inochi2D v0.8 JSON): :func:`export_inp`."""

from rig.formats.inochi.export import export_inp, inp_bytes, puppet_json

__all__ = ["export_inp", "inp_bytes", "puppet_json"]

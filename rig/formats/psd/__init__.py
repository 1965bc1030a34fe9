"""Layered PSD export of a rig's layer images (for a Cubism PSD import): :func:`export_psd`."""

from rig.formats.psd.export import export_psd

__all__ = ["export_psd"]

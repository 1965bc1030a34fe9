"""File formats: the ``.kirie`` project (:mod:`rig.formats.project`, read and write) and the exports,
Cubism (:mod:`rig.formats.cubism`, with the self-contained ``.moc3`` writer), Inochi2D
(:mod:`rig.formats.inochi`) and layered PSD (:mod:`rig.formats.psd`).

May import ``rig.model``, ``rig.evaluate``, ``rig.errors``, numpy, scipy, Pillow, platformdirs and
psd-tools; never ``rig.document``, ``rig.drive`` or ``rig.edit`` (a format reads and writes a ``Rig``).
"""

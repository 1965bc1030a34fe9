"""Stage 5: cut the label map into RGBA layers, complete what other parts hide, synthesise missing art.

Holds the cutter (``cut``), completion of hidden regions (``completion``), art painted from scratch
(``synthesis``: mouth interior, lid lines) and the re-cut after mask painting (``recut``). May import
``rig``, ``inference.types``, ``inference.masks`` and ``inference.meshing``; cv2 only inside functions.
"""

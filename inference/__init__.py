"""Image in, rig data out: the generation pipeline and live face tracking (no Qt, no GL).

The root holds the pipeline entry (:mod:`inference.pipeline`: ``generate``, ``STAGES``), its types
(:mod:`inference.types`), image loading (:mod:`inference.load`) and mask helpers (:mod:`inference.masks`);
one folder per stage group beside it: ``segmentation`` (stages 2 and 4), ``landmarks`` (3), ``layers`` (5),
``meshing`` (6), ``rigging`` (7), plus ``models`` (optional learned models) and ``tracking`` (camera to
parameters).

May import ``rig`` and numpy; heavy libraries (cv2, scipy, skimage, onnxruntime, mediapipe, torch) only
inside functions; never ``PySide6``, ``moderngl`` or ``app`` (import-linter contracts).
"""

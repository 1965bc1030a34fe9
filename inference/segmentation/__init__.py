"""Stages 2 and 4: which pixels are the character (foreground) and which part each pixel is (label map).

Holds the foreground backends (alpha, flood fill, MediaPipe selfie + GrabCut, ISNet) and the part
segmenter (colour classes, facial feature masks, the label-map rules). May import ``rig``,
``inference.types``, ``inference.masks``, ``inference.load``, ``inference.landmarks`` and
``inference.models``; heavy libraries (cv2, onnxruntime, mediapipe) only inside functions.
"""

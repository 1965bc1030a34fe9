"""Stage 6: contour-following triangle meshes for the cut layers, and Auto-mesh of existing meshes.

May import ``rig`` and ``inference.types``; mapbox-earcut, shapely and cv2 only inside functions.
"""

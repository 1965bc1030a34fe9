"""The view transform: canvas pixels to viewport pixels to normalised device coordinates.

Frames
------
canvas px
    The rig's frame: origin at the canvas's top-left corner, +y down, one unit per image pixel.
viewport px
    The framebuffer being drawn: origin top-left, +y down, ``viewport_size_px`` wide and high.
NDC
    OpenGL's [-1, 1]², +y up. ``fbo.read()`` returns rows bottom to top, so a top-down image is
    ``np.flipud`` of it.

``viewport = (canvas - canvas_centre) * zoom + viewport_centre + pan_px``: at zoom 1 and pan 0 the
canvas centre sits at the viewport centre and one canvas pixel covers one viewport pixel.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np


@dataclass(frozen=True, slots=True)
class View:
    """Pan and zoom of a canvas inside a viewport.

    Attributes
    ----------
    canvas_size_px : (int, int)
        Canvas width and height, canvas px.
    viewport_size_px : (int, int)
        Framebuffer width and height, viewport px.
    zoom : float
        Viewport px per canvas px (> 0).
    pan_px : (float, float)
        Offset of the canvas centre from the viewport centre, viewport px, +y down.
    """

    canvas_size_px: tuple[int, int]
    viewport_size_px: tuple[int, int]
    zoom: float = 1.0
    pan_px: tuple[float, float] = (0.0, 0.0)

    @classmethod
    def fit(cls, canvas_size_px: tuple[int, int], viewport_size_px: tuple[int, int],
            margin_px: float = 0.0) -> View:
        """The view that shows the whole canvas, centred, as large as fits inside a margin.

        Parameters
        ----------
        margin_px : float
            Free border kept on every side of the viewport, viewport px.
        """
        cw, ch = canvas_size_px
        vw, vh = viewport_size_px
        zoom = min((vw - 2 * margin_px) / max(cw, 1), (vh - 2 * margin_px) / max(ch, 1))
        return cls(tuple(canvas_size_px), tuple(viewport_size_px), max(float(zoom), 1e-6))

    def with_viewport(self, viewport_size_px: tuple[int, int]) -> View:
        """The same zoom and pan in a resized viewport."""
        return replace(self, viewport_size_px=tuple(viewport_size_px))

    def zoomed_at(self, factor: float, anchor_viewport_px: tuple[float, float]) -> View:
        """Zoom by ``factor`` keeping the canvas point under ``anchor_viewport_px`` fixed."""
        anchor = np.asarray(anchor_viewport_px, np.float64)
        canvas_point = self.viewport_to_canvas(anchor[None])[0]
        zoomed = replace(self, zoom=self.zoom * float(factor))
        moved = zoomed.canvas_to_viewport(canvas_point[None])[0]
        pan = np.asarray(self.pan_px) + anchor - moved
        return replace(zoomed, pan_px=(float(pan[0]), float(pan[1])))

    def _offset(self) -> np.ndarray:
        """Viewport position of the canvas origin, viewport px."""
        c = np.asarray(self.canvas_size_px, np.float64) * 0.5
        v = np.asarray(self.viewport_size_px, np.float64) * 0.5
        return v + np.asarray(self.pan_px, np.float64) - c * self.zoom

    def canvas_to_viewport(self, points_px: np.ndarray) -> np.ndarray:
        """(N, 2) canvas px -> (N, 2) float64 viewport px."""
        return np.asarray(points_px, np.float64) * self.zoom + self._offset()

    def viewport_to_canvas(self, points_px: np.ndarray) -> np.ndarray:
        """(N, 2) viewport px -> (N, 2) float64 canvas px (inverse of :meth:`canvas_to_viewport`)."""
        return (np.asarray(points_px, np.float64) - self._offset()) / self.zoom

    def mvp(self) -> np.ndarray:
        """The 4x4 float32 matrix taking canvas px to clip space, row-major (``v_clip = M @ v``).

        Upload with ``program["u_mvp"].write(view.mvp().T.tobytes())``: GLSL is column-major.
        """
        vw, vh = self.viewport_size_px
        ox, oy = self._offset()
        sx, sy = 2.0 * self.zoom / vw, -2.0 * self.zoom / vh
        m = np.eye(4, dtype=np.float64)
        m[0, 0], m[0, 3] = sx, 2.0 * ox / vw - 1.0
        m[1, 1], m[1, 3] = sy, 1.0 - 2.0 * oy / vh
        return m.astype(np.float32)

    def mvp_bytes(self) -> bytes:
        """:meth:`mvp` in GLSL's column-major layout, ready for ``uniform.write``."""
        return np.ascontiguousarray(self.mvp().T).tobytes()

"""Fringe strands over the face for the part segmenter (issues 14 and 10).

The front hair found from the face outline's edge misses the strands that hang into the face from
above without touching its outline: a strand between the eyes cut off from the fringe by its own
line art, a thin strand drawn as one line over the forehead. Left as face skin they stay behind when
the fringe turns with its parallax (broken strands, pale dashes between the fringe strands) and the
lid skin is painted from them. :func:`fringe_strands` gives them back to the front hair. Working frame, (H, W) bool masks, lengths
in face widths (FW).
"""

from __future__ import annotations

import numpy as np

from inference.masks import components_touching, morph
from inference.types import FaceLandmarks

LINE_JUMP_FW = 0.012
"""A strand is joined to the fringe across line art this thin (face widths, at least 2 px)."""
EYE_MARGIN = 0.1
"""Nothing is taken inside an eye box grown by this fraction of its size: an iris or a lash can be
hair-coloured (the eye segmenter keeps the strands that reach into the box out of the eye)."""
PASSES = 4
STRAND_LINE_DARK = 30.0
"""Line art (L* this far below the skin's) joined to the fringe is a strand too (a thin strand drawn
as one line over the skin, the outline of a strand)."""
LINE_EYE_MARGIN = 0.5
"""Line art is not taken within this fraction of an eye box's size around it (lashes, lid creases)."""


def eye_boxes(shape: tuple[int, int], face: FaceLandmarks, margin: float) -> np.ndarray:
    """(H, W) bool: the two eye boxes, each grown by ``margin`` times its width and height."""
    h, w = shape
    yy, xx = np.ogrid[0:h, 0:w]
    out = np.zeros((h, w), bool)
    for eye in (face.eye_l, face.eye_r):
        x, y, bw, bh = eye.box
        mx, my = margin * bw, margin * bh
        out |= (xx >= x - mx) & (xx <= x + bw + mx) & (yy >= y - my) & (yy <= y + bh + my)
    return out


def fringe_strands(front: np.ndarray, hair_like: np.ndarray, face: FaceLandmarks) -> np.ndarray:
    """(H, W) bool: hair-coloured pixels joined to ``front`` (across thin line art), to add to it.

    Parameters
    ----------
    front : (H, W) bool
        The front hair found so far.
    hair_like : (H, W) bool
        Pixels clearly hair rather than skin (``ColourClasses.hair_over_skin``), in the foreground.
    face : FaceLandmarks
        Working frame; anime faces only (photos return an empty mask).

    Only pixels above the lower edge of the eyes are taken (blush below them may be hair-coloured),
    none inside the eye boxes grown by ``EYE_MARGIN``.
    """
    out = np.zeros_like(front)
    if face.kind == "real" or not front.any():
        return out
    h, w = front.shape
    yy = np.arange(h)[:, None]
    bottom = max(e.box[1] + e.box[3] for e in (face.eye_l, face.eye_r))
    zone = hair_like & ~front & (yy < bottom)
    zone &= ~eye_boxes((h, w), face, EYE_MARGIN)
    jump = max(2.0, LINE_JUMP_FW * face.face_width_px)
    for _ in range(PASSES):
        grown = components_touching(zone & ~out, morph(front | out, "dilate", jump))
        if not grown.any():
            break
        out |= grown
    return out

"""Eye labels settled before the cut (inference.layers.eyes): an eye drawn closed under a fringe."""

from __future__ import annotations

import numpy as np

from inference.layers.eyes import settle_drawn_closed


def test_drawn_closed_eye_gives_the_fringe_lines_over_it_back_to_the_hair():
    """tadne_r1c4 R: an eye drawn closed, its landmarks on the fringe; the labeller took two strand
    lines of the fringe for iris / lash and pale hair beside them for eye white. The closed stroke
    becomes the lash and the skin beside it face, as before; the pieces inside the hair stay hair
    (cut as lash they would move with the eye, and widen its box and closed line)."""
    h, w = 60, 100
    rgb = np.full((h, w, 3), (240, 220, 200), np.uint8)
    shape = (h, w)
    hair = np.zeros(shape, bool)
    hair[:, :30] = True  # the fringe over the eye's outer side
    stroke = np.zeros(shape, bool)  # the drawn closed line, a thin dark stroke on the skin
    for x in range(40, 90):
        y = 35 + int(round(6 * ((x - 65) / 25.0) ** 2))
        stroke[y : y + 2, x] = True
    rgb[stroke] = (30, 20, 20)
    lash = np.zeros(shape, bool)
    lash[35:37, 60:66] = True
    strand_line = np.zeros(shape, bool)
    strand_line[15:40, 14:16] = True  # a dark line of the fringe, labelled iris / lash
    rgb[strand_line] = (60, 40, 30)
    pale = np.zeros(shape, bool)
    pale[20:30, 20:24] = True  # pale hair beside it, labelled eye white
    white = pale | (np.roll(stroke, 2, axis=0) & ~stroke)  # and the skin under the stroke
    rgb[white] = (200, 180, 170)
    hair &= ~(strand_line | pale)
    iris = stroke | strand_line
    lash |= strand_line & (np.arange(h)[:, None] < 20)
    iris &= ~lash
    face = ~hair & ~iris & ~white & ~lash
    visible = {"Face": face, "FrontHair": hair, "IrisL": iris, "EyeWhiteL": white, "LashUpperL": lash}
    assert settle_drawn_closed(visible, rgb, "L")
    assert not visible["IrisL"].any() and not visible["EyeWhiteL"].any()
    assert visible["FrontHair"][strand_line | pale].all()  # the fringe's line and its pale hair
    assert visible["LashUpperL"][stroke].all() and not visible["LashUpperL"][strand_line].any()
    assert visible["Face"][white & ~pale].all()

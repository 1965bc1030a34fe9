"""Who owns the pixels on a boundary: seams and line art travel with the part whose edge they draw.

Both passes change the visible masks and the rank map of a cut scene in place (canvas frame), before
any layer is cut; the layer beneath is then completed under the pixels it gave up (the completion
target is what the layers above cover), so a moving part leaves no trace of its edge behind:

- :func:`give_edges_to_upper`: 1-px anti-aliased seam pixels that look like the upper part;
- :func:`give_lines_to_upper`: dark line art (the face outline, the hairline) drawn along the edge
  of a head part, up to ``LINE_BAND_FW`` deep into the part beneath;
- :func:`give_rims_to_hair`: thin slivers labelled body along the outside of the back hair (its
  outline, its pale edge or the background halo around it, which part parsers call body) go to the
  back hair, so a tilting strand takes its edge along instead of opening a slit beside it.
"""

from __future__ import annotations

import numpy as np

from inference.layers.completion import median_color

EDGE_HANDOVER_RGB = 18.0  # seam pixels this far (RGB distance) from the lower part's median go up
LINE_DARK = 30.0
"""Luma (0..255) by which a line-art pixel is darker than its surroundings (black-hat)."""
FACE_GAP_PX = 2
"""Radius (px) of the closing that gives the face the gaps left in its edge between the skin and the
outline (tadne_r1c2's jaw: brown pixels the parser labelled hair stayed behind as a second jaw line)."""
JAW_FROM = 0.65
"""Fraction of the face skin's height (from its top row) below which the jaw's outline is sought a
gap away from the skin (waifu_01's cheek at 0.5-0.6 borders hair strands, lambda_00's jaw is below 0.7)."""
LINE_BAND_FW = 0.03
"""How deep (face widths) line art beside an upper part's edge is handed to it."""
LINE_UPPER = ("Face", "FrontHair")
"""Parts whose edge lines travel with them (the face outline, the hairline)."""
LINE_LOWER = ("BackHair", "Body", "Neck", "Face")
"""Parts that give line art up (the layers beneath those; ears and features keep theirs)."""
RIM_FW = 0.08
"""Half-width (face widths) below which a body sliver along the back hair's outside is the hair's rim."""
ISLAND_FW2 = 0.02
"""Area (face widths squared) below which a body island beside the back hair goes with the hair."""


def give_edges_to_upper(
    names: tuple[str, ...], rgb: np.ndarray, rank: np.ndarray, opaque: np.ndarray, visible: dict[str, np.ndarray]
) -> None:
    """Hand opaque 1-px seam pixels that look more like the upper part to the upper part (in place).

    A seam pixel is anti-aliased in the input (a mix of both parts' colours). When its colour is
    closer to the upper part's median than to the lower part's, it travels with the upper part's
    edge and the lower part is completed clean underneath, so a moving bang or iris does not leave
    a faint outline on the skin or the eye white; mostly-lower pixels stay, so no halo either.
    ``names`` is the draw order that ``rank`` indexes.
    """
    import cv2

    upper = cv2.dilate((rank + 1).astype(np.uint8), np.ones((3, 3), np.uint8)).astype(np.int16) - 1
    take = opaque & (rank >= 0) & (upper > rank)
    if not take.any():
        return
    medians = np.zeros((len(names), 3), np.float32)
    for name, mask in visible.items():
        medians[names.index(name)] = median_color(rgb, mask, (0, 0, 0))
    ys, xs = np.nonzero(take)
    c = rgb[ys, xs].astype(np.float32)
    d_low = np.linalg.norm(c - medians[rank[ys, xs]], axis=1)
    d_up = np.linalg.norm(c - medians[upper[ys, xs]], axis=1)
    # closer to the upper part, or clearly not the lower part's colour (a dark anti-aliased rim of a
    # lash or brow on skin): either way it travels with the upper part
    keep = (d_up < d_low) | (d_low > EDGE_HANDOVER_RGB)
    take[ys[~keep], xs[~keep]] = False
    _hand_over(names, take, upper, rank, visible)


def give_lines_to_upper(
    names: tuple[str, ...], rgb: np.ndarray, rank: np.ndarray, opaque: np.ndarray,
    visible: dict[str, np.ndarray], fw: float,
) -> int:
    """Hand dark line art along the edge of a ``LINE_UPPER`` part to that part (in place).

    Line art is a pixel darker than its surroundings by ``LINE_DARK`` (luma black-hat over a
    0.06 FW window). Starting from the upper part's pixels, ownership spreads through line-art
    pixels of the parts in ``LINE_LOWER`` drawn beneath it, at most ``LINE_BAND_FW`` × ``fw`` px: the
    outline drawn at the face's edge but labelled neck, hair or body, and the hairline drawn at the
    bangs' edge but labelled face, go up; line art further in (hair strands, clothes folds) stays.
    Along the jaw (below ``JAW_FROM`` of the face skin's height) the face's spread starts
    ``FACE_GAP_PX`` out from its skin, so an outline drawn a pale pixel or two off the skin is reached.
    Then the face's mask is closed by a disc of radius ``FACE_GAP_PX``: pixels of those lower parts
    caught between the skin and its outline (the line's inner, anti-aliased edge, a pale highlight
    between them) go to the face too.

    Parameters
    ----------
    names : tuple of str
        Layer names in draw order (what ``rank`` indexes).
    rgb : (H, W, 3) uint8
    rank : (H, W) int16
        Draw index of each pixel's layer, -1 outside every layer.
    opaque : (H, W) bool
    visible : dict of name -> (H, W) bool
    fw : float
        Face width, px.

    Returns
    -------
    int
        The number of pixels handed over.
    """
    import cv2

    uppers = [names.index(n) for n in LINE_UPPER if n in visible]
    lowers = np.array([names.index(n) for n in LINE_LOWER if n in visible], np.int16)
    if not uppers or not len(lowers):
        return 0
    k = max(5, int(0.06 * fw) | 1)
    luma = rgb.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    dark = cv2.morphologyEx(luma, cv2.MORPH_BLACKHAT, np.ones((k, k), np.uint8)) > LINE_DARK
    line = dark & opaque & np.isin(rank, lowers)
    owner = np.where(np.isin(rank, uppers), rank, -1).astype(np.int16)
    kernel = np.ones((3, 3), np.uint8)
    seed = owner
    if "Face" in visible:
        # the jaw's outline is often drawn a pale pixel or two off the skin (a highlight between them,
        # labelled back hair with the line): the face's reach starts ``FACE_GAP_PX`` out, and the
        # closing below gives it the gap (lambda_00's jaw stayed behind as a pale-and-dark stroke)
        face = names.index("Face")
        disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * FACE_GAP_PX + 1,) * 2)
        skin = owner == face
        reach = (cv2.dilate(skin.astype(np.uint8), disc) > 0) & (owner < 0) & (rank < face)
        rows = np.nonzero(skin.any(axis=1))[0]
        if len(rows):  # the jaw only: beside the cheeks and temples the lines are hair strands
            reach[: int(rows[0] + JAW_FROM * (rows[-1] - rows[0]))] = False
        seed = np.where(reach, face, owner).astype(np.int16)
    for _ in range(max(2, round(LINE_BAND_FW * fw))):
        near = cv2.dilate((np.maximum(owner, seed) + 1).astype(np.uint8), kernel).astype(np.int16) - 1
        grow = line & (near > rank) & (near > owner)
        if not grow.any():
            break
        owner[grow] = near[grow]
    if "Face" in visible:
        # gaps in the face's edge between the skin and its outline (labelled hair or body by the
        # parser's jittering boundary) are the outline's inner edge, not the part beneath: they close
        face = names.index("Face")
        disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * FACE_GAP_PX + 1,) * 2)
        mine = (owner == face) | (rank == face)
        closed = cv2.morphologyEx(mine.astype(np.uint8), cv2.MORPH_CLOSE, disc) > 0
        gap = closed & ~mine & opaque & np.isin(rank, lowers) & (rank < face)
        owner[gap] = face
        line |= gap
    take = line & (owner > rank)
    _hand_over(names, take, owner, rank, visible)
    return int(take.sum())


def give_rims_to_hair(
    names: tuple[str, ...], rank: np.ndarray, opaque: np.ndarray, visible: dict[str, np.ndarray], fw: float,
) -> int:
    """Hand body slivers on the figure's outside next to the back hair to the back hair (in place).

    A sliver is what an opening by a disc of radius ``RIM_FW`` × ``fw`` removes from the body mask.
    A sliver piece goes to the back hair when it borders the back hair and the outside of the figure
    (transparent pixels or the canvas border): the hair's outline, its pale edge or the background
    halo around it that a part parser labels body. Left on the body, it stays put while the back
    hair tilts on AngleZ, and a slit of background opens between the two (issue 14). The body's own
    silhouette is wider than the disc, so it keeps it; a real sleeve edge that thin moves with the
    hair, which shows less than a slit does. Small body islands (under ``ISLAND_FW2`` × ``fw``²,
    not the body's largest piece) that border the back hair go with it too.

    Parameters are those of :func:`give_lines_to_upper`; returns the number of pixels handed over.
    """
    import cv2

    if "Body" not in visible or "BackHair" not in visible:
        return 0
    body, hair = visible["Body"], visible["BackHair"]
    if not body.any() or not hair.any():
        return 0
    r = max(2.0, RIM_FW * fw)
    pad = int(r) + 2
    b = np.pad(body.astype(np.uint8), pad, mode="edge")  # the canvas border does not thin the body
    core = cv2.distanceTransform(b, cv2.DIST_L2, 5) > r  # opening by a disc, as two distance maps
    opened = cv2.distanceTransform((~core).astype(np.uint8), cv2.DIST_L2, 5) <= r
    sliver = body & ~opened[pad:-pad, pad:-pad]
    if not sliver.any():
        return 0
    k = np.ones((3, 3), np.uint8)
    outside = np.pad(~opaque, 1, constant_values=True)
    outside = cv2.dilate(outside.astype(np.uint8), k, iterations=2)[1:-1, 1:-1] > 0
    near_hair = cv2.dilate(hair.astype(np.uint8), k, iterations=2) > 0
    n, comp = cv2.connectedComponents(sliver.astype(np.uint8), connectivity=8)
    touches_hair = np.bincount(comp[near_hair & sliver], minlength=n) > 0
    touches_out = np.bincount(comp[outside & sliver], minlength=n) > 0
    keep = touches_hair & touches_out
    keep[0] = False
    take = keep[comp] & sliver
    # what the slivers held on to: small body islands left beside the hair (background blobs)
    n, comp, stats, _ = cv2.connectedComponentsWithStats((body & ~take).astype(np.uint8), connectivity=8)
    if n > 2:
        main = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
        small = stats[:, cv2.CC_STAT_AREA] < ISLAND_FW2 * fw * fw
        island = np.bincount(comp[near_hair], minlength=n) > 0
        island &= small & (np.arange(n) != main)
        island[0] = False
        take |= island[comp]
    if not take.any():
        return 0
    _hand_over(names, take, np.full(rank.shape, names.index("BackHair"), np.int16), rank, visible)
    return int(take.sum())


def _hand_over(names, take, new_rank, rank, visible) -> None:
    for name, mask in visible.items():
        idx = names.index(name)
        mask &= ~(take & (rank == idx))
        mask |= take & (new_rank == idx)
    rank[take] = new_rank[take]

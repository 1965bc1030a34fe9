"""Glasses for the part segmenter: thin frame lines that ring both eyes and bridge over the nose.

Working frame, (H, W) bool masks, lengths in face widths (FW). The rules:

- **line art**: pixels darker than their surroundings (black-hat of L* over a 0.08 FW window) by
  ``LINE_DARK_L`` or strongly off their local median colour (ΔE > ``LINE_COLOUR_DE``: red or blue
  frames), inside the face skin label (not eyes, brows, hair: those stay theirs);
- **frame** = the line-art components, inside the glasses zone (an ellipse 0.27 × 0.2 FW around each
  eye plus the band between them), that cross the bridge band between the inner eye corners;
- **glasses** only when the frame bridges the gap between the eyes (``BRIDGE_MIN`` of its columns)
  and runs under each eye as a lower rim (``RIM_MIN`` of the columns under the eye's box), and
  stays thin (``THICK_MAX``): a nose line, a blush hatch, a lower lash or the shading of a painted
  face do not pass all three;
- drawings: a faint light arc over an eye, spanning half the lens (a lens top drawn pale) joins it,
  when it is a line (at most ``ARC_THICK`` frame lines thick per column: a lit lid is no arc);
- once found, the frame's thick pieces (what an opening by ``BLOB_FW`` keeps: shading joined to
  the rims) are not frame, and the line art the eye parts labelled that continues the frame is
  (outside the eye openings, and thin lines on the bridge side of an iris: an anime eye box takes
  in the lens's inner corner); frame pixels are never lash, white or iris (issue 10);
- the frame follows its own line art up to ``TEMPLE_FW`` into the back hair (the lenses' outer
  ends and the temples), where the back hair is completed beneath;
- the mask is the frame grown by 1 px into its anti-aliased rim (pixels at least slightly off the
  local median); lenses are left to the face and eyes (they rarely differ from what is behind them).
"""

from __future__ import annotations

import logging

import numpy as np

from inference.masks import components_touching, morph
from inference.types import FaceLandmarks

log = logging.getLogger(__name__)

LINE_DARK_L = 10.0
"""L* (0..100) by which a frame pixel is darker than its surroundings."""
LINE_COLOUR_DE = 22.0
"""ΔE from the local median colour of a coloured frame pixel."""
RIM_LOOSE_DE = 6.0
"""ΔE from the local median of the anti-aliased rim pixels added around the frame."""
LINE_LIGHT_L = 2.0
"""L* by which a faint light stroke (a lens top drawn pale) is lighter than its surroundings."""
PALE_SPAN = 0.5
"""Share of the lens's width a pale arc spans."""
TEMPLE_FW = 0.08
"""How far (FW) the frame follows its line art into the back hair."""
BRIDGE_MIN = 0.8
RIM_MIN = 0.75
THICK_MAX = 0.32
"""Share of the frame left after an erosion by 0.012 FW: frames are lines, shading blobs are not."""
ARC_THICK = 0.9
"""Most lit pixels per column of a pale lens-top arc, in widths of the frame's line (measured: lambda_00's arcs
0.29 and 0.73, tadne_r1c2's lit lid patches 1.11 and 1.55)."""
BLOB_FW = 0.025
"""Radius (FW) of the opening whose remains are shading, not frame (after the glasses are found)."""


def _odd(n: float) -> int:
    return max(3, int(n) | 1)


def _line_art(lab: np.ndarray, fw: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(strict, loose, light) line-art masks: dark or coloured thin strokes against the local colour,
    and faint light strokes."""
    import cv2

    k = _odd(0.08 * fw)
    L = np.ascontiguousarray(lab[..., 0], np.float32)
    kern = np.ones((k, k), np.uint8)
    dark = cv2.morphologyEx(L, cv2.MORPH_BLACKHAT, kern)
    light = cv2.morphologyEx(L, cv2.MORPH_TOPHAT, kern) > LINE_LIGHT_L
    med = np.stack([cv2.medianBlur(np.clip(lab[..., c] + 128.0 * (c > 0), 0, 255).astype(np.uint8), k)
                    for c in range(3)], -1).astype(np.float32)
    med[..., 1:] -= 128.0
    de = np.linalg.norm(lab - med, axis=-1)
    strict = (dark > LINE_DARK_L) | (de > LINE_COLOUR_DE)
    loose = (dark > 0.4 * LINE_DARK_L) | (de > RIM_LOOSE_DE)
    return strict, loose, light


def _zone(shape, face: FaceLandmarks) -> tuple[np.ndarray, tuple[float, float, float, float]]:
    """The glasses zone mask and the bridge band (x0, x1, y0, y1)."""
    fw = face.face_width_px
    yy, xx = np.ogrid[0 : shape[0], 0 : shape[1]]
    zone = np.zeros(shape, bool)
    for e in (face.eye_l, face.eye_r):
        cx, cy = e.center
        zone |= ((xx - cx) / (0.27 * fw)) ** 2 + ((yy - cy) / (0.2 * fw)) ** 2 <= 1.0
    r, lft = sorted((face.eye_l, face.eye_r), key=lambda e: e.center[0])
    bx0, bx1 = r.box[0] + r.box[2], lft.box[0]
    if bx1 - bx0 < 0.05 * fw:  # boxes overlap (three-quarter view): the gap between the centres
        mid = 0.5 * (r.center[0] + lft.center[0])
        bx0, bx1 = mid - 0.05 * fw, mid + 0.05 * fw
    eye_top = min(r.box[1], lft.box[1])
    eye_cy = 0.5 * (r.center[1] + lft.center[1])
    band = (bx0, bx1, eye_top - 0.12 * fw, eye_cy + 0.06 * fw)
    zone[int(max(0, band[2])) : int(band[3]) + 1, int(max(0, bx0)) : int(bx1) + 1] = True
    return zone, band


def _eye_openings(shape, face: FaceLandmarks) -> np.ndarray:
    """The eye boxes as ellipses (lashes the eye segmenter missed are not frame)."""
    yy, xx = np.ogrid[0 : shape[0], 0 : shape[1]]
    out = np.zeros(shape, bool)
    for e in (face.eye_l, face.eye_r):
        x, y, w, h = e.box
        cx, cy = x + w / 2, y + h / 2
        ry = max(1.0, 0.55 * h, 0.09 * face.face_width_px)  # tight (mesh) boxes miss the lid crease
        out |= ((xx - cx) / max(1.0, 0.55 * w)) ** 2 + ((yy - cy) / ry) ** 2 <= 1.0
    return out


def _coverage(mask: np.ndarray, x0: float, x1: float, y0: float, y1: float) -> float:
    """Fraction of the columns in [x0, x1] with a mask pixel in rows [y0, y1]."""
    h, w = mask.shape
    xa, xb = int(max(0, np.ceil(x0))), int(min(w, np.floor(x1) + 1))
    ya, yb = int(max(0, y0)), int(min(h, y1 + 1))
    if xb <= xa or yb <= ya:
        return 0.0
    return float(mask[ya:yb, xa:xb].any(axis=0).mean())


def glasses_mask(
    lab: np.ndarray, allowed: np.ndarray, face: FaceLandmarks, behind: np.ndarray | None = None,
    eyes: np.ndarray | None = None, lash: np.ndarray | None = None,
) -> np.ndarray:
    """The glasses frame, or an all-False mask when the face wears none.

    Parameters
    ----------
    lab : (H, W, 3) float32 CIE Lab, working frame
    allowed : (H, W) bool
        Pixels the frame may take (the face skin and nose labels, inside the foreground).
    face : FaceLandmarks
        Working-frame px; the eye centres and boxes place the zone.
    behind : (H, W) bool, optional
        Pixels of a part drawn behind the face (the back hair) that the frame's outer ends and
        temples may take, up to ``TEMPLE_FW`` from the frame, when they are line art too.
    eyes : (H, W) bool, optional
        Pixels the eye parts labelled (white, iris, lash). Once the face wears glasses, their line
        art outside the eye openings that joins the frame is frame (``_into_eyes``), and so are the
        thin lines on the bridge side of an iris that the frame runs into (``_inner_ends``): an
        anime eye's blob runs into the lens's rim, which must not blink with the lash.
    lash : (H, W) bool, optional
        The lash pixels among ``eyes``: outside the openings they stay lash (a lash's flick
        touching the frame: lambda_00's outer corners).

    Returns
    -------
    (H, W) bool
    """
    import cv2

    shape = allowed.shape
    none = np.zeros(shape, bool)
    fw = face.face_width_px
    if fw < 16:
        return none
    strict, loose, light = _line_art(lab, fw)
    zone, (bx0, bx1, by0, by1) = _zone(shape, face)
    full_zone = zone.copy()
    zone &= ~_eye_openings(shape, face)
    cand = morph(strict & allowed & zone, "close", max(1.0, 0.012 * fw)) & allowed & zone
    n, comp = cv2.connectedComponents(cand.astype(np.uint8), connectivity=8)
    if n <= 1:
        return none
    inset = 0.2 * (bx1 - bx0)
    ya, yb = int(max(0, by0)), int(by1) + 1
    xa, xb = int(max(0, bx0 + inset)), int(bx1 - inset) + 1
    ids = np.unique(comp[ya:yb, xa:xb])
    frame = np.isin(comp, ids[ids > 0])
    bridge = _coverage(frame, bx0 + inset, bx1 - inset, by0, by1)
    rims = []
    for e in (face.eye_l, face.eye_r):
        x, y, w, h = e.box
        rim_band = (x + 0.15 * w, x + 0.85 * w, y + h, y + h + 0.22 * fw)
        rims.append(_coverage(cand, *rim_band))
        frame |= _rim_parts(comp, e, fw)
    thick = morph(frame, "erode", max(1.0, 0.012 * fw)).sum() / max(1, frame.sum())
    log.debug("glasses: bridge %.2f, rims %.2f %.2f, thick %.2f", bridge, *rims, thick)
    if bridge < BRIDGE_MIN or min(rims) < RIM_MIN or thick > THICK_MAX:
        return none
    if face.kind == "anime":  # flat colours: a faint light stroke is drawn, not skin texture
        frame |= _pale_tops(frame, light & allowed & zone, face, fw)
    frame &= ~_blobs(frame, fw)
    if eyes is not None:
        flicks = lash if lash is not None else np.zeros_like(eyes)
        frame |= _into_eyes(frame, cand, strict & eyes & ~flicks & zone, fw)
        ends = _inner_ends(frame, strict & eyes & full_zone, face, fw)
        frame |= ends
        zone |= ends
        allowed = allowed | (eyes & ~flicks & zone) | ends
    out = morph(frame, "dilate", 1) & (loose | frame) & allowed & zone
    if behind is not None:
        out |= _temples(out, strict & behind, loose & behind, fw)
    return out


def _pale_tops(frame: np.ndarray, light: np.ndarray, face: FaceLandmarks, fw: float) -> np.ndarray:
    """The top of each lens drawn as a faint light arc: light strokes above the eye, between the
    lens's outer ends, joined (closing 0.045 FW) into pieces of at least a fifth of the lens that
    together span ``PALE_SPAN`` of it."""
    import cv2

    out = np.zeros(frame.shape, bool)
    dist = cv2.distanceTransform(frame.astype(np.uint8), cv2.DIST_L2, 3)
    width = 4.0 * float(dist[frame].mean()) if frame.any() else 1.0  # a line w px wide: mean distance w / 4
    for e in (face.eye_l, face.eye_r):
        x, y, w, h = e.box
        xx = np.arange(frame.shape[1])[None, :]
        side = np.abs(xx - e.center[0]) < 0.3 * fw
        xs = np.nonzero((frame & side).any(axis=0))[0]
        if len(xs) < 4:
            continue
        x0, x1 = xs.min(), xs.max()
        band = np.zeros(frame.shape, bool)
        band[int(max(0, y - 0.15 * fw)) : int(y + 0.2 * h) + 1, x0 : x1 + 1] = True
        arcs = morph(light & band, "close", max(1.0, 0.045 * fw)) & band
        n, comp, stats, _ = cv2.connectedComponentsWithStats(arcs.astype(np.uint8), connectivity=8)
        wide = [i for i in range(1, n) if stats[i, cv2.CC_STAT_WIDTH] >= 0.2 * (x1 - x0 + 1)]
        pieces = np.isin(comp, wide) & light
        # an arc is a line: a piece as tall per column as a lit patch of skin (tadne_r1c2's lids) is none
        # an arc is a line as thick as the frame's: a lit patch of lid skin (tadne_r1c2) is thicker
        per_col = {i: (comp[pieces] == i).sum() / stats[i, cv2.CC_STAT_WIDTH] for i in wide}
        ids = [i for i in wide if per_col[i] <= ARC_THICK * width]
        pieces = np.isin(comp, ids)
        if pieces.any(axis=0).sum() >= PALE_SPAN * (x1 - x0 + 1):
            out |= pieces & light
    return out


def _blobs(frame: np.ndarray, fw: float) -> np.ndarray:
    """The frame's thick pieces (shading under a brow or in the lid crease joined to the rims): what
    an opening by ``BLOB_FW`` keeps, grown back by 1 px over its rim. Frames are lines."""
    core = morph(frame, "open", max(1.0, BLOB_FW * fw))
    return morph(core, "dilate", 1) if core.any() else core


def _into_eyes(frame: np.ndarray, cand: np.ndarray, eye_lines: np.ndarray, fw: float) -> np.ndarray:
    """The components of eye-labelled line art (outside the openings, closed like the frame) that
    touch the frame grown by the closing radius: the rim along the lid, the lens's outer ends."""
    r = max(1.0, 0.012 * fw)
    lines = morph(eye_lines | cand, "close", r) & (eye_lines | cand)
    joined = components_touching(lines, morph(frame, "dilate", r) & lines)
    return joined & eye_lines


def _inner_ends(frame: np.ndarray, eye_lines: np.ndarray, face: FaceLandmarks, fw: float) -> np.ndarray:
    """Thin eye-labelled line art on the bridge side of each iris that the frame runs into (the
    bridge rising to the lens's inner top corner, inside an anime eye box: tadne_r1c2's left eye).
    Thin: not kept by an opening of ``0.012`` FW (the lash's body is thicker)."""
    r = max(1.0, 0.012 * fw)
    core = morph(eye_lines, "open", r)
    thin = eye_lines & ~(morph(core, "dilate", 1) if core.any() else core)
    mid = 0.5 * (face.eye_l.center[0] + face.eye_r.center[0])
    xx = np.arange(frame.shape[1])[None, :]
    side = np.zeros(frame.shape, bool)
    for e in (face.eye_l, face.eye_r):
        sign = 1.0 if mid > e.iris_center[0] else -1.0
        side |= (xx - e.iris_center[0]) * sign > e.iris_radius
    thin &= side
    return components_touching(thin, morph(frame, "dilate", 1) & thin)


def _temples(frame: np.ndarray, strict: np.ndarray, loose: np.ndarray, fw: float) -> np.ndarray:
    """Line art continuing the frame into the hair behind the face (the lens's outer end, the
    temple arms), grown from the frame through line pixels for at most ``TEMPLE_FW``."""
    grown = frame.copy()
    for _ in range(max(2, round(TEMPLE_FW * fw))):
        nxt = morph(grown, "dilate", 1) & strict & ~grown
        if not nxt.any():
            break
        grown |= nxt
    taken = grown & ~frame
    return taken | (morph(taken, "dilate", 1) & loose)


def _rim_parts(comp: np.ndarray, eye, fw: float) -> np.ndarray:
    """Components centred below the eye that reach into its lower-rim band (a lower rim or a whole
    lens ring)."""
    x, y, w, h = eye.box
    out = np.zeros(comp.shape, bool)
    for i in np.unique(comp[comp > 0]):
        ys, xs = np.nonzero(comp == i)
        in_band = (ys > y + h) & (ys < y + h + 0.22 * fw) & (xs > x) & (xs < x + w)
        if len(ys) >= 3 and ys.mean() > eye.center[1] and in_band.sum() >= 0.1 * w:
            out[ys, xs] = True
    return out

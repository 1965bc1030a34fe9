"""The character's proportions, measured from the landmarks and the cut layers, and the template fitted to them.

The template's magnitudes are medians of realistic anime rigs (shared ``rigging.md``), in face widths
(FW). A chibi (issue 14: a flat-colour character whose head is half the figure, with a wide round
face) needs other proportions: its face fills the head, so at the realistic amplitudes the face
outline slides over the hair outline; its jaw sits higher than 0.48 FW below the face centre; its
body is small beside its face width and its hair short. :func:`measure_proportions` measures, in
canvas px and FW:

- **face aspect** = (chin − face-box top) / FW: 1.0–1.27 on the 33 shared images, 1.24 in the sample
  rigs, ≈ 0.85 on a chibi;
- **head ratio** = (chin − top of the hair) / figure height, counted only when the whole figure is on
  the canvas (``full_figure``: its lowest pixel is above the bottom margin), since a bust cut by the
  canvas edge has no measurable body;
- **head width** (hair and face silhouette on the eye row), **body width** (the body layer on the row
  0.35 FW under the chin) and **hair length** (how far the back hair reaches below the chin), in FW.

:func:`chibi_degree` turns them into 0 (realistic) … 1 (chibi); :func:`fit_template` blends the
template's motion block and physics toward the ``proportions.chibi`` settings by that degree. At
degree 0 the template comes back unchanged (the same object), so realistic characters keep their
keyforms exactly.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from inference.rigging.context import smoothstep
from inference.rigging.template import Template
from inference.types import CutLayer, FaceLandmarks

HEAD_LAYERS = ("BackHair", "FrontHair", "Face", "EarL", "EarR", "HairAccessory", "HairAccessoryBack")
"""The layers whose silhouette is the head (a hat is not: a tall one would make any head look big)."""
BOTTOM_MARGIN = 0.02
"""A figure whose lowest pixel is within this share of the canvas height of its bottom is cut by the canvas."""


@dataclass(frozen=True, slots=True)
class Proportions:
    """Measured proportions of one character (lengths in FW unless noted).

    ``face_aspect`` (chin − face top) / FW; ``head_ratio`` head height (top of the hair to the chin) /
    figure height, 0 when ``full_figure`` is False; ``head_width_fw`` the head silhouette on the eye
    row; ``body_width_fw`` the body layer's width under the shoulders (0 without a body layer);
    ``hair_below_chin_fw`` how far the back hair hangs below the chin (may be negative);
    ``figure_bottom_px`` the lowest character row (canvas px, +y down).
    """

    face_aspect: float
    head_ratio: float
    full_figure: bool
    head_width_fw: float
    body_width_fw: float
    hair_below_chin_fw: float
    figure_bottom_px: float


class _Silhouette:
    """The union of some layers' visible masks on a (h, w) canvas, without a canvas-sized array: which
    canvas rows hold a pixel, and a row's leftmost and rightmost pixel (the same numbers as a union
    mask's; an 8192 px rig's layers are 160 MB of masks, their union would be 64 MB more per use)."""

    def __init__(self, layers: Sequence[CutLayer], shape: tuple[int, int]) -> None:
        self.layers = [la for la in layers if la is not None and la.visible_mask is not None and la.visible_mask.size]
        self.shape = shape

    def _clipped(self, la: CutLayer) -> tuple[np.ndarray, int, int]:
        """The part of ``la``'s mask on the canvas, and the canvas (x, y) of its top-left pixel."""
        h, w = self.shape
        m = np.asarray(la.visible_mask, bool)
        x0, y0 = int(la.origin_px[0]), int(la.origin_px[1])
        xa, ya = max(0, x0), max(0, y0)
        xb, yb = min(w, x0 + m.shape[1]), min(h, y0 + m.shape[0])
        return m[ya - y0 : max(ya, yb) - y0, xa - x0 : max(xa, xb) - x0], xa, ya

    def rows(self) -> np.ndarray:
        """(k,) int64 ascending: the canvas rows with a pixel."""
        any_row = np.zeros(self.shape[0], bool)
        for la in self.layers:
            m, _, ya = self._clipped(la)
            if m.size:
                any_row[ya : ya + m.shape[0]] |= m.any(axis=1)
        return np.nonzero(any_row)[0]

    def row_width(self, y: float) -> float:
        """Pixels from the leftmost to the rightmost pixel (inclusive) on canvas row ``y`` (clipped); 0 if none."""
        r = int(np.clip(round(y), 0, self.shape[0] - 1))
        lo, hi = None, None
        for la in self.layers:
            m, xa, ya = self._clipped(la)
            if ya <= r < ya + m.shape[0]:
                xs = np.nonzero(m[r - ya])[0]
                if len(xs):
                    lo = xa + int(xs[0]) if lo is None else min(lo, xa + int(xs[0]))
                    hi = xa + int(xs[-1]) if hi is None else max(hi, xa + int(xs[-1]))
        return float(hi - lo + 1) if lo is not None else 0.0


def measure_proportions(face: FaceLandmarks, layers: Sequence[CutLayer], canvas_size: tuple[int, int]) -> Proportions:
    """Measure ``face`` (canvas px) and the visible masks of ``layers`` on a ``canvas_size`` (w, h) canvas."""
    w, h = int(canvas_size[0]), int(canvas_size[1])
    fx, fy, fw, _ = (float(v) for v in face.face_box)
    fw = max(fw, 1.0)
    chin_y = float(face.chin[1])
    aspect = (chin_y - fy) / fw
    by_name = {la.name: la for la in layers}
    rows = _Silhouette(layers, (h, w)).rows()
    if not len(rows):
        return Proportions(aspect, 0.0, False, 0.0, 0.0, 0.0, float(h))
    top, bottom = float(rows.min()), float(rows.max())
    head = _Silhouette([by_name.get(name) for name in HEAD_LAYERS], (h, w))
    head_rows = head.rows()
    head_top = float(head_rows.min()) if len(head_rows) else fy
    full = bottom < h * (1.0 - BOTTOM_MARGIN) and bottom > chin_y
    ratio = (chin_y - head_top) / max(bottom - top, 1.0) if full else 0.0
    eye_y = 0.5 * (face.eye_l.center[1] + face.eye_r.center[1])
    head_w = head.row_width(eye_y) / fw
    body_w = _Silhouette([by_name["Body"]], (h, w)).row_width(chin_y + 0.35 * fw) / fw if "Body" in by_name else 0.0
    hair_below = 0.0
    if "BackHair" in by_name:
        hair_rows = _Silhouette([by_name["BackHair"]], (h, w)).rows()
        hair_below = (float(hair_rows.max()) - chin_y) / fw if len(hair_rows) else 0.0
    return Proportions(aspect, ratio, bool(full), head_w, body_w, hair_below, bottom)


def _ramp(x: float, zero: float, one: float) -> float:
    """0 at ``zero``, 1 at ``one`` (either order), smooth in between."""
    return float(smoothstep(np.asarray((x - zero) / (one - zero))))


def chibi_degree(p: Proportions, cfg: dict[str, Any]) -> float:
    """0 (realistic) … 1 (chibi): a wide round face alone (``chibi_aspect``: [zero, one]), a face
    somewhat wider than realistic (``chibi_aspect_loose``) on a whole figure whose head is a large
    share of it (``chibi_head_ratio``), or a whole figure whose head is about half of it
    (``chibi_head_ratio_alone``; the face box of a chibi may be found too narrow and tall). The
    shared images' whole figures have head ratios 0.36–0.39."""
    by_face = _ramp(p.face_aspect, *cfg["chibi_aspect"])
    loose = _ramp(p.face_aspect, *cfg["chibi_aspect_loose"])
    by_figure = _ramp(p.head_ratio, *cfg["chibi_head_ratio"]) if p.full_figure else 0.0
    by_head = _ramp(p.head_ratio, *cfg["chibi_head_ratio_alone"]) if p.full_figure else 0.0
    return max(by_face, min(loose, by_figure), by_head)


def _lerp(a: float, b: float, t: float) -> float:
    return a + (b - a) * t


def fit_template(tpl: Template, face: FaceLandmarks, p: Proportions) -> Template:
    """``tpl`` with its head, body and hair magnitudes fitted to proportions ``p`` (module docstring).

    Per degree ``c`` = :func:`chibi_degree` (settings in the template's ``motion.proportions``):

    - head-turn amplitudes (AngleX, AngleY, hair sway) scale by ``k`` = face aspect / reference aspect,
      clamped to ``amplitude_min`` and blended by ``c``: FW over-measures a wide face's depth;
    - the face skin's outline (the dome's edges, the top and chin rows of the nod) follows
      ``outline_follow`` of that, and the fringe ``front_hair_follow``: the features turn inside the head
      outline, which moves less;
    - the head pivot moves to ``pivot_to_chin`` of the way from the face centre to the chin (the
      realistic 0.48 FW lies below a chibi's chin);
    - body sway, lean and breath scale with the body's width against ``reference_body_fw``, and the
      BodyAngleZ pivot moves to the hips (``hip_share`` of the way to the figure's bottom) when the
      whole figure is on the canvas;
    - hair pendulum lengths scale by ``k``.

    Returns ``tpl`` itself when ``c`` is 0.
    """
    cfg = tpl.motion.get("proportions")
    if not cfg:
        return tpl
    c = chibi_degree(p, cfg)
    if c <= 0.0:
        return tpl
    ch = cfg["chibi"]
    m = _deep_copy(tpl.motion)
    k = _lerp(1.0, float(np.clip(p.face_aspect / cfg["reference_face_aspect"], ch["amplitude_min"], 1.0)), c)
    outline = _lerp(1.0, ch["outline_follow"], c)
    fringe = _lerp(1.0, ch["front_hair_follow"], c)
    for key in ("angle_x_fw", "angle_y_up_fw", "angle_y_down_fw"):
        for part in m[key]:
            m[key][part] *= k * (fringe if part == "front_hair" else outline if part in ("top", "chin") else 1.0)
    xs = np.abs(np.asarray(m["skin_profile_x"], np.float64))
    edge = 1.0 - (1.0 - outline) * smoothstep(xs / max(float(xs.max()), 1e-6))
    m["skin_profile_f"] = [float(v) for v in np.asarray(m["skin_profile_f"]) * edge]
    m["sway_fw"] = {part: v * k for part, v in m["sway_fw"].items()}
    fw = max(float(face.face_box[2]), 1.0)
    cx, cy = face.face_box[0] + face.face_box[2] / 2.0, face.face_box[1] + face.face_box[3] / 2.0
    del cx
    chin_rel = (float(face.chin[1]) - cy) / fw
    m["head_pivot_below_centre_fw"] = _lerp(m["head_pivot_below_centre_fw"], ch["pivot_to_chin"] * chin_rel, c)
    kb = _lerp(1.0, float(np.clip(p.body_width_fw / ch["reference_body_fw"], ch["body_scale_min"], 1.0)), c)
    m["body_x"] = {part: v * kb for part, v in m["body_x"].items()}
    m["body_y"] = {part: v * kb for part, v in m["body_y"].items()}
    m["breath"] = {part: v * kb for part, v in m["breath"].items()}
    if p.full_figure:
        hips = ch["hip_share"] * (p.figure_bottom_px - cy) / fw
        m["body_z"]["pivot_below_centre_fw"] = _lerp(m["body_z"]["pivot_below_centre_fw"], hips, c)
    physics = tuple(dict(s, length=float(s["length"]) * k) for s in tpl.physics)
    m["proportions_fitted"] = {"chibi": c, "amplitude": k, "outline": outline, "body": kb}
    return dataclasses.replace(tpl, motion=m, physics=physics)


def _deep_copy(d: Any) -> Any:
    if isinstance(d, dict):
        return {k: _deep_copy(v) for k, v in d.items()}
    if isinstance(d, list):
        return [_deep_copy(v) for v in d]
    return d

"""Mouth recipes: the lips part, the interior opens between them, the form widens or rounds the mouth.

A 2-D keyform grid over ParamMouthOpenY {0, 1} x ParamMouthForm {-1, 0, 1} (shared ``rigging.md`` 7):

- **opening**: per column x of the mouth, the opening at MouthOpenY ``o`` is ``g(x) o`` high; the upper
  lip rises ``(1 - lower_share) g(x) (o - d)`` and the lower lip drops ``lower_share g(x) (o - d)``, where
  ``d`` is the input's own opening (0 for a closed mouth; the rig's default MouthOpenY, so the rest
  pose reproduces the input). The chin and the face do not move. Past an open input's rest the
  opening eases out (``_eased``: a key half way from ``d`` to 1 takes 3/4 of the motion).
- **closing** an open input (``o < d``): the lips move by ``share g(x) d (1 - o / d)`` in the middle;
  from ``CORNER_FOLD_FROM`` of the half width out, up to the centre's travel (``share d max g``) but
  never past the meeting line, so the drawn corners (vertical ends of an outlined mouth, where ``g``
  is 0) fold onto the line instead of standing as ticks. A drawn input closes column by column
  instead (``MouthGeometry.squash``): each lip column shifts until its inner edge is on the line and
  is squashed to the lip's median stroke thickness, the lower lip tucked under the upper one, so a
  thick outline corner and the outline's vertical sides close to one thin line, not a blob.
- **MouthInterior** (the clip mask of the teeth and the tongue, painted at MouthOpenY 1) is scaled
  about the meeting line ``y_meet(x)`` by ``o``: it collapses onto the line at 0.
- **MouthTeeth** / **MouthTongue** move with the upper / lower lip (painted ones lie at their
  MouthOpenY 1 place; an open input's own pieces at ``d``; its tongue drops whole, ``TONGUE_DROP`` x as
  far as the lower lip's centre, past ``d``).
- **form** (every mouth piece alike): width x ``smile_width`` at +1 and ``pout_width`` at -1 when open
  (``closed_smile_width`` / ``closed_pout_width`` closed), corners up (+1) or down (-1) by
  ``corner_lift_fw`` closed and ``open_corner_lift_fw`` open, with the square of the distance
  from the centre.

``MouthGeometry`` is read back from the cut layers (the interior's alpha, ``inference.layers.mouth``).
Displacements are canvas px, +y down.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from inference.layers.mouth_paint import CHIN_MARGIN_FW, INTERIOR_WIDTH, NOSE_MARGIN_FW, chin_y_px, rest_open
from inference.rigging.context import Anchors, grid_keyforms
from inference.types import CutLayer

OPEN_KEYS = (0.0, 1.0)
CHIN_STILL_FW = 0.06
"""The lower lip never drops closer than this to the chin outline (the chin band of rigging.md 7 is
0.025, plus a mesh triangle): what lies there keeps still, what lies above stops there (a mouth drawn
down to the chin stretches instead)."""
FORM_KEYS = (-1.0, 0.0, 1.0)
CORNER_FOLD_FROM = 0.6
"""Closing an open input, the lips fold onto the meeting line from this share of the half width out."""
TONGUE_DROP = 1.25
"""Opening past an open input's rest, its own tongue (cut from the input) drops this many times as
far as the lower lip: it lies on the floor of the jaw and sinks behind the lower lip, clipped by the
interior, so more of the interior shows above it (rigging.md 7: reveal an interior)."""


@dataclass(frozen=True, slots=True)
class MouthGeometry:
    """The mouth of one character, canvas px.

    Attributes
    ----------
    xs, y_meet, g : (K,) float64 ndarray
        Column x, where the lips meet when closed, and the opening height at MouthOpenY 1.
    painted_open : float
        MouthOpenY at which the MouthInterior art is drawn (``o_p``, 1).
    rest_open : float
        The input's MouthOpenY (``d``), the parameter's default.
    pieces_open : float
        MouthOpenY at which the teeth and tongue art lie (1 when painted, ``d`` when cut).
    cx, half_width : float
        Centre and half width of the lips (the corner profile).
    lower_share : float
    chin_y : float
        The chin outline (canvas px, ``inference.layers.mouth_paint.chin_y_px``; ``still_y``).
    """

    xs: np.ndarray
    y_meet: np.ndarray
    g: np.ndarray
    painted_open: float
    rest_open: float
    pieces_open: float
    cx: float
    half_width: float
    lower_share: float
    chin_y: float = np.inf
    lips: dict | None = None

    def squash(self, name: str, x: np.ndarray, s: np.ndarray) -> np.ndarray | None:
        """How far (N,) px points of lip ``name`` at canvas x (N,), ``s`` (N,) px from the meeting
        line on the lip's side, move toward the line when an open drawn input closes (None: no
        profile, the fold is used): each column shifts by its gap ``a`` (the lip's inner edge lands
        on the line) and what lies beyond the gap is squashed so the column is at most the lip's
        stroke ``t`` thick (``a`` 0 and reach ``r`` several strokes at an outline's vertical sides
        and a thick corner: they close to a line, not a blob); the lower lip rises on past the line
        by the thinner stroke, under the upper one (one line, not two strokes stacked)."""
        if not self.lips or name not in self.lips:
            return None
        cols, gap, reach, t = self.lips[name]
        a, r = np.interp(x, cols, gap), np.interp(x, cols, reach)
        k = np.minimum(1.0, t / np.maximum(r - a, 1e-6))
        over = min(t, self.lips["LipUpper"][3]) if name == "LipLower" and "LipUpper" in self.lips else 0.0
        return np.where(s <= a, a, s - (s - a) * k) + over

    def still_y(self, fw: float) -> float:
        """Canvas y the lower lip never moves below while opening: ``CHIN_STILL_FW`` above the chin."""
        return float(self.chin_y - CHIN_STILL_FW * fw)

    def at(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(y_meet, g) at canvas x (N,): g tapers to 0 beyond the ends, y_meet is held."""
        taper = max(2.0, 0.15 * self.half_width)
        xg = np.concatenate([[self.xs[0] - taper], self.xs, [self.xs[-1] + taper]])
        gg = np.concatenate([[0.0], self.g, [0.0]])
        return np.interp(x, self.xs, self.y_meet), np.interp(x, xg, gg)


def mouth_geometry(layers: list[CutLayer], a: Anchors, lower_share: float) -> MouthGeometry | None:
    """The :class:`MouthGeometry` of a cut, or None without a MouthInterior layer."""
    by = {la.name: la for la in layers}
    interior = by.get("MouthInterior")
    if interior is None:
        return None
    ox, oy = interior.origin_px
    alpha = interior.image[..., 3] > 127
    has = alpha.any(axis=0)
    if has.sum() < 2:
        return None
    cols = np.flatnonzero(has)
    top = np.argmax(alpha, axis=0)[cols].astype(np.float64)
    bottom = (alpha.shape[0] - np.argmax(alpha[::-1], axis=0))[cols].astype(np.float64)
    h = bottom - top
    xs = ox + cols + 0.5
    lips = [by[n] for n in ("LipUpper", "LipLower", "Mouth") if n in by]
    x0, x1 = _extent(lips) or (float(xs[0]), float(xs[-1]))
    cx, half = 0.5 * (x0 + x1), max(1.0, 0.5 * (x1 - x0))
    shown = [by[n] for n in ("MouthTeeth", "MouthTongue") if n in by and by[n].label is not None]
    rest = _rest_open(shown, [by[n] for n in ("LipLower", "LipUpper", "Face") if n in by], a) if shown else 0.0
    y_meet = oy + top + (1.0 - lower_share) * h
    face = by.get("Face")
    chin = a.face.chin[1] if face is None else chin_y_px(face.image[..., 3] > 128, face.origin_px, a.face)
    lips = _lip_profiles(by, xs, y_meet) if rest > 0.0 and a.face.kind != "real" else None
    return MouthGeometry(xs, y_meet, h, 1.0, rest, rest if shown else 1.0, cx, half, lower_share, float(chin), lips)


def _lip_profiles(by: dict, xs: np.ndarray, y_meet: np.ndarray) -> dict:
    """Per lip of an open drawn input, ``(cols, gap, reach, stroke)``: per canvas column centre
    ``cols`` (K,), the lip's inner edge (``gap``) and far edge (``reach``) px from the meeting line
    (``y_meet`` at ``xs``, held beyond), and its stroke thickness (the median ``reach - gap`` of
    the columns where it stands off the line, at least 1 px: a column no thicker is moved rigidly)."""
    out = {}
    for name, sign in (("LipUpper", -1.0), ("LipLower", 1.0)):
        la = by.get(name)
        if la is None:
            continue
        m = la.image[..., 3] > 127
        has = m.any(axis=0)
        if has.sum() < 2:
            continue
        c = np.flatnonzero(has)
        top = np.argmax(m, axis=0)[c] + la.origin_px[1]
        bottom = (m.shape[0] - np.argmax(m[::-1], axis=0))[c] + la.origin_px[1]
        cols = la.origin_px[0] + c + 0.5
        meet = np.interp(cols, xs, y_meet)
        near, far = (meet - bottom, meet - top) if sign < 0 else (top - meet, bottom - meet)
        gap, reach = np.maximum(near, 0.0), np.maximum(far, 0.0)
        off = gap > 0.5
        if not off.any():
            continue
        t = max(1.0, float(np.median((reach - gap)[off])))
        out[name] = (cols, gap, reach, t)
    return out


def _rest_open(pieces: list[CutLayer], lips: list[CutLayer], a: Anchors) -> float:
    """An open input's MouthOpenY from its visible opening (as ``inference.layers.mouth`` paints it)."""
    pts = np.concatenate([np.argwhere(p.visible_mask) + (p.origin_px[1], p.origin_px[0]) for p in pieces])
    cols = np.unique(pts[:, 1])
    h = max(pts[pts[:, 1] == c, 0].max() - pts[pts[:, 1] == c, 0].min() + 1 for c in cols)
    ys = [np.argwhere(p.visible_mask)[:, 0].max() + p.origin_px[1] for p in pieces + lips
          if p.name != "Face" and p.visible_mask.any()]
    face = next((la for la in lips + pieces if la.name == "Face"), None)
    chin = a.face.chin[1] if face is None else chin_y_px(face.visible_mask, face.origin_px, a.face)
    room = chin - CHIN_MARGIN_FW * a.fw - (max(ys) + 1)
    top = min(np.argwhere(p.visible_mask)[:, 0].min() + p.origin_px[1] for p in pieces + lips
              if p.name != "Face" and p.visible_mask.any())
    up = top - a.face.nose[1] - NOSE_MARGIN_FW * a.fw if top >= a.face.nose[1] else a.fw
    return rest_open(float(h), float(cols[-1] - cols[0] + 1) / INTERIOR_WIDTH, a.fw, float(room), float(up))


def _extent(layers: list[CutLayer]) -> tuple[float, float] | None:
    xs = []
    for la in layers:
        cols = np.flatnonzero((la.image[..., 3] > 127).any(axis=0))
        if cols.size:
            xs += [la.origin_px[0] + cols[0], la.origin_px[0] + cols[-1] + 1]
    return (float(min(xs)), float(max(xs))) if xs else None


def _width(mo: dict, form: float, open_: float) -> float:
    if form >= 0:
        closed_w, open_w = 1.0 + (mo["closed_smile_width"] - 1.0) * form, 1.02 + (mo["smile_width"] - 1.02) * form
    else:
        closed_w, open_w = 1.0 + (1.0 - mo["closed_pout_width"]) * form, 1.02 + (1.02 - mo["pout_width"]) * form
    return closed_w + (open_w - closed_w) * open_


def _form(a: Anchors, mo: dict, geo: MouthGeometry, pts: np.ndarray, o: float, f: float) -> np.ndarray:
    """Form displacement (N, 2) px at (MouthOpenY o, MouthForm f); zero at (rest_open, 0)."""
    u = np.clip((pts[:, 0] - geo.cx) / geo.half_width, -1.0, 1.0)
    d = np.zeros_like(pts)
    scale = _width(mo, f, o) / _width(mo, 0.0, geo.rest_open)
    d[:, 0] = (pts[:, 0] - geo.cx) * (scale - 1.0)
    lift = mo["corner_lift_fw"] * (1.0 - o) + mo["open_corner_lift_fw"] * o
    d[:, 1] = -f * lift * a.fw * u * u
    return d


def _open_keys(geo: MouthGeometry) -> tuple[float, ...]:
    """MouthOpenY keys: 0 and 1, plus, for an open input, its rest opening (the motion bends there)
    and the middle of the way on from it (where the opening eases, :func:`_eased`)."""
    d = geo.rest_open
    return (0.0, d, float(np.float32(d + 0.5 * (1.0 - d))), 1.0) if 0.0 < d < 1.0 else OPEN_KEYS


def _eased(o: float, d: float) -> float:
    """The MouthOpenY whose linear motion a key at ``o`` takes: past an open input's rest ``d`` the
    opening eases out (``1 - (1 - p)^2`` of the way from ``d`` to 1 at ``p`` of it), so a value a
    little past the rest shows an opening, not a slit under the upper lip (at 0.5 a rest of 0.3-0.4
    left only a fifth of the way open: the interior's dark rim)."""
    if not 0.0 < d < o < 1.0:
        return o
    p = (o - d) / (1.0 - d)
    return d + (1.0 - d) * (1.0 - (1.0 - p) ** 2)


def _grid(a: Anchors, m: dict, pts: np.ndarray, opening):
    """Keyforms of a mouth piece whose opening motion is ``opening(o) -> (N,) dy``."""
    geo, mo = a.mouth, m["mouth"]

    def kf(v: dict[str, float]):
        o, f = _eased(v["ParamMouthOpenY"], geo.rest_open), v["ParamMouthForm"]
        d = _form(a, mo, geo, pts, o, f)
        d[:, 1] += opening(o)
        return d, 1.0

    return grid_keyforms([("ParamMouthOpenY", _open_keys(geo)), ("ParamMouthForm", FORM_KEYS)], kf)


def _pinned(motion, y: np.ndarray, still_y: float, rest: float):
    """``motion(o) -> (N,) dy`` of points at canvas ``y`` (N,) (at MouthOpenY 1 for painted art),
    with, above the rest opening, no point dropping below ``still_y`` further than it lies at rest
    (closing, below the rest, moves freely)."""
    def dy(o: float) -> np.ndarray:
        if o <= rest:
            return motion(o)
        base = motion(rest)
        room = np.maximum(still_y - (y + base), 0.0)
        return base + np.minimum(motion(o) - base, room)

    return dy


def _lip(share_sign: float):
    def recipe(a: Anchors, m: dict, spec: Any, pts: np.ndarray):
        if a.mouth is None:
            return (), [(np.zeros_like(pts), 1.0)]
        geo = a.mouth
        y_meet, g = geo.at(pts[:, 0])
        share = geo.lower_share if share_sign > 0 else 1.0 - geo.lower_share
        d = geo.rest_open
        # closing an open input: rigid in the middle; toward the corners up to the centre's travel,
        # never past the meeting line (the drawn corners fold onto it)
        u = np.abs(pts[:, 0] - geo.cx) / geo.half_width
        corner = np.clip((u - CORNER_FOLD_FROM) / (1.0 - CORNER_FOLD_FROM), 0.0, 1.0)
        travel = share * d * np.maximum(g, corner * float(geo.g.max()))
        dist = np.maximum(share_sign * (pts[:, 1] - y_meet), 0.0)
        close = np.where(corner > 0.0, np.minimum(travel, dist), share * d * g)
        squashed = geo.squash("LipLower" if share_sign > 0 else "LipUpper", pts[:, 0], share_sign * (pts[:, 1] - y_meet))
        if squashed is not None:
            close = squashed

        def motion(o: float) -> np.ndarray:
            if o < d:
                return -share_sign * close * (1.0 - o / d)
            return share_sign * share * g * (o - d)

        if share_sign > 0:
            motion = _pinned(motion, pts[:, 1], geo.still_y(a.fw), geo.rest_open)
        return _grid(a, m, pts, motion)

    return recipe


lip_upper = _lip(-1.0)
lip_lower = _lip(+1.0)


def opening(a: Anchors, m: dict, spec: Any, pts: np.ndarray):
    """MouthInterior: scaled about the meeting line by ``o / o_p`` (collapsed at 0); opening past the
    rest, its lower edge stops above the chin (``MouthGeometry.still_y``)."""
    if a.mouth is None:
        return (), [(np.zeros_like(pts), 1.0)]
    geo = a.mouth
    y_meet, _ = geo.at(pts[:, 0])
    motion = _pinned(lambda o: (pts[:, 1] - y_meet) * (o / geo.painted_open - 1.0), pts[:, 1], geo.still_y(a.fw),
                     geo.rest_open)
    return _grid(a, m, pts, motion)


def _follower(share_sign: float):
    def recipe(a: Anchors, m: dict, spec: Any, pts: np.ndarray):
        if a.mouth is None:
            return (), [(np.zeros_like(pts), 1.0)]
        geo = a.mouth
        _, g = geo.at(pts[:, 0])
        share = geo.lower_share if share_sign > 0 else 1.0 - geo.lower_share
        drop = TONGUE_DROP if share_sign > 0 else 1.0

        # an open input's own tongue drops whole past its rest (a tongue does not bend into a V whose
        # middle sinks out of the interior and leaves only its ends showing)
        whole = np.full_like(g, float(geo.g.max())) if share_sign > 0 and geo.pieces_open < 1.0 else g

        def motion(o: float) -> np.ndarray:
            if o > geo.pieces_open:
                return share_sign * share * whole * (o - geo.pieces_open) * drop
            return share_sign * share * g * (o - geo.pieces_open)

        if share_sign > 0:
            motion = _pinned(motion, pts[:, 1], geo.still_y(a.fw), geo.rest_open)
        return _grid(a, m, pts, motion)

    return recipe


teeth = _follower(-1.0)
tongue = _follower(+1.0)

MOUTH_RECIPES = {"lip_upper": lip_upper, "lip_lower": lip_lower, "mouth_opening": opening,
                 "mouth_teeth": teeth, "mouth_tongue": tongue}

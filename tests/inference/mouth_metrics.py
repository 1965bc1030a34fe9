"""Render-based measures of a rig's mouth (issue 10, shared rigging.md 7), shared by the tests and the
baseline script.

Every measure works on renders of the evaluated rig (``app.render.offscreen.render_to_array``, canvas
frame, straight alpha) and the landmarks of the generation; lengths are in face widths (FW).

- ``dark_height_fw``: the vertical extent of the largest dark connected region (luma below half the
  face skin's median luma) inside the mouth window, among those touching its central columns;
  ``dark_new_fw`` counts only pixels that changed from the rest render (what the opening reveals);
- ``chin_changed``: pixels of the chin band (±0.025 FW about the jaw line under the chin, ±0.3 FW wide)
  that change;
- ``outside_changed``: changed pixels outside the lower face (below the nose, within the face's width);
- ``mouth_h_*_fw``: the height of the mouth parts (rendered alone) at the middle columns;
- ``opening_*_px``: pixels of the opening pieces (interior, teeth, tongue) rendered alone;
- ``corner_rise_fw``: how far the mouth corners rise between two renders of the mouth parts alone
  (the art meshes of ``PartMouth``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rig.evaluate import evaluate

CHANGE_THRESH = 24
"""Largest channel difference (0..255) below which a pixel counts as unchanged."""


@dataclass(frozen=True, slots=True)
class MouthFrame:
    fw: float
    cx: float
    cy: float
    x0: float  # screen-left corner
    x1: float  # screen-right corner
    chin: tuple[float, float]
    face_box: tuple[float, float, float, float]
    nose_y: float

    @staticmethod
    def of(face) -> MouthFrame:
        (lx, _), (rx, _) = face.mouth_corners
        mx, _my, mw, _mh = face.mouth_box
        return MouthFrame(
            float(face.face_width_px), float(face.mouth_center[0]), float(face.mouth_center[1]),
            float(min(lx, rx, mx)), float(max(lx, rx, mx + mw)), tuple(map(float, face.chin)),
            tuple(map(float, face.face_box)), float(face.nose[1]),
        )

    def window(self, shape) -> tuple[slice, slice]:
        """The mouth window: corners ±0.08 FW, from 0.1 FW above to 0.18 FW below the mouth centre."""
        h, w = shape[:2]
        f = self.fw
        y0 = max(0, int(self.cy - 0.10 * f))
        y1 = min(h, int(self.cy + 0.18 * f), int(self.chin[1] - 0.02 * f))
        x0, x1 = max(0, int(self.x0 - 0.08 * f)), min(w, int(self.x1 + 0.08 * f) + 1)
        return slice(y0, max(y0 + 1, y1)), slice(x0, max(x0 + 1, x1))


def luma(rgba: np.ndarray) -> np.ndarray:
    rgb = rgba[..., :3].astype(np.float32)
    return 0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]


def skin_luma(rig) -> float:
    """Median luma of the opaque pixels of the face-skin layer (``LayerFace``)."""
    layer = next(la for la in rig.layers if la.id == "LayerFace")
    img = np.asarray(layer.image)
    return float(np.median(luma(img)[img[..., 3] > 200]))


def dark_height_fw(render: np.ndarray, frame: MouthFrame, skin_l: float, only: np.ndarray | None = None) -> float:
    """Height (FW) of the largest dark region of the mouth window touching its central columns
    (only among the ``only`` (H, W) bool pixels when given)."""
    import cv2

    ys, xs = frame.window(render.shape)
    win = render[ys, xs]
    dark = (luma(win) < 0.5 * skin_l) & (win[..., 3] > 128)
    if only is not None:
        dark &= only[ys, xs]
    n, comp, stats, _ = cv2.connectedComponentsWithStats(dark.astype(np.uint8), connectivity=8)
    half = 0.25 * (frame.x1 - frame.x0)
    c0, c1 = int(frame.cx - half) - xs.start, int(frame.cx + half) - xs.start + 1
    best = 0
    for i in range(1, n):
        if (comp[:, max(0, c0) : max(0, c1)] == i).any():
            best = max(best, int(stats[i, cv2.CC_STAT_HEIGHT]))
    return best / frame.fw


def changed(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.abs(a.astype(np.int16) - b.astype(np.int16)).max(axis=2) > CHANGE_THRESH


def chin_outline_y(rig, frame: MouthFrame) -> float:
    """The jaw line's y under the chin: the lowest opaque pixel of ``LayerFace`` within 0.05 FW of the
    chin landmark's x (the landmark's y if that is lower)."""
    layer = next(la for la in rig.layers if la.id == "LayerFace")
    a = np.asarray(layer.image)[..., 3] > 128
    ox, oy = layer.origin_px
    c0 = max(0, int(frame.chin[0] - 0.05 * frame.fw - ox))
    rows = np.flatnonzero(a[:, c0 : max(c0, int(frame.chin[0] + 0.05 * frame.fw - ox) + 1)].any(axis=1))
    return float(max(frame.chin[1], oy + rows[-1] + 1)) if rows.size else frame.chin[1]


def chin_band(shape, frame: MouthFrame, chin_y: float | None = None) -> np.ndarray:
    """±0.025 FW about the chin outline (default the landmark), ±0.3 FW wide."""
    m = np.zeros(shape[:2], bool)
    cx, f = frame.chin[0], frame.fw
    cy = frame.chin[1] if chin_y is None else chin_y
    m[max(0, int(cy - 0.025 * f)) : int(cy + 0.025 * f) + 1, max(0, int(cx - 0.3 * f)) : int(cx + 0.3 * f) + 1] = True
    return m


def lower_face(shape, frame: MouthFrame, chin_y: float | None = None, mouth_top: float | None = None) -> np.ndarray:
    """Below the nose (or 0.12 FW above the mouth centre, or 0.05 FW above the mouth's top at rest),
    within the face box ±0.05 FW, to 0.05 FW below the chin outline (default the landmark)."""
    m = np.zeros(shape[:2], bool)
    fx, _fy, fwid, _fh = frame.face_box
    f = frame.fw
    y0 = int(min(frame.nose_y, frame.cy - 0.12 * f, np.inf if mouth_top is None else mouth_top - 0.05 * f))
    y1 = int((frame.chin[1] if chin_y is None else chin_y) + 0.05 * f) + 1
    m[max(0, y0) : y1, max(0, int(fx - 0.05 * f)) : int(fx + fwid + 0.05 * f) + 1] = True
    return m


OPENING_PIECES = ("ArtMeshMouthInterior", "ArtMeshMouthTeeth", "ArtMeshMouthTongue")
"""The art meshes seen through the opening (interior, and the teeth and tongue it clips)."""


def mouth_only(rig, values: dict[str, float], plan=None, ids: tuple[str, ...] | None = None):
    """The evaluated rig with only the art meshes of ``PartMouth`` (or only ``ids``; masks kept)."""
    ev = evaluate(rig, rig.default_values() | values, plan)
    part = {m.id: m.part_id for m in rig.art_meshes}
    items = tuple(it for it in ev.items if (it.art_mesh_id in ids if ids else part.get(it.art_mesh_id) == "PartMouth"))
    return type(ev)(ev.canvas_size_px, items, ev.textures, ev.masks, ())


def corner_y(mask: np.ndarray) -> tuple[float, float] | None:
    """(mean corner y, centre y) of a mouth alpha mask: mean row of the mask in the outer 12 % of its
    columns on each side, and in the middle 20 %."""
    cols = np.flatnonzero(mask.any(axis=0))
    if cols.size < 5:
        return None
    x0, x1 = cols[0], cols[-1]
    width = x1 - x0 + 1
    rows = np.arange(mask.shape[0], dtype=np.float64)[:, None]
    cnt = mask.sum(axis=0)
    mid = np.where(cnt > 0, (mask * rows).sum(axis=0) / np.maximum(cnt, 1), np.nan)
    k = max(1, int(0.12 * width))
    left, right = np.nanmean(mid[x0 : x0 + k]), np.nanmean(mid[x1 - k + 1 : x1 + 1])
    c = int((x0 + x1) / 2)
    centre = np.nanmean(mid[c - max(1, int(0.1 * width)) : c + max(1, int(0.1 * width)) + 1])
    return float((left + right) / 2), float(centre)


def mouth_height_fw(alpha: np.ndarray, frame: MouthFrame) -> float:
    """Median height (FW) of the mouth parts' alpha (H, W) uint8 over the middle 20 % of its columns."""
    ys, xs = frame.window(alpha.shape)
    m = alpha[ys, xs] > 128
    cols = np.flatnonzero(m.any(axis=0))
    if cols.size < 5:
        return 0.0
    c, k = (cols[0] + cols[-1]) // 2, max(1, int(0.1 * (cols[-1] - cols[0])))
    sub = m[:, c - k : c + k + 1]
    top = np.argmax(sub, axis=0)
    bottom = sub.shape[0] - np.argmax(sub[::-1], axis=0)
    return float(np.median(np.where(sub.any(axis=0), bottom - top, 0))) / frame.fw


def corner_rise_fw(rest_alpha: np.ndarray, posed_alpha: np.ndarray, frame: MouthFrame) -> float:
    """How far the corners rise (FW, + = up on screen) from ``rest_alpha`` to ``posed_alpha`` (H, W) uint8."""
    ys, xs = frame.window(rest_alpha.shape)
    a, b = corner_y(rest_alpha[ys, xs] > 128), corner_y(posed_alpha[ys, xs] > 128)
    if a is None or b is None:
        return float("nan")
    return (a[0] - b[0]) / frame.fw


def _top(alpha: np.ndarray) -> float | None:
    rows = np.flatnonzero((alpha > 128).any(axis=1))
    return float(rows[0]) if rows.size else None


def measure(rig, face, render_fn) -> dict[str, float]:
    """Every measure of one rig. ``render_fn(evaluated) -> (H, W, 4) uint8``."""
    from rig.evaluate import compile_plan

    plan = compile_plan(rig)
    frame = MouthFrame.of(face)
    defaults = rig.default_values()

    def full(values):
        return render_fn(evaluate(rig, defaults | values, plan))

    rest, opened = full({}), full({"ParamMouthOpenY": 1.0})
    closed = full({"ParamMouthOpenY": 0.0})
    sl = skin_luma(rig)
    chin_y = chin_outline_y(rig, frame)
    diff = changed(rest, opened)
    m_rest = render_fn(mouth_only(rig, {}, plan))[..., 3]
    m_closed = render_fn(mouth_only(rig, {"ParamMouthOpenY": 0.0}, plan))[..., 3]
    m_form = render_fn(mouth_only(rig, {"ParamMouthForm": 1.0}, plan))[..., 3]
    return {
        "dark_rest_fw": dark_height_fw(rest, frame, sl),
        "dark_closed_fw": dark_height_fw(closed, frame, sl),
        "dark_open_fw": dark_height_fw(opened, frame, sl),
        "dark_new_fw": dark_height_fw(opened, frame, sl, only=diff),
        "chin_changed_px": int((diff & chin_band(diff.shape, frame, chin_y)).sum()),
        "outside_changed_px": int((diff & ~lower_face(diff.shape, frame, chin_y, _top(m_rest))).sum()),
        "corner_rise_fw": corner_rise_fw(m_rest, m_form, frame),
        "mouth_h_rest_fw": mouth_height_fw(m_rest, frame),
        "mouth_h_closed_fw": mouth_height_fw(m_closed, frame),
        "opening_rest_px": int((render_fn(mouth_only(rig, {}, plan, OPENING_PIECES))[..., 3] > 128).sum()),
        "opening_closed_px": int((render_fn(mouth_only(rig, {"ParamMouthOpenY": 0.0}, plan, OPENING_PIECES))[..., 3] > 128).sum()),
    }


LIP_PIECES = ("ArtMeshLipUpper", "ArtMeshLipLower")
"""The lips' art meshes: at MouthOpenY 0 they are the closed mouth's line."""


def _main_component(mask: np.ndarray) -> tuple[np.ndarray, float]:
    """(largest 8-connected component of ``mask``, its share of ``mask``'s pixels)."""
    import cv2

    n, comp, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if n < 2:
        return np.zeros_like(mask), 0.0
    best = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    return comp == best, float(stats[best, cv2.CC_STAT_AREA]) / float(mask.sum())


def line_shape(alpha: np.ndarray, frame: MouthFrame) -> dict[str, float]:
    """The closed mouth's line from the lips' alpha (H, W) uint8 at MouthOpenY 0, in the mouth window.

    ``line_share``: the largest 8-connected piece's share of the line's pixels (1: one stroke);
    ``line_span``: its width / the landmark mouth width; ``line_spike_share``: share of its columns
    thicker than twice its median thickness plus 0.012 FW (ticks, fangs and fragments hanging off the line:
    the "jagged teeth" of a badly closed mouth); ``line_thick_fw``: its median thickness.
    """
    ys, xs = frame.window(alpha.shape)
    m = alpha[ys, xs] > 128
    if not m.any():
        return {"line_share": 0.0, "line_span": 0.0, "line_spike_share": 1.0, "line_thick_fw": 0.0}
    main, share = _main_component(m)
    cols = np.flatnonzero(main.any(axis=0))
    thick = main.sum(axis=0)[cols].astype(np.float64)
    med = float(np.median(thick))
    spikes = float((thick > 2.0 * med + 0.012 * frame.fw).mean())
    return {"line_share": share, "line_span": float(cols[-1] - cols[0] + 1) / max(frame.x1 - frame.x0, 1.0),
            "line_spike_share": spikes, "line_thick_fw": med / frame.fw}


def dark_shape(render: np.ndarray, frame: MouthFrame, skin_l: float) -> dict[str, float]:
    """The open interior at MouthOpenY 1 (``render`` (H, W, 4) uint8): the largest dark region of the
    mouth window touching its central columns (as :func:`dark_height_fw`).

    ``dark_thick_fw``: its median thickness (dark pixels per column) over its middle half (a stripe
    between two halves of the input's own opening is thin); ``dark_rag_fw``: the mean step of its top
    edge between neighbouring columns of that middle half (a ragged, staircase edge is large);
    ``dark_aspect``: its height / the landmark mouth width (an artist's open mouth is about 0.6 x
    its width high, rigging.md 7; a round blob about 1).
    """
    import cv2

    ys, xs = frame.window(render.shape)
    win = render[ys, xs]
    dark = (luma(win) < 0.5 * skin_l) & (win[..., 3] > 128)
    n, comp, stats, _ = cv2.connectedComponentsWithStats(dark.astype(np.uint8), connectivity=8)
    half = 0.25 * (frame.x1 - frame.x0)
    c0, c1 = max(0, int(frame.cx - half) - xs.start), max(0, int(frame.cx + half) - xs.start + 1)
    best, area = 0, 0
    for i in range(1, n):
        if (comp[:, c0:c1] == i).any() and stats[i, cv2.CC_STAT_AREA] > area:
            best, area = i, int(stats[i, cv2.CC_STAT_AREA])
    if not best:
        return {"dark_thick_fw": 0.0, "dark_rag_fw": 0.0, "dark_aspect": 0.0}
    d = comp == best
    cols = np.flatnonzero(d.any(axis=0))
    q = max(1, cols.size // 4)
    mid = cols[q : cols.size - q] if cols.size > 4 else cols
    thick = d[:, mid].sum(axis=0)
    top = np.argmax(d[:, mid], axis=0).astype(np.float64)
    rag = float(np.abs(np.diff(top)).mean()) if mid.size > 1 else 0.0
    return {"dark_thick_fw": float(np.median(thick)) / frame.fw, "dark_rag_fw": rag / frame.fw,
            "dark_aspect": float(stats[best, cv2.CC_STAT_HEIGHT]) / max(frame.x1 - frame.x0, 1.0)}


def closed_dark_fw(render: np.ndarray, frame: MouthFrame, skin_l: float) -> float:
    """The thickest column (FW) of dark pixels (luma below half the skin's) in the mouth window of
    ``render`` (H, W, 4) uint8, the mouth's pieces rendered alone at MouthOpenY 0: a closed line is
    a stroke thick, a blob (a thick outline corner folded onto itself) is several."""
    ys, xs = frame.window(render.shape)
    win = render[ys, xs]
    dark = (luma(win) < 0.5 * skin_l) & (win[..., 3] > 128)
    return float(dark.sum(axis=0).max()) / frame.fw if dark.any() else 0.0


def shape_measures(rig, face, render_fn) -> dict[str, float]:
    """:func:`line_shape` and :func:`closed_dark_fw` at MouthOpenY 0, :func:`dark_shape` at MouthOpenY 1
    and its ``dark_thick_fw`` at 0.5 (``half_dark_thick_fw``) of one rig."""
    from rig.evaluate import compile_plan

    plan = compile_plan(rig)
    frame = MouthFrame.of(face)
    lips = render_fn(mouth_only(rig, {"ParamMouthOpenY": 0.0}, plan, LIP_PIECES))[..., 3]
    opened = render_fn(evaluate(rig, rig.default_values() | {"ParamMouthOpenY": 1.0}, plan))
    closed = render_fn(mouth_only(rig, {"ParamMouthOpenY": 0.0}, plan))
    half = render_fn(evaluate(rig, rig.default_values() | {"ParamMouthOpenY": 0.5}, plan))
    sl = skin_luma(rig)
    return (line_shape(lips, frame) | dark_shape(opened, frame, sl) | {"closed_dark_fw": closed_dark_fw(closed, frame, sl)}
            | {"half_dark_thick_fw": dark_shape(half, frame, sl)["dark_thick_fw"]})

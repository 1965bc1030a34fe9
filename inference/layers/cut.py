"""Stage 5: cut the part label map into RGBA layers, complete what other parts hide, add synthesised art.

Design: design.md "Generation" (5); what a rig needs: rigging.md 1, 6, 7.

Each layer holds its part's **visible** pixels (input colour, alpha = foreground alpha) plus
**completed** pixels under the parts drawn above it (skin under the bangs and the eyes, hair behind
the face, eye white under the iris, ...). Completed pixels are opaque and only ever lie where a layer
drawn above is opaque in the input, so compositing the layers back to front at rest, with the
synthesised layers hidden, reproduces the input exactly over the foreground.

Draw order, back to front (``LAYER_NAMES``)::

    BackHair, HairAccessoryBack, Body, Neck, EarR, EarL, Earrings, Face, Nose, MouthInterior, MouthTongue,
    MouthTeeth, LipLower, LipUpper, Mouth,
    EyeWhiteL, EyeWhiteR, IrisL, IrisR, LashLowerL, LashLowerR, EyelidL, EyelidR,
    LidLineL, LidLineR, LashUpperL, LashUpperR, BrowL, BrowR, Glasses, FrontHair, HairAccessory, Hat, Accessory

Ears sit behind the face so that the cheek outline overlaps their roots. Seams and line art on a
boundary go to the part whose edge they draw (``inference.layers.ownership``); glasses are their own
layer above the eyes and brows, the face completed beneath; hair ornaments and hats are drawn over the
hair (the back hair completed under a hat on the skull), earrings behind the cheek outline.
The mouth part is split into the lips and an open input's teeth/tongue pieces
(``inference.layers.mouth``); the lips' rim goes with them and the face skin under the mouth and the
eyes is a membrane fill from the skin around (``.mouth_skin``, ``.eyelid``). ``LidLine*``, ``Eyelid*`` (lid skin; eye parts:
``inference.layers.eyes``) and the rest of the mouth are synthesised (``label`` None, empty
``visible_mask``); the rig hides them at rest. Layers with no pixels are left out.

Completion backends (``inference.backends``): with the classical one, ``fill_region`` (TELEA or patch
fill, ``Fill``) is followed by detail passes that stand in for what TELEA cannot paint: the membrane
skin under the eyes and the mouth (``.eyelid.complete_under_eyes``, ``.mouth_skin.complete_under_mouth``)
and the hair strands mirrored under the side locks (``.side_hair.strands_under_side_locks``). When the
run chose a learned inpainter (``inference.layers.inpaint_learned.active``), the model paints every
completed pixel of every layer, those passes do not run, and the model's fill is kept as it came
(``Fill``'s options and the neck's source band shape only what the model is shown as known).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from inference.layers.completion import (
    Fill,
    bleed,
    dilate,
    ellipse_mask,
    erode,
    fill_region,
    hull_mask,
    inner_band,
    mask_box,
    nearer,
    neck_top,
    neck_zone,
    outer_rim,
    polygon_mask,
    reach_up,
)
from inference.layers.eyelid import complete_under_eyes, synthesise_eye_part
from inference.layers.eyes import settle_drawn_closed, settle_hidden, split_lashes
from inference.layers.inpaint_learned import active
from inference.layers.mouth import mouth_layer, split_mouth
from inference.layers.mouth_skin import complete_under_mouth, give_rim_to_lips
from inference.layers.names import LAYER_NAMES
from inference.layers.ownership import give_edges_to_upper, give_lines_to_upper, give_rims_to_hair
from inference.layers.reach import MOVE_REACH_FW
from inference.layers.side_hair import strands_under_side_locks
from inference.types import CancelToken, CutLayer, FaceLandmarks, Foreground, LoadedImage, PartLabel, PartMap

SYNTHESISED: frozenset[str] = frozenset(
    {"MouthInterior", "LidLineL", "LidLineR", "EyelidL", "EyelidR"} | {"MouthTongue", "MouthTeeth"})
"""Layers painted from scratch; hidden (opacity 0) at rest."""

LAYER_LABELS: dict[str, PartLabel] = {
    "BackHair": PartLabel.BACK_HAIR,
    "HairAccessoryBack": PartLabel.HAIR_ACCESSORY_BACK,
    "Body": PartLabel.BODY,
    "Neck": PartLabel.NECK,
    "EarR": PartLabel.FACE, "EarL": PartLabel.FACE,
    "Face": PartLabel.FACE,
    "Nose": PartLabel.NOSE,
    "Mouth": PartLabel.MOUTH, "LipUpper": PartLabel.MOUTH, "LipLower": PartLabel.MOUTH,
    "EyeWhiteL": PartLabel.EYE_WHITE_L,
    "EyeWhiteR": PartLabel.EYE_WHITE_R,
    "IrisL": PartLabel.IRIS_L,
    "IrisR": PartLabel.IRIS_R,
    "LashUpperL": PartLabel.LASH_L,
    "LashUpperR": PartLabel.LASH_R,
    "LashLowerL": PartLabel.LASH_L,
    "LashLowerR": PartLabel.LASH_R,
    "BrowL": PartLabel.BROW_L,
    "BrowR": PartLabel.BROW_R,
    "Glasses": PartLabel.GLASSES,
    "FrontHair": PartLabel.FRONT_HAIR,
    "HairAccessory": PartLabel.HAIR_ACCESSORY,
    "Hat": PartLabel.HAT,
    "Earrings": PartLabel.EARRING,
    "Accessory": PartLabel.ACCESSORY,
}
"""The part each cut layer comes from (ears split off FACE, lips off MOUTH, lower lashes off LASH)."""

OPAQUE_ALPHA = 235  # 0.92: some inputs (crypko_02) are ~247 inside the figure
"""Foreground alpha (0..255) from which a pixel hides what is behind it; completion stays under these."""
FOREHEAD_REACH_FW = 0.12  # the skin continues this far up under the fringe (fringe vs forehead on AngleY)
OUTSIDE_FW = 0.08
"""Background narrower than twice this (face widths), a pocket between strands, is not the outside
beside a cheek: the back hair is completed under the cheek next to it."""
NECK_SOURCE_FW = 0.12
"""The neck under the jaw is continued from the neck's top this deep (face widths): its shading, not the
median of a throat whose lower part is paler (or labelled with a white collar)."""
HAIR_RIM_FW = 0.12
"""Depth (face widths) of the back hair's rim along the figure's outside that its completion does not
continue (tadne_r1c2's pale outer strands copied under the cheek left 80 -> 57 outline px on AngleX)."""
IRIS_ASPECT = 1.25
"""Height / width of a full anime iris, used where the lids hide its top."""
PAD_PX = 4
"""Transparent margin around each layer image, so meshes can follow a dilated outline."""

SKIN_DEFAULT = (246, 222, 206)
HAIR_DEFAULT = (90, 60, 50)
WHITE_DEFAULT = (250, 250, 252)
LASH_DEFAULT = (40, 30, 34)


@dataclass(slots=True)
class Scene:
    """Shared inputs of the stage: colours, alpha, visible masks and the draw rank of every pixel.

    ``face_box`` (x, y, w, h), ``face_contour`` (K, 2) and ``chin`` (x, y), canvas px, are what the
    completion rules need of the face; ``face`` (None on a re-cut) is needed only to synthesise.
    """

    rgb: np.ndarray  # (H, W, 3) uint8
    alpha: np.ndarray  # (H, W) uint8
    visible: dict[str, np.ndarray]  # layer name -> (H, W) bool, disjoint, inside alpha > 0
    rank: np.ndarray  # (H, W) int16 draw index of the pixel's layer, -1 in no layer
    opaque: np.ndarray  # (H, W) bool
    face_box: tuple[float, float, float, float]
    face_contour: np.ndarray
    chin: tuple[float, float]
    face: FaceLandmarks | None = None

    @staticmethod
    def build(rgb, alpha, visible, face_box, face_contour, chin, face=None) -> Scene:
        """A scene from colours, uint8 alpha and disjoint visible masks (rank and opacity derived)."""
        rank = np.full(alpha.shape, -1, np.int16)
        for name, mask in visible.items():
            rank[mask] = LAYER_NAMES.index(name)
        return Scene(rgb, alpha, visible, rank, alpha >= OPAQUE_ALPHA, face_box, face_contour, chin, face)

    @property
    def shape(self) -> tuple[int, int]:
        return self.alpha.shape

    @property
    def fw(self) -> float:
        return max(8.0, float(self.face_box[2]))

    @property
    def fh(self) -> float:
        return max(8.0, float(self.face_box[3]))

    def covered_above(self, name: str) -> np.ndarray:
        """(H, W) bool: opaque pixels owned by a layer drawn above ``name``."""
        return self.opaque & (self.rank > LAYER_NAMES.index(name))

    def vis(self, name: str) -> np.ndarray:
        return self.visible.get(name, np.zeros(self.shape, bool))


def cut_layers(
    img: LoadedImage,
    fg: Foreground,
    face: FaceLandmarks,
    parts: PartMap,
    cancel: CancelToken | None = None,
) -> list[CutLayer]:
    """Cut, complete and synthesise the layers of one character.

    Parameters
    ----------
    img : LoadedImage
        ``rgba`` (H, W, 4) uint8, straight alpha, canvas frame.
    fg : Foreground
        ``alpha`` (H, W) float32 in [0, 1]; becomes the alpha of the visible pixels.
    face : FaceLandmarks
        Canvas px; gives the face size (FW), the face outline, the chin and the mouth.
    parts : PartMap
        ``labels`` (H, W) uint8 of :class:`PartLabel` values.
    cancel : CancelToken, optional
        Checked before each layer; raises :class:`rig.errors.CancelledError`.

    Returns
    -------
    list of CutLayer
        In draw order, back to front (a subsequence of ``LAYER_NAMES``). Images are cropped to the
        layer's pixels plus ``PAD_PX`` of transparent margin; transparent pixels carry the nearest
        colour so bilinear sampling has no dark fringe.
    """
    return cut_scene(make_scene(img, fg, face, parts), cancel)


def cut_scene(scene: Scene, cancel: CancelToken | None = None) -> list[CutLayer]:
    """:func:`cut_layers` on a prepared :class:`Scene` (see :func:`make_scene`)."""
    out: list[CutLayer | None] = []
    for name in LAYER_NAMES:
        if cancel is not None:
            cancel.check()
        out.append(cut_one(name, scene))
    return [layer for layer in out if layer is not None]


def cut_one(name: str, scene: Scene) -> CutLayer | None:
    """Cut (or synthesise) the layer ``name`` of ``scene``; None when it has no pixel.

    Raises ValueError for a name not in ``LAYER_NAMES``, or a synthesised one without ``scene.face``.
    """
    if name not in LAYER_NAMES:
        raise ValueError(f"unknown layer {name!r}; expected one of {LAYER_NAMES}")
    if name in SYNTHESISED and scene.face is None:
        raise ValueError(f"layer {name!r} is synthesised from the face landmarks; the scene has none")
    layer = _synthesise(name, scene) if name in SYNTHESISED else _cut(name, scene)
    if layer is None or not layer.image.size or not layer.image[..., 3].any():
        return None
    return layer


def make_scene(img: LoadedImage, fg: Foreground, face: FaceLandmarks, parts: PartMap) -> Scene:
    """The visible masks of every cut layer (ears split off, seams handed up) and the pixel ranks."""
    alpha = np.clip(np.round(np.asarray(fg.alpha, np.float32) * 255.0), 0, 255).astype(np.uint8)
    labels = parts.labels
    inside = alpha > 0
    visible: dict[str, np.ndarray] = {}
    for name, label in LAYER_LABELS.items():
        if name not in ("EarL", "EarR", "LipUpper", "LipLower"):
            visible[name] = (labels == int(label)) & inside
    ear_l, ear_r = _split_ears(visible["Face"], face)
    visible["EarL"], visible["EarR"] = ear_l, ear_r
    visible["Face"] = visible["Face"] & ~ear_l & ~ear_r
    for side, eye in (("L", face.eye_l), ("R", face.eye_r)):
        if not settle_hidden(visible, side):  # a strand over the whole eye keeps its specks
            settle_drawn_closed(visible, img.rgba[..., :3], side)  # before the split: a closed stroke stays whole
        visible[f"LashUpper{side}"], visible[f"LashLower{side}"] = split_lashes(visible[f"LashUpper{side}"], eye)
    visible.update(split_mouth(visible["Mouth"], face, img.rgba[..., :3], visible["Face"]))  # Mouth left empty
    give_rim_to_lips(visible, img.rgba[..., :3], float(face.face_width_px))
    scene = Scene.build(img.rgba[..., :3], alpha, visible, tuple(face.face_box), face.face_contour, face.chin, face)
    give_edges_to_upper(LAYER_NAMES, scene.rgb, scene.rank, scene.opaque, visible)
    give_lines_to_upper(LAYER_NAMES, scene.rgb, scene.rank, scene.opaque, visible, scene.fw)
    give_rims_to_hair(LAYER_NAMES, scene.rank, scene.opaque, visible, scene.fw)
    return scene


def _split_ears(face_skin: np.ndarray, face: FaceLandmarks) -> tuple[np.ndarray, np.ndarray]:
    """(EarL, EarR) masks: skin blobs outside the face outline at the sides, between brow and mouth."""
    import cv2

    empty = np.zeros_like(face_skin)
    if face.face_contour is None or len(face.face_contour) < 3:
        return empty, empty.copy()
    fx, fy, fw, fh = face.face_box
    outside = face_skin & ~dilate(polygon_mask(face_skin.shape, face.face_contour), 0.03 * fw)
    n, comp, stats, cents = cv2.connectedComponentsWithStats(outside.astype(np.uint8), connectivity=8)
    cx = fx + fw / 2
    ear_l, ear_r = empty.copy(), empty.copy()
    for i in range(1, n):
        x, y = cents[i]
        if stats[i, cv2.CC_STAT_AREA] < (0.04 * fw) ** 2 or abs(x - cx) < 0.4 * fw:
            continue
        if not (fy + 0.2 * fh <= y <= fy + 0.85 * fh):
            continue
        target = ear_l if x > cx else ear_r
        target |= comp == i
    return ear_l, ear_r


def _cut(name: str, scene: Scene) -> CutLayer | None:
    """A cut layer: visible pixels plus the completion under the layers above."""
    visible = scene.vis(name)
    target, source, fill, default = _completion(name, scene)
    if target is not None:
        target &= ~visible
    if not visible.any() and (target is None or not target.any()):
        return None
    full = visible | target if target is not None else visible
    box = mask_box(full, pad=PAD_PX)
    x0, y0, x1, y1 = box
    image = np.zeros((y1 - y0, x1 - x0, 4), np.uint8)
    crop_vis = visible[y0:y1, x0:x1]
    image[..., :3] = scene.rgb[y0:y1, x0:x1]
    image[..., 3] = np.where(crop_vis, scene.alpha[y0:y1, x0:x1], 0)
    if target is not None and target.any():
        colors = fill_region(scene.rgb, source, target, fill, default)
        if active() is None:  # the classical backend's detail passes; a learned inpainter's fill is kept
            if name == "Face":
                colors = complete_under_mouth(scene, target, complete_under_eyes(scene, target, colors))
            colors = strands_under_side_locks(scene, target, colors, source) if name == "BackHair" else colors
        crop_tgt = target[y0:y1, x0:x1]
        image[crop_tgt, :3] = colors
        image[crop_tgt, 3] = 255
    bleed(image)
    return CutLayer(name, LAYER_LABELS[name], image, (float(x0), float(y0)), crop_vis.copy())


def _completion(name: str, scene: Scene) -> tuple[np.ndarray | None, np.ndarray, Fill, tuple[int, int, int]]:
    """(target, source, fill, default colour) of a layer's completion; target None = no completion."""
    vis = scene.vis(name)
    fw, fh = scene.fw, scene.fh
    fx, fy = scene.face_box[:2]
    covered = scene.covered_above(name)
    if name == "BackHair":
        hair = vis | scene.vis("FrontHair")
        zone = ellipse_mask(scene.shape, (fx + fw / 2, fy + fh / 2), (0.85 * fw, 0.8 * fh))
        source = vis if vis.sum() >= 16 else scene.vis("FrontHair")
        inner = source & ~outer_rim(scene.opaque, HAIR_RIM_FW * fw)
        if inner.sum() >= 16:
            # continue the hair, not its rim along the outside: its outline, pale edge or the background
            # halo (give_rims_to_hair) would be copied under the face as strokes (waifu_01's cheek)
            source = inner
        # the fringe is backed by hair (no gap on the crown); the hair reaches under body, neck and face,
        # not below its own ends, nor under a cheek or an ear nearer the background than the back hair
        head = scene.vis("Face") | scene.vis("EarL") | scene.vis("EarR")
        near = dilate(hair, MOVE_REACH_FW * fw) | inner_band(head, MOVE_REACH_FW * fw)  # under the turning jaw too
        near[int(mask_box(hair)[3] + 0.05 * fw) if hair.any() else 0 :] = False
        # the background beside a cheek, not the pockets between strands (a turning cheek uncovers those)
        r = int(round(OUTSIDE_FW * fw))
        outside = dilate(erode(scene.rank < 0, r), r)
        behind = ((hull_mask(hair) & zone) | near) & ~(head & ~nearer(hair, outside))
        target = covered & (behind | scene.vis("FrontHair") | scene.vis("HairAccessory") | (scene.vis("Hat") & zone))
        return target, source, Fill(96, 0.25 * fw, 0.8, method="patch", fade=False), HAIR_DEFAULT
    if name == "Body":
        zone = hull_mask(vis)
        zone[: max(0, int(scene.chin[1] - 0.1 * fh))] = False
        return covered & zone, vis, Fill(96, 0.15 * fw, method="patch", local=True), SKIN_DEFAULT
    if name == "Neck":
        return covered & neck_zone(vis, scene.chin[1], fh), neck_top(vis, NECK_SOURCE_FW * fw), Fill(64, 0.1 * fw), SKIN_DEFAULT
    if name == "Face":
        zone = polygon_mask(scene.shape, scene.face_contour) | hull_mask(vis)
        zone |= reach_up(zone, FOREHEAD_REACH_FW * fw, int(fy + 0.35 * fh))  # no gap under a lifting fringe
        return covered & zone, vis, Fill(128, 0.08 * fw), SKIN_DEFAULT
    if name in ("EyeWhiteL", "EyeWhiteR"):
        return _eye_white_target(name, scene, covered)
    if name in ("IrisL", "IrisR"):
        return _iris_target(name, scene, covered)
    return None, vis, Fill(), SKIN_DEFAULT


def _eye_parts(side: str, scene: Scene) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(white, iris, lash) visible masks of eye ``side`` ("L" or "R"); lash = upper and lower."""
    return scene.vis("EyeWhite" + side), scene.vis("Iris" + side), scene.vis("LashUpper" + side) | scene.vis("LashLower" + side)


def _eye_white_target(name: str, scene: Scene, covered: np.ndarray):
    white, iris, lash = _eye_parts(name[-1], scene)
    core = white | iris
    box = mask_box(core)
    if box is None:
        return None, white, Fill(), WHITE_DEFAULT
    eye_h = box[3] - box[1]
    zone = hull_mask(core | (lash & dilate(core, 0.15 * eye_h)))
    return covered & zone, white, Fill(64, 0.3 * eye_h, erode_px=1), WHITE_DEFAULT


def _iris_target(name: str, scene: Scene, covered: np.ndarray):
    """The iris completed to a full ellipse, anchored at its visible bottom and sides."""
    iris = scene.vis(name)
    box = mask_box(iris)
    if box is None:
        return None, iris, Fill(), LASH_DEFAULT
    x0, y0, x1, y1 = box
    rx = (x1 - x0) / 2
    ry = max((y1 - y0) / 2, IRIS_ASPECT * rx)
    zone = ellipse_mask(scene.shape, ((x0 + x1) / 2, y1 - ry), (rx, ry))
    return covered & zone, iris, Fill(64, 0.5 * rx, erode_px=1), LASH_DEFAULT


def _synthesise(name: str, scene: Scene) -> CutLayer | None:
    """The mouth interior pieces (``inference.layers.mouth``), LidLineL/R or EyelidL/R (``.eyelid``)."""
    if name.startswith("Mouth"):
        return mouth_layer(name, scene)
    elif (painted := synthesise_eye_part(name, scene, LASH_DEFAULT)) is None:
        return None
    else:
        image, origin = painted
    if image.size == 0:
        return None
    return CutLayer(name, None, image, origin, np.zeros(image.shape[:2], bool))

"""Big inputs: layers and meshes made at a working resolution, textures at the full resolution.

Artists draw at 3000–6000 px. Cutting, completing and meshing run on the working canvas
(:data:`WORKING_CANVAS_PX`, the analysis resolution of ``inference.load``), so their time, memory
and vertex counts do not grow with the input; :func:`to_full_resolution` then rebuilds every layer
image at the canvas resolution: pixels visible in the layer take the **input's own colours and
foreground alpha** (full detail), pixels completed under upper layers take the completion upscaled,
and every mesh keeps its uvs with its vertices scaled to the full canvas. The owner map (which layer
a canvas pixel is visible in) is the working one upscaled by nearest neighbour; the part label map
it comes from is made at the analysis resolution anyway.

Frames: canvas px of the full image, origin top-left, +y down; ``up`` = full px / working px (> 1).
"""

from __future__ import annotations

import numpy as np

from inference.layers.cut import LAYER_NAMES
from inference.types import CutLayer, LayerMesh

WORKING_CANVAS_PX = 1024
"""Longer side (px) of the working canvas the layers and meshes are made on."""


def _owner_box(owner: np.ndarray, box: tuple[int, int, int, int], shape: tuple[int, int]) -> np.ndarray:
    """(h, w) int16: the working owner map sampled (nearest) at the full-resolution pixels of ``box``
    (x0, y0, w, h); -2 outside the full canvas."""
    x0, y0, w, h = box
    H, W = shape
    ys = np.arange(y0, y0 + h)
    xs = np.arange(x0, x0 + w)
    iy = np.clip(np.floor((ys + 0.5) * owner.shape[0] / H).astype(np.int64), 0, owner.shape[0] - 1)
    ix = np.clip(np.floor((xs + 0.5) * owner.shape[1] / W).astype(np.int64), 0, owner.shape[1] - 1)
    out = owner[iy[:, None], ix[None, :]].astype(np.int16)
    out[(ys < 0) | (ys >= H), :] = -2
    out[:, (xs < 0) | (xs >= W)] = -2
    return out


def to_full_resolution(
    layers: list[CutLayer],
    meshes: list[LayerMesh],
    owner: np.ndarray,
    rgb: np.ndarray,
    alpha: np.ndarray,
    up: float,
) -> tuple[list[CutLayer], list[LayerMesh]]:
    """Rebuild working-resolution layers and meshes on the full canvas.

    Parameters
    ----------
    layers, meshes : list
        Stage 5 and 6 outputs on the working canvas (meshes matched by ``layer_name``).
    owner : (h, w) int16
        Working owner map: the ``LAYER_NAMES`` index of the layer each pixel is visible in, -1 none
        (``Scene.rank``).
    rgb : (H, W, 3) uint8
        Full-resolution input colours.
    alpha : (H, W) uint8
        Full-resolution foreground alpha (the input's alpha channel, or the matte upscaled).
    up : float
        Full px per working px.

    Returns
    -------
    (layers, meshes)
        Same names and order. Layer images are (round(h*up), round(w*up), 4) uint8 at
        round(origin*up); mesh uvs unchanged, vertices = origin + uvs * size on the full canvas.
    """
    import cv2

    out_layers, by_name = [], {}
    for la in layers:
        h, w = la.image.shape[:2]
        x0, y0 = int(round(la.origin_px[0] * up)), int(round(la.origin_px[1] * up))
        fw_, fh_ = max(1, int(round(w * up))), max(1, int(round(h * up)))
        image = cv2.resize(la.image, (fw_, fh_), interpolation=cv2.INTER_LINEAR)
        vis = np.zeros((fh_, fw_), bool)
        if la.label is not None:
            _take_input_pixels(image, vis, LAYER_NAMES.index(la.name), (x0, y0), owner, rgb, alpha)
        out = CutLayer(la.name, la.label, image, (float(x0), float(y0)), vis)
        out_layers.append(out)
        by_name[la.name] = out
    out_meshes = []
    for m in meshes:
        la = by_name[m.layer_name]
        size = np.array([la.image.shape[1], la.image.shape[0]], np.float64)
        verts = (np.asarray(la.origin_px, np.float64) + m.uvs.astype(np.float64) * size).astype(np.float32)
        out_meshes.append(LayerMesh(m.layer_name, verts, m.uvs, m.triangles))
    return out_layers, out_meshes


BAND_ROWS = 256
"""Rows of a full-resolution layer processed at once: the per-pixel temporaries (owner box, masks)
stay a few MB whatever the layer size."""


def _take_input_pixels(image: np.ndarray, vis: np.ndarray, idx: int, origin: tuple[int, int],
                       owner: np.ndarray, rgb: np.ndarray, alpha: np.ndarray) -> None:  # fmt: skip
    """In place, band by band of :data:`BAND_ROWS` rows: set ``vis`` (fh, fw) bool where the layer
    ``idx`` owns the canvas pixel and the foreground alpha is > 0, copy the input's colours and alpha
    there into ``image`` (fh, fw, 4) uint8, and clear the alpha of the other pixels unless a layer
    above owns them or they lie past the canvas edge (completion lives only there).
    Rows past the canvas are left as they are (all "past the edge")."""
    x0, y0 = origin
    fh_, fw_ = vis.shape
    shape = alpha.shape
    cx0, cx1 = max(0, -x0), min(fw_, shape[1] - x0)
    for r0 in range(max(0, -y0), min(fh_, shape[0] - y0), BAND_ROWS):
        r1 = min(r0 + BAND_ROWS, fh_, shape[0] - y0)
        own = _owner_box(owner, (x0, y0 + r0, fw_, r1 - r0), shape)
        band, vband = image[r0:r1], vis[r0:r1]
        if cx1 > cx0:
            sub_a = alpha[y0 + r0 : y0 + r1, x0 + cx0 : x0 + cx1]
            vband[:, cx0:cx1] = (own[:, cx0:cx1] == idx) & (sub_a > 0)
        keep = (own > idx) | (own == -2)
        band[~(vband | keep), 3] = 0
        if cx1 > cx0:
            sub, v = band[:, cx0:cx1], vband[:, cx0:cx1]
            sub[v, :3] = rgb[y0 + r0 : y0 + r1, x0 + cx0 : x0 + cx1][v]
            sub[v, 3] = sub_a[v]


def full_alpha(fg_alpha: np.ndarray, rgba_full: np.ndarray, from_alpha_channel: bool) -> np.ndarray:
    """(H, W) uint8 foreground alpha on the full canvas, written into ``rgba_full``'s alpha channel
    (in place; the returned array is a view of it): the input's alpha channel when the foreground came
    from it, else the working matte (float [0, 1]) quantised to 8 bits and upscaled bilinearly (within
    1 of upscaling the float matte). No full-size float array is made."""
    import cv2

    if not from_alpha_channel:
        H, W = rgba_full.shape[:2]
        a8 = np.clip(np.round(np.asarray(fg_alpha, np.float32) * 255.0), 0, 255).astype(np.uint8)
        rgba_full[..., 3] = cv2.resize(a8, (W, H), interpolation=cv2.INTER_LINEAR)
    return rgba_full[..., 3]


def upscale_owner(owner_labels: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """An (h, w) label map upscaled to ``shape`` (H, W) by nearest neighbour (pixel centres)."""
    H, W = shape
    iy = np.clip(((np.arange(H) + 0.5) * owner_labels.shape[0] / H).astype(np.int64), 0, owner_labels.shape[0] - 1)
    ix = np.clip(((np.arange(W) + 0.5) * owner_labels.shape[1] / W).astype(np.int64), 0, owner_labels.shape[1] - 1)
    return owner_labels[iy[:, None], ix[None, :]]

"""``export_psd(rig, path)``: the rig's layer images as a layered PSD, ready for a Cubism PSD import.

Layout [our choice], following the Cubism Editor manual's rules for import PSDs
(``docs.live2d.com/en/cubism-editor-manual/psd-import``, ``.../reimport-psd``): RGB colour mode,
8 bits per channel, one pixel layer per art mesh (each becomes an ArtMesh on import), groups for
parts (each becomes a Part), every layer name different.

* **Canvas** = the rig canvas. **Pixels**: each art mesh's layer image exactly (RGBA, straight
  alpha), placed at ``Layer.origin_px`` rounded to whole pixels. When several art meshes share one
  layer image, each PSD layer keeps only the pixels whose centres lie inside that mesh's UV
  triangles (alpha 0 elsewhere), so the shared image is not stacked twice.
* **Order**: bottom to top in Kirie's rest draw order (:func:`rig.evaluate.evaluate` at the defaults,
  hidden meshes included at their place), except that two layers whose pixel boxes (alpha > 0)
  do not overlap may swap, which cannot change the composite. :func:`psd_order` uses that freedom
  to keep each part's layers together (greedily: among the layers whose overlapping predecessors
  are placed, the one sharing the longest part chain with the last one placed, then the lowest).
* **Groups**: each layer sits in nested groups following its Part chain (root part outermost).
  Consecutive layers of the same part share a group; where overlapping layers of different parts
  interleave, a part's later run gets a new group.
* **Names**: art mesh names (layers) and part names (groups), with characters other than letters,
  digits, space and ``_-.()`` replaced by ``_``, at most 63 characters, made unique by a ``_2``,
  ``_3``... suffix (layer names among layers, group names among groups).
* **Hidden** layers: art meshes hidden (``visible=False`` in their chain), at opacity 0 at rest
  (closed-eye lines...), collapsed at rest (under 15 % of its image's area) or clipped by such a
  mask (a closed mouth's interior, teeth and tongue).
* **Blend**: additive meshes use Linear Dodge, multiplicative ones Multiply.

* **Merged image** (the composite that viewers show): the visible layers composited by Kirie
  (normal, Linear Dodge and Multiply, in 8-bit per channel), RLE-compressed. psd-tools' own
  preview update composites the whole canvas in float64 per layer (7 GB and minutes at 8192 px),
  so the document is written through its record (``PSDImage._record``) with this image instead.
  It is composited and stored first, so memory stays about one canvas-sized 8-bit RGBA image plus
  the layers, and the layers alone (with one layer's copy while psd-tools encodes it) after that.

The file is written atomically (temporary file, fsync, rename) straight from psd-tools' writer.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np

from rig.evaluate import evaluate
from rig.formats.atomic import atomic_path
from rig.model import ArtMesh, BlendMode, Rig

MAX_NAME_CHARS = 63
_BAD_CHARS = re.compile(r"[^\w \-.()]", re.UNICODE)


def clean_name(name: str, fallback: str) -> str:
    """``name`` with characters Cubism's importer may dislike replaced by ``_`` (``fallback`` if empty)."""
    out = _BAD_CHARS.sub("_", name).strip()[:MAX_NAME_CHARS]
    return out or fallback


def _unique(name: str, used: set[str]) -> str:
    out, n = name, 1
    while out in used:
        n += 1
        out = f"{name[: MAX_NAME_CHARS - len(str(n)) - 1]}_{n}"
    used.add(out)
    return out


def export_psd(rig: Rig, path: str | Path, release_layers: bool = False) -> Path:
    """Write ``rig``'s art mesh layer images to ``path`` as a layered PSD (see the module docstring).

    Parameters
    ----------
    rig : Rig
        A valid rig (``rig.validate()`` is called).
    path : str or Path
        Destination, replaced atomically.
    release_layers : bool
        Replace each layer's image by a 1 x 1 transparent one once it is in the PSD, so its memory
        is freed before the file is written (``kirie export`` of an 8192 px rig: 1.6 -> 1.1 GB). The
        rig is not valid afterwards; for callers that drop it.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    ValidationError, KeyformMismatchError
        If the rig is invalid; nothing is written.
    """
    from psd_tools.api.layers import Group
    from psd_tools.constants import BlendMode as PsdBlend

    rig.validate()
    path = Path(path)
    psd = _new_document(rig.canvas_width_px, rig.canvas_height_px)
    blends = {BlendMode.ADDITIVE: PsdBlend.LINEAR_DODGE, BlendMode.MULTIPLICATIVE: PsdBlend.MULTIPLY}
    shown = _rest_state(rig)
    sharing = _layer_use_counts(rig)
    pixels_of = {
        m.id: rig.layer(m.layer_id).image if sharing[m.layer_id] == 1 else coverage_pixels(m, rig.layer(m.layer_id).image)
        for m in rig.art_meshes
    }
    order = psd_order(rig, pixels_of)
    # the merged image first, stored compressed, so its canvas-sized planes are gone before the
    # layers are encoded (each layer's encoding briefly holds a copy of its image)
    merged = np.zeros((4, rig.canvas_height_px, rig.canvas_width_px), np.uint8)  # planar RGBA, straight
    for mesh in order:
        if shown.get(mesh.id, 0.0) > 0.0:
            x, y = (int(round(c)) for c in rig.layer(mesh.layer_id).origin_px)
            blend_into(merged, pixels_of[mesh.id], x, y, mesh.blend_mode)
    _set_merged_image(psd, merged)
    del merged
    stack: list[tuple[str, object]] = []  # open groups: (part id, psd group)
    used: set[str] = set()
    used_groups: set[str] = set()
    for mesh in order:
        chain = _part_chain(rig, mesh.part_id)
        keep = 0
        while keep < min(len(stack), len(chain)) and stack[keep][0] == chain[keep]:
            keep += 1
        del stack[keep:]
        for part_id in chain[keep:]:
            parent = stack[-1][1] if stack else psd
            name = _unique(clean_name(rig.part(part_id).name, part_id), used_groups)
            stack.append((part_id, Group.new(parent, name=name, open_folder=True)))
        layer = rig.layer(mesh.layer_id)
        pixels = pixels_of[mesh.id]
        x, y = (int(round(c)) for c in layer.origin_px)
        name = _unique(clean_name(mesh.name, mesh.id), used)
        parent = stack[-1][1] if stack else psd
        px = _pixel_layer(psd, parent, pixels, name, y, x)
        px.visible = shown.get(mesh.id, 0.0) > 0.0
        if mesh.blend_mode in blends:
            px.blend_mode = blends[mesh.blend_mode]
        if release_layers:
            del px, pixels
            pixels_of[mesh.id] = layer.image = np.zeros((1, 1, 4), np.uint8)
    with atomic_path(path) as tmp, open(tmp, "xb") as f:
        psd._record.write(f)  # not psd.save(): that recomposites the canvas (module docstring)
    return path


def _new_document(width: int, height: int):
    """An empty RGBA 8-bit ``PSDImage`` of ``width`` x ``height`` px with no image data yet
    (:func:`_set_merged_image` stores it). ``PSDImage.new`` at the canvas size would build a blank
    canvas twice over (0.5 GB at 8192 px) only for it to be replaced: the document is made at 1 x 1
    and its header given the canvas size (and, past 30000 px, the PSB version ``new`` would pick)."""
    from psd_tools import PSDImage

    psd = PSDImage.new("RGBA", (1, 1), color=(0, 0, 0, 0))
    header = psd._record.header
    header.width, header.height = int(width), int(height)
    header.version = 2 if max(width, height) > 30000 else 1
    psd._record.image_data.data = b""
    return psd


def _pixel_layer(psd, parent, pixels: np.ndarray, name: str, top: int, left: int):
    """``PixelLayer.frompil(Image.fromarray(pixels), parent, name=name, top=top, left=left)`` for
    (h, w, 4) uint8 RGBA ``pixels`` in an RGBA 8-bit document, the same record and channels (RLE;
    transparency, then red, green, blue), without the copy of the whole image that ``frompil``'s
    ``convert`` makes: one channel's bytes at a time (an 8704 x 8680 px back hair: 0.6 -> 0.2 GB)."""
    from psd_tools.api.layers import PixelLayer
    from psd_tools.constants import ChannelID, Compression
    from psd_tools.psd.layer_and_mask import ChannelData, ChannelDataList, ChannelInfo, LayerRecord

    h, w = pixels.shape[:2]
    record = LayerRecord(top=top, left=left, bottom=top + h, right=left + w, channel_info=[])
    record.name = name
    channels = ChannelDataList()
    version = psd._record.header.version
    for channel_id, index in ((ChannelID.TRANSPARENCY_MASK, 3), (ChannelID(0), 0), (ChannelID(1), 1), (ChannelID(2), 2)):
        data = ChannelData(Compression.RLE)
        data.set_data(pixels[..., index].tobytes(), w, h, 8, version)
        record.channel_info.append(ChannelInfo(channel_id, len(data.data) + 2))
        channels.append(data)
    layer = PixelLayer(parent, record, channels)
    parent.append(layer)
    return layer


def _set_merged_image(psd, planes: np.ndarray) -> None:
    """Store (4, H, W) uint8 straight RGBA ``planes`` as the document's merged image, RLE-compressed.

    Encoded one channel at a time (a channel's bytes, not the whole image's, are copied at once):
    PSD's RLE image data is every row's byte count, then every row's bytes, so the channels' counts
    followed by the channels' rows are the bytes ``ImageData.set_data`` makes of all planes at once.
    """
    from psd_tools.compression import encode_rle
    from psd_tools.constants import Compression

    header = psd._record.header
    count_bytes = 2 if header.version == 1 else 4  # big-endian row byte counts: uint16 (PSD), uint32 (PSB)
    split = header.height * count_bytes
    counts, rows = [], []
    for plane in planes:
        encoded = encode_rle(plane.tobytes(), header.width, header.height, header.depth, header.version)
        counts.append(encoded[:split])
        rows.append(encoded[split:])
    image_data = psd._record.image_data
    image_data.compression = Compression.RLE
    image_data.data = b"".join(counts + rows)


def blend_into(planes: np.ndarray, pixels: np.ndarray, x: int, y: int, mode: BlendMode) -> None:
    """Composite straight RGBA ``pixels`` (h, w, 4) uint8 at canvas (x, y) onto ``planes`` (4, H, W) uint8 straight.

    Normal is Porter-Duff "over"; additive and multiplicative blend the colour where both are
    present (Photoshop's Linear Dodge and Multiply) and keep "over" coverage. Clipped to the canvas.
    """
    _, height, width = planes.shape
    h, w = pixels.shape[:2]
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, width), min(y + h, height)
    for top in range(y0, y1, _STRIP_ROWS):  # strips keep the float32 temporaries small
        bottom = min(top + _STRIP_ROWS, y1)
        if x0 < x1:
            region = planes[:, top:bottom, x0:x1]
            region[:] = _blend(pixels[top - y : bottom - y, x0 - x : x1 - x], region, mode)


_STRIP_ROWS = 256


def _blend(pixels: np.ndarray, region: np.ndarray, mode: BlendMode) -> np.ndarray:
    """One strip of :func:`blend_into`: (h, w, 4) pixels over (4, h, w) planes -> new (4, h, w) uint8."""
    src = pixels.astype(np.float32) / 255.0
    dst = np.moveaxis(region, 0, -1).astype(np.float32) / 255.0
    sa, da = src[..., 3:], dst[..., 3:]
    if mode is BlendMode.ADDITIVE:
        colour = np.minimum(src[..., :3] + dst[..., :3], 1.0)
    elif mode is BlendMode.MULTIPLICATIVE:
        colour = src[..., :3] * dst[..., :3]
    else:
        colour = src[..., :3]
    colour = colour * da + src[..., :3] * (1.0 - da)  # the blend applies only over existing pixels
    out_a = sa + da * (1.0 - sa)
    out_rgb = (colour * sa + dst[..., :3] * da * (1.0 - sa)) / np.maximum(out_a, 1e-6)
    out = np.concatenate([out_rgb, out_a], axis=-1)
    return np.moveaxis(np.clip(out * 255.0 + 0.5, 0, 255).astype(np.uint8), -1, 0)


def draw_order(rig: Rig) -> list[ArtMesh]:
    """Art meshes in rest draw order, bottom first, hidden ones included at their place."""
    shown = dataclasses.replace(
        rig,
        parts=[dataclasses.replace(p, visible=True) for p in rig.parts],
        deformers=[dataclasses.replace(d, visible=True) for d in rig.deformers],
        art_meshes=[dataclasses.replace(m, visible=True) for m in rig.art_meshes],
    )
    return [rig.art_mesh(it.art_mesh_id) for it in evaluate(shown, rig.default_values()).items]


def _pixel_box(rig: Rig, mesh: ArtMesh, pixels: np.ndarray) -> tuple[int, int, int, int] | None:
    """Canvas box (x0, y0, x1, y1), exclusive ends, of the pixels with alpha > 0; None if none."""
    alpha = pixels[..., 3]
    rows, cols = np.flatnonzero(alpha.any(axis=1)), np.flatnonzero(alpha.any(axis=0))
    if not len(rows):
        return None
    ox, oy = (int(round(c)) for c in rig.layer(mesh.layer_id).origin_px)
    return ox + int(cols[0]), oy + int(rows[0]), ox + int(cols[-1]) + 1, oy + int(rows[-1]) + 1


def psd_order(rig: Rig, pixels_of: dict[str, np.ndarray]) -> list[ArtMesh]:
    """Art meshes bottom to top: rest draw order, with non-overlapping layers regrouped by part.

    ``pixels_of`` maps art mesh ids to the (H, W, 4) uint8 pixels exported for them. A layer is
    placed only after every lower layer (in draw order) whose pixel box overlaps its own.
    """
    order = draw_order(rig)
    boxes = [_pixel_box(rig, m, pixels_of[m.id]) for m in order]
    chains = [_part_chain(rig, m.part_id) for m in order]

    def overlap(a, b) -> bool:
        return a is not None and b is not None and a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]

    before = [{i for i in range(j) if overlap(boxes[i], boxes[j])} for j in range(len(order))]
    placed: list[int] = []
    left = list(range(len(order)))
    while left:
        ready = [j for j in left if before[j].issubset(placed)]
        last = chains[placed[-1]] if placed else []
        best = max(ready, key=lambda j: (_common_prefix(chains[j], last), -j))
        placed.append(best)
        left.remove(best)
    return [order[j] for j in placed]


def _common_prefix(a: list[str], b: list[str]) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


COLLAPSED_AREA = 0.15
"""An art mesh whose rest area is below this fraction of its image area counts as collapsed."""


def _rest_state(rig: Rig) -> dict[str, float]:
    """Rest opacity of every art mesh that is not hidden; 0 for one collapsed at rest (area below
    ``COLLAPSED_AREA`` of its image area) or clipped by a collapsed mask (a closed mouth's interior,
    its teeth and tongue)."""
    ev = evaluate(rig, rig.default_values())

    def collapsed(item) -> bool:
        mesh = rig.art_mesh(item.art_mesh_id)
        h, w = rig.layer(mesh.layer_id).image.shape[:2]
        full = _area_px(mesh.uvs.astype(np.float64) * (w, h), mesh.triangles)
        return _area_px(item.vertices_px, item.triangles) < COLLAPSED_AREA * full

    out = {}
    for it in ev.items:
        empty = collapsed(it) or any(m in ev.masks and collapsed(ev.masks[m]) for m in it.mask_ids)
        out[it.art_mesh_id] = 0.0 if empty else it.opacity
    return out


def _area_px(points: np.ndarray, triangles: np.ndarray) -> float:
    """Total area of ``triangles`` (M, 3) over ``points`` (N, 2)."""
    v = np.asarray(points, np.float64)
    a, b, c = (v[triangles[:, i].astype(int)] for i in range(3))
    return float(0.5 * np.abs((b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0])).sum())


def _layer_use_counts(rig: Rig) -> dict[str, int]:
    counts = {la.id: 0 for la in rig.layers}
    for m in rig.art_meshes:
        counts[m.layer_id] += 1
    return counts


def _part_chain(rig: Rig, part_id: str) -> list[str]:
    chain = []
    pid: str | None = part_id
    while pid is not None:
        chain.append(pid)
        pid = rig.part(pid).parent_part_id
    return chain[::-1]


def coverage_pixels(mesh: ArtMesh, image: np.ndarray) -> np.ndarray:
    """``image`` with alpha 0 wherever no UV triangle of ``mesh`` covers the pixel centre.

    Parameters
    ----------
    mesh : ArtMesh
        Its ``uvs`` (N, 2) in [0, 1] of ``image``, origin top-left.
    image : (H, W, 4) uint8 ndarray
        RGBA, straight alpha.

    Returns
    -------
    (H, W, 4) uint8 ndarray
        A copy; colour is kept everywhere (only alpha is cleared). A centre on a triangle edge
        counts as covered.
    """
    h, w = image.shape[:2]
    covered = np.zeros((h, w), bool)
    pts = mesh.uvs.astype(np.float64) * (w, h)
    for tri in mesh.triangles.astype(int):
        a, b, c = pts[tri]
        x0, y0 = np.floor(np.minimum.reduce([a, b, c])).astype(int).clip(0, (w, h))
        x1, y1 = np.ceil(np.maximum.reduce([a, b, c])).astype(int).clip(0, (w, h))
        yy, xx = np.mgrid[y0:y1, x0:x1] + 0.5
        edges = [(p[0] - xx) * (q[1] - yy) - (p[1] - yy) * (q[0] - xx) for p, q in ((a, b), (b, c), (c, a))]
        inside = (np.minimum.reduce(edges) >= 0) | (np.maximum.reduce(edges) <= 0)
        covered[y0:y1, x0:x1] |= inside
    out = image.copy()
    out[..., 3] = np.where(covered, out[..., 3], 0)
    return out

"""The optional ``source`` record of a ``.kirie`` project (:class:`~rig.model.SourceImage`).

Written only when the rig has a source, so projects without one are byte-identical to what earlier
Kirie versions wrote, and files without the record load with ``Rig.source = None``:

``rig.json`` member ``source`` (after ``physics``)::

    {"image": "source/image.png", "labels": "source/labels.png", "size_px": [w, h],
     "layer_ids": [...], "layer_kinds": [...], "face_box_px": [x, y, w, h],
     "face_contour_px": [[x, y], ...], "chin_px": [x, y]}

``source/image.png``
    (H, W, 4) uint8 RGBA: input RGB, alpha = the foreground alpha the layers were cut with.
``source/labels.png``
    (H, W) uint8 owner map as an 8-bit greyscale PNG (mode ``L``); value ``v >= 1`` = visible in
    ``layer_ids[v - 1]``, 0 = no layer.

PNGs are encoded by Pillow with the same fixed settings as the layer PNGs (deterministic bytes).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from rig.errors import ProjectFormatError
from rig.formats.project_json import JsonNode
from rig.formats.project_limits import decode_png
from rig.model import SourceImage

SOURCE_IMAGE_ENTRY = "source/image.png"
SOURCE_LABELS_ENTRY = "source/labels.png"


def source_to_json(source: SourceImage) -> dict[str, Any]:
    """The ``rig.json`` ``source`` member (arrays as nested lists)."""
    return {
        "image": SOURCE_IMAGE_ENTRY,
        "labels": SOURCE_LABELS_ENTRY,
        "size_px": list(source.size_px),
        "layer_ids": list(source.layer_ids),
        "layer_kinds": list(source.layer_kinds),
        "face_box_px": list(source.face_box_px),
        "face_contour_px": np.asarray(source.face_contour_px, np.float32).tolist(),
        "chin_px": list(source.chin_px),
    }


def parse_source(node: JsonNode, entries: Mapping[str, bytes],
                 canvas_px: tuple[int, int] | None = None) -> SourceImage | None:
    """The :class:`SourceImage` of ``rig.json``'s optional ``source`` member (None when absent).

    Raises
    ------
    ProjectFormatError
        A missing or wrong field, a missing or corrupt PNG, or sizes that disagree.
    """
    if node.value is None:
        return None
    size = node["size_px"].items()
    if len(size) != 2:
        node["size_px"].fail("expected [width, height]")
    size_px = (size[0].int(), size[1].int())
    if canvas_px is not None and size_px != tuple(canvas_px):
        node["size_px"].fail(f"expected the canvas size {list(canvas_px)}, got {list(size_px)}")
    ids, kinds = node["layer_ids"].strs(), node["layer_kinds"].strs()
    if len(ids) != len(kinds):
        node["layer_kinds"].fail(f"expected {len(ids)} names (one per layer id), got {len(kinds)}")
    rgba = _decode(entries, node["image"].str(), "RGBA", size_px)
    labels = _decode(entries, node["labels"].str(), "L", size_px)
    if labels.size and int(labels.max()) > len(ids):
        node["labels"].fail(f"label value {int(labels.max())} but only {len(ids)} layer ids")
    return SourceImage(
        rgba, labels, ids, kinds,
        node["face_box_px"].floats(4),  # type: ignore[arg-type]
        node["face_contour_px"].array("float32", (None, 2)),
        node["chin_px"].floats(2),  # type: ignore[arg-type]
    )  # fmt: skip


def _decode(entries: Mapping[str, bytes], entry: str, mode: str, size_px: tuple[int, int]) -> np.ndarray:
    """Decode a source PNG that must already be in ``mode`` ("RGBA" or "L") and ``size_px``."""
    if entry not in entries:
        raise ProjectFormatError(f"{entry}: missing (source record)")
    return decode_png(entries[entry], entry, size_px, mode, "source record")

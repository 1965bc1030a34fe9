"""Stage 1, load: decode an image file into the canvas (design.md "Generation" step 1).

Policy
------
- Any Pillow-readable file; EXIF orientation applied (``ImageOps.exif_transpose``); the first frame of
  animated files. Every colour mode becomes (H, W, 4) uint8 RGBA with straight alpha (16-bit and float
  modes are rescaled to 8 bits, CMYK/YCbCr/LAB converted to RGB, palette transparency kept).
- Size limits: at least :data:`MIN_SIDE_PX` on each side; files over :data:`MAX_PIXELS` are refused
  before decoding (decompression-bomb guard); a side longer than ``max_side_px`` (default 8192) is
  downscaled (Lanczos) with a notice. The loaded image **is the rig canvas**.
- Working size: the analysis stages (foreground, landmarks, parts) run on a copy whose longer side is
  at most :data:`WORKING_MAX_SIDE_PX` (1024 px, see :func:`working_copy`) and return their results in
  canvas pixels. 1024 px keeps animeface under ~0.5 s (models.md 1.3) and every heuristic fast, while
  the layer textures keep the canvas resolution.

Errors: :class:`rig.errors.InputImageError` with the file name and what the user can do.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from inference.types import LoadedImage
from rig.errors import InputImageError

log = logging.getLogger(__name__)

MIN_SIDE_PX = 128
MAX_PIXELS = 150_000_000
"""Refuse files with more pixels than this (a 12247 px square) before decoding them."""
WORKING_MAX_SIDE_PX = 1024


def load_image(path: str | Path, max_side_px: int = 8192) -> LoadedImage:
    """Read ``path`` into a :class:`LoadedImage` (the canvas).

    Parameters
    ----------
    path : str or Path
        Image file (PNG, JPEG, WebP, BMP, TIFF, GIF ... anything Pillow reads).
    max_side_px : int
        Longer side of the canvas; larger images are downscaled, keeping the aspect ratio.

    Returns
    -------
    LoadedImage
        ``rgba`` (H, W, 4) uint8 straight alpha; ``has_alpha`` True when the alpha channel is not all
        255; ``scale`` = canvas size / file size; ``notices`` for the user.

    Raises
    ------
    InputImageError
        Missing, unreadable, not an image, corrupt or truncated, zero-size, smaller than 128 px on a
        side, over the pixel limit, or fully transparent.
    """
    path = Path(path)
    name = path.name
    notices: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        im = _open(path)
        try:
            w, h = im.size
            _check_size(name, w, h)
            if getattr(im, "n_frames", 1) > 1:
                notices.append(f"{name} has {im.n_frames} frames; Kirie uses the first one")
            try:
                im.load()
                ImageOps.exif_transpose(im, in_place=True)  # no copy of a big image without an orientation tag
                im = _downscale(im, max_side_px)  # in Pillow, before any numpy copy: memory follows the canvas
                rgba = _to_rgba(im, name)
            except (OSError, ValueError, SyntaxError) as exc:
                raise InputImageError(f"{name} is corrupt or truncated ({exc}); re-export the image") from exc
        finally:
            im.close()
    alpha = rgba[..., 3]
    if alpha.max() == 0:
        raise InputImageError(f"{name} is fully transparent: there is nothing to rig")
    has_alpha = bool(alpha.min() < 255)
    rgba, _ = _limit_size(rgba, max_side_px)  # modes _downscale leaves alone (16-bit, float)
    scale = rgba.shape[1] / w if max(w, h) > max_side_px else 1.0
    if scale < 1.0:
        h2, w2 = rgba.shape[:2]
        notices.append(f"{name} is {w}x{h} px; it was downscaled to {w2}x{h2} px (limit {max_side_px} px)")
    for n in notices:
        log.info(n)
    return LoadedImage(rgba=rgba, source=str(path), has_alpha=has_alpha, scale=scale, notices=notices)


def _open(path: Path) -> Image.Image:
    name = path.name
    if not path.exists():
        raise InputImageError(f"{path} does not exist")
    if not path.is_file():
        raise InputImageError(f"{path} is not a file")
    try:
        return Image.open(path)
    except Image.DecompressionBombError as exc:
        raise InputImageError(
            f"{name} declares an enormous size ({exc}); refused as a possible decompression bomb. "
            "Downscale it in an image editor first"
        ) from exc
    except UnidentifiedImageError as exc:
        raise InputImageError(f"{name} is not an image file Kirie can read (PNG, JPEG, WebP ...)") from exc
    except OSError as exc:
        raise InputImageError(f"{name} cannot be read: {exc}") from exc


def _check_size(name: str, w: int, h: int) -> None:
    if w <= 0 or h <= 0:
        raise InputImageError(f"{name} has zero size ({w}x{h} px)")
    if w < MIN_SIDE_PX or h < MIN_SIDE_PX:
        raise InputImageError(f"{name} is {w}x{h} px; Kirie needs at least {MIN_SIDE_PX} px on each side")
    if w * h > MAX_PIXELS:
        raise InputImageError(
            f"{name} is {w}x{h} px ({w * h / 1e6:.0f} megapixels), over Kirie's limit of "
            f"{MAX_PIXELS / 1e6:.0f} megapixels (a guard against decompression bombs); downscale it first"
        )


def _to_rgba(im: Image.Image, name: str) -> np.ndarray:
    """Any Pillow mode → (H, W, 4) uint8 RGBA, straight alpha."""
    mode = im.mode
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        a = np.asarray(im, dtype=np.float64)
        top = 1.0 if mode == "F" and a.max() <= 1.0 else (255.0 if a.max() <= 255 else 65535.0)
        g = np.clip(np.rint(a / top * 255.0), 0, 255).astype(np.uint8)
        out = np.empty(g.shape + (4,), np.uint8)
        out[..., :3] = g[..., None]
        out[..., 3] = 255
        return out
    if mode == "1":
        im = im.convert("L")
    elif mode in ("CMYK", "YCbCr", "LAB", "HSV"):
        im = im.convert("RGB")
    elif mode not in ("L", "LA", "La", "P", "PA", "RGB", "RGBA", "RGBa", "RGBX"):
        try:
            im = im.convert("RGBA")
        except ValueError as exc:
            raise InputImageError(f"{name} has an unsupported colour mode {mode}") from exc
    if mode in ("La", "RGBa"):
        im = im.convert(mode.replace("a", "A"))
    return _rgba_in_bands(im)


def _rgba_in_bands(im: Image.Image, band_rows: int = 512) -> np.ndarray:
    """(H, W, 4) uint8 RGBA, writable, converted ``band_rows`` rows at a time: only the result and one
    band are held besides ``im`` (a one-shot ``np.asarray(im.convert("RGBA"))`` holds the converted
    image and its ``tobytes`` copy too, and is read-only)."""
    w, h = im.size
    out = np.empty((h, w, 4), np.uint8)
    for top in range(0, h, band_rows):
        band = im.crop((0, top, w, min(h, top + band_rows)))
        out[top : top + band.height] = np.asarray(band if band.mode == "RGBA" else band.convert("RGBA"))
    return out


_DOWNSCALED_MODES = {"RGB": "RGB", "L": "RGB", "RGBX": "RGB", "CMYK": "RGB", "YCbCr": "RGB", "RGBA": "RGBA",
                     "LA": "RGBA", "P": "RGBA", "PA": "RGBA"}  # fmt: skip


def _downscale(im: Image.Image, max_side: int) -> Image.Image:
    """``im`` with its longer side at most ``max_side`` (Lanczos; with alpha on premultiplied colour, as
    :func:`resize_rgba`), for the 8-bit modes; other modes are returned unchanged."""
    w, h = im.size
    target = _DOWNSCALED_MODES.get(im.mode)
    if max(w, h) <= max_side or target is None:
        return im
    if target == "RGBA" and im.mode == "P" and "transparency" not in im.info:
        target = "RGB"
    scale = max_side / max(w, h)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    if target == "RGB":
        return _resize_in_bands(im if im.mode == "RGB" else im.convert("RGB"), size, "RGB")
    return _resize_in_bands(im, size, "RGBa").convert("RGBA")


def _resize_in_bands(im: Image.Image, size: tuple[int, int], mode: str, band_rows: int = 512) -> Image.Image:
    """Lanczos resize of ``im`` to ``size`` in ``mode`` ("RGB", or "RGBa" = premultiplied), band by band.

    Each band of ``band_rows`` output rows (fewer for a strong downscale, so a band spans at most
    about ``2 * band_rows`` source rows) converts and resizes only its source rows plus the filter's
    reach (Lanczos: 3 source rows per output row, times the scale), so neither Pillow's full-height
    intermediate nor a premultiplied copy of the whole input is ever held. The result is within 1 of a
    one-shot ``im.convert(mode).resize(size)`` (Pillow rounds its intermediate pass to 8 bits).
    """
    w, h = im.size
    out = Image.new(mode, size)
    sy = h / size[1]
    band_rows = max(16, min(band_rows, int(2 * band_rows / sy)))
    reach = int(np.ceil(3 * max(sy, 1.0))) + 2
    for top in range(0, size[1], band_rows):
        bottom = min(top + band_rows, size[1])
        y0, y1 = max(0, int(top * sy) - reach), min(h, int(np.ceil(bottom * sy)) + reach)
        src = im.crop((0, y0, w, y1))
        src = src if src.mode == mode else src.convert("RGBA").convert(mode) if mode == "RGBa" else src.convert(mode)
        box = (0, top * sy - y0, w, bottom * sy - y0)
        out.paste(src.resize((size[0], bottom - top), Image.Resampling.LANCZOS, box=box), (0, top))
    return out


def _limit_size(rgba: np.ndarray, max_side: int) -> tuple[np.ndarray, float]:
    h, w = rgba.shape[:2]
    if max(w, h) <= max_side:
        return rgba, 1.0
    scale = max_side / max(w, h)
    return resize_rgba(rgba, scale), scale


def resize_rgba(rgba: np.ndarray, scale: float) -> np.ndarray:
    """Resize (H, W, 4) uint8 straight-alpha RGBA by ``scale`` with Lanczos on premultiplied colour
    (so transparent pixels' colours do not bleed into the edges)."""
    h, w = rgba.shape[:2]
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    pre = Image.fromarray(rgba).convert("RGBa")
    return np.asarray(pre.resize(size, Image.Resampling.LANCZOS).convert("RGBA"), dtype=np.uint8).copy()


def working_copy(rgba: np.ndarray, max_side: int = WORKING_MAX_SIDE_PX) -> tuple[np.ndarray, float]:
    """The analysis copy of a canvas image: (h, w, 4) uint8 and ``s`` = working px / canvas px (<= 1).

    Lanczos on premultiplied colour, band by band (within 1 of :func:`resize_rgba`).

    A canvas point p maps to ``p * s`` in the copy; analysis results map back with ``/ s``.
    """
    h, w = rgba.shape[:2]
    if max(w, h) <= max_side:
        return rgba, 1.0
    s = max_side / max(w, h)
    size = (max(1, round(w * s)), max(1, round(h * s)))
    # banded (as the load's downscale): no premultiplied copy of the whole canvas, which glibc would
    # keep as resident heap after it is freed (0.25 GB at 8192 px)
    pil = Image.fromarray(np.ascontiguousarray(rgba))
    small = np.asarray(_resize_in_bands(pil, size, "RGBa").convert("RGBA"), dtype=np.uint8).copy()
    return small, small.shape[1] / w

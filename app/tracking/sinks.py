"""Where live frames go: a virtual camera for OBS, Discord or Zoom, or a recording list for tests.

A :class:`FrameSink` takes straight-alpha (H, W, 4) uint8 RGBA renders of the avatar and shows them
somewhere; :func:`fit_on_background` puts a render on the sink's opaque background at its size
(aspect kept, centred). Sinks:

* :class:`RecordingSink`: keeps every composed frame (tests, previews);
* :class:`VirtualCameraSink`: ``pyvirtualcam`` (v4l2loopback on Linux, OBS Virtual Camera or Unity
  Capture on Windows, OBS on macOS). Cameras carry no alpha, so "transparent" is a key colour
  (:data:`KEY_COLOUR`, chroma-keyed away in OBS) or any chosen colour.

Headless (no Qt); ``kirie track --virtual-camera`` and the editor's Live > Virtual Camera use it.
"""

from __future__ import annotations

import logging
import re
from typing import Protocol

import numpy as np

log = logging.getLogger(__name__)

#: The background called "key": pure green, what OBS's chroma key filter removes by default.
KEY_COLOUR = (0, 255, 0)

VIRTUAL_CAMERA_HELP = (
    "no virtual camera driver was found. Linux: install v4l2loopback (apt-get install v4l2loopback-dkms) "
    "and load it: sudo modprobe v4l2loopback devices=1 exclusive_caps=1 card_label=Kirie; "
    "Windows: install OBS Studio (its Virtual Camera) or Unity Capture; macOS: install OBS Studio 30 or later "
    "and start its Virtual Camera once")


class VirtualCameraError(RuntimeError):
    """The virtual camera cannot start; the message names what to install."""


def parse_background(text: str) -> tuple[int, int, int]:
    """``"key"`` (:data:`KEY_COLOUR`), ``"#RRGGBB"`` or ``"RRGGBB"`` -> an (r, g, b) 0..255 tuple.

    Raises
    ------
    ValueError
        Anything else.
    """
    t = text.strip().lower()
    if t in ("key", "transparent"):
        return KEY_COLOUR
    m = re.fullmatch(r"#?([0-9a-f]{6})", t)
    if not m:
        raise ValueError(f"background must be 'key' or #RRGGBB, got {text!r}")
    h = m.group(1)
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def parse_size(text: str) -> tuple[int, int]:
    """``"1280x720"`` -> (1280, 720); each side 16..7680 and even (camera formats want even sizes).

    Raises
    ------
    ValueError
    """
    m = re.fullmatch(r"\s*(\d+)\s*[xX]\s*(\d+)\s*", text)
    if not m:
        raise ValueError(f"size must be WIDTHxHEIGHT, got {text!r}")
    w, h = int(m.group(1)), int(m.group(2))
    if not (16 <= w <= 7680 and 16 <= h <= 7680) or w % 2 or h % 2:
        raise ValueError(f"size must be even and within 16..7680 on each side, got {w}x{h}")
    return w, h


def fit_on_background(rgba: np.ndarray, size: tuple[int, int], background: tuple[int, int, int]) -> np.ndarray:
    """Straight-alpha (h, w, 4) uint8 -> (H, W, 3) uint8 RGB of ``size`` = (W, H): scaled to fit (aspect
    kept, OpenCV area/linear resampling), centred, over the opaque ``background``.

    Only pixels with 0 < alpha < 255 are blended (in float32, rounded); opaque ones are copied and
    transparent ones keep the background: the same numbers as blending all, 15 -> 1 ms at 640x480.
    """
    import cv2

    width, height = size
    h, w = rgba.shape[:2]
    if (w, h) == (width, height) and rgba[..., 3].min() == 255:  # opaque (SinkWorker draws on the background)
        return cv2.cvtColor(np.ascontiguousarray(rgba), cv2.COLOR_RGBA2RGB)
    scale = min(width / w, height / h)
    nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
    if (nw, nh) != (w, h):
        interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
        rgba = cv2.resize(rgba, (nw, nh), interpolation=interp)
    out = np.empty((height, width, 3), np.uint8)
    out[:] = background
    x0, y0 = (width - nw) // 2, (height - nh) // 2
    region = out[y0:y0 + nh, x0:x0 + nw]
    alpha = rgba[..., 3]
    if alpha.min() == 255:
        region[...] = rgba[..., :3]
        return out
    np.copyto(region, rgba[..., :3], where=(alpha == 255)[..., None])
    partial = np.flatnonzero(alpha.reshape(-1) - np.uint8(1) < 254)  # 1 <= alpha <= 254 (uint8 wraps)
    if len(partial):
        rows, cols = np.divmod(partial, nw)
        px = rgba[rows, cols]
        a = px[:, 3:4].astype(np.float32) / 255.0
        under = region[rows, cols].astype(np.float32)
        region[rows, cols] = np.clip(px[:, :3] * a + under * (1.0 - a) + 0.5, 0, 255).astype(np.uint8)
    return out


class FrameSink(Protocol):
    """Anything that shows live frames; ``size`` is (W, H) of what it shows, ``fps`` its rate.

    A sink that shows frames on an opaque colour also has ``background`` (r, g, b) uint8 (the two sinks
    here do): :class:`app.tracking.sink_worker.SinkWorker` then renders onto it at ``size``, so that
    ``send`` gets an opaque frame that needs no unpremultiplying, scaling or blending.
    """

    size: tuple[int, int]
    fps: float

    def send(self, rgba: np.ndarray) -> None:
        """Show one straight-alpha (h, w, 4) uint8 render (any size: fitted to :attr:`size`)."""

    def close(self) -> None:
        """Release the device (idempotent)."""


class RecordingSink:
    """A :class:`FrameSink` that keeps every composed (H, W, 3) uint8 frame in :attr:`frames`."""

    def __init__(self, size: tuple[int, int] = (1280, 720), fps: float = 30.0,
                 background: tuple[int, int, int] = KEY_COLOUR) -> None:
        self.size, self.fps, self.background = size, float(fps), background
        self.frames: list[np.ndarray] = []
        self.closed = False

    def send(self, rgba: np.ndarray) -> None:
        if self.closed:
            raise RuntimeError("the sink is closed")
        self.frames.append(fit_on_background(rgba, self.size, self.background))

    def close(self) -> None:
        self.closed = True


class VirtualCameraSink:
    """A :class:`FrameSink` on a ``pyvirtualcam`` camera (module docstring).

    Parameters
    ----------
    size : (int, int)
        (W, H) of the camera, even.
    fps : float
    background : (r, g, b)
        0..255; :data:`KEY_COLOUR` for "transparent".
    device : str, optional
        e.g. ``/dev/video10``; default: the first free one.
    pace : bool
        Sleep in :meth:`send` until the next frame is due (a loop faster than ``fps`` is throttled).

    Raises
    ------
    VirtualCameraError
        pyvirtualcam is not installed, or no driver / device exists (the message names what to install).
    """

    def __init__(self, size: tuple[int, int] = (1280, 720), fps: float = 30.0,
                 background: tuple[int, int, int] = KEY_COLOUR, device: str | None = None, pace: bool = False) -> None:
        try:
            import pyvirtualcam
        except ImportError as exc:
            raise VirtualCameraError("the virtual camera needs pyvirtualcam: pip install pyvirtualcam") from exc
        self.size, self.fps, self.background, self.pace = size, float(fps), background, pace
        try:
            self._camera = pyvirtualcam.Camera(width=size[0], height=size[1], fps=self.fps, device=device,
                                               fmt=pyvirtualcam.PixelFormat.RGB)
        except RuntimeError as exc:
            raise VirtualCameraError(f"{VIRTUAL_CAMERA_HELP} ({exc})") from exc
        self.device = self._camera.device
        log.info("virtual camera %s: %dx%d at %g fps (%s)", self.device, *size, self.fps, self._camera.backend)

    def send(self, rgba: np.ndarray) -> None:
        self._camera.send(fit_on_background(rgba, self.size, self.background))
        if self.pace:
            self._camera.sleep_until_next_frame()

    def close(self) -> None:
        if self._camera is not None:
            self._camera.close()
            self._camera = None

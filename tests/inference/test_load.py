"""Stage 1: decoding, colour modes, size limits and clear errors."""

from __future__ import annotations

import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from inference.load import MAX_PIXELS, load_image, working_copy
from rig.errors import InputImageError


def _save(tmp_path, im: Image.Image, name: str, **kw):
    p = tmp_path / name
    im.save(p, **kw)
    return p


def _gradient(w=200, h=160) -> np.ndarray:
    y, x = np.mgrid[0:h, 0:w]
    return np.stack([x % 256, y % 256, (x + y) % 256], -1).astype(np.uint8)


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        (b"", "not an image"),
        (b"hello, this is a text file\n" * 20, "not an image"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "cannot be read"),
    ],
)
def test_unreadable_files_raise_input_error(tmp_path, payload, fragment):
    p = tmp_path / "bad.png"
    p.write_bytes(payload)
    with pytest.raises(InputImageError, match="bad.png") as e:
        load_image(p)
    assert fragment in str(e.value) or "not an image" in str(e.value)


def test_truncated_png_is_reported_as_corrupt(tmp_path):
    p = _save(tmp_path, Image.fromarray(_gradient(300, 300)), "full.png")
    data = p.read_bytes()
    cut = tmp_path / "cut.png"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputImageError, match="cut.png.*(corrupt or truncated|cannot be read)"):
        load_image(cut)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(InputImageError, match="does not exist"):
        load_image(tmp_path / "nope.png")
    with pytest.raises(InputImageError, match="not a file"):
        load_image(tmp_path)


def test_tiny_image_names_its_size(tmp_path):
    p = _save(tmp_path, Image.new("RGB", (90, 60), "red"), "tiny.png")
    with pytest.raises(InputImageError, match="is 90x60 px; Kirie needs at least 128 px on each side"):
        load_image(p)


def test_fully_transparent_image_is_refused(tmp_path):
    p = _save(tmp_path, Image.new("RGBA", (200, 200), (10, 20, 30, 0)), "empty.png")
    with pytest.raises(InputImageError, match="fully transparent"):
        load_image(p)


def test_huge_image_is_downscaled_with_a_notice(tmp_path):
    p = _save(tmp_path, Image.new("RGB", (8300, 200), (200, 100, 50)), "wide.png")
    img = load_image(p)
    assert img.size_px == (8192, round(200 * 8192 / 8300))
    assert img.scale == pytest.approx(8192 / 8300)
    assert any("downscaled" in n and "8300x200" in n for n in img.notices)
    small = load_image(p, max_side_px=1000)
    assert small.size_px[0] == 1000


def _png_with_declared_size(tmp_path, w: int, h: int):
    """A PNG whose IHDR claims w x h (the pixel data is never decoded)."""
    buf = tmp_path / "seed.png"
    Image.new("L", (1, 1)).save(buf)
    data = bytearray(buf.read_bytes())
    ihdr = bytearray(data[12:29])  # b"IHDR" + 13 bytes
    ihdr[4:12] = struct.pack(">II", w, h)
    data[12:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(ihdr)) & 0xFFFFFFFF)
    p = tmp_path / f"bomb_{w}x{h}.png"
    p.write_bytes(bytes(data))
    return p


@pytest.mark.parametrize(("w", "h"), [(13000, 12000), (40000, 40000)])
def test_decompression_bombs_are_refused_before_decoding(tmp_path, w, h):
    assert w * h > MAX_PIXELS
    with pytest.raises(InputImageError, match="decompression bomb"):
        load_image(_png_with_declared_size(tmp_path, w, h))


def test_modes_become_rgba(tmp_path):
    rgb = _gradient()
    cases = {
        "rgb.png": Image.fromarray(rgb),
        "l.png": Image.fromarray(rgb[..., 0]),
        "rgb.jpg": Image.fromarray(rgb),
        "cmyk.jpg": Image.fromarray(rgb).convert("CMYK"),
        "p.png": Image.fromarray(rgb).convert("P"),
        "bilevel.png": Image.fromarray(rgb[..., 0]).convert("1"),
    }
    for name, im in cases.items():
        img = load_image(_save(tmp_path, im, name))
        assert img.rgba.shape == (160, 200, 4) and img.rgba.dtype == np.uint8, name
        assert not img.has_alpha, name
        assert (img.rgba[..., 3] == 255).all(), name
    grey = load_image(tmp_path / "l.png").rgba
    assert (grey[..., 0] == rgb[..., 0]).all() and (grey[..., 1] == grey[..., 2]).all()
    cmyk = load_image(tmp_path / "cmyk.jpg").rgba[..., :3].astype(int)
    assert np.abs(cmyk - rgb).mean() < 12


def test_sixteen_bit_grey_is_rescaled(tmp_path):
    a = (np.arange(200 * 160, dtype=np.uint32).reshape(160, 200) * 2).astype(np.uint16)
    im = Image.fromarray(a)
    p = _save(tmp_path, im, "g16.png")
    rgba = load_image(p).rgba
    assert rgba[..., 0].max() >= 250 - 1  # 63998 / 65535 * 255 ≈ 249
    assert rgba[0, 0, 0] == 0 and rgba[..., 3].min() == 255


def test_alpha_modes_keep_alpha(tmp_path):
    rgb = _gradient()
    alpha = np.zeros((160, 200), np.uint8)
    alpha[40:120, 50:150] = 255
    rgba = np.dstack([rgb, alpha])
    img = load_image(_save(tmp_path, Image.fromarray(rgba), "rgba.png"))
    assert img.has_alpha and (img.rgba == rgba).all()
    la = Image.merge("LA", [Image.fromarray(rgb[..., 0]), Image.fromarray(alpha)])
    img = load_image(_save(tmp_path, la, "la.png"))
    assert img.has_alpha and (img.rgba[..., 3] == alpha).all()
    p = Image.new("P", (200, 160), 0)
    p.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    p.paste(1, (50, 40, 150, 120))
    img = load_image(_save(tmp_path, p, "ptrans.png", transparency=0))
    assert img.has_alpha
    assert img.rgba[80, 100].tolist() == [255, 0, 0, 255] and img.rgba[0, 0, 3] == 0


def test_opaque_rgba_has_no_meaningful_alpha(tmp_path):
    rgba = np.dstack([_gradient(), np.full((160, 200), 255, np.uint8)])
    assert not load_image(_save(tmp_path, Image.fromarray(rgba), "opaque.png")).has_alpha


def test_exif_orientation_is_applied(tmp_path):
    a = np.zeros((160, 240, 3), np.uint8)
    a[:, :40] = (255, 0, 0)  # red band on the left of the stored pixels
    im = Image.fromarray(a)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    img = load_image(_save(tmp_path, im, "rot.jpg", exif=exif, quality=95))
    assert img.size_px == (160, 240)
    assert img.rgba[:40, :, 0].mean() > 200  # the red band is now on top


def test_working_copy_limits_the_long_side():
    big = np.zeros((1500, 3000, 4), np.uint8)
    small, s = working_copy(big, 1024)
    assert small.shape[:2] == (512, 1024) and s == pytest.approx(1024 / 3000)
    same, s1 = working_copy(big[:500, :600], 1024)
    assert s1 == 1.0 and same.shape == (500, 600, 4)


def test_big_input_is_downscaled_in_bands_within_a_memory_bound(tmp_path):
    """A 12000 x 12000 opaque PNG (0.5 MB, streamed) loads as the 8192 px canvas in about 1 GB (was 2.2 GB)."""
    import subprocess
    import sys

    from tests.formats.hostile import REPO, streamed_png

    path = tmp_path / "big.png"
    path.write_bytes(streamed_png(12000, 12000, (200, 120, 40, 255)))
    code = (f"from inference.load import load_image; im = load_image({str(path)!r}); "
            "assert im.rgba.shape == (8192, 8192, 4) and abs(im.scale - 8192 / 12000) < 1e-9; "
            "assert (im.rgba[4000, 4000] == (200, 120, 40, 255)).all(); "
            "print(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')))")  # fmt: skip
    # VmHWM is the peak of this process image alone; rusage would also count the forked pytest before exec
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    peak_mb = int(proc.stdout.split()[-2]) / 1024
    assert peak_mb < 1300, f"peak {peak_mb:.0f} MB"


def test_banded_downscale_matches_the_one_shot_resize(shared_data):
    from inference.load import _downscale, resize_rgba

    rgba = np.asarray(Image.open(shared_data / "anime" / "crypko_00.png").convert("RGBA"))
    ours = np.asarray(_downscale(Image.fromarray(rgba), 300))
    assert ours.shape == (300, 300, 4)
    assert np.abs(ours.astype(int) - resize_rgba(rgba, 300 / 512)).max() <= 1

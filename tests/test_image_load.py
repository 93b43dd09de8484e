"""genart.imageio.load_image: formats by content, pixel modes, orientation, ICC, limits, errors.

Every fixture is generated here with Pillow/numpy in tmp_path; nothing is committed.
"""
from __future__ import annotations

import io
import struct
import sys
import types
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageCms, ImageFile

from genart.core.errors import ImageError, UsageError
from genart.imageio import DEFAULT_MAX_PIXELS, SUPPORTED_FORMATS, LoadedImage, load_image

RNG = np.random.default_rng(0)


def noise(height: int = 24, width: int = 32) -> np.ndarray:
    return RNG.integers(0, 256, size=(height, width, 3), dtype=np.uint8)


def write(tmp_path: Path, name: str, image: Image.Image, fmt: str | None = None, **kw) -> Path:
    path = tmp_path / name
    image.save(path, format=fmt, **kw)
    return path


# ------------------------------------------------------------------ content sniffing
@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "TIFF", "BMP", "GIF"])
def test_every_supported_format_loads_whatever_the_extension(tmp_path, fmt):
    pixels = noise()
    path = write(tmp_path, "misnamed.dat", Image.fromarray(pixels), fmt)
    img = load_image(path)
    assert isinstance(img, LoadedImage)
    assert img.format == fmt and img.size == (32, 24) and img.source == str(path)
    assert img.rgb.shape == (24, 32, 3) and img.rgb.dtype == np.float32
    assert 0.0 <= img.rgb.min() and img.rgb.max() <= 1.0
    if fmt in ("PNG", "TIFF", "BMP"):  # lossless: exact 8-bit values
        np.testing.assert_array_equal(np.rint(img.rgb * 255).astype(np.uint8), pixels)


def test_png_named_jpg_loads_as_png(tmp_path):
    pixels = noise()
    path = write(tmp_path, "photo.jpg", Image.fromarray(pixels), "PNG")
    img = load_image(path)
    assert img.format == "PNG"
    np.testing.assert_allclose(img.rgb, pixels / 255.0, atol=1e-6)


@pytest.mark.parametrize(
    ("make", "detected"),
    [
        (lambda p: Image.new("RGB", (16, 16)).save(p, format="ICO"), "ICO"),
        (lambda p: Image.new("RGB", (16, 16)).save(p, format="PPM"), "PPM"),
        (lambda p: p.write_bytes(b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\n%%EOF\n"), "PDF"),
        (lambda p: p.write_text("just some notes, not a picture\n"), "text"),
        (lambda p: p.write_bytes(b""), "empty file"),
        (lambda p: p.write_bytes(bytes(range(7, 200))), "unrecognised content"),
    ],
)
def test_unsupported_content_named_png_is_refused_naming_file_and_content(tmp_path, make, detected):
    path = tmp_path / "fake.png"
    make(path)
    with pytest.raises(ImageError) as err:
        load_image(path)
    message = str(err.value)
    assert "\n" not in message
    assert str(path) in message and detected in message
    assert "PNG" in message  # lists what is supported


def test_supported_formats_are_the_six_documented_ones():
    assert set(SUPPORTED_FORMATS) == {"JPEG", "PNG", "WEBP", "GIF", "TIFF", "BMP"}


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda p: None, "no such file"),
        (lambda p: p.mkdir(), "folder"),
    ],
)
def test_missing_file_and_folder_are_image_errors(tmp_path, make, fragment):
    path = tmp_path / "x.png"
    make(path)
    with pytest.raises(ImageError, match=fragment) as err:
        load_image(path)
    assert str(path) in str(err.value)


# ------------------------------------------------------------------- frames and EXIF
def test_gif_uses_first_frame_and_warns(tmp_path):
    red = Image.new("RGB", (20, 10), (255, 0, 0))
    green = Image.new("RGB", (20, 10), (0, 255, 0))
    path = tmp_path / "anim.gif"
    red.save(path, save_all=True, append_images=[green], duration=100)
    img = load_image(path)
    np.testing.assert_allclose(img.rgb[5, 10], [1.0, 0.0, 0.0], atol=1e-6)
    assert any("first" in w and "2 frames" in w for w in img.warnings)


def test_single_frame_gif_has_no_warning(tmp_path):
    path = write(tmp_path, "still.gif", Image.new("RGB", (8, 8), (0, 0, 255)))
    assert load_image(path).warnings == []


def test_exif_orientation_6_rotates_clockwise(tmp_path):
    # Stored 40 wide x 20 high: left half red, right half blue. Orientation 6 means
    # "rotate 90 degrees clockwise to display": the left edge becomes the top edge.
    pixels = np.zeros((20, 40, 3), np.uint8)
    pixels[:, :20] = (255, 0, 0)
    pixels[:, 20:] = (0, 0, 255)
    exif = Image.Exif()
    exif[0x0112] = 6
    path = write(tmp_path, "rotated.jpg", Image.fromarray(pixels), quality=95, exif=exif)
    img = load_image(path)
    assert img.size == (20, 40) and img.rgb.shape == (40, 20, 3)
    np.testing.assert_allclose(img.rgb[5, 10], [1, 0, 0], atol=0.05)  # top: red
    np.testing.assert_allclose(img.rgb[35, 10], [0, 0, 1], atol=0.05)  # bottom: blue


def test_pillow_warnings_are_returned_not_printed(tmp_path, monkeypatch):
    import warnings

    from PIL import ImageOps

    real = ImageOps.exif_transpose

    def grumbling(image):
        warnings.warn("Corrupt EXIF data", UserWarning)  # what Pillow says about bad EXIF
        return real(image)

    monkeypatch.setattr(ImageOps, "exif_transpose", grumbling)
    path = write(tmp_path, "x.jpg", Image.fromarray(noise()))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # anything escaping would fail the test
        img = load_image(path)
    assert img.warnings == ["Corrupt EXIF data"]


# ------------------------------------------------------------------------ pixel modes
def test_palette_with_transparency_gives_alpha(tmp_path):
    index = np.zeros((8, 12), np.uint8)
    index[:, 6:] = 1
    im = Image.fromarray(index, "P")
    im.putpalette([255, 0, 0, 0, 255, 0] + [0] * 762)
    path = write(tmp_path, "pal.png", im, transparency=1)
    img = load_image(path)
    np.testing.assert_allclose(img.rgb[0, 0], [1, 0, 0])
    np.testing.assert_allclose(img.rgb[0, 11], [0, 1, 0])  # colour kept under transparency
    assert img.alpha is not None and img.alpha.shape == (8, 12)
    assert img.alpha[0, 0] == 1.0 and img.alpha[0, 11] == 0.0


def test_palette_without_transparency_has_no_alpha(tmp_path):
    im = Image.new("P", (8, 8), 1)
    im.putpalette([0, 0, 0, 10, 200, 30])
    img = load_image(write(tmp_path, "pal.png", im))
    assert img.alpha is None
    np.testing.assert_allclose(img.rgb[4, 4], np.array([10, 200, 30]) / 255, atol=1e-6)


def test_rgb_colour_key_becomes_alpha(tmp_path):
    pixels = np.zeros((4, 6, 3), np.uint8)
    pixels[:, 3:] = (0, 255, 0)  # the key colour
    pixels[:, :3] = (255, 0, 0)
    img = load_image(write(tmp_path, "key.png", Image.fromarray(pixels), transparency=(0, 255, 0)))
    assert img.alpha is not None
    np.testing.assert_array_equal(img.alpha[0], [1, 1, 1, 0, 0, 0])


def test_multi_picture_jpeg_is_a_jpeg(tmp_path):
    first = Image.new("RGB", (16, 16), (255, 0, 0))
    path = tmp_path / "camera.jpg"
    first.save(path, format="MPO", save_all=True, append_images=[Image.new("RGB", (16, 16))])
    with Image.open(path) as im:
        assert im.format == "MPO"  # what Pillow calls it
    img = load_image(path)
    assert img.format == "JPEG"
    np.testing.assert_allclose(img.rgb[8, 8], [1, 0, 0], atol=0.03)
    assert any("2 pictures" in w for w in img.warnings)


def test_la_splits_gray_and_alpha(tmp_path):
    la = np.zeros((6, 10, 2), np.uint8)
    la[..., 0] = 51  # 0.2
    la[..., 1] = np.linspace(0, 255, 10).astype(np.uint8)[None]
    img = load_image(write(tmp_path, "la.png", Image.fromarray(la, "LA")))
    np.testing.assert_allclose(img.rgb, np.full((6, 10, 3), 0.2), atol=1e-6)
    np.testing.assert_allclose(img.alpha, la[..., 1] / 255.0, atol=1e-6)


def test_opaque_rgba_reports_no_alpha(tmp_path):
    rgba = np.dstack([noise(8, 8), np.full((8, 8), 255, np.uint8)])
    assert load_image(write(tmp_path, "opaque.png", Image.fromarray(rgba, "RGBA"))).alpha is None


def test_rgba_png_alpha_values(tmp_path):
    alpha = np.linspace(0, 255, 8 * 8).reshape(8, 8).astype(np.uint8)
    rgba = np.dstack([noise(8, 8), alpha])
    img = load_image(write(tmp_path, "a.png", Image.fromarray(rgba, "RGBA")))
    np.testing.assert_allclose(img.alpha, alpha / 255.0, atol=1e-6)
    np.testing.assert_allclose(img.rgb, rgba[..., :3] / 255.0, atol=1e-6)


@pytest.mark.parametrize("fmt", ["PNG", "TIFF"])
def test_16_bit_gray_scales_by_65535_not_clipped(tmp_path, fmt):
    values = np.array([[0, 1000, 32768, 65535]], np.uint16)
    path = write(tmp_path, "deep.img", Image.fromarray(values), fmt)
    img = load_image(path)
    assert img.mode.startswith("I;16")
    np.testing.assert_allclose(img.rgb[0, :, 0], [0, 1000 / 65535, 32768 / 65535, 1.0], rtol=1e-6)
    assert img.rgb[0, 2, 0] == pytest.approx(0.5, abs=1e-4)
    assert img.rgb[0, 1, 0] < 0.02  # would be 1.0 if clipped at 255
    np.testing.assert_array_equal(img.rgb[..., 0], img.rgb[..., 2])


def test_32_bit_int_in_16_bit_range(tmp_path):
    values = np.array([[0, 655, 65535]], np.int32)
    img = load_image(write(tmp_path, "int.tif", Image.fromarray(values, "I")))
    np.testing.assert_allclose(img.rgb[0, :, 1], [0, 655 / 65535, 1.0], rtol=1e-6)


def test_32_bit_int_beyond_16_bits_is_stretched_with_warning(tmp_path):
    values = np.array([[-100, 0, 1_000_000]], np.int32)
    img = load_image(write(tmp_path, "int.tif", Image.fromarray(values, "I")))
    np.testing.assert_allclose(img.rgb[0, :, 0], [0, 100 / 1_000_100, 1.0], rtol=1e-5)
    assert any("stretched" in w for w in img.warnings)


def test_float_image_with_nan_and_large_values(tmp_path):
    values = np.array([[np.nan, 0.0, 500.0, 1000.0]], np.float32)
    img = load_image(write(tmp_path, "f.tif", Image.fromarray(values, "F")))
    np.testing.assert_allclose(img.rgb[0, :, 0], [0, 0, 0.5, 1.0], atol=1e-6)
    assert any("NaN" in w for w in img.warnings) and any("stretched" in w for w in img.warnings)


def test_float_image_in_unit_range_is_kept(tmp_path):
    values = np.array([[0.0, 0.25, 0.5, 1.0]], np.float32)
    img = load_image(write(tmp_path, "f.tif", Image.fromarray(values, "F")))
    np.testing.assert_allclose(img.rgb[0, :, 0], values[0], atol=1e-7)
    assert img.warnings == []


def test_float_image_in_byte_range_is_scaled_with_warning(tmp_path):
    values = np.array([[0.0, 51.0, 255.0]], np.float32)
    img = load_image(write(tmp_path, "f.tif", Image.fromarray(values, "F")))
    np.testing.assert_allclose(img.rgb[0, :, 0], [0, 0.2, 1.0], atol=1e-6)
    assert any("0-255" in w for w in img.warnings)


def test_cmyk_tiff_converts_to_rgb(tmp_path):
    im = Image.new("CMYK", (4, 4), (0, 255, 255, 0))  # full magenta + yellow = red
    img = load_image(write(tmp_path, "cmyk.tif", im))
    np.testing.assert_allclose(img.rgb[0, 0], [1, 0, 0], atol=1e-6)


def test_cmyk_jpeg_converts_to_rgb(tmp_path):
    im = Image.new("CMYK", (16, 16), (255, 0, 255, 0))  # cyan + yellow = green
    img = load_image(write(tmp_path, "cmyk.jpg", im, quality=95))
    assert img.format == "JPEG" and img.mode == "CMYK"
    np.testing.assert_allclose(img.rgb[8, 8], [0, 1, 0], atol=0.03)


# ------------------------------------------------------------------------------- ICC
def _s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def _xyz(x: float, y: float, z: float) -> bytes:
    return b"XYZ \0\0\0\0" + _s15(x) + _s15(y) + _s15(z)


def _linear_srgb_icc() -> bytes:
    """A minimal ICC v2 matrix/TRC profile: sRGB primaries with a linear (gamma 1) curve.

    Colorants are sRGB's adapted to the D50 connection space (Bradford), as in the
    standard sRGB profile; only the tone curve differs.
    """
    name = b"linear RGB (genart test)\0"
    desc = b"desc\0\0\0\0" + struct.pack(">I", len(name)) + name + bytes(8 + 3 + 67)
    curve = b"curv\0\0\0\0" + struct.pack(">IH", 1, 0x0100) + b"\0\0"  # gamma 1.0
    tags = [
        (b"desc", desc),
        (b"cprt", b"text\0\0\0\0none\0"),
        (b"wtpt", _xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", _xyz(0.4361, 0.2225, 0.0139)),
        (b"gXYZ", _xyz(0.3851, 0.7169, 0.0971)),
        (b"bXYZ", _xyz(0.1431, 0.0606, 0.7141)),
        (b"rTRC", curve),
        (b"gTRC", curve),
        (b"bTRC", curve),
    ]
    start = 128 + 4 + 12 * len(tags)
    table, data = struct.pack(">I", len(tags)), b""
    for sig, body in tags:
        body += b"\0" * (-len(body) % 4)
        table += sig + struct.pack(">II", start + len(data), len(body))
        data += body
    header = (
        struct.pack(">I", start + len(data))
        + bytes(4)
        + struct.pack(">I", 0x02100000)
        + b"mntrRGB XYZ "
        + bytes(12)
        + b"acsp"
        + bytes(28)
        + _xyz(0.9642, 1.0, 0.8249)[8:]
        + bytes(48)
    )
    assert len(header) == 128
    return header + table + data


def _srgb_encode(linear: float) -> float:
    return 12.92 * linear if linear <= 0.0031308 else 1.055 * linear ** (1 / 2.4) - 0.055


def test_embedded_srgb_profile_passes_through_unchanged(tmp_path):
    pixels = noise()
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    img = load_image(write(tmp_path, "srgb.png", Image.fromarray(pixels), icc_profile=srgb))
    np.testing.assert_array_equal(np.rint(img.rgb * 255).astype(np.uint8), pixels)
    assert img.warnings == []


def test_non_srgb_profile_is_converted_to_srgb(tmp_path):
    # Mid grey stored in a linear space is brighter once encoded for sRGB.
    pixels = np.zeros((4, 3, 3), np.uint8)
    pixels[:, 0], pixels[:, 1], pixels[:, 2] = 0, 128, 255
    im = Image.fromarray(pixels)
    img = load_image(write(tmp_path, "linear.png", im, icc_profile=_linear_srgb_icc()))
    untagged = load_image(write(tmp_path, "plain.png", im))
    assert untagged.rgb[0, 1, 0] == pytest.approx(128 / 255, abs=1e-6)
    np.testing.assert_allclose(img.rgb[0, 1], [_srgb_encode(128 / 255)] * 3, atol=0.015)
    assert img.rgb[0, 1, 0] > untagged.rgb[0, 1, 0] + 0.2
    np.testing.assert_allclose(img.rgb[0, 0], 0.0, atol=0.01)
    np.testing.assert_allclose(img.rgb[0, 2], 1.0, atol=0.01)
    assert any("linear RGB (genart test)" in w and "sRGB" in w for w in img.warnings)


def test_unusable_profile_warns_and_keeps_colours(tmp_path):
    pixels = noise(4, 4)
    img = load_image(write(tmp_path, "bad.png", Image.fromarray(pixels), icc_profile=b"not a profile"))
    np.testing.assert_allclose(img.rgb, pixels / 255.0, atol=1e-6)
    assert any("ICC" in w for w in img.warnings)


# ------------------------------------------------------------- decompression bombs
def _png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


@pytest.fixture
def no_decoding(monkeypatch):
    """Fail the test if any pixels are decoded."""

    def refuse(self):
        raise AssertionError("pixels were decoded before the size check")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)


def test_header_claiming_huge_size_is_refused_before_decoding(tmp_path, no_decoding):
    path = tmp_path / "bomb.png"
    path.write_bytes(_png_header_only(100_000, 100_000))  # 10 gigapixels in 57 bytes
    with pytest.raises(ImageError, match="exceed") as err:
        load_image(path)
    assert str(path) in str(err.value) and "--max-pixels" in str(err.value)


def test_header_just_over_the_limit_is_refused_before_decoding(tmp_path, no_decoding):
    # Between 1x and 2x the limit Pillow merely warns; genart refuses.
    path = tmp_path / "big.png"
    path.write_bytes(_png_header_only(10_000, 10_000))  # 100 MP > 89.5 MP
    with pytest.raises(ImageError, match="10000x10000"):
        load_image(path)


def test_lowered_limit_refuses_a_small_image_before_decoding(tmp_path, no_decoding):
    path = write(tmp_path, "small.png", Image.fromarray(noise(64, 64)))
    with pytest.raises(ImageError, match="64x64"):
        load_image(path, max_pixels=4095)


def test_raised_limit_is_honoured_beyond_pillows_own(tmp_path, monkeypatch):
    # Pretend Pillow's process-wide guard is tiny: genart's (higher) limit must govern.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)
    path = write(tmp_path, "ok.png", Image.fromarray(noise(64, 64)))
    assert load_image(path, max_pixels=64 * 64).size == (64, 64)
    assert Image.MAX_IMAGE_PIXELS == 100  # restored afterwards


@pytest.mark.parametrize("bad", [0, -1, True, "many"])
def test_limit_cannot_be_removed_or_nonsense(tmp_path, bad):
    path = write(tmp_path, "ok.png", Image.fromarray(noise(4, 4)))
    with pytest.raises(UsageError):
        load_image(path, max_pixels=bad)


def test_none_limit_means_the_default(tmp_path, no_decoding):
    path = tmp_path / "big.png"
    path.write_bytes(_png_header_only(10_000, 9_000))
    assert 10_000 * 9_000 > DEFAULT_MAX_PIXELS
    with pytest.raises(ImageError, match="over the limit"):
        load_image(path, max_pixels=None)


# ------------------------------------------------------------ truncated and corrupt
@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "TIFF", "GIF", "BMP"])
def test_truncated_file_is_an_image_error_naming_the_file(tmp_path, fmt):
    buffer = io.BytesIO()
    Image.fromarray(noise(64, 64)).save(buffer, format=fmt)
    path = tmp_path / f"cut.{fmt.lower()}"
    path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    with pytest.raises(ImageError) as err:
        load_image(path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)


def test_corrupt_png_data_is_an_image_error(tmp_path):
    buffer = io.BytesIO()
    Image.fromarray(noise(64, 64)).save(buffer, format="PNG")
    data = bytearray(buffer.getvalue())
    start = data.index(b"IDAT") + 20
    data[start : start + 8] = b"\xff" * 8  # breaks the chunk's CRC and the deflate stream
    path = tmp_path / "bad.png"
    path.write_bytes(bytes(data))
    with pytest.raises(ImageError, match="corrupt") as err:
        load_image(path)
    assert str(path) in str(err.value)


def test_png_signature_with_garbage_is_an_image_error(tmp_path):
    path = tmp_path / "garbage.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00\x01garbage" * 4)
    with pytest.raises(ImageError) as err:
        load_image(path)
    assert str(path) in str(err.value)


# ----------------------------------------------------------------------------- stdin
def _fake_stdin(data: bytes, tty: bool = False):
    return types.SimpleNamespace(buffer=io.BytesIO(data), isatty=lambda: tty)


def test_load_from_stdin(monkeypatch):
    pixels = noise()
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    monkeypatch.setattr(sys, "stdin", _fake_stdin(buffer.getvalue()))
    img = load_image("-")
    assert img.source == "<stdin>" and img.format == "PNG"
    np.testing.assert_allclose(img.rgb, pixels / 255.0, atol=1e-6)


def test_stdin_is_bounded_by_the_pixel_limit(monkeypatch):
    # Standard input is held in memory, so an endless stream must not be read to the end.
    class Endless(io.RawIOBase):
        asked: list[int] = []

        def read(self, size=-1):
            assert size > 0, "tried to read an endless stream to its end"
            self.asked.append(size)
            return b"\x89PNG\r\n\x1a\n" + bytes(size - 8)

    monkeypatch.setattr(sys, "stdin", types.SimpleNamespace(buffer=Endless(), isatty=lambda: False))
    with pytest.raises(ImageError, match="<stdin>: more than"):
        load_image("-", max_pixels=100)
    assert Endless.asked and max(Endless.asked) < 17 * 2**20  # 8 bytes/pixel + 16 MiB slack


def test_stdin_problems_name_stdin(monkeypatch):
    monkeypatch.setattr(sys, "stdin", _fake_stdin(b"hello"))
    with pytest.raises(ImageError, match="<stdin>.*text"):
        load_image("-")
    monkeypatch.setattr(sys, "stdin", _fake_stdin(b""))
    with pytest.raises(ImageError, match="<stdin>"):
        load_image("-")
    monkeypatch.setattr(sys, "stdin", _fake_stdin(b"", tty=True))
    with pytest.raises(ImageError, match="terminal"):
        load_image("-")


# --------------------------------------------------------------------- real photos
def test_real_photos_load_as_srgb(shared_dir):
    photos = sorted((shared_dir / "images" / "photos").iterdir())
    assert photos
    for path in photos:
        img = load_image(path)
        width, height = img.size
        assert img.rgb.shape == (height, width, 3) and img.alpha is None
        assert img.warnings == []  # their embedded profiles are sRGB
        assert 0.2 < float(img.rgb.mean()) < 0.8 and float(img.rgb.std()) > 0.05

"""genart.imageio.save_image and read_metadata: 8-bit encoding, alpha, atomic writes,
stdout, and the settings recorded in every format genart writes."""
from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from genart.core.errors import ImageError, UsageError
from genart.imageio import load_image, read_metadata, save_image

RNG = np.random.default_rng(1)


def smooth(height: int = 24, width: int = 32) -> np.ndarray:
    """A gradient image: lossy codecs keep it close, so comparisons can be tight."""
    y, x = np.mgrid[0:height, 0:width]
    return np.stack([x / (width - 1), y / (height - 1), np.full(x.shape, 0.25)], -1).astype(np.float32)


def ramp_alpha(height: int = 24, width: int = 32) -> np.ndarray:
    return np.tile(np.linspace(0, 1, width, dtype=np.float32), (height, 1))


def raw(path: Path) -> np.ndarray:
    with Image.open(path) as im:
        return np.asarray(im.convert("RGBA" if "A" in im.mode else "RGB"))


# ------------------------------------------------------------------ pixel encoding
def test_float_pixels_are_rounded_and_clamped(tmp_path):
    values = np.array([0.7 / 255, 0.4 / 255, 127.5 / 255, 254.6 / 255, 1.5, -0.2, np.nan, 0.5])
    rgb = np.repeat(values[None, :, None], 3, axis=2)
    path = tmp_path / "r.png"
    save_image(rgb, path)
    np.testing.assert_array_equal(raw(path)[0, :, 0], [1, 0, 128, 255, 255, 0, 0, 128])


def test_uint8_pixels_are_written_unchanged(tmp_path):
    pixels = RNG.integers(0, 256, (10, 12, 3), dtype=np.uint8)
    save_image(pixels, tmp_path / "u.png")
    np.testing.assert_array_equal(raw(tmp_path / "u.png"), pixels)


@pytest.mark.parametrize("batched", [True, False])
def test_torch_tensor_is_accepted(tmp_path, batched):
    torch = pytest.importorskip("torch")
    rgb = smooth(10, 16)
    tensor = torch.from_numpy(rgb.transpose(2, 0, 1).copy())
    save_image(tensor[None] if batched else tensor, tmp_path / "t.png")
    out = raw(tmp_path / "t.png")
    assert out.shape == (10, 16, 3)
    np.testing.assert_array_equal(out, np.floor(rgb * 255 + 0.5).astype(np.uint8))


@pytest.mark.parametrize("bad", [np.zeros((4, 4)), np.zeros((4, 4, 4)), np.zeros((0, 4, 3))])
def test_wrong_shape_is_refused(tmp_path, bad):
    with pytest.raises(ValueError, match="shape"):
        save_image(bad, tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()


# ---------------------------------------------------------------- formats by name
@pytest.mark.parametrize(
    ("name", "fmt", "expected"),
    [
        ("a.png", None, "PNG"),
        ("a.JPG", None, "JPEG"),
        ("a.jpeg", None, "JPEG"),
        ("a.webp", None, "WEBP"),
        ("a.tif", None, "TIFF"),
        ("a.tiff", None, "TIFF"),
        ("a.bmp", None, "BMP"),
        ("a.gif", None, "GIF"),
        ("a.png", "jpg", "JPEG"),
        ("a.out", "webp", "WEBP"),
        ("noext", "TIFF", "TIFF"),
    ],
)
def test_format_follows_extension_or_explicit_format(tmp_path, name, fmt, expected):
    save_image(smooth(), tmp_path / name, format=fmt)
    with Image.open(tmp_path / name) as im:
        assert im.format == expected


@pytest.mark.parametrize("name", ["a.xyz", "noext", "a.ico"])
def test_unknown_extension_without_format_is_refused(tmp_path, name):
    with pytest.raises(ImageError, match="format") as err:
        save_image(smooth(), tmp_path / name)
    assert name in str(err.value)
    assert list(tmp_path.iterdir()) == []


def test_unknown_explicit_format_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="heic"):
        save_image(smooth(), tmp_path / "a.png", format="heic")


def test_missing_folder_is_an_image_error(tmp_path):
    with pytest.raises(ImageError, match="does not exist"):
        save_image(smooth(), tmp_path / "nope" / "a.png")


def test_quality_out_of_range_is_refused(tmp_path):
    with pytest.raises(UsageError, match="quality"):
        save_image(smooth(), tmp_path / "a.jpg", quality=0)


def test_jpeg_quality_changes_the_file(tmp_path):
    rgb = RNG.random((48, 48, 3))
    save_image(rgb, tmp_path / "hi.jpg", quality=95)
    save_image(rgb, tmp_path / "lo.jpg", quality=30)
    assert (tmp_path / "lo.jpg").stat().st_size < (tmp_path / "hi.jpg").stat().st_size


def test_outputs_are_tagged_srgb_and_reload_without_warnings(tmp_path):
    rgb = smooth()
    for name in ("a.png", "a.jpg", "a.webp", "a.tif"):
        save_image(rgb, tmp_path / name)
        with Image.open(tmp_path / name) as im:
            assert im.info.get("icc_profile"), name
        img = load_image(tmp_path / name)
        assert img.warnings == [], name
        np.testing.assert_allclose(img.rgb, rgb, atol=0.03)


# -------------------------------------------------------------------------- alpha
@pytest.mark.parametrize(("name", "tolerance"), [("a.png", 0.5 / 255), ("a.tif", 0.5 / 255), ("a.webp", 1 / 255)])
def test_alpha_round_trips_where_the_format_holds_it(tmp_path, name, tolerance):
    rgb, alpha = smooth(), ramp_alpha()
    assert save_image(rgb, tmp_path / name, alpha=alpha) == []
    img = load_image(tmp_path / name)
    assert img.alpha is not None
    np.testing.assert_allclose(img.alpha, alpha, atol=tolerance)
    # colour under transparent pixels survives too (genart keeps the two apart)
    np.testing.assert_allclose(img.rgb, rgb, atol=0.05 if name.endswith("webp") else 0.5 / 255)


@pytest.mark.parametrize("name", ["a.jpg", "a.bmp"])
def test_alpha_is_dropped_with_warning_where_the_format_cannot_hold_it(tmp_path, name):
    warnings = save_image(smooth(), tmp_path / name, alpha=ramp_alpha())
    assert any("alpha" in w and "dropped" in w for w in warnings)
    assert load_image(tmp_path / name).alpha is None


def test_gif_alpha_is_on_off(tmp_path):
    warnings = save_image(smooth(), tmp_path / "a.gif", alpha=ramp_alpha())
    assert any("on/off" in w for w in warnings)
    img = load_image(tmp_path / "a.gif")
    assert img.alpha is not None
    np.testing.assert_array_equal(img.alpha, (ramp_alpha() >= 0.5).astype(np.float32))


def test_alpha_of_another_size_is_resized(tmp_path):
    small = np.zeros((12, 16), np.float32)
    small[:, 8:] = 1.0
    save_image(smooth(24, 32), tmp_path / "a.png", alpha=small)
    img = load_image(tmp_path / "a.png")
    assert img.alpha.shape == (24, 32)
    assert img.alpha[:, :12].max() < 0.02 and img.alpha[:, 20:].min() > 0.98


def test_alpha_tensor_is_accepted(tmp_path):
    torch = pytest.importorskip("torch")
    alpha = torch.from_numpy(ramp_alpha())[None, None]
    save_image(smooth(), tmp_path / "a.png", alpha=alpha)
    np.testing.assert_allclose(load_image(tmp_path / "a.png").alpha, ramp_alpha(), atol=0.5 / 255)


# ------------------------------------------------------------------ atomic writing
@pytest.fixture
def existing(tmp_path) -> Path:
    path = tmp_path / "out.png"
    path.write_bytes(b"the previous result")
    return path


def _only(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_failure_mid_write_leaves_old_file_and_no_temp(existing, monkeypatch, failure):
    seen = {}

    def fail_after_writing(fd):
        # The image bytes are in the temporary file by now; then the disk fills up (or
        # the user presses Ctrl-C).
        seen["temp"] = [p for p in existing.parent.iterdir() if p != existing]
        seen["size"] = os.fstat(fd).st_size
        raise failure

    monkeypatch.setattr(os, "fsync", fail_after_writing)
    expected = ImageError if isinstance(failure, OSError) else KeyboardInterrupt
    with pytest.raises(expected) as err:
        save_image(smooth(), existing)
    assert len(seen["temp"]) == 1 and seen["temp"][0].parent == existing.parent
    assert seen["size"] > 0
    assert existing.read_bytes() == b"the previous result"
    assert _only(existing.parent) == ["out.png"]
    if expected is ImageError:
        assert "out.png" in str(err.value) and "No space left" in str(err.value)


def test_encoder_failure_leaves_nothing(existing, monkeypatch):
    def broken(self, fp, format=None, **params):
        fp.write(b"half an image")
        raise ValueError("encoder exploded")

    monkeypatch.setattr(Image.Image, "save", broken)
    with pytest.raises(ImageError, match="encoder exploded"):
        save_image(smooth(), existing)
    assert existing.read_bytes() == b"the previous result"
    assert _only(existing.parent) == ["out.png"]


def test_successful_save_replaces_and_leaves_no_temp(existing):
    assert save_image(smooth(), existing) == []
    assert load_image(existing).size == (32, 24)
    assert _only(existing.parent) == ["out.png"]


def test_overwrite_false_refuses_existing_file(existing):
    with pytest.raises(ImageError, match="exists") as err:
        save_image(smooth(), existing, overwrite=False)
    assert str(existing) in str(err.value)
    assert existing.read_bytes() == b"the previous result"
    assert _only(existing.parent) == ["out.png"]


def test_overwrite_false_writes_a_new_file(tmp_path):
    save_image(smooth(), tmp_path / "new.png", overwrite=False)
    assert load_image(tmp_path / "new.png").format == "PNG"


def test_new_file_gets_normal_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        save_image(smooth(), tmp_path / "p.png")
    finally:
        os.umask(old)
    assert (tmp_path / "p.png").stat().st_mode & 0o777 == 0o644  # not mkstemp's 0600


def test_replaced_file_keeps_its_permissions(existing):
    existing.chmod(0o640)
    save_image(smooth(), existing)
    assert existing.stat().st_mode & 0o777 == 0o640


# ----------------------------------------------------------------------------- stdout
class _Stdout(io.TextIOWrapper):
    def __init__(self, tty: bool) -> None:
        super().__init__(io.BytesIO(), encoding="utf-8")
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


def test_refuses_to_write_image_data_to_a_terminal(monkeypatch):
    fake = _Stdout(tty=True)
    monkeypatch.setattr(sys, "stdout", fake)
    with pytest.raises(ImageError, match="terminal; use -o FILE"):
        save_image(smooth(), "-")
    assert fake.buffer.getvalue() == b""


def test_writes_png_to_a_pipe(monkeypatch):
    fake = _Stdout(tty=False)
    monkeypatch.setattr(sys, "stdout", fake)
    rgb = smooth()
    save_image(rgb, "-", metadata={"command": "test"})
    data = fake.buffer.getvalue()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(io.BytesIO(data)) as im:
        np.testing.assert_array_equal(np.asarray(im), np.floor(rgb * 255 + 0.5).astype(np.uint8))
        assert json.loads(im.info["genart"]) == {"command": "test"}


def test_stdout_honours_an_explicit_format(monkeypatch):
    fake = _Stdout(tty=False)
    monkeypatch.setattr(sys, "stdout", fake)
    save_image(smooth(), "-", format="jpg")
    assert fake.buffer.getvalue().startswith(b"\xff\xd8\xff")


# ---------------------------------------------------------------------- metadata
METADATA = {
    "command": "dream",
    "argv": ["cat.jpg", "--octaves", "4"],
    "config": {"layers": ["inception_4c"], "step": 0.01, "seed": None, "tiled": False},
    "input": "Tübingen ☀.jpg",  # non-ASCII survives (stored escaped)
}


@pytest.mark.parametrize("name", ["m.png", "m.jpg", "m.webp", "m.tif", "m.gif"])
def test_metadata_round_trip(tmp_path, name):
    warnings = save_image(smooth(), tmp_path / name, metadata=METADATA)
    assert not any("metadata" in w for w in warnings)
    assert read_metadata(tmp_path / name) == METADATA


def test_metadata_converts_tuples_and_paths(tmp_path):
    save_image(smooth(), tmp_path / "m.png", metadata={"layers": ("a", "b"), "style": Path("s.jpg")})
    assert read_metadata(tmp_path / "m.png") == {"layers": ["a", "b"], "style": "s.jpg"}


def test_png_metadata_is_an_itxt_chunk_named_genart(tmp_path):
    save_image(smooth(), tmp_path / "m.png", metadata=METADATA)
    assert b"iTXtgenart\0" in (tmp_path / "m.png").read_bytes()


@pytest.mark.parametrize("name", ["m.jpg", "m.webp", "m.tif"])
def test_exif_formats_store_json_in_image_description(tmp_path, name):
    save_image(smooth(), tmp_path / name, metadata=METADATA)
    with Image.open(tmp_path / name) as im:
        assert json.loads(im.getexif()[0x010E]) == METADATA


def test_bmp_cannot_hold_metadata_and_says_so(tmp_path):
    warnings = save_image(smooth(), tmp_path / "m.bmp", metadata=METADATA)
    assert any("metadata" in w for w in warnings)
    assert read_metadata(tmp_path / "m.bmp") is None


def test_files_without_genart_metadata_read_as_none(tmp_path):
    Image.new("RGB", (4, 4)).save(tmp_path / "plain.png")
    exif = Image.Exif()
    exif[0x010E] = "Holiday snap"
    Image.new("RGB", (4, 4)).save(tmp_path / "desc.jpg", exif=exif)
    save_image(smooth(), tmp_path / "none.png")
    assert read_metadata(tmp_path / "plain.png") is None
    assert read_metadata(tmp_path / "desc.jpg") is None
    assert read_metadata(tmp_path / "none.png") is None


def test_oversized_jpeg_metadata_is_skipped_with_warning(tmp_path):
    warnings = save_image(smooth(), tmp_path / "m.jpg", metadata={"blob": "x" * 70_000})
    assert any("too large" in w for w in warnings)
    assert read_metadata(tmp_path / "m.jpg") is None
    assert load_image(tmp_path / "m.jpg").size == (32, 24)


def test_read_metadata_errors_name_the_file(tmp_path):
    with pytest.raises(ImageError, match="no such file"):
        read_metadata(tmp_path / "missing.png")
    (tmp_path / "notes.png").write_text("hello")
    with pytest.raises(ImageError, match="notes.png"):
        read_metadata(tmp_path / "notes.png")


def test_metadata_must_be_a_mapping(tmp_path):
    with pytest.raises(TypeError):
        save_image(smooth(), tmp_path / "m.png", metadata=["not", "a", "dict"])  # type: ignore[arg-type]
    assert _only(tmp_path) == []


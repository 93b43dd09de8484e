"""``save_image``: float RGB (+ alpha) -> an 8-bit file, written atomically, with metadata."""
from __future__ import annotations

import io
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np
from PIL import Image

from ..core.errors import ImageError, UsageError
from . import metadata as meta
from .formats import ALPHA_FORMATS, resolve_format
from .opening import one_line
from .srgb import srgb_icc

STDOUT = "-"


def save_image(
    rgb: Any,
    dest: str | os.PathLike[str],
    *,
    alpha: Any = None,
    format: str | None = None,  # noqa: A002 - the name users expect
    metadata: Mapping[str, Any] | None = None,
    overwrite: bool = True,
    quality: int = 95,
) -> list[str]:
    """Write an image atomically and return warnings for the user.

    Args:
        rgb: float array (H, W, 3) in [0, 1] (rounded to 8 bits, out-of-range values
            clamped), a uint8 array (H, W, 3), or a torch tensor (1, 3, H, W) / (3, H, W).
        dest: the file to write, or ``"-"`` for standard output (PNG unless ``format``).
        alpha: optional (h, w) array or tensor in [0, 1]; resized to the image if needed.
            JPEG and BMP cannot hold it: it is dropped with a warning.
        format: ``"png"``, ``"jpg"``, ``"webp"``, ``"tiff"``, ``"bmp"`` or ``"gif"``;
            default: from the extension of ``dest``.
        metadata: JSON-able settings recorded in the file (see :func:`read_metadata`).
        overwrite: if False and ``dest`` exists, raise ImageError.
        quality: 1-100 for JPEG and WebP (100 makes WebP lossless).

    Raises:
        ImageError: unknown extension, existing file with ``overwrite=False``, image data
            bound for a terminal, or the file cannot be written. A failed or interrupted
            save leaves no temporary file and any existing ``dest`` untouched.
        UsageError: an unknown ``format`` or a ``quality`` outside 1-100.
        ValueError: ``rgb`` or ``alpha`` has the wrong shape or type.
        TypeError: ``metadata`` is not a mapping.

    Example::

        warnings = save_image(tensor, "out.png", metadata={"command": "dream"})
    """
    fmt = resolve_format(dest, format)
    if isinstance(quality, bool) or not 1 <= int(quality) <= 100:
        raise UsageError(f"quality must be between 1 and 100, got {quality!r}")
    notes: list[str] = []
    pixels = _rgb_uint8(rgb)
    alpha8 = None if alpha is None else _alpha_uint8(alpha, pixels.shape[:2])
    if alpha8 is not None and fmt not in ALPHA_FORMATS:
        notes.append(f"{fmt} cannot hold transparency; the alpha channel was dropped")
        alpha8 = None
    image, options = _BUILDERS[fmt](pixels, alpha8, int(quality), notes)
    if metadata is not None:
        options.update(meta.save_options(fmt, meta.encode(metadata), notes))
    if str(dest) == STDOUT:
        _write_stdout(image, fmt, options)
    else:
        _write_atomic(image, Path(dest), fmt, options, overwrite)
    return notes


def encode_image(rgb: Any, format: str = "png", *, quality: int = 90) -> bytes:  # noqa: A002
    """The bytes of an image file, in memory (for a web page or a ``data:`` URL).

    Encoded exactly as :func:`save_image` would write it, without metadata or alpha.

    Args:
        rgb: as for :func:`save_image`.
        format: ``"png"``, ``"jpg"``, ``"webp"``...
        quality: 1-100 for JPEG and WebP.

    Example::

        data = encode_image(tensor, "jpg", quality=85)
    """
    fmt = resolve_format(STDOUT, format)
    image, options = _BUILDERS[fmt](_rgb_uint8(rgb), None, int(quality), [])
    return _encode(image, fmt, options, "<memory>")


# ------------------------------------------------------------------- pixels to 8 bits
def rgb_uint8(rgb: Any) -> np.ndarray:
    """Pixels as save_image would write them: (H, W, 3) uint8, rounded half up, clamped.

    Accepts what :func:`save_image` accepts (float or uint8 arrays, torch tensors); the
    video writer uses it so a video frame and a saved image agree to the level.
    """
    return _rgb_uint8(rgb)


def _rgb_uint8(rgb: Any) -> np.ndarray:
    if hasattr(rgb, "detach"):  # a torch tensor; torch itself stays unimported here
        from .tensor import from_tensor

        rgb = from_tensor(rgb)
    array = np.asarray(rgb)
    if array.ndim != 3 or array.shape[2] != 3 or 0 in array.shape:
        raise ValueError(f"expected an RGB image of shape (H, W, 3), got {array.shape}")
    return _to_uint8(array)


def _alpha_uint8(alpha: Any, shape: tuple[int, int]) -> np.ndarray:
    if hasattr(alpha, "detach"):
        alpha = alpha.detach().float().cpu().numpy()
    array = np.asarray(alpha)
    while array.ndim > 2 and array.shape[0] == 1:  # (1, 1, H, W) and (1, H, W) tensors
        array = array[0]
    if array.ndim == 3 and array.shape[2] == 1:  # (H, W, 1) arrays
        array = array[:, :, 0]
    if array.ndim != 2 or 0 in array.shape:
        raise ValueError(f"expected an alpha channel of shape (H, W), got {np.shape(alpha)}")
    if array.shape != shape:
        # Resampled in float so a soft edge stays soft; bicubic overshoot is clamped below.
        as_float = array.astype(np.float32) / (255.0 if array.dtype == np.uint8 else 1.0)
        resized = Image.fromarray(as_float, "F").resize((shape[1], shape[0]), Image.Resampling.BICUBIC)
        array = np.asarray(resized)
    return _to_uint8(array)


def _to_uint8(array: np.ndarray) -> np.ndarray:
    if array.dtype == np.uint8:
        return np.ascontiguousarray(array)
    if not (np.issubdtype(array.dtype, np.floating) or array.dtype == bool):
        raise ValueError(f"expected float pixels in [0, 1] or uint8, got {array.dtype}")
    # In place on one float32 copy: a 12-megapixel image is 36 M values.
    values = array.astype(np.float32)  # always a copy: the caller's array is not touched
    np.nan_to_num(values, copy=False, nan=0.0, posinf=1.0, neginf=0.0)
    np.clip(values, 0.0, 1.0, out=values)
    # Round half up: truncating would darken every pixel by half a level on average.
    values *= 255.0
    values += 0.5
    np.floor(values, out=values)
    return values.astype(np.uint8)


# ---------------------------------------------------------------- per-format encoding
Built = tuple[Image.Image, dict[str, Any]]


def _with_alpha(pixels: np.ndarray, alpha8: np.ndarray | None) -> Image.Image:
    if alpha8 is None:
        return Image.fromarray(pixels, "RGB")
    return Image.fromarray(np.dstack([pixels, alpha8]), "RGBA")


def _png(pixels: np.ndarray, alpha8: np.ndarray | None, quality: int, notes: list[str]) -> Built:
    return _with_alpha(pixels, alpha8), {"compress_level": 6, "icc_profile": srgb_icc()}


def _jpeg(pixels: np.ndarray, alpha8: np.ndarray | None, quality: int, notes: list[str]) -> Built:
    # Full-resolution chroma at high quality: 4:2:0 subsampling smears the fine colour
    # detail that style transfer and dreams are made of.
    subsampling = 0 if quality >= 90 else 2
    options = {"quality": quality, "subsampling": subsampling, "icc_profile": srgb_icc()}
    return Image.fromarray(pixels, "RGB"), options


def _webp(pixels: np.ndarray, alpha8: np.ndarray | None, quality: int, notes: list[str]) -> Built:
    # exact: keep the colour under fully transparent pixels (libwebp would otherwise
    # discard it), since genart treats colour and alpha as separate images.
    options = {"quality": quality, "method": 4, "lossless": quality >= 100, "exact": True}
    options["icc_profile"] = srgb_icc()
    return _with_alpha(pixels, alpha8), options


def _tiff(pixels: np.ndarray, alpha8: np.ndarray | None, quality: int, notes: list[str]) -> Built:
    return _with_alpha(pixels, alpha8), {"compression": "tiff_adobe_deflate", "icc_profile": srgb_icc()}


def _bmp(pixels: np.ndarray, alpha8: np.ndarray | None, quality: int, notes: list[str]) -> Built:
    return Image.fromarray(pixels, "RGB"), {}


def _gif(pixels: np.ndarray, alpha8: np.ndarray | None, quality: int, notes: list[str]) -> Built:
    """A 256-colour palette; transparency is one palette entry (on/off per pixel)."""
    colours = 256 if alpha8 is None else 255
    indexed = Image.fromarray(pixels, "RGB").quantize(colours, dither=Image.Dither.FLOYDSTEINBERG)
    notes.append("GIF holds 256 colours: the image was reduced to a palette")
    if alpha8 is None:
        return indexed, {}
    if np.any((alpha8 > 0) & (alpha8 < 255)):
        notes.append("GIF transparency is on/off: alpha was cut at 50%")
    index = np.asarray(indexed).copy()
    index[alpha8 < 128] = 255
    palette = indexed.getpalette() or []
    out = Image.fromarray(index, "P")
    out.putpalette(palette + [0] * (768 - len(palette)))
    return out, {"transparency": 255}


_BUILDERS: dict[str, Callable[[np.ndarray, np.ndarray | None, int, list[str]], Built]] = {
    "PNG": _png,
    "JPEG": _jpeg,
    "WEBP": _webp,
    "TIFF": _tiff,
    "BMP": _bmp,
    "GIF": _gif,
}


# ---------------------------------------------------------------------------- writing
def _write_stdout(image: Image.Image, fmt: str, options: dict[str, Any]) -> None:
    stream = sys.stdout
    isatty = getattr(stream, "isatty", None)
    if stream is None or (callable(isatty) and isatty()):
        raise ImageError("refusing to write image data to a terminal; use -o FILE")
    data = _encode(image, fmt, options, "<stdout>")  # encode first: a failure writes nothing
    out = getattr(stream, "buffer", stream)
    try:
        out.write(data)
        out.flush()
    except BrokenPipeError:
        raise ImageError("<stdout>: the reading end of the pipe was closed") from None
    except OSError as exc:
        raise ImageError(f"<stdout>: cannot write ({one_line(exc)})") from None


def _encode(image: Image.Image, fmt: str, options: dict[str, Any], name: str) -> bytes:
    buffer = io.BytesIO()
    try:
        image.save(buffer, format=fmt, **options)
    except Exception as exc:  # noqa: BLE001 - encoders fail in many ways; report which
        raise ImageError(f"{name}: cannot encode {fmt} ({one_line(exc)})") from exc
    return buffer.getvalue()


def _write_atomic(
    image: Image.Image, dest: Path, fmt: str, options: dict[str, Any], overwrite: bool
) -> None:
    """Encode ``image`` (a failure writes nothing), then :func:`write_bytes` it to ``dest``."""
    _check_destination(dest, overwrite)
    write_bytes(_encode(image, fmt, options, str(dest)), dest, overwrite=overwrite)


def _check_destination(dest: Path, overwrite: bool) -> None:
    if not dest.parent.is_dir():
        raise ImageError(f"{dest}: folder {dest.parent} does not exist")
    if dest.is_dir():
        raise ImageError(f"{dest}: is a folder")
    _refuse_existing(dest, overwrite)


def write_bytes(data: bytes, dest: str | os.PathLike[str], *, overwrite: bool = True) -> None:
    """Write ``data`` to a temporary file beside ``dest``, then rename it over ``dest``.

    The rename is atomic on POSIX and Windows, so readers (and a re-run after Ctrl-C) see
    either the old file or the complete new one, never half a file. Used for images here
    and for other files genart writes (SVG drawings).

    Raises:
        ImageError: missing folder, ``dest`` is a folder or exists with ``overwrite=False``,
            or the file cannot be written.
    """
    dest = Path(dest)
    _check_destination(dest, overwrite)
    folder = dest.parent
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{dest.name}.", suffix=".part")
    except OSError as exc:
        raise ImageError(f"{dest}: cannot write in {folder} ({exc.strerror or exc})") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())  # the rename must not outrun the data after a crash
        os.chmod(tmp, _file_mode(dest))
        _refuse_existing(dest, overwrite)
        os.replace(tmp, dest)
    except BaseException as exc:  # KeyboardInterrupt included: never leave a .part behind
        _remove(tmp)
        if isinstance(exc, OSError):
            raise ImageError(f"{dest}: cannot write ({exc.strerror or one_line(exc)})") from None
        raise


def _refuse_existing(dest: Path, overwrite: bool) -> None:
    if not overwrite and os.path.lexists(dest):
        raise ImageError(f"{dest}: already exists (not overwriting)")


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _file_mode(dest: Path) -> int:
    """Permissions for the new file: the old file's, else the usual 0666 less the umask."""
    try:
        return dest.stat().st_mode & 0o777
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    try:  # Linux reports it without changing it (os.umask can only set and return)
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask

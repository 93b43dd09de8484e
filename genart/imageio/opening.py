"""Opening image files safely: one-line errors, a pixel limit checked before decoding.

Used by the loader and by :func:`read_metadata`; nothing here decodes pixels.
"""
from __future__ import annotations

import io
import os
import sys
import threading
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

from PIL import Image, UnidentifiedImageError

from ..core.errors import ImageError, UsageError
from .formats import OPEN_FORMATS, SUPPORTED_FORMATS, claimed_format, describe_content

#: Pillow's own default (``PIL.Image.MAX_IMAGE_PIXELS``): about 89.5 megapixels.
DEFAULT_MAX_PIXELS: int = 1024 * 1024 * 1024 // 4 // 3
STDIN = "-"
STDIN_NAME = "<stdin>"

# Pillow checks sizes against one process-wide setting (Image.MAX_IMAGE_PIXELS), both when
# a header is parsed and while some formats decode. We point it at the caller's limit for
# the duration of a load, so that a raised --max-pixels is honoured and a lowered one bites
# early; the lock keeps concurrent loads from restoring each other's value.
_PIL_LIMIT_LOCK = threading.Lock()


def check_limit(max_pixels: int | None) -> int:
    """Validate a pixel limit. ``None`` means the default; there is no "unlimited"."""
    if max_pixels is None:
        return DEFAULT_MAX_PIXELS
    if isinstance(max_pixels, bool) or not isinstance(max_pixels, (int, float)):
        raise UsageError(f"max_pixels must be a number of pixels, got {max_pixels!r}")
    if max_pixels < 1:
        raise UsageError(
            f"max_pixels must be at least 1 (got {max_pixels}); the limit can be raised, not removed"
        )
    return int(max_pixels)


def open_source(path: str | os.PathLike[str], max_pixels: int) -> tuple[str, IO[bytes]]:
    """Open ``path`` (or ``-`` for standard input) for reading: (display name, binary file)."""
    if str(path) == STDIN:
        return STDIN_NAME, _read_stdin(_max_bytes(max_pixels))
    name = str(path)
    try:
        fp: IO[bytes] = open(path, "rb")  # noqa: SIM115 - the caller closes it
    except FileNotFoundError:
        raise ImageError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise ImageError(f"{name}: is a folder, not an image") from None
    except PermissionError:
        raise ImageError(f"{name}: permission denied") from None
    except OSError as exc:
        raise ImageError(f"{name}: cannot read ({exc.strerror or exc})") from None
    if Path(name).is_dir():  # some platforms open folders without complaint
        fp.close()
        raise ImageError(f"{name}: is a folder, not an image")
    return name, fp


def _max_bytes(max_pixels: int) -> int:
    # Standard input must be held in memory (Pillow seeks), so bound it too: no supported
    # encoding needs more than 8 bytes a pixel (16-bit RGBA), plus room for metadata.
    return max_pixels * 8 + 16 * 2**20


def _read_stdin(max_bytes: int) -> IO[bytes]:
    stream = sys.stdin
    if stream is None:
        raise ImageError(f"{STDIN_NAME}: standard input is closed")
    if _isatty(stream):
        raise ImageError(f"{STDIN_NAME}: refusing to read image data from a terminal; pipe a file in")
    data = getattr(stream, "buffer", stream).read(max_bytes + 1)
    if not data:
        raise ImageError(f"{STDIN_NAME}: no data on standard input")
    if len(data) > max_bytes:
        raise ImageError(f"{STDIN_NAME}: more than {max_bytes} bytes, too much for the pixel limit{BOMB_HINT}")
    return io.BytesIO(data)


def _isatty(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty()) if callable(isatty) else False


@contextmanager
def pillow_limit(max_pixels: int) -> Iterator[list[str]]:
    """Make Pillow's own bomb check follow ``max_pixels`` (it errors at twice the value).

    Yields a list that, once the block ends, holds Pillow's warnings about the file (such
    as "Corrupt EXIF data") as text: they are returned to the caller, never printed.
    """
    notes: list[str] = []
    with _PIL_LIMIT_LOCK, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        saved = Image.MAX_IMAGE_PIXELS
        Image.MAX_IMAGE_PIXELS = max_pixels
        try:
            yield notes
        finally:
            Image.MAX_IMAGE_PIXELS = saved
            # Between 1x and 2x the limit Pillow only warns (check_size() refuses those
            # with a clearer message); other categories are for developers, not users.
            notes.extend(
                one_line(w.message)  # type: ignore[arg-type]
                for w in caught
                if issubclass(w.category, UserWarning)
            )


def open_image(fp: IO[bytes], source: str, max_pixels: int) -> Image.Image:
    """Identify ``fp`` by content and parse its header (no pixels decoded yet).

    Call inside :func:`pillow_limit`. Raises :class:`ImageError` naming ``source`` for
    unsupported content, a corrupt header or a size over ``max_pixels``.
    """
    try:
        im = Image.open(fp, formats=OPEN_FORMATS)
    except UnidentifiedImageError:
        raise ImageError(_unidentified(fp, source)) from None
    except Image.DecompressionBombError:
        raise ImageError(f"{source}: image dimensions exceed {_mp(max_pixels)}{BOMB_HINT}") from None
    except Exception as exc:  # noqa: BLE001 - damaged headers raise many kinds of errors
        what = claimed_format(fp) or "image"
        raise ImageError(f"{source}: truncated or corrupt {what} ({one_line(exc)})") from exc
    check_size(im.size, source, max_pixels)
    return im


def _unidentified(fp: IO[bytes], source: str) -> str:
    claimed = claimed_format(fp)
    if claimed:  # the right signature, but Pillow could not parse what follows
        return f"{source}: truncated or corrupt {claimed} header"
    return (
        f"{source}: unsupported image content ({describe_content(fp)}); genart reads "
        + ", ".join(SUPPORTED_FORMATS)
    )


BOMB_HINT = " (a decompression-bomb guard; raise it with --max-pixels if the image is genuine)"


def check_size(size: tuple[int, int], source: str, max_pixels: int) -> None:
    """Refuse an image whose width x height exceeds ``max_pixels``."""
    width, height = size
    if width * height > max_pixels:
        raise ImageError(
            f"{source}: {width}x{height} is {_mp(width * height)}, over the limit of "
            f"{_mp(max_pixels)}{BOMB_HINT}"
        )


def _mp(pixels: int) -> str:
    return f"{pixels / 1e6:.1f} megapixels" if pixels >= 100_000 else f"{pixels} pixels"


def one_line(exc: BaseException) -> str:
    """An exception's message on one line (Pillow's messages sometimes span several)."""
    text = " ".join(str(exc).split())
    return text or type(exc).__name__

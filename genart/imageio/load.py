"""``load_image``: any supported file (or stdin) -> :class:`LoadedImage` in sRGB [0, 1]."""
from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageOps

from ..core.errors import ImageError
from .convert import to_arrays
from .opening import (
    BOMB_HINT,
    DEFAULT_MAX_PIXELS,
    check_limit,
    check_size,
    one_line,
    open_image,
    open_source,
    pillow_limit,
)


@dataclass(frozen=True)
class LoadedImage:
    """A decoded image, ready for :func:`to_tensor`.

    Attributes:
        rgb: float32 array (H, W, 3) in [0, 1], sRGB, EXIF orientation applied.
        alpha: float32 array (H, W) in [0, 1], or None when there is none or it is opaque.
        source: the path as given, or ``"<stdin>"``.
        format: Pillow's format name of the content, e.g. ``"PNG"`` or ``"JPEG"``.
        size: (width, height) after orientation.
        warnings: notes for the user (first frame only, ICC converted, values rescaled).
        mode: the Pillow pixel mode as stored, e.g. ``"P"`` or ``"I;16"``.
    """

    rgb: np.ndarray
    alpha: np.ndarray | None
    source: str
    format: str
    size: tuple[int, int]
    warnings: list[str] = field(default_factory=list)
    mode: str = ""


def load_image(
    path: str | os.PathLike[str], *, max_pixels: int | None = DEFAULT_MAX_PIXELS
) -> LoadedImage:
    """Read an image file (``"-"``: standard input), whatever its extension says.

    Args:
        path: a file path, or ``"-"`` to read all of ``sys.stdin.buffer``.
        max_pixels: refuse images with more pixels than this, checked from the header before
            any pixel is decoded. ``None`` means :data:`DEFAULT_MAX_PIXELS`; there is no
            unlimited setting.

    Raises:
        ImageError: one line naming the file: missing, unsupported content, too large,
            truncated or corrupt.
        UsageError: ``max_pixels`` is not a positive number.

    Example::

        img = load_image("photo.jpg")
        tensor = to_tensor(img)  # (1, 3, H, W)
    """
    limit = check_limit(max_pixels)
    source, fp = open_source(path, limit)
    with fp, pillow_limit(limit) as pillow_notes:
        im = open_image(fp, source, limit)
        # MPO is Pillow's name for a multi-picture JPEG (phone cameras): it is a JPEG.
        fmt, mode = ("JPEG" if im.format == "MPO" else str(im.format)), im.mode
        notes = _frame_notes(im, fmt)
        _decode(im, source)
        check_size(im.size, source, limit)  # a GIF frame may extend the canvas
        im = _orient(im, notes)
        try:
            rgb, alpha = to_arrays(im, notes)
        except ValueError as exc:
            raise ImageError(f"{source}: {one_line(exc)}") from None
    notes.extend(note for note in pillow_notes if note not in notes)
    height, width = rgb.shape[:2]
    return LoadedImage(rgb, alpha, source, fmt, (width, height), notes, mode)


def _frame_notes(im: Image.Image, fmt: str) -> list[str]:
    frames = getattr(im, "n_frames", 1)
    if frames > 1:
        kind = {"TIFF": "pages", "JPEG": "pictures"}.get(fmt, "frames")
        return [f"{fmt} has {frames} {kind}; only the first was used"]
    return []


def _decode(im: Image.Image, source: str) -> None:
    try:
        im.load()
    except Image.DecompressionBombError:
        raise ImageError(f"{source}: image dimensions exceed the pixel limit{BOMB_HINT}") from None
    except Exception as exc:  # noqa: BLE001 - decoders report damage in many ways
        raise ImageError(f"{source}: truncated or corrupt {im.format} data ({one_line(exc)})") from exc


def _orient(im: Image.Image, notes: list[str]) -> Image.Image:
    """Apply the EXIF orientation tag so the pixels stand as the camera meant them to."""
    try:
        return ImageOps.exif_transpose(im)
    except Exception as exc:  # noqa: BLE001 - a damaged EXIF block should not lose the image
        notes.append(f"EXIF orientation unreadable ({one_line(exc)}); image used as stored")
        return im

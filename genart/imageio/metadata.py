"""Recording how an image was made inside the image file, and reading it back.

One JSON object per file (ASCII, keys sorted), stored where each format keeps text:

- PNG: an ``iTXt`` chunk with the keyword ``genart``;
- JPEG, WebP, TIFF: the EXIF/TIFF tag ImageDescription (0x010E), which every one of
  these formats carries in IFD0 and which standard tools (exiftool, exiv2) show;
- GIF: the comment extension;
- BMP has no place for text: nothing is recorded and the saver returns a warning.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Callable, Mapping

from PIL import Image, PngImagePlugin

from .opening import open_image, open_source, pillow_limit

KEY = "genart"  # the PNG text keyword
IMAGE_DESCRIPTION = 0x010E  # TIFF/EXIF tag 270
# A JPEG APP1 segment holds at most 65533 bytes, EXIF header and IFD included.
_JPEG_EXIF_MAX = 60_000


def encode(metadata: Mapping[str, Any]) -> str:
    """The JSON text stored in files: ASCII only, so it is valid in every container."""
    if not isinstance(metadata, Mapping):
        raise TypeError(f"metadata must be a mapping, got {type(metadata).__name__}")
    return json.dumps(dict(metadata), ensure_ascii=True, sort_keys=True, default=_jsonable)


def _jsonable(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    if hasattr(value, "item"):  # numpy / torch scalars
        return value.item()
    return str(value)  # paths, enums: their text is what a reader needs


def save_options(fmt: str, text: str, notes: list[str]) -> dict[str, Any]:
    """Pillow ``save()`` keyword arguments that store ``text`` in a ``fmt`` file."""
    return _WRITERS[fmt](text, notes)


def _png(text: str, notes: list[str]) -> dict[str, Any]:
    info = PngImagePlugin.PngInfo()
    info.add_itxt(KEY, text)
    return {"pnginfo": info}


def _exif(text: str, notes: list[str]) -> dict[str, Any]:
    exif = Image.Exif()
    exif[IMAGE_DESCRIPTION] = text
    return {"exif": exif}


def _jpeg(text: str, notes: list[str]) -> dict[str, Any]:
    if len(text) > _JPEG_EXIF_MAX:
        notes.append(f"metadata ({len(text)} bytes) too large for JPEG EXIF; not recorded")
        return {}
    return _exif(text, notes)


def _gif(text: str, notes: list[str]) -> dict[str, Any]:
    return {"comment": text.encode("ascii")}


def _bmp(text: str, notes: list[str]) -> dict[str, Any]:
    notes.append("BMP files cannot hold metadata; the settings were not recorded")
    return {}


_WRITERS: dict[str, Callable[[str, list[str]], dict[str, Any]]] = {
    "PNG": _png,
    "JPEG": _jpeg,
    "WEBP": _exif,
    "TIFF": _exif,
    "GIF": _gif,
    "BMP": _bmp,
}


def read_metadata(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The settings genart recorded in an image it wrote, or None if there are none.

    Raises:
        ImageError: the file is missing, unreadable or not a supported image.

    Example::

        meta = read_metadata("out/cat_dream.png")
        print(meta["command"] if meta else "not made by genart")
    """
    source, fp = open_source(Path(path), _HEADERS_ONLY)
    with fp, pillow_limit(_HEADERS_ONLY):
        im = open_image(fp, source, _HEADERS_ONLY)
        return decode(_stored_text(im))


# Reading metadata never decodes pixels, so an image too large to load still has its
# settings read.
_HEADERS_ONLY = 2**62


def _stored_text(im: Image.Image) -> str | bytes | None:
    if im.format == "PNG":
        return im.info.get(KEY)
    if im.format == "GIF":
        return im.info.get("comment")
    try:
        return im.getexif().get(IMAGE_DESCRIPTION)
    except Exception:  # noqa: BLE001 - a damaged EXIF block means "no metadata"
        return None


def decode(text: str | bytes | None) -> dict[str, Any] | None:
    """Parse stored text; anything that is not a JSON object is not genart's."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if not isinstance(text, str):
        return None
    try:
        value = json.loads(text.rstrip("\0"))
    except ValueError:
        return None
    return value if isinstance(value, dict) else None

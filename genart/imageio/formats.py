"""Which image formats genart reads and writes, and how content is identified.

Formats are recognised by their content (Pillow's signature checks), never by the file
name: a PNG called ``x.jpg`` loads as a PNG, and an icon called ``x.png`` is refused.
"""
from __future__ import annotations

from pathlib import Path
from typing import IO

from ..core.errors import ImageError, UsageError

#: Formats genart reads and writes (Pillow's names).
SUPPORTED_FORMATS: tuple[str, ...] = ("JPEG", "PNG", "WEBP", "GIF", "TIFF", "BMP")

# What Pillow may try. Its JPEG opener also returns multi-picture JPEGs from phone
# cameras, which it reports as format "MPO" (the loader calls them JPEG).
OPEN_FORMATS: tuple[str, ...] = SUPPORTED_FORMATS

#: Formats that can hold an alpha channel (GIF only as on/off transparency).
ALPHA_FORMATS: frozenset[str] = frozenset({"PNG", "WEBP", "TIFF", "GIF"})

_ALIASES = {
    "png": "PNG",
    "jpg": "JPEG",
    "jpeg": "JPEG",
    "jpe": "JPEG",
    "jfif": "JPEG",
    "webp": "WEBP",
    "gif": "GIF",
    "tif": "TIFF",
    "tiff": "TIFF",
    "bmp": "BMP",
}

# Signatures of common non-image or unsupported files, for a helpful refusal. Pillow names
# most other formats itself (ICO, PPM, PSD, ...); these it cannot open at all.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "PDF"),
    (b"%!PS", "PostScript"),
    (b"<svg", "SVG"),
    (b"<?xml", "XML/SVG"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"\x1f\x8b", "gzip archive"),
    (b"RIFF", "RIFF (not WebP)"),
)
_FTYP_BRANDS = {b"heic": "HEIC", b"heix": "HEIC", b"mif1": "HEIF", b"avif": "AVIF"}


def resolve_format(dest: str | Path, format: str | None) -> str:
    """The Pillow format name for writing ``dest``: ``format`` if given, else the extension.

    ``-`` (stdout) defaults to PNG. Raises :class:`ImageError` for an unknown extension and
    :class:`UsageError` for an unknown ``format``.
    """
    if format is not None:
        name = _ALIASES.get(format.strip().lower().lstrip("."))
        if name is None:
            raise UsageError(f"unknown image format {format!r}; choose one of {_choices()}")
        return name
    if str(dest) == "-":
        return "PNG"
    suffix = Path(dest).suffix.lower().lstrip(".")
    name = _ALIASES.get(suffix)
    if name is None:
        what = f"extension .{suffix}" if suffix else "no extension"
        raise ImageError(f"{dest}: unknown output format ({what}); use one of {_choices()}")
    return name


def _choices() -> str:
    return ", ".join(sorted({k for k in _ALIASES if k not in ("jpe", "jfif")}))


# The signatures of the supported formats, to tell "damaged PNG" from "not an image".
_SUPPORTED_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "PNG"),
    (b"\xff\xd8\xff", 0, "JPEG"),
    (b"GIF8", 0, "GIF"),
    (b"WEBP", 8, "WEBP"),
    (b"II*\0", 0, "TIFF"),
    (b"MM\0*", 0, "TIFF"),
    (b"BM", 0, "BMP"),
)


def claimed_format(fp: IO[bytes]) -> str | None:
    """The supported format whose signature ``fp`` starts with, if any."""
    fp.seek(0)
    head = fp.read(16)
    for magic, offset, name in _SUPPORTED_SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return name
    return None


def describe_content(fp: IO[bytes]) -> str:
    """Name what an unsupported file appears to be, e.g. ``"ICO"``, ``"PDF"``, ``"text"``."""
    fp.seek(0)
    head = fp.read(4096)
    if not head:
        return "empty file"
    stripped = head.lstrip()
    for magic, name in _SIGNATURES:
        if stripped.startswith(magic):
            return name
    if head[4:8] == b"ftyp":
        return _FTYP_BRANDS.get(head[8:12], "ISO media (" + head[8:12].decode("latin-1") + ")")
    pillow = _pillow_name(fp)
    if pillow:
        return pillow
    if _looks_like_text(head):
        return "text"
    return "unrecognised content"


def _pillow_name(fp: IO[bytes]) -> str | None:
    """What Pillow makes of the header when every plugin may try (only the header is read)."""
    from PIL import Image

    fp.seek(0)
    try:
        return str(Image.open(fp).format)  # lazy: reads the header only; the caller owns fp
    except Exception:  # noqa: BLE001 - any failure just means "no name"
        return None


def _looks_like_text(head: bytes) -> bool:
    if b"\0" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        # The 4096-byte cut may split a character: allow a partial one at the end.
        try:
            head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return False
    return True

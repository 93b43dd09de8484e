"""Is this file a video? A cheap look at its first bytes (no av, no decoding).

Videos are recognised by content, like images: an MP4 called ``clip.jpg`` is a video, a
still image called ``clip.mp4`` is not. Containers recognised: ISO media (MP4, MOV, M4V,
3GP), Matroska (MKV, WebM), AVI, and GIF when it is animated (two frames or more). A static
GIF, a HEIC/AVIF photo (ISO media too) and every still image are not videos.

:func:`is_video` says what the container is, not that it plays: an audio-only M4A or a
truncated MP4 is "a video" here, so that :func:`genart.video.probe_video` can name the
actual problem in one line instead of "not an image".
"""
from __future__ import annotations

import os
from pathlib import Path

__all__ = ["VIDEO_EXTENSIONS", "container_kind", "is_video"]

#: Extensions of the containers genart reads. For routing files whose content says
#: nothing (e.g. an empty ``clip.mp4``) to the video reader, which then names the problem.
VIDEO_EXTENSIONS: frozenset[str] = frozenset({".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".gif"})

# ISO media brands that are still images (HEIF/HEIC/AVIF photos and their bursts).
_IMAGE_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif", b"avis"})
# QuickTime files may start with any top-level atom instead of "ftyp".
_QT_ATOMS = frozenset({b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"})


def container_kind(head: bytes) -> str | None:
    """The video container the first bytes announce ("iso", "matroska", "avi", "gif") or None."""
    box = head[4:8]
    if box == b"ftyp":
        return None if head[8:12] in _IMAGE_BRANDS else "iso"
    if box in _QT_ATOMS:
        return "iso"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "matroska"
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return "avi"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    return None


def is_video(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` holds a video container (an animated GIF counts, a still one not).

    Reads the first 16 bytes (and, for a GIF, its frame headers up to the second frame);
    never raises: an unreadable path is "not a video".

    Example::

        is_video("clip.mp4")      # True
        is_video("photo.jpg")     # False
    """
    try:
        with open(path, "rb") as fh:
            head = fh.read(16)
    except OSError:
        return False
    kind = container_kind(head)
    if kind == "gif":
        return _animated_gif(Path(path))
    return kind is not None


def _animated_gif(path: Path) -> bool:
    from PIL import Image

    try:
        with Image.open(path) as im:
            return bool(getattr(im, "is_animated", False))
    except Exception:  # noqa: BLE001 - a damaged GIF is not a video; the image loader reports it
        return False

"""Settings of ``genart gallery`` (no torch imports)."""
from __future__ import annotations

from dataclasses import dataclass

from ...core.config import param


@dataclass(frozen=True)
class GalleryConfig:
    """A static web page of a folder of genart outputs, openable from disk."""

    title: str = param("", "Page title (default: the folder's name).")
    thumb_size: int = param(480, "Long side of the thumbnails (px); sharp on HiDPI screens.", min=64, max=2048)
    thumb_format: str = param("jpg", "Thumbnail format.", choices=("jpg", "webp", "png"))
    copy: bool = param(True, "Copy the full images into the gallery so the folder can be shared; "
                       "--no-copy links to the originals instead.")
    recursive: bool = param(True, "Include sub-folders.", short="-r")
    intermediates: bool = param(False, "Include --save-every images and animation frames.")

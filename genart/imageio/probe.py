"""An image's size from its header, without decoding pixels (for checks before any work)."""
from __future__ import annotations

import os

from PIL import Image

from .opening import STDIN, check_limit, open_image, open_source, pillow_limit

# EXIF orientations 5-8 rotate by 90 degrees: the image stands with width and height swapped.
_SWAPPING_ORIENTATIONS = {5, 6, 7, 8}
_EXIF_ORIENTATION = 0x0112


def image_size(path: str | os.PathLike[str], *, max_pixels: int | None = None) -> tuple[int, int] | None:
    """(width, height) of the image at ``path`` as it will be loaded (EXIF orientation
    applied), read from its header; None for standard input, which can be read only once.

    Raises:
        ImageError: as :func:`genart.imageio.load_image` would (missing, not an image,
            over ``max_pixels``...), but without decoding any pixel.
    """
    if str(path) == STDIN:
        return None
    limit = check_limit(max_pixels)
    source, fp = open_source(path, limit)
    with fp, pillow_limit(limit):
        im = open_image(fp, source, limit)
        width, height = im.size
        try:
            orientation = im.getexif().get(_EXIF_ORIENTATION, 1)
        except Exception:  # noqa: BLE001 - a damaged EXIF block: the loader uses the image as stored
            orientation = 1
    return (height, width) if orientation in _SWAPPING_ORIENTATIONS else (width, height)


__all__ = ["image_size"]

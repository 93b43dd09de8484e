"""Small copies of images for pages and contact sheets (8-bit, resized with Lanczos)."""
from __future__ import annotations

import os

import numpy as np
from PIL import Image

from .load import load_image
from .save import _to_uint8


def to_thumbnail(rgb: np.ndarray, side: int, *, enlarge: bool = False) -> np.ndarray:
    """``rgb`` (H, W, 3; float in [0, 1] or uint8) as uint8 with its long side at most ``side``
    (exactly ``side`` with ``enlarge``: small images are scaled up too).

    Lanczos, so a shrunk render keeps its brush strokes crisp without aliasing.

    Example::

        small = to_thumbnail(load_image("big.png").rgb, 256)
    """
    pixels = _to_uint8(np.asarray(rgb))
    height, width = pixels.shape[:2]
    if max(height, width) == side or (max(height, width) < side and not enlarge):
        return pixels
    scale = side / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    image = Image.fromarray(pixels, "RGB").resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    return np.asarray(image)


def load_thumbnail(
    path: str | os.PathLike[str], side: int, *, enlarge: bool = False, max_pixels: int | None = None
) -> np.ndarray:
    """The image file at ``path`` as uint8 (H, W, 3), resized as :func:`to_thumbnail` does.

    Raises:
        ImageError: as :func:`load_image`.
    """
    return to_thumbnail(load_image(path, max_pixels=max_pixels).rgb, side, enlarge=enlarge)

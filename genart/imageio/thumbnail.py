"""Small copies of images for pages and contact sheets (8-bit, shrunk, never enlarged)."""
from __future__ import annotations

import os

import numpy as np
from PIL import Image

from .load import load_image
from .save import _to_uint8


def shrink(rgb: np.ndarray, side: int) -> np.ndarray:
    """``rgb`` (H, W, 3; float in [0, 1] or uint8) as uint8 with its long side at most ``side``.

    Lanczos, so a shrunk render keeps its brush strokes crisp without aliasing.

    Example::

        small = shrink(load_image("big.png").rgb, 256)
    """
    pixels = _to_uint8(np.asarray(rgb))
    height, width = pixels.shape[:2]
    if max(height, width) <= side:
        return pixels
    scale = side / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    image = Image.fromarray(pixels, "RGB").resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    return np.asarray(image)


def load_thumbnail(path: str | os.PathLike[str], side: int, *, max_pixels: int | None = None) -> np.ndarray:
    """The image file at ``path`` as uint8 (H, W, 3) with its long side at most ``side``.

    Raises:
        ImageError: as :func:`load_image`.
    """
    return shrink(load_image(path, max_pixels=max_pixels).rgb, side)

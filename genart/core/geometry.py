"""Image geometry shared by every command: fitting a size to a long side, and resizing.

One rounding rule and one resampling filter everywhere, so that the style pyramid, dream
octaves, doodle phases, guide images and the CLI's ``--size`` agree to the pixel.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

__all__ = ["fit_long_side", "resize", "resize_long_side"]


def fit_long_side(height: int, width: int, side: float) -> tuple[int, int]:
    """(h, w) with the aspect ratio of (height, width) and the long side ``side``.

    Each side is rounded to the nearest pixel (Python's ``round``) and is at least 1;
    ``side`` may be fractional (e.g. a halved size), only the result is rounded.

    Example::

        fit_long_side(300, 400, 200)   # (150, 200)
    """
    scale = side / max(height, width)
    return max(1, round(height * scale)), max(1, round(width * scale))


def resize(image: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """Bilinear resize of (N, C, H, W) to ``size`` (h, w), antialiased when shrinking.

    Returns ``image`` itself when it already has that size. Bilinear never overshoots, so
    a [0, 1] image stays in [0, 1].
    """
    if tuple(image.shape[-2:]) == tuple(size):
        return image
    shrink = size[0] < image.shape[-2] or size[1] < image.shape[-1]
    return F.interpolate(image, size=size, mode="bilinear", align_corners=False, antialias=shrink)


def resize_long_side(image: torch.Tensor, side: float) -> torch.Tensor:
    """:func:`resize` ``image`` (N, C, H, W) so that its long side is ``side``."""
    return resize(image, fit_long_side(image.shape[-2], image.shape[-1], side))

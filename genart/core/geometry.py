"""Image geometry shared by every command: fitting a size to a long side, and resizing.

One rounding rule and one resampling filter everywhere, so that the style pyramid, dream
octaves, doodle phases, guide images and the CLI's ``--size`` agree to the pixel. torch is
imported by :func:`resize` only, so size arithmetic is free for checks before any work.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import torch

__all__ = ["fit_long_side", "resize"]


def fit_long_side(height: int, width: int, side: int) -> tuple[int, int]:
    """(h, w) with the aspect ratio of (height, width) and the long side ``side``."""
    scale = side / max(height, width)
    return max(1, round(height * scale)), max(1, round(width * scale))


def resize(image: "torch.Tensor", size: tuple[int, int]) -> "torch.Tensor":
    """Bilinear resize of (N, C, H, W), antialiased when shrinking."""
    import torch.nn.functional as F

    if tuple(image.shape[-2:]) == tuple(size):
        return image
    shrink = size[0] < image.shape[-2] or size[1] < image.shape[-1]
    return F.interpolate(image, size=size, mode="bilinear", align_corners=False, antialias=shrink)

"""Image geometry shared by every command: fitting a size to a long side, and resizing.

One rounding rule and one resampling filter everywhere, so that the style pyramid, dream
octaves, doodle phases, guide images and the CLI's ``--size`` agree to the pixel. torch is
imported by :func:`resize` only, so size arithmetic is free for checks before any work.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .errors import UsageError

if TYPE_CHECKING:  # pragma: no cover
    import torch

__all__ = ["fit_long_side", "min_long_side", "require_min_side", "resize", "resize_long_side"]


def fit_long_side(height: int, width: int, side: float) -> tuple[int, int]:
    """(h, w) with the aspect ratio of (height, width) and the long side ``side``.

    Each side is rounded to the nearest pixel (Python's ``round``) and is at least 1;
    ``side`` may be fractional (e.g. a halved size), only the result is rounded.

    Example::

        fit_long_side(300, 400, 200)   # (150, 200)
    """
    scale = side / max(height, width)
    return max(1, round(height * scale)), max(1, round(width * scale))


def resize(image: "torch.Tensor", size: tuple[int, int]) -> "torch.Tensor":
    """Bilinear resize of (N, C, H, W) to ``size`` (h, w), antialiased when shrinking.

    Returns ``image`` itself when it already has that size. Bilinear never overshoots, so
    a [0, 1] image stays in [0, 1].
    """
    import torch.nn.functional as F

    if tuple(image.shape[-2:]) == tuple(size):
        return image
    shrink = size[0] < image.shape[-2] or size[1] < image.shape[-1]
    return F.interpolate(image, size=size, mode="bilinear", align_corners=False, antialias=shrink)


def resize_long_side(image: "torch.Tensor", side: float) -> "torch.Tensor":
    """:func:`resize` ``image`` (N, C, H, W) so that its long side is ``side``."""
    return resize(image, fit_long_side(image.shape[-2], image.shape[-1], side))


def min_long_side(height: int, width: int, short: int) -> int:
    """The smallest long side at which (height, width) keeps a short side of ``short`` px."""
    side = max(1, math.ceil((short - 0.5) * max(height, width) / min(height, width)))
    while min(fit_long_side(height, width, side)) < short:
        side += 1
    return side


def require_min_side(
    role: str, hw: tuple[int, int], minimum: int, *, side: float | None = None, needs: str = "the network",
    hint: str = "",
) -> None:
    """Raise UsageError when ``hw`` (h, w), resized to long side ``side`` if given, has a
    side below ``minimum`` px. The message names the input (``role``, e.g. "content" or
    "guide"), what ``needs`` the minimum, and the smallest long side that would do.

    Example::

        require_min_side("content", (20, 2000), 32, side=700, needs="vgg19")
        # UsageError: content: 2000x20 px at long side 700 becomes 700x7 px, too small;
        # vgg19 needs at least 32 px per side (a long side of at least 3150 px would do,
        # or a less elongated image)
    """
    h, w = hw
    fit = (h, w) if side is None else fit_long_side(h, w, side)
    if min(fit) >= minimum:
        return
    if side is None:
        raise UsageError(f"{role}: {w}x{h} px is too small; {needs} needs at least {minimum} px per side")
    hint = hint or f"a long side of at least {min_long_side(h, w, minimum)} px would do, or a less elongated image"
    raise UsageError(
        f"{role}: {w}x{h} px at long side {side:g} becomes {fit[1]}x{fit[0]} px, too small; "
        f"{needs} needs at least {minimum} px per side ({hint})"
    )

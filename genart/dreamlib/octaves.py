"""Octave sizes and resizing for DeepDream's coarse-to-fine schedule.

The original notebook (Mordvintsev et al. 2015) shrinks the image ``octaves - 1`` times
by ``octave_scale``, dreams at the smallest size first, and carries the *detail* (the
dream minus its base) up to the next size. Other tools crash when the smallest octave
falls below the network's minimum input; here the count is capped instead.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

Size = tuple[int, int]


def octave_sizes(height: int, width: int, *, octaves: int, scale: float, min_size: int) -> list[Size]:
    """(h, w) of each octave, smallest first; the last is the full size.

    Sizes are divided successively (as the notebook's repeated zoom does) and the list
    stops before a side would drop below ``min_size``, so fewer than ``octaves`` sizes
    may come back.
    """
    sizes = [(height, width)]
    for _ in range(octaves - 1):
        h, w = sizes[-1]
        nh, nw = round(h / scale), round(w / scale)
        if min(nh, nw) < min_size:
            break
        sizes.append((nh, nw))
    return sizes[::-1]


def resize(image: torch.Tensor, size: Size) -> torch.Tensor:
    """Bilinear resize of a (N, C, H, W) tensor; antialiased when shrinking.

    The notebook zooms with linear interpolation and no antialiasing; antialiasing the
    downscaled bases removes aliasing the network would otherwise amplify.
    """
    if tuple(image.shape[-2:]) == tuple(size):
        return image
    shrink = size[0] < image.shape[-2] or size[1] < image.shape[-1]
    return F.interpolate(image, size=size, mode="bilinear", align_corners=False, antialias=shrink)

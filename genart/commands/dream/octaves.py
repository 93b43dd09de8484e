"""Octave sizes and resizing for DeepDream's coarse-to-fine schedule.

The original notebook (Mordvintsev et al. 2015) shrinks the image ``octaves - 1`` times
by ``octave_scale``, dreams at the smallest size first, and carries the *detail* (the
dream minus its base) up to the next size. Other tools crash when the smallest octave
falls below the network's minimum input; here the count is capped instead.
"""
from __future__ import annotations

# Resizing is genart.core.geometry's: bilinear, antialiased when shrinking. The notebook zooms
# with linear interpolation and no antialiasing; antialiasing the downscaled bases removes
# aliasing the network would otherwise amplify.
from ...core.geometry import resize

__all__ = ["Size", "octave_sizes", "resize"]

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

"""The coarse-to-fine schedule of style transfer: which sizes, how many iterations each.

Optimising first at a small size settles the large-scale arrangement of the style cheaply
(a network's receptive field covers more of a small image); each finer scale then starts
from the upsampled result and only adds detail. Gatys et al. (CVPR 2017, section 6)
recommend exactly this for high-resolution results.
"""
from __future__ import annotations

from dataclasses import dataclass

from ...core.errors import ConfigError
from ...core.geometry import fit_long_side

__all__ = ["Scale", "plan_scales", "scale_sides"]


@dataclass(frozen=True)
class Scale:
    """One pyramid scale: the image size and the iterations spent there."""

    height: int
    width: int
    iterations: int

    @property
    def long_side(self) -> int:
        return max(self.height, self.width)


def scale_sides(size: int, *, start: int, ratio: float, explicit: tuple[int, ...] = ()) -> list[int]:
    """Long sides coarse to fine, ending at ``size``.

    ``explicit`` sides (if any) are used as given, followed by ``size`` unless they end
    with it; otherwise sides grow from ``start`` by ``ratio`` and the last one before
    ``size`` is dropped when it would be within 10% of ``size`` (a wasted scale).
    """
    if explicit:
        sides = sorted(explicit)
        if sides[-1] > size:
            raise ConfigError(f"scales: {sides[-1]} px is larger than size {size}")
        return sides if sides[-1] == size else sides + [size]
    sides: list[int] = []
    side = float(start)
    while side * 1.1 < size:
        sides.append(round(side))
        side *= ratio
    return sides + [size]


def plan_scales(
    height: int,
    width: int,
    *,
    sides: list[int],
    iterations: int,
    coarse_iterations: int,
    scale_iterations: tuple[int, ...] = (),
    min_side: int = 1,
) -> list[Scale]:
    """The :class:`Scale` list for a content image of (height, width).

    Scales whose short side would fall below ``min_side`` (the network's smallest input)
    are dropped, never the final one.
    """
    if scale_iterations and len(scale_iterations) != len(sides):
        raise ConfigError(
            f"scale_iterations: {len(scale_iterations)} values for {len(sides)} scales ({sides})"
        )
    counts = list(scale_iterations) or [coarse_iterations] * (len(sides) - 1) + [iterations]
    plan = []
    for i, (side, its) in enumerate(zip(sides, counts)):
        h, w = fit_long_side(height, width, side)
        if min(h, w) < min_side and i < len(sides) - 1:
            continue
        plan.append(Scale(h, w, its))
    return plan

"""The objective's gradient with respect to the image, tile by tile, and its normalisation.

Tiling (as in the TensorFlow DeepDream tutorial's tiled gradients): the image is rolled
by a random shift, cut into tiles no larger than ``tile_size``, each tile's gradient is
computed on its own and written into one image-sized gradient, which is rolled back. One
global normalised step follows. Peak memory is bounded by the tile, not the image, and
because the tile grid moves at every step no seam stays in place long enough to show.
"""
from __future__ import annotations

import math
from typing import Callable

import torch
import torch.nn.functional as F

Objective = Callable[[torch.Tensor], torch.Tensor]


def spans(length: int, tile: int, min_size: int) -> list[tuple[int, int]]:
    """Cut ``range(length)`` into nearly equal spans of at most ``tile`` (0: one span).

    Spans are never shorter than ``min_size`` (the network's smallest input) unless the
    whole length is.
    """
    n = max(1, math.ceil(length / tile)) if tile else 1
    while n > 1 and length // n < min_size:
        n -= 1
    edges = [round(i * length / n) for i in range(n + 1)]
    return list(zip(edges[:-1], edges[1:]))


def tiled_gradient(
    objective: Objective,
    image: torch.Tensor,
    *,
    shift: tuple[int, int] = (0, 0),
    tile_size: int = 0,
    min_size: int = 1,
) -> tuple[torch.Tensor, float]:
    """Gradient of ``objective`` summed over tiles of the rolled image, and its value.

    Each tile's objective is weighted by the tile's share of the image area, so for
    objectives that average over positions the tiles add up to the whole-image value.
    Tiles are gathered straight from ``image`` with wrapped indices (the roll is never
    materialised), so the only image-sized tensor made here is the gradient.

    Args:
        objective: maps a (1, 3, h, w) image in [0, 1] to a scalar to maximise.
        image: (1, 3, H, W) in [0, 1].
        shift: (dy, dx) roll (as ``torch.roll``) applied before tiling; the gradient is
            returned unrolled, aligned with ``image``.
        tile_size: largest tile side in px; 0 computes the whole image at once.
        min_size: the network's smallest input side.
    """
    image = image.detach()
    height, width = image.shape[-2:]
    grad = torch.zeros_like(image)
    total = 0.0
    for y0, y1 in spans(height, tile_size, min_size):
        rows = _wrapped(y0, y1, shift[0], height, image.device)
        for x0, x1 in spans(width, tile_size, min_size):
            cols = _wrapped(x0, x1, shift[1], width, image.device)
            tile = image.index_select(2, rows).index_select(3, cols).requires_grad_(True)
            share = (y1 - y0) * (x1 - x0) / (height * width)
            value = objective(tile) * share
            (g,) = torch.autograd.grad(value, tile)
            grad[:, :, rows[:, None], cols[None, :]] = g
            total += float(value.detach())
    return grad, total


def _wrapped(start: int, stop: int, shift: int, length: int, device: torch.device) -> torch.Tensor:
    """Indices into the unrolled axis of positions ``start:stop`` of the rolled one."""
    return (torch.arange(start, stop, device=device) - shift) % length


def normalize_mean_abs(grad: torch.Tensor, eps: float = 1e-20) -> torch.Tensor:
    """``g / mean(|g|)``: the original notebook's step normalisation (in place)."""
    mean_abs = torch.linalg.vector_norm(grad, ord=1) / grad.numel()  # no |g| copy
    return grad.div_(mean_abs.clamp_min(eps))


def normalize_laplacian(grad: torch.Tensor, levels: int = 4, eps: float = 1e-20) -> torch.Tensor:
    """Laplacian-pyramid normalisation, then the mean-|g| scaling.

    Each band of the gradient's Laplacian pyramid is divided by its RMS before the bands
    are summed again (Mordvintsev et al., TensorFlow DeepDream notebook, "lap_normalize"),
    which evens out coarse and fine detail so large smooth structures can grow.
    """
    bands = []
    current = grad
    for _ in range(levels - 1):
        if min(current.shape[-2:]) < 2:
            break
        low = F.interpolate(current, scale_factor=0.5, mode="bilinear", antialias=True)
        up = F.interpolate(low, size=current.shape[-2:], mode="bilinear", align_corners=False)
        bands.append(current - up)
        current = low
    bands.append(current)
    out = bands[-1] / (bands[-1].pow(2).mean().sqrt().clamp_min(eps))
    for band in reversed(bands[:-1]):
        up = F.interpolate(out, size=band.shape[-2:], mode="bilinear", align_corners=False)
        out = up + band / (band.pow(2).mean().sqrt().clamp_min(eps))
    return normalize_mean_abs(out, eps)


NORMALIZERS = {
    "mean": lambda grad, levels: normalize_mean_abs(grad),
    "laplacian": lambda grad, levels: normalize_laplacian(grad, levels),
}

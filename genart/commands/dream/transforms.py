"""Random and animation geometry: jitter shifts, small random scale/rotation, frame zoom.

Robustness transforms follow lucid's "transformation robustness" (Olah, Mordvintsev &
Schubert, "Feature Visualization", Distill 2017): optimising through small random scales
and rotations favours patterns the network sees from many viewpoints, not pixel noise.
"""
from __future__ import annotations

import math
from typing import Callable

import torch
import torch.nn.functional as F

Objective = Callable[[torch.Tensor], torch.Tensor]


def randint(generator: torch.Generator, low: int, high: int) -> int:
    """A uniform integer in [low, high] drawn from ``generator``."""
    return int(torch.randint(low, high + 1, (1,), generator=generator))


def uniform(generator: torch.Generator, low: float, high: float) -> float:
    """A uniform float in [low, high) drawn from ``generator``."""
    return low + (high - low) * float(torch.rand((), generator=generator))


def affine(image: torch.Tensor, *, scale: float = 1.0, degrees: float = 0.0) -> torch.Tensor:
    """Scale (>1 zooms in) and rotate ``image`` about its centre, same output size.

    Differentiable, so an objective evaluated on the result sends its gradient back to
    ``image``. Borders uncovered by a rotation or a zoom-out are reflected.
    """
    if scale == 1.0 and degrees == 0.0:
        return image
    h, w = image.shape[-2:]
    a = math.radians(degrees)
    cos, sin = math.cos(a) / scale, math.sin(a) / scale
    # affine_grid works in [-1, 1] coordinates per axis: correct for the aspect ratio so a
    # rotation stays a rotation on non-square images.
    theta = torch.tensor(
        [[cos, -sin * h / w, 0.0], [sin * w / h, cos, 0.0]], dtype=image.dtype, device=image.device
    )
    grid = F.affine_grid(theta[None].expand(image.shape[0], 2, 3), list(image.shape), align_corners=False)
    return F.grid_sample(image, grid, mode="bilinear", padding_mode="reflection", align_corners=False)


def random_affine(objective: Objective, generator: torch.Generator, *, scale_jitter: float, rotate_jitter: float) -> Objective:
    """``objective`` evaluated on a randomly scaled and rotated input (one draw per call)."""
    if scale_jitter == 0.0 and rotate_jitter == 0.0:
        return objective
    scale = uniform(generator, 1.0 - scale_jitter, 1.0 + scale_jitter)
    degrees = uniform(generator, -rotate_jitter, rotate_jitter)
    return lambda x: objective(affine(x, scale=scale, degrees=degrees))


def zoom_frame(image: torch.Tensor, *, zoom: float, degrees: float) -> torch.Tensor:
    """The next animation frame's start: ``image`` zoomed into its centre and rotated.

    The original notebook's zoom loop crops 5% and scales back (zoom 1/0.95); this is
    the same map with an optional rotation.
    """
    return affine(image, scale=zoom, degrees=degrees).clamp(0.0, 1.0)


def quantize(image: torch.Tensor) -> torch.Tensor:
    """Round to 8-bit levels, as a frame written to PNG and read back would be."""
    return torch.round(image.clamp(0.0, 1.0) * 255.0) / 255.0

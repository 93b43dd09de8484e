"""Fitting generated geometry into the canvas: long side 1000 units, a small border."""
from __future__ import annotations

from typing import Sequence

import numpy as np

CANVAS = 1000.0  # canvas units on the long side
BORDER = 0.04  # share of the long side left blank around fitted geometry


def fit_points(
    arrays: Sequence[np.ndarray], *, border: float = BORDER
) -> tuple[list[np.ndarray], tuple[float, float], float]:
    """Scale and shift point arrays (N, 2) together so their bounds fill the canvas.

    Returns the moved arrays, the canvas (width, height) and the scale applied, so line
    widths given in canvas units stay the same whatever the geometry's own units.
    """
    both = np.concatenate([a.reshape(-1, 2) for a in arrays])
    lo, hi = both.min(axis=0), both.max(axis=0)
    extent = np.maximum(hi - lo, 1e-12)
    scale = CANVAS * (1 - 2 * border) / float(extent.max())
    pad = CANVAS * border
    size = (float(extent[0] * scale + 2 * pad), float(extent[1] * scale + 2 * pad))
    return [(a - lo) * scale + pad for a in arrays], size, scale

"""Gradient noise (Perlin 1985/2002) on a grid, vectorised with numpy, and its fractal sum.

Each lattice point gets a random unit gradient from a seeded generator; a sample is the
smoothstep-weighted (``6t^5 - 15t^4 + 10t^3``, Perlin's improved fade) blend of the four
corner gradients' dot products with the offsets. Values lie roughly in [-0.7, 0.7].

Example::

    field = fractal_noise(256, 256, scale=4.0, octaves=3, rng=np.random.default_rng(0))
"""
from __future__ import annotations

import numpy as np


def perlin(x: np.ndarray, y: np.ndarray, gradients: np.ndarray) -> np.ndarray:
    """Gradient noise at points (x, y) in lattice units; ``gradients`` is (gh, gw, 2), wrapping."""
    gh, gw = gradients.shape[:2]
    x0, y0 = np.floor(x).astype(np.int64), np.floor(y).astype(np.int64)
    fx, fy = x - x0, y - y0

    def dot(ix: np.ndarray, iy: np.ndarray, ox: np.ndarray, oy: np.ndarray) -> np.ndarray:
        g = gradients[iy % gh, ix % gw]
        return g[..., 0] * ox + g[..., 1] * oy

    n00 = dot(x0, y0, fx, fy)
    n10 = dot(x0 + 1, y0, fx - 1, fy)
    n01 = dot(x0, y0 + 1, fx, fy - 1)
    n11 = dot(x0 + 1, y0 + 1, fx - 1, fy - 1)
    u, v = _fade(fx), _fade(fy)
    return (n00 * (1 - u) + n10 * u) * (1 - v) + (n01 * (1 - u) + n11 * u) * v


def _fade(t: np.ndarray) -> np.ndarray:
    return t * t * t * (t * (t * 6 - 15) + 10)


def random_gradients(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """Unit gradient vectors at random angles, (gh, gw, 2)."""
    theta = rng.uniform(0, 2 * np.pi, shape)
    return np.stack([np.cos(theta), np.sin(theta)], axis=-1)


def fractal_noise(
    height: int, width: int, *, scale: float, octaves: int, rng: np.random.Generator, persistence: float = 0.5
) -> np.ndarray:
    """(height, width) samples of ``octaves`` of noise, ``scale`` features across the long side.

    Each octave doubles the frequency and multiplies the amplitude by ``persistence``; the
    sum is divided by the total amplitude, so the range stays that of one octave.
    """
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float64) / max(height, width)
    total = np.zeros((height, width))
    amp, norm = 1.0, 0.0
    for k in range(octaves):
        freq = scale * 2**k
        lattice = (int(np.ceil(freq * height / max(height, width))) + 2, int(np.ceil(freq * width / max(height, width))) + 2)
        grads = random_gradients(rng, lattice)
        offset = rng.uniform(0, 1, 2)  # so octaves' lattice points do not line up
        total += amp * perlin(xs * freq + offset[0], ys * freq + offset[1], grads)
        norm += amp
        amp *= persistence
    return total / norm

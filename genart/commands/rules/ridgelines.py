"""Ridgelines after Joy Division's *Unknown Pleasures*: stacked profiles, hidden lines removed.

Each ridge is a profile over a baseline; nearer ridges sit lower on the page. Hidden-line
removal uses shapely: going from the nearest ridge to the farthest, each ridge's line
minus the union of the areas under all nearer ridges is what shows, and its own area is
then added to the union. Profiles come from seeded noise (a few pulses in a middle band
plus gradient noise, correlated from row to row) or from data: a greyscale image (bright =
high) or a CSV with one row of numbers per ridge.

Example::

    xs, heights = noise_profiles(RidgelinesConfig(), np.random.default_rng(0))
    pieces = hide_lines(xs, baselines, heights)      # visible polylines per ridge
"""
from __future__ import annotations

import os

import numpy as np

from ...core.errors import UsageError
from .configs import RidgelinesConfig
from .drawing import Drawing, Layer, Paths
from .fit import CANVAS
from .noise import fractal_noise

SIDE = 0.11  # blank share of the width on each side of the ridges
TOP, BOTTOM = 0.17, 0.93  # baselines of the farthest and the nearest ridge (share of height)


def canvas_size(config: RidgelinesConfig) -> tuple[float, float]:
    if config.aspect >= 1:
        return CANVAS, CANVAS / config.aspect
    return CANVAS * config.aspect, CANVAS


def noise_profiles(config: RidgelinesConfig, rng: np.random.Generator) -> np.ndarray:
    """Heights (rows, samples) in [0, ~1], farthest row first: pulses in a band plus noise."""
    u = np.linspace(-0.5, 0.5, config.samples) / config.spread  # |u| < 1 inside the band
    band = np.exp(-((np.abs(u) / 0.85) ** 6))
    texture = fractal_noise(config.rows, config.samples, scale=9.0, octaves=3, rng=rng)
    swell = fractal_noise(config.rows, config.samples, scale=1.2, octaves=2, rng=rng)
    heights = np.empty((config.rows, config.samples))
    for r in range(config.rows):
        pulses = np.zeros(config.samples)
        for _ in range(int(rng.integers(4, 9))):
            centre, width = rng.normal(0, 0.3), rng.uniform(0.04, 0.16)
            pulses += rng.gamma(2.0, 0.2) * np.exp(-0.5 * ((u - centre) / width) ** 2)
        swell_r = 0.45 * np.maximum(swell[r] + 0.15, 0)
        rough = config.roughness * np.abs(texture[r]) * (0.04 + 0.3 * band)
        heights[r] = band * (pulses + swell_r) + rough
    return heights / max(float(np.percentile(heights.max(axis=1), 90)), 1e-9)


def data_profiles(data: np.ndarray, config: RidgelinesConfig) -> np.ndarray:
    """Heights (rows, samples) in [0, 1] from a 2-D array (each row one ridge, far to near)."""
    data = np.asarray(data, dtype=np.float64)
    if data.ndim != 2 or data.shape[0] < 2 or data.shape[1] < 2:
        raise UsageError(f"ridgelines data: expected at least 2 rows of 2 values, got shape {data.shape}")
    if not np.isfinite(data).all():
        raise UsageError("ridgelines data: contains values that are not finite numbers")
    xs = np.linspace(0, 1, data.shape[1])
    grid = np.linspace(0, 1, config.samples)
    rows = np.stack([np.interp(grid, xs, row) for row in data])
    lo, hi = rows.min(), rows.max()
    return (rows - lo) / (hi - lo) if hi > lo else np.zeros_like(rows)


def load_data(path: str | os.PathLike[str], rows: int) -> np.ndarray:
    """A 2-D array from a CSV of rows (``.csv``/``.txt``) or a greyscale image (``rows`` bands).

    Raises:
        UsageError: the CSV is not a table of numbers; ImageError: the image cannot be read.
    """
    if str(path).lower().endswith((".csv", ".txt", ".tsv")):
        return _load_csv(path)
    from PIL import Image

    from ...imageio import load_image

    rgb = load_image(path).rgb
    grey = (rgb @ np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)).astype(np.float32)
    width = min(grey.shape[1], 2048)
    # Area averaging: each ridge is the mean brightness of its band of rows.
    return np.asarray(Image.fromarray(grey, "F").resize((width, rows), Image.Resampling.BOX), dtype=np.float64)


def _load_csv(path: str | os.PathLike[str]) -> np.ndarray:
    try:
        with open(path, encoding="utf-8") as fh:
            lines = [ln.strip() for ln in fh if ln.strip() and not ln.lstrip().startswith("#")]
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read ({exc})") from None
    delimiter = "\t" if any("\t" in ln for ln in lines) else ","
    try:
        rows = [[float(v) for v in ln.split(delimiter)] for ln in lines]
    except ValueError as exc:
        raise UsageError(f"{path}: not a table of numbers ({exc})") from None
    if len(rows) < 2 or len({len(r) for r in rows}) != 1:
        raise UsageError(f"{path}: expected at least 2 rows of equal length")
    return np.array(rows)


def hide_lines(xs: np.ndarray, ys: np.ndarray, floor: float) -> list[list[np.ndarray]]:
    """Visible pieces of each ridge, nearest ridge last in ``ys`` (rows, samples; y down).

    A ridge's area is everything below its line down to ``floor``; each line is clipped by
    the union of the areas of the ridges in front of it.
    """
    import shapely
    from shapely.geometry import LineString, Polygon

    pieces: list[list[np.ndarray]] = [[] for _ in range(len(ys))]
    cover = None
    for r in range(len(ys) - 1, -1, -1):
        line = LineString(np.column_stack([xs, ys[r]]))
        shown = line if cover is None else line.difference(cover)
        pieces[r] = [np.asarray(g.coords) for g in getattr(shown, "geoms", [shown]) if not g.is_empty]
        area = Polygon(np.vstack([np.column_stack([xs, ys[r]]), [[xs[-1], floor], [xs[0], floor]]]))
        cover = area if cover is None else shapely.union(cover, area)
    return pieces


def generate(config: RidgelinesConfig, data: np.ndarray | None = None) -> Drawing:
    """The ridgelines of ``config``; ``data`` (rows, values) replaces the noise profiles."""
    rng = np.random.default_rng(config.seed)
    heights = noise_profiles(config, rng) if data is None else data_profiles(data, config)
    w, h = canvas_size(config)
    rows = len(heights)
    xs = np.linspace(SIDE * w, (1 - SIDE) * w, heights.shape[1])
    baselines = np.linspace(TOP * h, BOTTOM * h, rows)
    spacing = (BOTTOM - TOP) * h / max(rows - 1, 1)
    ys = baselines[:, None] - heights * config.amplitude * spacing
    pieces = hide_lines(xs, ys, floor=h + 1.0)
    paths = Paths.from_list([p for row in pieces for p in row])
    layer = Layer(config.color, config.width, paths, name="ridges")
    return Drawing(w, h, background=config.background, layers=(layer,))

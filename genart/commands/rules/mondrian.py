"""Mondrian-like compositions: recursive subdivision with weighted splits and primary fills.

A cell splits across its longer side more often (weight: the side's length squared) at a
position drawn away from the edges and snapped to a coarse grid, so lines from different
cells line up as in Mondrian's grids; cells stop splitting at ``depth``, when too small,
or by chance (``stop``). Cells tile the canvas exactly. Each split becomes one black line
spanning its parent cell; fills are drawn by weight, and every colour of the palette
appears at least once. With ``as_map`` the drawing is a semantic map for genart doodle:
flat ``map_colors`` without lines or antialiasing.

Example::

    drawing = generate(MondrianConfig(seed=3))
    cells = subdivide(MondrianConfig(seed=3), np.random.default_rng(3))   # (N, 4) x0 y0 x1 y1
"""
from __future__ import annotations

import numpy as np

from .configs import MondrianConfig
from .drawing import Drawing, Fill, Layer, Paths, parse_color
from .fit import CANVAS

DARK_MAX_SHARE = 0.03  # black fills only cells below this share of the canvas


def canvas_size(config: MondrianConfig) -> tuple[float, float]:
    """(width, height) with the long side :data:`CANVAS`."""
    if config.aspect >= 1:
        return CANVAS, CANVAS / config.aspect
    return CANVAS * config.aspect, CANVAS


def subdivide(config: MondrianConfig, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The cells (N, 4) as ``x0, y0, x1, y1`` and the split lines (M, 4) as ``x0, y0, x1, y1``."""
    w, h = canvas_size(config)
    step = max(w, h) / config.grid if config.grid else 0.0
    cells: list[tuple[float, float, float, float]] = []
    lines: list[tuple[float, float, float, float]] = []
    todo = [((0.0, 0.0, w, h), 0)]
    while todo:
        (x0, y0, x1, y1), level = todo.pop()
        cut = _choose_split(x0, y0, x1, y1, level, config, rng, step)
        if cut is None:
            cells.append((x0, y0, x1, y1))
            continue
        vertical, at = cut
        if vertical:
            lines.append((at, y0, at, y1))
            todo += [((at, y0, x1, y1), level + 1), ((x0, y0, at, y1), level + 1)]
        else:
            lines.append((x0, at, x1, at))
            todo += [((x0, at, x1, y1), level + 1), ((x0, y0, x1, at), level + 1)]
    return np.array(cells), np.array(lines).reshape(-1, 4)


def _choose_split(
    x0: float, y0: float, x1: float, y1: float, level: int,
    config: MondrianConfig, rng: np.random.Generator, step: float,
) -> tuple[bool, float] | None:  # fmt: skip
    """(vertical?, coordinate) of the split of a cell, or None when it stays whole."""
    w, h = x1 - x0, y1 - y0
    if level >= config.depth or (level >= 2 and rng.random() < config.stop):
        return None
    options = [(True, x0, w), (False, y0, h)]
    options = [o for o in options if o[2] >= 2 * config.min_cell]
    if not options:
        return None
    weights = np.array([o[2] ** 2 for o in options])
    vertical, start, length = options[rng.choice(len(options), p=weights / weights.sum())]
    # Away from the middle and from the edges: Mondrian's divisions are rarely halves.
    t = rng.choice([-1, 1]) * rng.uniform(0.12, 0.36) + 0.5
    at = start + t * length
    if step:
        at = start + np.clip(round((at - start) / step) * step, config.min_cell, length - config.min_cell)
    return vertical, float(at)


def colour_cells(cells: np.ndarray, config: MondrianConfig, rng: np.random.Generator) -> np.ndarray:
    """Index into ``config.colors`` for each cell: drawn by weight, every colour present.

    The darkest colour (black) only goes to small cells, as in Mondrian's paintings.
    """
    weights = np.asarray(config.weights, dtype=np.float64)
    area = (cells[:, 2] - cells[:, 0]) * (cells[:, 3] - cells[:, 1])
    share = area / area.sum()
    dark = int(np.argmin([sum(parse_color(c)) for c in config.colors]))
    base = int(np.argmax(weights))  # the background colour (white)
    picks = np.empty(len(cells), dtype=np.int64)
    for i, s in enumerate(share):
        w = weights.copy()
        if s > DARK_MAX_SHARE and dark != base:
            w[dark] = 0.0
        picks[i] = rng.choice(len(w), p=w / w.sum()) if w.sum() > 0 else base
    for colour in np.flatnonzero(weights > 0):
        if colour == base or (picks == colour).any() or (picks == base).sum() <= 1:
            continue
        # recolour a white cell of middling size, so accents are neither slivers nor fields
        candidates = np.flatnonzero(picks == base)
        middle = candidates[np.argsort(np.abs(area[candidates] - np.median(area)))]
        picks[middle[rng.integers(0, min(3, len(middle)))]] = colour
    return picks


def generate(config: MondrianConfig) -> Drawing:
    """The composition of ``config`` (or its semantic map when ``config.as_map``)."""
    rng = np.random.default_rng(config.seed)
    cells, lines = subdivide(config, rng)
    picks = colour_cells(cells, config, rng)
    w, h = canvas_size(config)
    palette = config.map_colors if config.as_map else config.colors
    fills = tuple(
        Fill(palette[k], tuple(_rect(c) for c in cells[picks == k]))
        for k in range(len(palette))
        if (picks == k).any()
    )
    if config.as_map:
        return Drawing(w, h, background=None, fills=fills, antialias=False)
    layers: tuple[Layer, ...] = ()
    if config.line_width > 0 and len(lines):
        paths = Paths.from_list([ln.reshape(2, 2) for ln in lines])
        layers = (Layer(config.line_color, config.line_width, paths, name="lines"),)
    return Drawing(w, h, background=config.colors[0], fills=fills, layers=layers)


def _rect(cell: np.ndarray) -> np.ndarray:
    x0, y0, x1, y1 = cell
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])

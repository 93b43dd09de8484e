"""Mondrian: exact tiling, colours, and semantic maps genart doodle reads back exactly."""
from __future__ import annotations

import numpy as np
import pytest

from genart.commands.doodle.semantic import quantize_maps
from genart.commands.rules.configs import MondrianConfig
from genart.commands.rules.drawing import parse_color
from genart.commands.rules.mondrian import canvas_size, generate, subdivide
from genart.commands.rules.raster import to_raster
from genart.core.errors import ConfigError
from genart.imageio import to_tensor


@pytest.mark.parametrize("seed, aspect, grid", [(0, 1.0, 48), (3, 1.6, 0), (11, 0.5, 96)])
def test_cells_tile_the_canvas_exactly(seed, aspect, grid):
    config = MondrianConfig(seed=seed, aspect=aspect, grid=grid)
    cells, lines = subdivide(config, np.random.default_rng(seed))
    w, h = canvas_size(config)
    assert len(cells) > 8 and len(lines) == len(cells) - 1  # each split adds one cell
    assert (cells[:, 0] >= 0).all() and (cells[:, 2] <= w).all()
    assert (cells[:, 1] >= 0).all() and (cells[:, 3] <= h).all()
    area = (cells[:, 2] - cells[:, 0]) * (cells[:, 3] - cells[:, 1])
    assert (area > 0).all()
    assert area.sum() == pytest.approx(w * h, rel=1e-12)
    # no two cells overlap: pairwise intersection areas are all zero
    x0 = np.maximum(cells[:, None, 0], cells[None, :, 0])
    x1 = np.minimum(cells[:, None, 2], cells[None, :, 2])
    y0 = np.maximum(cells[:, None, 1], cells[None, :, 1])
    y1 = np.minimum(cells[:, None, 3], cells[None, :, 3])
    overlap = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    np.fill_diagonal(overlap, 0)
    assert overlap.max() < 1e-9


def test_every_colour_appears_and_black_stays_small():
    for seed in range(6):
        d = generate(MondrianConfig(seed=seed))
        colours = {f.color for f in d.fills}
        assert colours == set(MondrianConfig().colors)
        black = next(f for f in d.fills if f.color == "#161616")
        for poly in black.polygons:
            span = poly.max(axis=0) - poly.min(axis=0)
            assert span[0] * span[1] <= 0.03 * 1000 * 1000 + 1e-6


def expected_labels(cells: np.ndarray, picks: list[int], size: tuple[int, int], canvas: tuple[float, float]):
    """Label of each pixel by the cell containing its centre (the non-antialiased rule).

    Also returns the pixels whose centre lies on a cell edge, where either side is right.
    """
    w, h = size
    xs = (np.arange(w) + 0.5) * canvas[0] / w
    ys = (np.arange(h) + 0.5) * canvas[1] / h
    out = np.full((h, w), -1)
    on_edge = np.zeros((h, w), dtype=bool)
    for (x0, y0, x1, y1), k in zip(cells, picks):
        cols = (xs >= x0) & (xs < x1)
        rows = (ys >= y0) & (ys < y1)
        out[np.ix_(rows, cols)] = k
        on_edge[:, np.isclose(xs, x0) | np.isclose(xs, x1)] = True
        on_edge[np.isclose(ys, y0) | np.isclose(ys, y1), :] = True
    return out, on_edge


@pytest.mark.parametrize("seed, size", [(3, 200), (8, 200), (5, 257)])
def test_as_map_is_read_back_exactly_by_doodle(seed, size):
    config = MondrianConfig(seed=seed, as_map=True)
    d = generate(config)
    assert d.antialias is False and not d.layers  # flat regions, no lines
    rgb = to_raster(d, size)
    colours = {tuple(c) for c in rgb.reshape(-1, 3)}
    assert colours <= {parse_color(c) for c in config.map_colors}  # no in-between colours
    # the regions drawn: each fill's rectangles with its colour index
    cells, picks = [], []
    for fill in d.fills:
        k = config.map_colors.index(fill.color)
        for poly in fill.polygons:
            cells.append([*poly.min(axis=0), *poly.max(axis=0)])
            picks.append(k)
    want, tie = expected_labels(np.array(cells), picks, (rgb.shape[1], rgb.shape[0]), (d.width, d.height))
    assert tie.mean() < 0.05
    tensor = to_tensor(rgb.astype(np.float32) / 255)
    maps = quantize_maps(tensor, tensor)
    got = maps.target.numpy()
    # the doodle palette's label k must be exactly one of our colours, pixel for pixel
    for label in np.unique(got):
        colour = tuple(int(round(v * 255)) for v in maps.palette[label].tolist())
        ours = [i for i, c in enumerate(config.map_colors) if parse_color(c) == colour]
        assert ours, f"doodle found colour {colour} that the map does not use"
        assert np.array_equal((got == label)[~tie], (want == ours[0])[~tie])


def test_map_matches_the_shared_monet_map(shared_dir):
    """The default map colours are those of the Monet map, so `doodle --style Monet.jpg` accepts it."""
    from genart.imageio import load_image

    monet = to_tensor(load_image(shared_dir / "images" / "doodle" / "Monet_sem.png"))
    rgb = to_raster(generate(MondrianConfig(seed=3, as_map=True)), 256)
    maps = quantize_maps(monet, to_tensor(rgb.astype(np.float32) / 255))  # raises if not covered
    assert len(np.unique(maps.target.numpy())) >= 3


def test_lines_span_their_cells_and_config_checks():
    d = generate(MondrianConfig(seed=1))
    assert d.layers[0].color == "#161616" and d.layers[0].paths.segments == len(d.layers[0].paths)
    with pytest.raises(ConfigError, match="one entry each"):
        MondrianConfig(weights=(1.0, 2.0))
    with pytest.raises(ConfigError, match="not a colour"):
        MondrianConfig(line_color="black")

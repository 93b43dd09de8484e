"""Flow fields: gradient noise, tracing, and lines that keep their distance with --avoid."""
from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial import cKDTree

from genart.commands.rules.configs import FlowfieldConfig
from genart.commands.rules.flowfield import generate
from genart.commands.rules.noise import fractal_noise, perlin, random_gradients

SMALL = dict(lines=300, steps=60)


def test_noise_is_smooth_seeded_and_zero_on_the_lattice():
    rng = np.random.default_rng(0)
    grads = random_gradients(rng, (8, 8))
    ix, iy = np.meshgrid(np.arange(8.0), np.arange(8.0))
    assert np.allclose(perlin(ix, iy, grads), 0.0)  # gradient noise vanishes at lattice points
    a = fractal_noise(64, 64, scale=4, octaves=3, rng=np.random.default_rng(1))
    b = fractal_noise(64, 64, scale=4, octaves=3, rng=np.random.default_rng(1))
    assert np.array_equal(a, b) and np.abs(a).max() < 1.0 and a.std() > 0.05
    assert np.abs(np.diff(a, axis=1)).max() < 0.2  # continuous: neighbours differ little


def all_lines(drawing):
    return [p for layer in drawing.layers for p in layer.paths]


def test_avoiding_lines_keep_their_distance():
    config = FlowfieldConfig(seed=3, separation=8.0, **SMALL)
    lines = all_lines(generate(config))
    assert len(lines) > 50
    owner = np.concatenate([np.full(len(p), i) for i, p in enumerate(lines)])
    points = np.concatenate(lines)
    pairs = cKDTree(points).query_pairs(r=config.separation * 0.5, output_type="ndarray")
    other = owner[pairs[:, 0]] != owner[pairs[:, 1]]
    # cells are separation/2 wide and a whole 3x3 block must be free: other lines stay
    # at least half a separation away (two particles may claim neighbouring cells in the
    # same step; those rare near-misses are all that may remain)
    assert other.sum() <= 0.002 * len(points)


def test_without_avoid_lines_cross_and_run_full_length():
    config = FlowfieldConfig(seed=3, avoid=False, **SMALL)
    lines = all_lines(generate(config))
    lengths = np.array([len(p) for p in lines])
    assert np.median(lengths) == config.steps + 1  # most particles never stop early
    for p in lines:
        steps = np.linalg.norm(np.diff(p, axis=0), axis=1)
        assert np.allclose(steps, config.step)  # fixed step


def test_lines_stay_on_the_canvas_and_use_the_palette():
    d = generate(FlowfieldConfig(seed=1, palette="ocean", **SMALL))
    pts = np.concatenate(all_lines(d))
    assert pts.min() >= 0 and (pts[:, 0] < d.width).all() and (pts[:, 1] < d.height).all()
    from genart.commands.rules.colormaps import PALETTES

    assert {layer.color for layer in d.layers} <= set(PALETTES["ocean"])
    assert {layer.width for layer in d.layers} <= set(FlowfieldConfig().widths)


@pytest.mark.parametrize("seed", [0, 7])
def test_same_seed_same_lines(seed):
    a = all_lines(generate(FlowfieldConfig(seed=seed, **SMALL)))
    b = all_lines(generate(FlowfieldConfig(seed=seed, **SMALL)))
    assert len(a) == len(b) and all(np.array_equal(p, q) for p, q in zip(a, b))


def test_too_many_points_is_refused_before_allocating():
    from genart.core.errors import UsageError

    with pytest.raises(UsageError, match="fewer lines or steps"):
        generate(FlowfieldConfig(lines=1_000_000, steps=1000))

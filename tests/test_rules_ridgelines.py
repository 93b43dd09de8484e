"""Ridgelines: hidden lines really hidden, and ridges from data (CSV, greyscale image)."""
from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import LineString, Polygon

from genart.commands.rules.configs import RidgelinesConfig
from genart.commands.rules.generators import render
from genart.commands.rules.ridgelines import generate, hide_lines, load_data
from genart.core.errors import UsageError
from genart.imageio import save_image


def ridge_area(xs: np.ndarray, ys: np.ndarray, floor: float) -> Polygon:
    return Polygon(np.vstack([np.column_stack([xs, ys]), [[xs[-1], floor], [xs[0], floor]]]))


@pytest.mark.parametrize("seed", [0, 1])
def test_no_drawn_segment_lies_inside_a_nearer_ridge(seed):
    rng = np.random.default_rng(seed)
    rows, samples, floor = 14, 60, 100.0
    xs = np.linspace(0, 100, samples)
    ys = np.linspace(10, 80, rows)[:, None] - rng.gamma(2.0, 6.0, (rows, samples))  # tall, crossing peaks
    pieces = hide_lines(xs, ys, floor)
    hidden_some = False
    for r, row in enumerate(pieces):
        nearer = [ridge_area(xs, ys[j], floor).buffer(-1e-7) for j in range(r + 1, rows)]
        drawn = sum(LineString(p).length for p in row)
        whole = LineString(np.column_stack([xs, ys[r]])).length
        hidden_some |= drawn < whole - 1e-6
        for p in row:
            seg = LineString(p)
            for area in nearer:
                assert seg.intersection(area).length < 1e-6
    assert hidden_some  # the test data really has occlusions
    # the nearest ridge is never occluded
    assert sum(LineString(p).length for p in pieces[-1]) == pytest.approx(
        LineString(np.column_stack([xs, ys[-1]])).length
    )


def test_visible_parts_are_exactly_the_uncovered_parts():
    """A flat ridge in front at y=30 hides the back peak below y=30, and nothing else."""
    xs = np.array([0.0, 50.0, 100.0])
    ys = np.array([[50.0, 10.0, 50.0], [30.0, 30.0, 30.0]])  # back peak (tip y=10), flat front
    back, front = hide_lines(xs, ys, floor=100.0)
    assert len(back) == 1 and len(front) == 1
    assert np.allclose(back[0], [[25, 30], [50, 10], [75, 30]])
    assert np.allclose(front[0], [[0, 30], [50, 30], [100, 30]])


def test_csv_rows_become_ridges(tmp_path):
    path = tmp_path / "rows.csv"
    rows = [[0, 1, 4, 1, 0], [0, 2, 0, 2, 0], [1, 1, 1, 1, 1]]
    path.write_text("# comment\n" + "\n".join(",".join(map(str, r)) for r in rows) + "\n")
    data = load_data(path, rows=99)
    assert data.shape == (3, 5)
    d = render("ridgelines", RidgelinesConfig(data=str(path), samples=51))
    assert len(d.layers[0].paths) >= 3
    # the tallest value (4, middle of the first row) is the highest point of the drawing
    pts = d.layers[0].paths.points
    assert abs(pts[np.argmin(pts[:, 1]), 0] - d.width / 2) < 1e-6


def test_bad_csv_is_a_usage_error(tmp_path):
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("1,2,3\n4,5\n")
    with pytest.raises(UsageError, match="equal length"):
        load_data(ragged, rows=10)
    words = tmp_path / "words.csv"
    words.write_text("a,b\nc,d\n")
    with pytest.raises(UsageError, match="not a table of numbers"):
        load_data(words, rows=10)


def test_greyscale_image_rows(tmp_path):
    img = np.zeros((40, 64, 3), dtype=np.float32)
    img[:, 28:36] = 1.0  # a bright vertical stripe: a peak in the middle of every ridge
    path = tmp_path / "stripe.png"
    save_image(img, path)
    data = load_data(path, rows=10)
    assert data.shape == (10, 64)
    assert np.allclose(data[:, 30], 1.0) and np.allclose(data[:, 5], 0.0)
    d = generate(RidgelinesConfig(rows=10), data=data)
    pts = d.layers[0].paths.points
    peak_x = pts[np.argmin(pts[:, 1]), 0]
    assert abs(peak_x - d.width / 2) < d.width * 0.1

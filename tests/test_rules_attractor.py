"""Attractors: safe formulas, exact point counts, custom maps equal to the built-in ones."""
from __future__ import annotations

import numpy as np
import pytest

from genart.commands.rules.attractor import density, generate, tone_map
from genart.commands.rules.configs import AttractorConfig
from genart.commands.rules.formula import compile_formula
from genart.core.errors import UsageError

SMALL = dict(points=200_000, size=96, supersample=1)


def test_allowed_formulas_evaluate_like_numpy():
    x, y = np.linspace(-1, 1, 7), np.linspace(0.5, 2, 7)
    env = {"x": x, "y": y, "a": 1.5, "b": -0.5, "c": 2.0, "d": 0.25}
    f = compile_formula("sin(a*y) + c*cos(a*x) - -x**2 % 3 / (1 + abs(y)) + atan2(y, x) + max(x, d) * pi")
    want = np.sin(1.5 * y) + 2 * np.cos(1.5 * x) - (-(x**2)) % 3 / (1 + np.abs(y)) + np.arctan2(y, x) + np.maximum(x, 0.25) * np.pi
    assert np.allclose(f(env), want)
    assert compile_formula("2")(env) == 2.0


@pytest.mark.parametrize(
    "text, part",
    [
        ("__import__('os').system('echo hi')", "__import__"),
        ("x.real", "x.real"),
        ("x[0]", "x[0]"),
        ("'abc'", "'abc'"),
        ("(lambda: 1)()", "lambda: 1"),
        ("open('f')", "open"),
        ("z + 1", "z"),
        ("x if y else 1", "x if y else 1"),
        ("x < y", "x < y"),
        ("sin(x, y)", "sin(x, y)"),
        ("sin(x=1)", "sin(x=1)"),
        ("[x for x in y]", "[x for x in y]"),
        ("True + x", "True"),
        ("x @ y", "x @ y"),
    ],
)
def test_unsafe_formulas_are_refused_naming_the_part(text, part):
    with pytest.raises(UsageError) as info:
        compile_formula(text, where="formula_x")
    msg = str(info.value)
    assert msg.startswith("formula_x: ") and part in msg and "not allowed" in msg and "\n" not in msg


def test_syntax_errors_and_huge_formulas():
    with pytest.raises(UsageError, match="invalid formula"):
        compile_formula("sin(x")
    with pytest.raises(UsageError, match="longer than"):
        compile_formula("x+" * 300 + "x")


def test_every_point_is_counted_once():
    config = AttractorConfig(points=123_457, seed=4)
    counts, _ = density(config, 64, 48, bounds=(-5.0, 5.0, -5.0, 5.0))  # bounds hold every point
    assert counts.shape == (48, 64) and counts.sum() == 123_457


def test_custom_formula_reproduces_clifford_exactly():
    clifford = AttractorConfig(points=100_000, seed=2)
    custom = AttractorConfig(points=100_000, seed=2, kind="custom",
                             formula_x="sin(a*y) + c*cos(a*x)", formula_y="sin(b*x) + d*cos(b*y)")  # fmt: skip
    a, bounds = density(clifford, 80, 80)
    b, _ = density(custom, 80, 80, bounds=bounds)
    assert np.array_equal(a, b)


def test_seeds_and_maps_make_different_pictures():
    a = generate(AttractorConfig(seed=1, **SMALL)).raster
    b = generate(AttractorConfig(seed=1, **SMALL)).raster
    c = generate(AttractorConfig(seed=2, **SMALL)).raster
    dj = generate(AttractorConfig(kind="dejong", a=1.4, b=-2.3, c=2.4, d=-2.1, **SMALL)).raster
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert a.shape[:2] != dj.shape[:2] or not np.allclose(a, dj)


def test_diverging_custom_map_is_a_usage_error():
    with pytest.raises(UsageError, match="diverges"):
        generate(AttractorConfig(kind="custom", formula_x="2*x + 1", formula_y="3*y - 1", **SMALL))


def test_tone_map_is_monotonic_and_uses_the_ramp_ends():
    counts = np.array([[0, 1, 10, 100, 1000]])
    rgb = tone_map(counts, "mono", 1.0)
    grey = rgb[0, :, 0]
    assert grey[0] == 0.0 and grey[-1] == pytest.approx(1.0) and np.all(np.diff(grey) > 0)
    assert grey[2] == pytest.approx(np.log1p(10) / np.log1p(1000), rel=1e-5)  # log tone mapping


def test_vary_moves_the_parameters_by_seed_and_keeps_them_chaotic():
    from genart.commands.rules.attractor import _is_chaotic, varied

    fixed = AttractorConfig(vary=0.0, seed=5)
    assert varied(fixed) is fixed
    one, again, two = (varied(AttractorConfig(vary=0.3, seed=s)) for s in (1, 1, 2))
    assert (one.a, one.b, one.c, one.d) == (again.a, again.b, again.c, again.d)
    assert (one.a, one.b) != (two.a, two.b)
    assert abs(one.a - AttractorConfig().a) <= 0.3
    assert _is_chaotic(one) and _is_chaotic(two)
    assert not _is_chaotic(AttractorConfig(kind="dejong", a=0.1, b=0.1, c=0.1, d=0.1))  # a fixed point

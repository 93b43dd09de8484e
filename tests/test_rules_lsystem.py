"""L-systems: exact geometry of classic curves, the vectorised turtle, and bad input."""
from __future__ import annotations

import dataclasses
import math
import tracemalloc

import numpy as np
import pytest

from genart.commands.rules.configs import LsystemConfig
from genart.commands.rules.lsystem import generate, parse_rules, rewrite, turtle
from genart.core.errors import UsageError

PLAIN = dict(heading=0.0, angle_jitter=0.0, colors=("#000000",))


def lsys(**kw) -> LsystemConfig:
    return LsystemConfig(**{**PLAIN, **kw})


def all_paths(drawing):
    return [p for layer in drawing.layers for p in layer.paths]


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_koch_curve_segments_and_length(n):
    d = generate(lsys(axiom="F", rules=("F=F+F--F+F",), angle=60, iterations=n))
    assert d.segments == 4**n
    paths = all_paths(d)
    assert len(paths) == 1  # one unbroken curve
    p = paths[0]
    length = np.linalg.norm(np.diff(p, axis=0), axis=1).sum()
    base = np.linalg.norm(p[-1] - p[0])  # the segment the curve replaced: length 1
    assert length / base == pytest.approx((4 / 3) ** n, rel=1e-9)


@pytest.mark.parametrize("n", [1, 3, 5])
def test_hilbert_visits_every_cell_once(n):
    d = generate(lsys(axiom="A", rules=("A=+BF-AFA-FB+", "B=-AF+BFB+FA-"), angle=90, iterations=n))
    points = all_paths(d)[0]
    step = np.linalg.norm(points[1] - points[0])
    cells = np.rint((points - points.min(axis=0)) / step).astype(int)
    assert len(points) == 4**n
    assert cells.min() == 0 and cells.max() == 2**n - 1
    assert len({tuple(c) for c in cells}) == 4**n  # each of the 2^n x 2^n cells exactly once
    assert np.allclose(np.abs(np.diff(cells, axis=0)).sum(axis=1), 1)  # unit steps only


def reference_turtle(text: str, angle: float, decay: float = 1.0):
    """A plain stack turtle: the behaviour the vectorised one must reproduce."""
    x = y = h = 0.0
    depth, stack, segments = 0, [], []
    for ch in text:
        if ch in "Ff":
            length = decay**depth
            nx, ny = x + length * math.cos(h), y + length * math.sin(h)
            if ch == "F":
                segments.append(((x, y), (nx, ny)))
            x, y = nx, ny
        elif ch in "+-|":
            h += {"+": math.radians(angle), "-": -math.radians(angle), "|": math.pi}[ch]
        elif ch == "[":
            stack.append((x, y, h))
            depth += 1
        elif ch == "]":
            x, y, h = stack.pop()
            depth -= 1
    return np.array(segments)


def test_vectorised_turtle_matches_a_stack_turtle():
    rules = parse_rules(("X=F[+X]F[-X]+X", "F=FfF", "Y=[|F]-Y"))
    text = rewrite("X[Y]-X", rules, 4, np.random.default_rng(0))
    geo = turtle(text, angle=23, step_decay=0.8)
    ref = reference_turtle(text, 23, 0.8)
    assert len(ref) == len(geo.starts) > 100
    assert np.allclose(geo.starts, ref[:, 0], atol=1e-9)
    assert np.allclose(geo.ends, ref[:, 1], atol=1e-9)


def test_brackets_lift_the_pen_and_return():
    geo = turtle("F[+F]F", angle=90)
    assert np.allclose(geo.ends, [[1, 0], [1, 1], [2, 0]])
    assert list(geo.connected) == [False, True, False]  # the branch continues; after ] a jump
    assert list(geo.depth) == [0, 1, 0]


def test_stochastic_rules_follow_the_seed():
    base = lsys(axiom="F", rules=("F=1:F[+F]F", "F=1:F[-F]F", "F=2:FF"), angle=25, iterations=5)
    a = generate(dataclasses.replace(base, seed=1))
    b = generate(dataclasses.replace(base, seed=1))
    c = generate(dataclasses.replace(base, seed=2))
    pa, pc = all_paths(a), all_paths(c)
    assert all(np.array_equal(p, q) for p, q in zip(pa, all_paths(b)))
    assert len(pa) != len(pc) or any(not np.array_equal(p, q) for p, q in zip(pa, pc))
    assert parse_rules(("F=1:A", "F=3:B"))["F"].weights == (0.25, 0.75)


def test_explosion_stops_before_allocating():
    tracemalloc.start()
    with pytest.raises(UsageError, match=r"40 iterations .*max_segments 5000000; at most 22 iterations fit"):
        generate(lsys(axiom="F", rules=("F=FF",), iterations=40))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 10_000_000  # refused from counts, not after building a 2**40 string


def test_non_drawing_symbols_count_toward_the_limit():
    with pytest.raises(UsageError, match="symbols"):
        generate(lsys(axiom="FX", rules=("X=XXX",), iterations=30, max_segments=1000))


@pytest.mark.parametrize(
    "rule, why",
    [
        ("FF", "one '='"),
        ("F=F=F", "one '='"),
        ("=F", "one symbol"),
        ("FG=F", "one symbol"),
        ("F=F[+F", "unclosed"),
        ("F=F]", "without a matching"),
        ("F=x:FF", "not a number"),
        ("F=-1:FF", "above 0"),
        ("F=FÜ", "ASCII"),
    ],
)
def test_malformed_rules_are_usage_errors(rule, why):
    with pytest.raises(UsageError, match=why) as info:
        generate(lsys(axiom="F", rules=(rule,)))
    assert "\n" not in str(info.value)


def test_nothing_to_draw_is_an_error():
    with pytest.raises(UsageError, match="draws nothing"):
        generate(lsys(axiom="X", rules=("X=+X",), iterations=2))

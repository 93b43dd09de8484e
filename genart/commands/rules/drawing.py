"""The drawing model every rule-based generator returns, and every renderer reads.

A :class:`Drawing` is a canvas in user units (y down, origin top left) with a background,
filled polygons (drawn first), stroked polylines grouped in layers of one colour and width
(drawn next, in order), and optionally a raster image covering the whole canvas (a density
image, drawn under everything else). Polylines are stored ragged: one (M, 2) array of
points and the index where each path starts, so a million-segment L-system is two arrays,
not a million small ones.

Example::

    paths = Paths.from_list([np.array([[0, 0], [10, 10]]), np.array([[5, 0], [5, 10]])])
    d = Drawing(100, 100, layers=(Layer("#000000", 1.0, paths),))
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Sequence

import numpy as np

from ...core.errors import UsageError


# eq=False: these hold numpy arrays, which have no single truth value to compare by.
@dataclass(frozen=True, eq=False)
class Paths:
    """Ragged polylines: path ``i`` is ``points[starts[i]:starts[i + 1]]``."""

    points: np.ndarray  # (M, 2) float64
    starts: np.ndarray  # (P + 1,) int64, starts[0] == 0, starts[-1] == M

    @staticmethod
    def from_list(paths: Sequence[np.ndarray]) -> "Paths":
        """Paths of at least two points each (shorter ones are dropped)."""
        kept = [np.asarray(p, dtype=np.float64).reshape(-1, 2) for p in paths]
        kept = [p for p in kept if len(p) >= 2]
        if not kept:
            return Paths.empty()
        starts = np.zeros(len(kept) + 1, dtype=np.int64)
        np.cumsum([len(p) for p in kept], out=starts[1:])
        return Paths(np.concatenate(kept), starts)

    @staticmethod
    def empty() -> "Paths":
        return Paths(np.zeros((0, 2)), np.zeros(1, dtype=np.int64))

    def __len__(self) -> int:
        return len(self.starts) - 1

    def __iter__(self) -> Iterator[np.ndarray]:
        for a, b in zip(self.starts[:-1], self.starts[1:]):
            yield self.points[a:b]

    def __getitem__(self, i: int) -> np.ndarray:
        return self.points[self.starts[i] : self.starts[i + 1]]

    @property
    def segments(self) -> int:
        """Number of line segments (points less one per path)."""
        return int(len(self.points) - len(self))

    def lengths(self) -> np.ndarray:
        """Euclidean length of each path."""
        seg = np.linalg.norm(np.diff(self.points, axis=0), axis=1)
        inside = np.ones(len(seg), dtype=bool)
        inside[self.starts[1:-1] - 1] = False  # the jump from one path to the next
        total = np.concatenate([[0.0], np.cumsum(np.where(inside, seg, 0.0))])
        return total[self.starts[1:] - 1] - total[self.starts[:-1]]

    def reorder(self, order: np.ndarray, reverse: np.ndarray) -> "Paths":
        """The same paths in ``order``, each flipped where ``reverse`` is True."""
        out = [self[i][::-1] if r else self[i] for i, r in zip(order.tolist(), reverse.tolist())]
        return Paths.from_list(out)


@dataclass(frozen=True, eq=False)
class Layer:
    """Polylines stroked with one colour and width (user units): one pen on a plotter."""

    color: str  # "#rrggbb"
    width: float
    paths: Paths
    name: str = ""


@dataclass(frozen=True, eq=False)
class Fill:
    """Closed polygons filled with one colour (no stroke)."""

    color: str
    polygons: tuple[np.ndarray, ...]  # each (N, 2)


@dataclass(frozen=True, eq=False)
class Drawing:
    """A finished picture in user units; renderers scale it to paper or pixels.

    ``antialias=False`` asks raster renderers for hard edges and exact colours (semantic
    maps). ``raster`` is float RGB (H, W, 3) in [0, 1] stretched over the canvas.
    """

    width: float
    height: float
    background: str | None = "#ffffff"
    fills: tuple[Fill, ...] = ()
    layers: tuple[Layer, ...] = ()
    raster: np.ndarray | None = None
    antialias: bool = True

    def __post_init__(self) -> None:
        if not (self.width > 0 and self.height > 0):
            raise UsageError(f"drawing size must be positive, got {self.width} x {self.height}")

    @property
    def segments(self) -> int:
        return sum(layer.paths.segments for layer in self.layers)


def parse_color(text: str) -> tuple[int, int, int]:
    """``#rrggbb`` or ``#rgb`` -> (r, g, b) in 0-255; a UsageError otherwise."""
    t = text.strip().lstrip("#")
    if len(t) == 3:
        t = "".join(c * 2 for c in t)
    try:
        if len(t) != 6:
            raise ValueError
        return int(t[0:2], 16), int(t[2:4], 16), int(t[4:6], 16)
    except ValueError:
        raise UsageError(f"colour {text!r}: expected #rrggbb") from None


def hex_color(rgb: Sequence[float]) -> str:
    """(r, g, b) in 0-255 -> ``#rrggbb``."""
    r, g, b = (int(round(min(255.0, max(0.0, float(v))))) for v in rgb)
    return f"#{r:02x}{g:02x}{b:02x}"


def mix(a: str, b: str, t: float) -> str:
    """The colour ``t`` of the way from ``a`` to ``b`` (linear in sRGB values)."""
    ca, cb = np.array(parse_color(a), float), np.array(parse_color(b), float)
    return hex_color(ca + (cb - ca) * t)


def ramp(colors: Sequence[str], n: int) -> list[str]:
    """``n`` colours evenly along the piecewise-linear ramp through ``colors``."""
    if n <= 1 or len(colors) == 1:
        return [colors[0]] * max(n, 1)
    out = []
    for i in range(n):
        pos = i / (n - 1) * (len(colors) - 1)
        k = min(int(pos), len(colors) - 2)
        out.append(mix(colors[k], colors[k + 1], pos - k))
    return out

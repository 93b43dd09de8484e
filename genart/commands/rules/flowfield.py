"""Flow fields: particles traced with a fixed step through an angle field made of gradient noise.

All particles advance together (numpy over particles, a Python loop over steps only). With
``avoid``, a grid of cells half the separation wide records which line passed where and
when; a particle stops when a cell around its next position belongs to another line (or
to an old part of its own line, so spirals do not close on themselves), in the manner of
Jobard & Lefer's evenly spaced streamlines (1997). Particles are seeded in rounds, each
round into the room the earlier lines left. Colours follow a slow second noise so nearby
lines share a hue; widths are drawn at random.

Example::

    drawing = generate(FlowfieldConfig(seed=5))
"""
from __future__ import annotations

import numpy as np

from ...core.errors import UsageError
from .colormaps import PALETTES
from .configs import FlowfieldConfig
from .drawing import Drawing, Layer, Paths
from .fit import CANVAS
from .noise import fractal_noise

FIELD_CELL = 4.0  # canvas units per sample of the angle field
MAX_POINTS = 20_000_000  # traced points held at once (16 bytes each)
ROUNDS = 3  # seeding rounds with --avoid
ROUND_SHARES = (1, 2, 5)  # few seeds first, so the first lines grow long before the rest fill in
_NEIGHBOURS = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)]


def canvas_size(config: FlowfieldConfig) -> tuple[float, float]:
    if config.aspect >= 1:
        return CANVAS, CANVAS / config.aspect
    return CANVAS * config.aspect, CANVAS


class AngleField:
    """Direction (radians) at any canvas point, bilinear between noise samples."""

    def __init__(self, config: FlowfieldConfig, rng: np.random.Generator) -> None:
        w, h = canvas_size(config)
        gw, gh = int(w / FIELD_CELL) + 2, int(h / FIELD_CELL) + 2
        noise = fractal_noise(gh, gw, scale=config.noise_scale, octaves=config.octaves, rng=rng)
        self.angles = rng.uniform(0, 2 * np.pi) + noise * np.pi * config.turbulence * 2.0

    def __call__(self, p: np.ndarray) -> np.ndarray:
        gy, gx = self.angles.shape
        x = np.clip(p[:, 0] / FIELD_CELL, 0, gx - 1.001)
        y = np.clip(p[:, 1] / FIELD_CELL, 0, gy - 1.001)
        x0, y0 = x.astype(np.int64), y.astype(np.int64)
        fx, fy = x - x0, y - y0
        a = self.angles
        top = a[y0, x0] * (1 - fx) + a[y0, x0 + 1] * fx
        bottom = a[y0 + 1, x0] * (1 - fx) + a[y0 + 1, x0 + 1] * fx
        return top * (1 - fy) + bottom * fy


class Occupancy:
    """Which line (and at which step) last passed through each cell; -1 where none."""

    def __init__(self, width: float, height: float, cell: float, recent: int) -> None:
        self.cell = cell
        self.recent = recent
        shape = (int(height / cell) + 3, int(width / cell) + 3)  # a border of one cell
        self.owner = np.full(shape, -1, dtype=np.int64)
        self.stamp = np.zeros(shape, dtype=np.int64)

    def cells(self, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return (p[:, 1] / self.cell).astype(np.int64) + 1, (p[:, 0] / self.cell).astype(np.int64) + 1

    def blocked(self, p: np.ndarray, ids: np.ndarray, now: int) -> np.ndarray:
        cy, cx = self.cells(p)
        hit = np.zeros(len(p), dtype=bool)
        for dy, dx in _NEIGHBOURS:
            owner = self.owner[cy + dy, cx + dx]
            old = now - self.stamp[cy + dy, cx + dx] > self.recent
            hit |= (owner >= 0) & ((owner != ids) | old)
        return hit

    def claim(self, p: np.ndarray, ids: np.ndarray, now: int) -> np.ndarray:
        """Mark the cells of ``p``; returns False for particles that lost a cell to an earlier one."""
        cy, cx = self.cells(p)
        flat = cy * self.owner.shape[1] + cx
        _, first = np.unique(flat, return_index=True)
        won = np.zeros(len(p), dtype=bool)
        won[first] = True
        self.owner[cy[won], cx[won]] = ids[won]
        self.stamp[cy[won], cx[won]] = now
        return won


def trace(
    field: AngleField, seeds: np.ndarray, *, steps: int, step: float, size: tuple[float, float],
    occupancy: Occupancy | None = None, first_id: int = 0,
) -> list[np.ndarray]:  # fmt: skip
    """The polyline each seed traces (forward along the field), stopping at walls and lines."""
    w, h = size
    pos = seeds.astype(np.float64).copy()
    ids = np.arange(first_id, first_id + len(seeds))
    alive = np.ones(len(seeds), dtype=bool)
    if occupancy is not None:
        alive &= ~occupancy.blocked(pos, ids, 0)
        alive[alive] &= occupancy.claim(pos[alive], ids[alive], 0)
    history = np.full((steps + 1, len(seeds), 2), np.nan)
    history[0, alive] = pos[alive]
    for k in range(1, steps + 1):
        idx = np.flatnonzero(alive)
        if len(idx) == 0:
            break
        theta = field(pos[idx])
        nxt = pos[idx] + step * np.stack([np.cos(theta), np.sin(theta)], axis=1)
        ok = (nxt[:, 0] >= 0) & (nxt[:, 0] < w) & (nxt[:, 1] >= 0) & (nxt[:, 1] < h)
        if occupancy is not None:
            ok[ok] &= ~occupancy.blocked(nxt[ok], ids[idx][ok], k)
            ok[ok] &= occupancy.claim(nxt[ok], ids[idx][ok], k)
        alive[idx[~ok]] = False
        pos[idx[ok]] = nxt[ok]
        history[k, idx[ok]] = nxt[ok]
    lines = []
    for i in range(len(seeds)):
        col = history[:, i]
        lines.append(col[~np.isnan(col[:, 0])])
    return lines


def generate(config: FlowfieldConfig) -> Drawing:
    """The flow field of ``config``: one layer per (colour, width)."""
    if config.lines * (config.steps + 1) > MAX_POINTS:
        raise UsageError(
            f"flowfield: {config.lines} lines x {config.steps} steps is over {MAX_POINTS:.0e} points; "
            "use fewer lines or steps"
        )
    rng = np.random.default_rng(config.seed)
    w, h = canvas_size(config)
    field = AngleField(config, rng)
    occupancy = None
    if config.avoid:
        recent = int(np.ceil(2 * config.separation / config.step)) + 2
        occupancy = Occupancy(w, h, config.separation / 2, recent)
    rounds = ROUNDS if config.avoid else 1
    lines: list[np.ndarray] = []
    shares = np.array(ROUND_SHARES[:rounds]) / sum(ROUND_SHARES[:rounds])
    counts = np.diff(np.round(np.cumsum(np.concatenate([[0], shares])) * config.lines).astype(int))
    for count in counts:
        seeds = rng.uniform([0, 0], [w, h], size=(count, 2))
        lines += trace(field, seeds, steps=config.steps, step=config.step, size=(w, h),
                       occupancy=occupancy, first_id=len(lines))  # fmt: skip
    lines = [ln for ln in lines if len(ln) >= config.min_points]
    return Drawing(w, h, background=config.background, layers=_layers(lines, config, rng, (w, h)))


def _layers(lines: list[np.ndarray], config: FlowfieldConfig, rng: np.random.Generator, size: tuple[float, float]) -> tuple[Layer, ...]:
    colors = config.colors or PALETTES[config.palette]
    hue = fractal_noise(64, 64, scale=1.3, octaves=1, rng=rng)
    groups: dict[tuple[int, int], list[np.ndarray]] = {}
    for line in lines:
        mid = line[len(line) // 2]
        u = hue[int(mid[1] / size[1] * 63), int(mid[0] / size[0] * 63)]
        c = int(np.clip((u + 0.5) * len(colors) + rng.normal(0, 0.6), 0, len(colors) - 1))
        k = int(rng.integers(len(config.widths)))
        groups.setdefault((c, k), []).append(line)
    return tuple(
        Layer(colors[c], config.widths[k], Paths.from_list(groups[(c, k)]))
        for c, k in sorted(groups)
    )

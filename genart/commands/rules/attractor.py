"""Strange attractors as density images: many orbits in parallel, a histogram, log tone mapping.

``x, y -> f(x, y)`` is iterated for thousands of trajectories at once in float32 numpy
(each starts at a random point and runs ``burn_in`` steps before it is plotted). Points
are binned in chunks with ``np.bincount`` so memory stays bounded whatever ``points`` is;
two worker threads share the work (numpy's ufuncs release the GIL). The histogram is
tone-mapped with ``log(1 + n) / log(1 + max)``, a gamma, and a colour ramp.

Maps: Clifford (Pickover, *Chaos in Wonderland*, 1994) ``x' = sin(a y) + c cos(a x),
y' = sin(b x) + d cos(b y)``; Peter de Jong ``x' = sin(a y) - cos(b x), y' = sin(c x) -
cos(d y)``; or any formula pair of the safe grammar in :mod:`.formula`.

Example::

    counts, bounds = density(AttractorConfig(points=10**6), 512, 512)
"""
from __future__ import annotations

import dataclasses
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

import numpy as np

from ...core.errors import UsageError
from .colormaps import RAMPS, apply_ramp
from .configs import AttractorConfig
from .drawing import Drawing
from .fit import CANVAS
from .formula import compile_formula

TRAJECTORIES = 1 << 15  # orbits advanced together per worker
CHUNK_POINTS = 1 << 22  # points binned per bincount call (16 MiB of int32 per worker)
MAX_BINS = 1 << 24  # histogram cells; the supersampling shrinks to stay under this
ATTEMPTS = 24  # parameter draws tried by ``varied``
MARGIN = 0.05  # blank border around the attractor, as a share of its extent
MIN_COVER = 400  # of a 64 x 64 grid: fewer cells lit means a periodic orbit, not an attractor
Step = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def make_step(config: AttractorConfig) -> Step:
    """The map ``(x, y) -> (x', y')`` of ``config`` on float32 arrays."""
    a, b, c, d = (np.float32(v) for v in (config.a, config.b, config.c, config.d))
    if config.kind == "clifford":
        return lambda x, y: (_sin_cos(a, y, c, a, x, 1), _sin_cos(b, x, d, b, y, 1))
    if config.kind == "dejong":
        return lambda x, y: (_sin_cos(a, y, 1, b, x, -1), _sin_cos(c, x, 1, d, y, -1))
    fx = compile_formula(config.formula_x, where="formula_x")
    fy = compile_formula(config.formula_y, where="formula_y")
    params = {"a": a, "b": b, "c": c, "d": d}

    def step(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        env = {"x": x, "y": y, **params}
        nx, ny = fx(env), fy(env)
        return np.broadcast_to(nx, x.shape).astype(np.float32), np.broadcast_to(ny, y.shape).astype(np.float32)

    return step


def _sin_cos(p: np.float32, u: np.ndarray, k: float, q: np.float32, v: np.ndarray, sign: int) -> np.ndarray:
    """``sin(p u) + sign * k * cos(q v)`` with two temporaries (the maps' inner loop)."""
    out = np.multiply(p, u)
    np.sin(out, out=out)
    tmp = np.multiply(q, v)
    np.cos(tmp, out=tmp)
    if k != 1:
        tmp *= k
    return np.add(out, tmp, out=out) if sign > 0 else np.subtract(out, tmp, out=out)


def _start(rng: np.random.Generator, n: int, step: Step, burn_in: int) -> tuple[np.ndarray, np.ndarray]:
    x = rng.uniform(-1, 1, n).astype(np.float32)
    y = rng.uniform(-1, 1, n).astype(np.float32)
    with np.errstate(all="ignore"):
        for _ in range(burn_in):
            x, y = step(x, y)
    return x, y


def find_bounds(config: AttractorConfig, step: Step) -> tuple[float, float, float, float]:
    """(x0, x1, y0, y1) framing the attractor, from a short pilot run, with a margin."""
    rng = np.random.default_rng([config.seed, 1])
    x, y = _start(rng, 4096, step, max(config.burn_in, 32))
    xs, ys = [], []
    with np.errstate(all="ignore"):
        for _ in range(48):
            x, y = step(x, y)
            ok = np.isfinite(x) & np.isfinite(y) & (np.abs(x) < 1e6) & (np.abs(y) < 1e6)
            xs.append(x[ok])
            ys.append(y[ok])
    px, py = np.concatenate(xs), np.concatenate(ys)
    if len(px) < 1000:
        raise UsageError(f"attractor: the {config.kind} map diverges (orbits leave every bound)")
    x0, x1 = np.percentile(px, [0.01, 99.99])
    y0, y1 = np.percentile(py, [0.01, 99.99])
    mx, my = max(x1 - x0, 1e-6) * MARGIN, max(y1 - y0, 1e-6) * MARGIN
    return float(x0 - mx), float(x1 + mx), float(y0 - my), float(y1 + my)


def density(config: AttractorConfig, width: int, height: int, bounds: tuple[float, float, float, float] | None = None) -> tuple[np.ndarray, tuple[float, float, float, float]]:
    """Point counts (height, width) int64 of ``config.points`` orbit points, and the bounds used."""
    step = make_step(config)
    bounds = bounds or find_bounds(config, step)
    workers = max(1, min(2, os.cpu_count() or 1))
    shares = [config.points // workers + (i < config.points % workers) for i in range(workers)]
    seeds = np.random.SeedSequence(config.seed).spawn(workers)
    jobs = [(share, np.random.default_rng(s)) for share, s in zip(shares, seeds)]
    if workers == 1:
        parts = [_worker(config, step, bounds, width, height, *jobs[0])]
    else:
        with ThreadPoolExecutor(workers) as pool:
            parts = list(pool.map(lambda j: _worker(config, step, bounds, width, height, *j), jobs))
    return sum(parts).reshape(height, width), bounds


def _worker(
    config: AttractorConfig, step: Step, bounds: tuple[float, float, float, float],
    width: int, height: int, points: int, rng: np.random.Generator,
) -> np.ndarray:  # fmt: skip
    """Histogram of ``points`` orbit points from this worker's own trajectories."""
    x0, x1, y0, y1 = bounds
    sx, sy = np.float32(width / (x1 - x0)), np.float32(height / (y1 - y0))
    n = int(min(TRAJECTORIES, max(1, points // 8)))
    # One bincount per chunk of at least as many points as there are cells: a bincount
    # costs about as much per cell (allocate, zero, add) as per point.
    rows = max(8, min(CHUNK_POINTS, width * height) // n)
    x, y = _start(rng, n, step, config.burn_in)
    bins = width * height
    hist = np.zeros(bins + 1, dtype=np.int64)  # the last cell collects points off the canvas
    cells = np.empty((rows, n), dtype=np.int32)
    done = 0
    with np.errstate(all="ignore"):
        while done < points:
            k = min(rows, -(-(points - done) // n))
            for i in range(k):
                x, y = step(x, y)
                _cells(x, y, x0, y1, sx, sy, width, height, cells[i])
            take = cells[:k].ravel()[: points - done]
            hist += np.bincount(take, minlength=bins + 1)
            done += len(take)
            if config.kind == "custom":
                x, y = _restart_lost(x, y, rng)
    return hist[:bins]


def _cells(
    x: np.ndarray, y: np.ndarray, x0: float, y1: float, sx: np.float32, sy: np.float32,
    width: int, height: int, out: np.ndarray,
) -> None:  # fmt: skip
    """Flat histogram cell of each point into ``out`` (row 0 at the top); off-canvas: the last cell."""
    col = ((x - np.float32(x0)) * sx).astype(np.int32)
    row = ((np.float32(y1) - y) * sy).astype(np.int32)
    # As unsigned, negative indices become huge: one comparison per axis checks both ends.
    inside = (col.view(np.uint32) < width) & (row.view(np.uint32) < height)
    np.multiply(row, width, out=out)
    out += col
    out[~inside] = width * height


def _restart_lost(x: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Orbits of a custom map that blew up start again at a random point."""
    lost = ~(np.isfinite(x) & np.isfinite(y)) | (np.abs(x) > 1e6) | (np.abs(y) > 1e6)
    if lost.any():
        x, y = x.copy(), y.copy()
        x[lost] = rng.uniform(-1, 1, int(lost.sum()))
        y[lost] = rng.uniform(-1, 1, int(lost.sum()))
    return x, y


def tone_map(counts: np.ndarray, colormap: str, gamma: float) -> np.ndarray:
    """Float RGB (H, W, 3): ``(log(1 + n) / log(1 + max)) ** gamma`` through the ramp."""
    top = float(counts.max())
    if top <= 0:
        level = np.zeros(counts.shape, dtype=np.float32)
    else:
        level = (np.log1p(counts.astype(np.float32)) / np.float32(np.log1p(top))) ** np.float32(gamma)
    return apply_ramp(level, colormap)


def varied(config: AttractorConfig) -> AttractorConfig:
    """``config`` with a, b, c, d moved by the seed (up to ``vary``) to a map that stays chaotic.

    Draws are tried in a seeded order until the pilot orbit covers a real area (a
    periodic orbit or a fixed point lights only a few cells); if none does, the
    parameters are kept as given.
    """
    if config.vary == 0:
        return config
    rng = np.random.default_rng([config.seed, 2])
    for _ in range(ATTEMPTS):
        offsets = rng.uniform(-config.vary, config.vary, 4)
        trial = dataclasses.replace(
            config, a=config.a + offsets[0], b=config.b + offsets[1], c=config.c + offsets[2], d=config.d + offsets[3]
        )
        if _is_chaotic(trial):
            return trial
    return config


def _is_chaotic(config: AttractorConfig) -> bool:
    step = make_step(config)
    try:
        x0, x1, y0, y1 = find_bounds(config, step)
    except UsageError:
        return False
    rng = np.random.default_rng([config.seed, 3])
    x, y = _start(rng, 2048, step, 64)
    cells = np.empty((16, 2048), dtype=np.int32)
    with np.errstate(all="ignore"):
        for i in range(16):
            x, y = step(x, y)
            _cells(x, y, x0, y1, np.float32(64 / (x1 - x0)), np.float32(64 / (y1 - y0)), 64, 64, cells[i])
    return len(np.unique(cells)) >= MIN_COVER


def generate(config: AttractorConfig) -> Drawing:
    """The attractor of ``config`` rendered at ``config.size`` px on the long side."""
    config = varied(config)
    step = make_step(config)
    bounds = find_bounds(config, step)
    x0, x1, y0, y1 = bounds
    aspect = (x1 - x0) / (y1 - y0)
    w, h = (config.size, max(1, round(config.size / aspect))) if aspect >= 1 else (max(1, round(config.size * aspect)), config.size)
    ss = config.supersample
    while ss > 1 and (w * ss) * (h * ss) > MAX_BINS:
        ss -= 1
    counts, _ = density(config, w * ss, h * ss, bounds)
    counts = counts.reshape(h, ss, w, ss).sum(axis=(1, 3))  # box filter: antialiased edges
    rgb = tone_map(counts, config.colormap, config.gamma)
    cw, ch = (CANVAS, CANVAS * h / w) if w >= h else (CANVAS * w / h, CANVAS)
    background = RAMPS[config.colormap][0]
    return Drawing(cw, ch, background=background, raster=rgb)

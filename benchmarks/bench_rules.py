"""genart rules speed on this machine, against straightforward Python baselines in the same run.

    python benchmarks/bench_rules.py [--quick] [--points 1e8] [--iterations 20]

Two tables (markdown):

1. Attractor: orbit points binned per second by genart (parallel float32 trajectories,
   chunked bincount, two threads) and by a baseline written here (one trajectory, a Python
   loop per point with ``math.sin``), then the whole ``generate`` (pilot run, histogram,
   tone mapping) for ``--points`` at 1024 px, with its peak memory.
2. An L-system with about a million segments (Heighway dragon, ``--iterations`` 20 gives
   2^20) to SVG and to a 4096-px PNG: genart (vectorised turtle, integer SVG formatting,
   serialised skia paths) against a baseline (str.translate rewriting, a stack turtle
   looping over symbols, one formatted ``<line>`` per segment, a skia ``moveTo``/``lineTo``
   per segment).

Baselines run on a fraction of the work where a full run would take minutes; their rate is
what is compared.
"""
from __future__ import annotations

import argparse
import math
import resource
import time


def _peak_mib() -> float:
    """Peak resident memory of this process (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(fn, *args, **kwargs):
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t


# ------------------------------------------------------------------------ attractor
def baseline_attractor(points: int, size: int = 1024) -> list[list[int]]:
    """One Clifford orbit, one Python iteration per point, binned into a list of lists."""
    a, b, c, d = -1.4, 1.6, 1.0, 0.7
    hist = [[0] * size for _ in range(size)]
    x = y = 0.1
    scale = size / 4.2
    for _ in range(points):
        x, y = math.sin(a * y) + c * math.cos(a * x), math.sin(b * x) + d * math.cos(b * y)
        col, row = int((x + 2.1) * scale), int((2.1 - y) * scale)
        if 0 <= col < size and 0 <= row < size:
            hist[row][col] += 1
    return hist


def bench_attractor(points: int, quick: bool) -> list[str]:
    from genart.commands.rules.attractor import density, generate
    from genart.commands.rules.configs import AttractorConfig

    base_n = 200_000 if quick else 1_000_000
    _, base_s = _timed(baseline_attractor, base_n)
    hist_n = min(points, 20_000_000)
    config = AttractorConfig(points=hist_n)
    _, ours_s = _timed(density, config, 1024, 1024, (-2.1, 2.1, -2.1, 2.1))
    full = AttractorConfig(points=points, size=1024, supersample=1)
    _, full_s = _timed(generate, full)
    rows = [
        "| attractor (Clifford, 1024 px) | points | seconds | points / s |",
        "|---|---:|---:|---:|",
        f"| baseline: Python loop per point | {base_n:.0e} | {base_s:.2f} | {base_n / base_s:.3g} |",
        f"| genart: histogram only | {hist_n:.0e} | {ours_s:.2f} | {hist_n / ours_s:.3g} |",
        f"| genart: `generate` (pilot, histogram, tone map) | {points:.0e} | {full_s:.2f} | {points / full_s:.3g} |",
        "",
        f"Speed-up of the histogram over the baseline: {(hist_n / ours_s) / (base_n / base_s):.0f}x; "
        f"peak memory of this process so far: {_peak_mib():.0f} MiB.",
    ]
    return rows


# ------------------------------------------------------------------------- L-system
def baseline_rewrite(axiom: str, rules: dict[str, str], iterations: int) -> str:
    """Parallel rewriting with str.translate (C speed per symbol, still a dict lookup each)."""
    table = {ord(k): v for k, v in rules.items()}
    text = axiom
    for _ in range(iterations):
        text = text.translate(table)
    return text


def baseline_turtle(text: str, angle: float) -> list[tuple[float, float, float, float]]:
    """A stack turtle looping over every symbol."""
    x = y = h = 0.0
    stack, segments = [], []
    turn = math.radians(angle)
    for ch in text:
        if ch in "FG":
            nx, ny = x + math.cos(h), y + math.sin(h)
            segments.append((x, y, nx, ny))
            x, y = nx, ny
        elif ch == "+":
            h += turn
        elif ch == "-":
            h -= turn
        elif ch == "[":
            stack.append((x, y, h))
        elif ch == "]":
            x, y, h = stack.pop()
    return segments


def baseline_svg(segments) -> bytes:
    lines = [f'<line x1="{a:.2f}" y1="{b:.2f}" x2="{c:.2f}" y2="{d:.2f}"/>' for a, b, c, d in segments]
    return ("<svg>" + "\n".join(lines) + "</svg>").encode()


def baseline_png(segments, size: int) -> None:
    import skia

    xs = [s[0] for s in segments] + [s[2] for s in segments]
    ys = [s[1] for s in segments] + [s[3] for s in segments]
    x0, y0 = min(xs), min(ys)
    scale = size / max(max(xs) - x0, max(ys) - y0)
    surface = skia.Surface(size, size)
    canvas = surface.getCanvas()
    canvas.clear(skia.ColorWHITE)
    path = skia.Path()
    for a, b, c, d in segments:
        path.moveTo((a - x0) * scale, (b - y0) * scale)
        path.lineTo((c - x0) * scale, (d - y0) * scale)
    paint = skia.Paint(AntiAlias=True, Style=skia.Paint.kStroke_Style, StrokeWidth=1.0)
    canvas.drawPath(path, paint)
    surface.makeImageSnapshot().toarray()


def bench_lsystem(iterations: int, quick: bool) -> list[str]:
    import numpy as np

    from genart.commands.rules.configs import LsystemConfig
    from genart.commands.rules.lsystem import generate, parse_rules, rewrite_codes, turtle
    from genart.commands.rules.raster import to_raster
    from genart.commands.rules.svg import to_svg

    config = LsystemConfig(axiom="FX", rules=("X=X+YF+", "Y=-FX-Y"), angle=90, iterations=iterations,
                           heading=0, angle_jitter=0, colors=("#000000",), width=0.3)  # fmt: skip
    rules = parse_rules(config.rules)
    codes, rewrite_s = _timed(rewrite_codes, config.axiom, rules, iterations, np.random.default_rng(0))
    _, turtle_s = _timed(turtle, codes, angle=90)
    drawing, gen_s = _timed(generate, config)
    svg, svg_s = _timed(to_svg, drawing, metadata={"bench": True})
    _, png_s = _timed(to_raster, drawing, 4096)
    n = drawing.segments
    base_iterations = iterations - (2 if quick else 0)
    text, brewrite_s = _timed(baseline_rewrite, config.axiom, {"X": "X+YF+", "Y": "-FX-Y"}, base_iterations)
    segs, bturtle_s = _timed(baseline_turtle, text, 90)
    bsvg, bsvg_s = _timed(baseline_svg, segs)
    _, bpng_s = _timed(baseline_png, segs, 4096)
    k = n / len(segs)  # the baseline may have run on fewer segments: scale its times
    return [
        f"| L-system, Heighway dragon {iterations} iterations ({n:,} segments) | genart s | baseline s | speed-up |",
        "|---|---:|---:|---:|",
        f"| rewrite (genart: numpy gather; baseline: str.translate) | {rewrite_s:.2f} | {brewrite_s * k:.2f} | {brewrite_s * k / rewrite_s:.1f}x |",
        f"| turtle (genart: cumulative sums; baseline: stack turtle loop) | {turtle_s:.2f} | {bturtle_s * k:.2f} | {bturtle_s * k / turtle_s:.1f}x |",
        f"| whole `generate` (rewrite, turtle, fit, layers) | {gen_s:.2f} | | |",
        f"| to SVG (genart: path order on; {len(svg) / 1e6:.1f} MB vs {len(bsvg) * k / 1e6:.1f} MB) | {svg_s:.2f} | {bsvg_s * k:.2f} | {bsvg_s * k / svg_s:.1f}x |",
        f"| to 4096-px PNG (antialiased) | {png_s:.2f} | {bpng_s * k:.2f} | {bpng_s * k / png_s:.1f}x |",
        "",
        f"Peak memory of this process: {_peak_mib():.0f} MiB.",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs (a smoke test)")
    parser.add_argument("--points", type=float, default=1e8, help="attractor points for the full run")
    parser.add_argument("--iterations", type=int, default=20, help="dragon-curve iterations (2^n segments)")
    args = parser.parse_args()
    points = int(args.points if not args.quick else min(args.points, 2e6))
    iterations = args.iterations if not args.quick else min(args.iterations, 14)
    print("\n".join(bench_attractor(points, args.quick)))
    print()
    print("\n".join(bench_lsystem(iterations, args.quick)))


if __name__ == "__main__":
    main()

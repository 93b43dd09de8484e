"""DeepDream speed and memory on this machine, against a plain implementation in the same run.

    python benchmarks/bench_dream.py [--quick] [--sizes 512 1024 2048] [--iterations 2]

Two tables:

1. ``classic`` (BVLC GoogLeNet, inception_4c, 4 octaves of 1.4) at each size with tiled
   gradients (``--tile-size``, 512 by default) and, up to ``--untiled-max`` px, without
   tiling. Each configuration runs in its own subprocess, which reports its peak resident
   memory (ru_maxrss / VmHWM) and the model-only baseline; the full preset's time (10 steps
   per octave) is extrapolated from the measured seconds per step of each octave.
2. Seconds per octave step at ``--step-size`` px: genart's step (network truncated after
   inception_4c, channels_last, fp32 and bf16) against a plain step written here (whole
   network run with a forward hook, contiguous fp32): the same algorithm otherwise.

Weights do not change the arithmetic: ../shared's BVLC file is used when present, else a
seeded random init. Prints markdown.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import torch

SHARED_WEIGHTS = Path(__file__).resolve().parents[2] / "shared" / "weights" / "bvlc_googlenet.pth"


def _backbone(weights: str):
    from genart.models import load_backbone

    return load_backbone("googlenet-bvlc", weights=weights)


def _peak_mib() -> float:
    """Peak resident memory of this process (VmHWM where /proc has it)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---------------------------------------------------------------- child: one dream run
def child(size: int, tile: int, iterations: int, weights: str, threads: int) -> dict:
    torch.set_num_threads(threads)
    from genart.commands.dream.algorithm import DreamConfig, dream
    from genart.core.events import StageStarted, Step

    bb = _backbone(weights)
    image = torch.rand(1, 3, size, size, generator=torch.Generator().manual_seed(0))
    model_mib = _peak_mib()
    config = DreamConfig(iterations=iterations, tile_size=tile, precision="fp32")
    stamps: list[tuple[str, int, float]] = []

    def on_event(event) -> None:
        if isinstance(event, (StageStarted, Step)):
            stamps.append((type(event).__name__, getattr(event, "index", 0), time.perf_counter()))

    start = time.perf_counter()
    dream(image, config, backbone=bb, callback=on_event)
    total = time.perf_counter() - start
    return {"seconds": total, "step_seconds": _per_octave(stamps), "peak_mib": _peak_mib(), "model_mib": model_mib}


def _per_octave(stamps: list[tuple[str, int, float]]) -> list[float]:
    """Median seconds per step of each octave, from the event times."""
    octaves: list[list[float]] = []
    last = None
    for kind, _, t in stamps:
        if kind == "StageStarted":
            octaves.append([])
        elif last is not None:
            octaves[-1].append(t - last)
        last = t
    return [statistics.median(o) for o in octaves if o]


def run_child(size: int, tile: int, iterations: int, weights: str) -> dict:
    args = [size, tile, iterations, weights, torch.get_num_threads()]
    cmd = [sys.executable, __file__, "--child", json.dumps(args)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


# ------------------------------------------------------- one step: genart against plain
def plain_step(bb, image: torch.Tensor, generator: torch.Generator, layer: str) -> torch.Tensor:
    """The notebook's make_step, written plainly: the whole network runs every step."""
    captured = {}
    hook = bb.module.get_submodule(layer).register_forward_hook(lambda m, i, o: captured.update(act=o))
    try:
        dy, dx = (int(v) for v in torch.randint(-32, 33, (2,), generator=generator))
        x = torch.roll(image, (dy, dx), (2, 3)).requires_grad_(True)
        bb.module(bb.normalize(x))  # runs through inception_5b and the classifier
        captured["act"].pow(2).mean().backward()
        g = torch.roll(x.grad, (-dy, -dx), (2, 3))
        return (image + 1.5 / 255 * g / g.abs().mean()).clamp(0, 1)
    finally:
        hook.remove()


def genart_step(objective, image: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    from genart.commands.dream.gradients import normalize_mean_abs, tiled_gradient

    dy, dx = (int(v) for v in torch.randint(-32, 33, (2,), generator=generator))
    grad, _ = tiled_gradient(objective, image, shift=(dy, dx), tile_size=0)
    return (image + 1.5 / 255 * normalize_mean_abs(grad)).clamp(0, 1)


def step_table(size: int, repeat: int, weights: str, layer: str) -> list[tuple[str, float]]:
    from genart.commands.dream.algorithm import DreamConfig
    from genart.commands.dream.objectives import build_objective

    bb = _backbone(weights)
    image = torch.rand(1, 3, size, size, generator=torch.Generator().manual_seed(0))
    variants = {
        "plain: whole network, fp32, contiguous (baseline)": lambda x, g: plain_step(bb, x, g, layer),
        "genart: truncated, fp32, contiguous": _genart(bb, build_objective, DreamConfig(layers=(layer,), precision="fp32", memory_format="contiguous")),
        "genart: truncated, fp32, channels_last": _genart(bb, build_objective, DreamConfig(layers=(layer,), precision="fp32")),
        "genart: truncated, bf16, channels_last": _genart(bb, build_objective, DreamConfig(layers=(layer,), precision="bf16")),
    }
    times: dict[str, list[float]] = {name: [] for name in variants}
    for fn in variants.values():  # warm-up
        fn(image, torch.Generator().manual_seed(0))
    for r in range(repeat):  # interleaved, so load changes hit every variant alike
        for name, fn in variants.items():
            start = time.perf_counter()
            fn(image, torch.Generator().manual_seed(r))
            times[name].append(time.perf_counter() - start)
    return [(name, statistics.median(t)) for name, t in times.items()]


def _genart(bb, build_objective, config):
    objective = build_objective(config, bb)
    return lambda x, g: genart_step(objective, x, g)


# ------------------------------------------------------------------------------ main
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="256/512 px, 1 step per octave, 3 repeats")
    parser.add_argument("--sizes", type=int, nargs="+", default=[512, 1024, 2048])
    parser.add_argument("--iterations", type=int, default=2, help="steps per octave actually run")
    parser.add_argument("--tile-size", type=int, default=512)
    parser.add_argument("--untiled-max", type=int, default=1024, help="largest size also run without tiling")
    parser.add_argument("--step-size", type=int, default=512, help="image side of the per-step table")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--layer", default="inception_4c", help="dream layer of the per-step table")
    parser.add_argument("--steps-only", action="store_true", help="skip the size/memory table")
    parser.add_argument("--weights", default=str(SHARED_WEIGHTS) if SHARED_WEIGHTS.is_file() else "random")
    parser.add_argument("--threads", type=int, help="torch threads (default: torch's choice)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.child:
        print(json.dumps(child(*json.loads(args.child))))
        return
    if args.quick:
        args.sizes, args.iterations, args.repeat, args.step_size, args.untiled_max = [256, 512], 1, 3, 256, 512
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} CPUs, "
          f"weights {Path(args.weights).name}\n")
    if not args.steps_only:
        size_table(args)
    print(f"\nSeconds per octave step at {args.step_size}x{args.step_size}, {args.layer} "
          f"(median of {args.repeat}):\n")
    rows = step_table(args.step_size, args.repeat, args.weights, args.layer)
    base = rows[0][1]
    print("| step | s/step | speed-up |\n|---|---:|---:|")
    for name, sec in rows:
        print(f"| {name} | {sec:.3f} | {base / sec:.2f}x |")


def size_table(args) -> None:
    print(f"classic at each size ({args.iterations} steps per octave run; full = 10, extrapolated):\n")
    print("| size | tiling | s/step (largest octave) | classic, extrapolated (s) | peak RSS (MiB) | above model (MiB) |")
    print("|---:|---|---:|---:|---:|---:|")
    peaks = {}
    for size in args.sizes:
        for tile in (args.tile_size, 0):
            if tile == 0 and size > args.untiled_max:
                continue
            r = run_child(size, tile, args.iterations, args.weights)
            full = 10 * sum(r["step_seconds"])
            peaks[(size, tile)] = r["peak_mib"]
            print(f"| {size} | {tile or 'none'} | {r['step_seconds'][-1]:.2f} | {full:.0f} | "
                  f"{r['peak_mib']:.0f} | {r['peak_mib'] - r['model_mib']:.0f} |", flush=True)
    small, big = min(args.sizes), max(args.sizes)
    if (small, args.tile_size) in peaks and (big, args.tile_size) in peaks:
        ratio = peaks[(big, args.tile_size)] / peaks[(small, args.tile_size)]
        print(f"\nPeak memory with tiling, {big} px / {small} px: {ratio:.2f}x")


if __name__ == "__main__":
    main()

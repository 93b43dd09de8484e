"""Benchmark Neural Doodle: chunked patch matching against a dense baseline, and the presets.

Each measurement runs in its own subprocess so that its peak resident memory (ru_maxrss,
minus the process's RSS just before the work) belongs to it alone. Prints a markdown table.

    python benchmarks/bench_doodle.py                  # matching at 512 px + presets
    python benchmarks/bench_doodle.py --skip-presets   # matching only (a minute or two)

The preset runs use random-init weights (time and memory do not depend on the values)
and ``--iterations`` steps per phase instead of the preset's own count; per-step times
extrapolate linearly to a full run because every step costs the same within a phase.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def dense_nearest(target, style, patch: int = 3):
    """The plain baseline: every patch unfolded, the full cosine matrix, one argmax."""
    import torch.nn.functional as F

    t = F.unfold(target, patch)[0].T
    s = F.unfold(style, patch)[0].T
    s = s / s.norm(dim=1, keepdim=True).clamp_min(1e-8)
    scores = t @ s.T  # (output patches, style patches): the memory the chunked search avoids
    return scores.argmax(dim=1)


def _features(size: int, channels: int):
    import torch

    gen = torch.Generator().manual_seed(0)
    h, w = size // 4 * 3 // 4, size // 4  # relu3_1 of a 4:3 image with long side ``size``
    return torch.rand(1, channels, h, w, generator=gen), torch.rand(1, channels, h, w, generator=gen)


def worker_match(kind: str, size: int, channels: int, chunk_mb: float) -> dict:
    import torch

    from genart.commands.doodle.mrf import nearest_patches

    target, style = _features(size, channels)
    base, start = _rss_mb(), time.perf_counter()
    if kind == "dense":
        index = dense_nearest(target, style)
    else:
        index = nearest_patches(target, style, chunk_mb=chunk_mb).index.flatten()
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_mb": _peak_mb() - base, "patches": int(index.numel()), "threads": torch.get_num_threads()}


def worker_preset(preset: str, size: int, iterations: int) -> dict:
    import dataclasses

    import torch

    from genart.commands.doodle.algorithm import doodle
    from genart.core.events import StageStarted, Step
    from genart.models import load_backbone
    from genart.presets import resolve

    cfg = dataclasses.replace(resolve("doodle", preset=preset, flags={}).config, size=size, iterations=iterations)
    backbone = load_backbone(cfg.model, weights="random")
    gen = torch.Generator().manual_seed(0)
    h, w = size * 3 // 4, size
    style = torch.rand(1, 3, h, w, generator=gen)
    labels = torch.zeros(1, 3, h, w)
    labels[..., : h // 2, :] = 1.0  # a two-region map: white sky over black ground
    phases: list[dict] = []

    def on_event(event) -> None:
        if isinstance(event, StageStarted):
            phases.append({"name": event.name, "start": time.perf_counter()})
        elif isinstance(event, Step):
            phases[-1]["end"] = time.perf_counter()

    base, start = _rss_mb(), time.perf_counter()
    doodle(style, labels, labels.flip(-2), cfg, backbone=backbone, callback=on_event)
    total = time.perf_counter() - start
    per_step = [(p["end"] - p["start"]) / iterations for p in phases]
    full = sum(per_step) * resolve("doodle", preset=preset, flags={}).config.iterations
    return {
        "seconds": total,
        "per_step": per_step,
        "full_run_estimate": full,
        "peak_mb": _peak_mb() - base,
        "threads": torch.get_num_threads(),
    }


def _spawn(args: list[str]) -> dict:
    out = subprocess.run([sys.executable, __file__, "--worker", *args], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=512, help="long side in px (default 512)")
    parser.add_argument("--channels", type=int, default=261, help="feature channels: relu3_1 (256) + 5 map channels")
    parser.add_argument("--chunk-mb", type=float, default=64.0, help="chunk budget of the chunked search")
    parser.add_argument("--iterations", type=int, default=3, help="steps per phase in the preset runs")
    parser.add_argument("--presets", default="default,fast", help="comma-separated presets to time")
    parser.add_argument("--skip-presets", action="store_true")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        kind, *rest = args.worker
        if kind == "preset":
            result = worker_preset(rest[0], int(rest[1]), int(rest[2]))
        else:
            result = worker_match(kind, int(rest[0]), int(rest[1]), float(rest[2]))
        print(json.dumps(result))
        return
    print(f"Neural Doodle benchmark, {args.size} px; shared 2-core CPU (other jobs may be running)\n")
    print("| patch matching (relu3_1) | time (s) | peak extra RSS (MiB) |")
    print("|---|---|---|")
    results = {}
    for kind in ("dense", "chunked"):
        r = _spawn([kind, str(args.size), str(args.channels), str(args.chunk_mb)])
        results[kind] = r
        label = "dense baseline" if kind == "dense" else f"chunked ({args.chunk_mb:g} MiB chunks)"
        print(f"| {label} | {r['seconds']:.2f} | {r['peak_mb']:.0f} |")
    ratio = results["dense"]["peak_mb"] / max(results["chunked"]["peak_mb"], 1e-6)
    speed = results["dense"]["seconds"] / results["chunked"]["seconds"]
    print(f"\n{results['chunked']['patches']} output patches; memory ratio dense/chunked: {ratio:.1f}x; "
          f"speed ratio dense/chunked: {speed:.2f}x; torch threads: {results['chunked']['threads']}")
    if args.skip_presets:
        return
    print(f"\n| preset ({args.iterations} steps/phase, random weights) | seconds | s/step per phase | est. full run (s) | peak extra RSS (MiB) |")
    print("|---|---|---|---|---|")
    for preset in args.presets.split(","):
        r = _spawn(["preset", preset, str(args.size), str(args.iterations)])
        steps = " / ".join(f"{s:.2f}" for s in r["per_step"])
        print(f"| {preset} | {r['seconds']:.1f} | {steps} | {r['full_run_estimate']:.0f} | {r['peak_mb']:.0f} |")


if __name__ == "__main__":
    main()

"""Throughput of one batch run in this process and on a local Ray cluster, in the same run.

    python benchmarks/bench_executors.py [--items 8] [--size 160]

Two workloads through the real CLI (fresh processes, outputs into a temporary folder):

- **compute**: `genart style` at --size px (random-init VGG19 up to relu3_1, 20 L-BFGS
  iterations per image; the convolutions cost what real weights cost) over --items images:
  the single-process batch (torch's threads), then `--executor ray` with 1 and 2 workers
  (one thread each, as Ray sets it). Items per minute and the ratio to the single process.
- **overhead**: `genart rules mondrian` (no model, a few milliseconds per item) over 4x
  --items seeds: the per-item cost of the executor itself, local vs Ray, start-up included
  and excluded (a 1-item run is subtracted).

Prints markdown tables, then a back-of-envelope scaling table (labelled an estimate).
Needs `pip install 'genart[ray]'`.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

STYLE = ["--model", "vgg19-caffe", "--weights", "random", "--no-pyramid", "--iterations", "20",
         "--style-layers", "relu1_1,relu2_1,relu3_1", "--content-layers", "relu3_1", "-q"]


def run(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "genart", *args], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def photos(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.RandomState(0)
    for i in range(count):
        Image.fromarray((rng.rand(96, 128, 3) * 255).astype(np.uint8)).save(folder / f"p{i:03d}.png")
    Image.fromarray((rng.rand(128, 128, 3) * 255).astype(np.uint8)).save(folder.parent / "style.png")
    return folder


def compute(tmp: Path, items: int, size: int) -> dict[str, float]:
    src = photos(tmp / "photos", items)
    base = ["style", str(src), "-s", str(tmp / "style.png"), "--size", str(size), *STYLE]
    out = {}
    for name, extra in [("single process", []), ("ray, 1 worker", ["--executor", "ray", "--workers", "1"]),
                        ("ray, 2 workers", ["--executor", "ray", "--workers", "2"])]:
        out[name] = run([*base, "-o", str(tmp / name.replace(" ", "_").replace(",", "")), *extra])
    return out


def overhead(tmp: Path, items: int) -> dict[str, tuple[float, float]]:
    out = {}
    for name, extra in [("local", []), ("ray, 2 workers", ["--executor", "ray", "--workers", "2"])]:
        one = run(["rules", "mondrian", "--size", "64", "--count", "1", "-o", f"{tmp}/one_{len(out)}/", "-q", *extra])
        many = run(["rules", "mondrian", "--size", "64", "--count", str(items), "-o", f"{tmp}/many_{len(out)}/",
                    "-q", *extra])
        out[name] = (many / items, (many - one) / (items - 1))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=8)
    parser.add_argument("--size", type=int, default=160)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        times = compute(tmp, args.items, args.size)
        single = times["single process"]
        print(f"compute: {args.items} style jobs at {args.size} px, 20 iterations each")
        print("| executor | wall (s) | items/min | vs single process |")
        print("|---|---:|---:|---:|")
        for name, seconds in times.items():
            print(f"| {name} | {seconds:.1f} | {60 * args.items / seconds:.1f} | {single / seconds:.2f}x |")
        costs = overhead(tmp, 4 * args.items)
        print(f"\noverhead: {4 * args.items} mondrian jobs (no model)")
        print("| executor | s/item, all in | s/item, start-up excluded |")
        print("|---|---:|---:|")
        for name, (all_in, marginal) in costs.items():
            print(f"| {name} | {all_in:.3f} | {marginal:.3f} |")
    per_item = single / args.items
    # Ray's cost per item beyond the local batch's; within noise it can come out below 0.
    ray_cost = max(costs["ray, 2 workers"][1] - costs["local"][1], 0.0)
    print("\nEstimate (not measured): items/hour on N workers = N x 3600 / (t_item + t_overhead),")
    print(f"with t_overhead = {ray_cost:.3f} s (Ray's per-item cost beyond local, start-up excluded, measured above; floored at 0) and t_item the measured CPU time per item "
          f"({per_item:.1f} s) divided by a GPU speed-up S:")
    print("| workers | S = 1 (CPUs like this one) | S = 20 | S = 100 |")
    print("|---:|---:|---:|---:|")
    for n in (10, 100):
        cells = [f"{n * 3600 / (per_item / s + ray_cost):,.0f}" for s in (1, 20, 100)]
        print(f"| {n} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()

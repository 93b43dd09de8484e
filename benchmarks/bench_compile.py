"""Does torch.compile (inductor) pay for style transfer's loss and feature path on a CPU?

    python benchmarks/bench_compile.py                         # the sizes of a 512-px pyramid
    python benchmarks/bench_compile.py --sizes 256 --steps 5

One L-BFGS iteration of style transfer is one forward and one backward pass of the loss:
features (VGG19 to relu3_2, the ``vgg19-partial`` preset's layers), Gram matrices at
relu1_1/relu2_1/relu3_1, a content distance at relu3_2. This times that pass

- **eager**: as genart runs it;
- **compiled**: the same function through ``torch.compile`` (inductor, default mode),
  once with one graph per image size (``dynamic=False``, a recompile per pyramid scale)
  and once with ``dynamic=True`` (one graph for every size);

at each scale of the ``vgg19-partial`` preset's pyramid for a ``--size`` output. "compile"
is the first call's time minus an eager call's (tracing, code generation, C++ build);
"s/iteration" the median of ``--steps`` later calls. The last column charges the compile
time to a typical run: 80 iterations per scale. Weights do not change the timings, so
random-init weights are used (no ../shared needed). Baseline and compiled run in the same
process, one after the other. Prints a markdown table.
"""
from __future__ import annotations

import argparse
import statistics
import time

import torch

STYLE = ("relu1_1", "relu2_1", "relu3_1")
CONTENT = "relu3_2"
ITERATIONS = 80  # per scale, the presets' count


def _gram(f: torch.Tensor) -> torch.Tensor:
    f = f.flatten(2)
    return f @ f.transpose(1, 2) / f.shape[-1]


def make_loss(extractor, image: torch.Tensor):
    """A style + content loss whose targets are the image's own features, shifted."""
    with torch.no_grad():
        feats = extractor(image)
    grams = {n: _gram(feats[n]) * 1.1 for n in STYLE}
    content = feats[CONTENT] * 0.9

    def loss(x: torch.Tensor) -> torch.Tensor:
        f = extractor(x)
        style = sum(((_gram(f[n]) - g) ** 2).mean() / (g**2).mean() for n, g in grams.items())
        return 300 * style + ((f[CONTENT] - content) ** 2).mean() / (content**2).mean()

    return loss


def _call(fn, x: torch.Tensor) -> float:
    start = time.perf_counter()
    x = x.detach().requires_grad_(True)
    fn(x).backward()
    return time.perf_counter() - start


def time_sizes(extractor, sides: list[tuple[int, int]], mode: str, steps: int) -> list[tuple[float, float]]:
    """(first call, median later call) seconds per size for one mode."""
    torch._dynamo.reset()
    out = []
    for hw in sides:
        image = torch.rand(1, 3, *hw, generator=torch.Generator().manual_seed(0))
        loss = make_loss(extractor, image)
        # Each scale's loss is compiled as a real run would: a new closure over new
        # targets, the same code (dynamo's cache decides what is traced again).
        fn = loss if mode == "eager" else torch.compile(loss, dynamic=mode == "dynamic")
        first = _call(fn, image)
        later = statistics.median(_call(fn, image) for _ in range(steps))
        out.append((first, later))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=512, help="the output's long side")
    parser.add_argument("--sizes", default="", help="comma-separated long sides (default: the preset's pyramid)")
    parser.add_argument("--steps", type=int, default=5)
    args = parser.parse_args()
    from genart import presets
    from genart.commands.style.pyramid import scale_sides
    from genart.models import load_backbone

    cfg = presets.resolve("style", preset="vgg19-partial", env={}, flags={"size": args.size}).config
    longs = [int(s) for s in args.sizes.split(",")] if args.sizes else scale_sides(cfg.size, start=cfg.start_size, ratio=cfg.scale_ratio, explicit=cfg.scales)
    sides = [(round(s * 3 / 4), s) for s in longs]  # 4:3, as Tubingen
    backbone = load_backbone("vgg19-caffe", weights="random")
    extractor = backbone.extractor([*STYLE, CONTENT])
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; scales {longs}\n")
    print("| mode | size | first call (s) | compile (s) | s/iteration | vs eager | run of 80 its incl. compile (s) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    eager = time_sizes(extractor, sides, "eager", args.steps)
    results = {"eager": eager}
    for mode in ("static", "dynamic"):
        try:
            results[mode] = time_sizes(extractor, sides, mode, args.steps)
        except Exception as exc:  # a compiler missing or failing is a result too
            print(f"| {mode} | - | failed: {type(exc).__name__}: {str(exc).splitlines()[0][:80]} | | | | |")
    totals = {}
    for mode, rows in results.items():
        total = 0.0
        for (h, w), (first, later), (_, base) in zip(sides, rows, eager):
            compile_s = max(0.0, first - base) if mode != "eager" else 0.0
            run = compile_s + ITERATIONS * later
            total += run
            print(f"| {mode} | {w}x{h} | {first:.2f} | {compile_s:.1f} | {later:.3f} | {base / later:.2f}x | {run:.1f} |")
        totals[mode] = total
    print()
    for mode, total in totals.items():
        print(f"{mode}: a run of {ITERATIONS} iterations at each of {len(sides)} scales, compile included: "
              f"{total:.0f} s ({totals['eager'] / total:.2f}x eager's speed)")


if __name__ == "__main__":
    main()

"""Style transfer in fp32 against bf16 autocast on this machine: speed and result quality.

    python benchmarks/bench_precision.py                      # 256 px, 40 iterations
    python benchmarks/bench_precision.py --size 384 --iterations 60 --repeat 2

``precision: auto`` picks bf16 on CPUs with native bf16 (AVX512-BF16 or AMX). This measures
whether that pays for style transfer: seconds per iteration of each precision, and the
style and content losses of each result, both measured in fp32 (so rounding in the
measurement cannot flatter bf16). The runs alternate (fp32, bf16, fp32, ...) so that load
from other processes affects both alike. Uses the partial Caffe VGG19 from ../shared
(conv1_1-conv3_4) with the vgg19-partial layers, or random VGG19 weights without it.
Prints a markdown table.
"""
from __future__ import annotations

import argparse
import dataclasses
import statistics
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from genart.commands.style.algorithm import stylize
from genart.commands.style.config import StyleConfig
from genart.core.device import bf16_is_faster
from genart.core.events import Step
from genart.models import load_backbone

SHARED = Path(__file__).resolve().parents[2] / "shared"


def _image(name: str, size: int) -> torch.Tensor:
    img = Image.open(SHARED / "images" / "art" / name).convert("RGB")
    img.thumbnail((size, size))
    return torch.from_numpy(np.asarray(img, dtype=np.float32) / 255).permute(2, 0, 1)[None].contiguous()


def _setup(size: int):
    weights = SHARED / "weights" / "vgg19-caffe-conv1_1-conv3_4.pth"
    if weights.is_file():
        backbone = load_backbone("vgg19-caffe", weights=weights)
        layers = dict(style_layers=("relu1_1", "relu2_1", "relu3_1"), content_layers=("relu3_2",))
        return backbone, layers, _image("tubingen.jpg", size), _image("starry_night.jpg", size)
    g = torch.Generator().manual_seed(0)
    backbone = load_backbone("vgg19", weights="random")
    return backbone, {}, torch.rand(1, 3, size * 3 // 4, size, generator=g), torch.rand(1, 3, size, size, generator=g)


def _run(backbone, content, style, cfg: StyleConfig) -> tuple[torch.Tensor, float]:
    """The result and the median seconds per iteration (from the Step events)."""
    stamps: list[float] = []
    out = stylize(content, [style], cfg, backbone=backbone,
                  callback=lambda e: stamps.append(time.perf_counter()) if isinstance(e, Step) else None)
    return out, statistics.median(b - a for a, b in zip(stamps, stamps[1:]))


def _losses(backbone, content, style, out: torch.Tensor, cfg: StyleConfig) -> dict[str, float]:
    """Style and content loss of ``out``, evaluated once in fp32."""
    events: list = []
    probe = dataclasses.replace(cfg, precision="fp32", init="image", iterations=1)
    stylize(content, [style], probe, backbone=backbone, init_image=out, callback=events.append)
    return next(e.metrics for e in events if isinstance(e, Step))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--iterations", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=1, help="fp32/bf16 pairs")
    parser.add_argument("--save", metavar="DIR", help="also write the first result of each precision there")
    args = parser.parse_args()
    backbone, layers, content, style = _setup(args.size)
    base = StyleConfig(model=backbone.spec.name, size=args.size, pyramid=False, iterations=args.iterations, **layers)
    rows: dict[str, list] = {"fp32": [], "bf16": []}
    for _ in range(args.repeat):
        for precision in rows:
            cfg = dataclasses.replace(base, precision=precision)
            out, seconds = _run(backbone, content, style, cfg)
            rows[precision].append((seconds, _losses(backbone, content, style, out, base), out))
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, CPU capability "
          f"{torch.backends.cpu.get_cpu_capability()}, auto picks bf16 here: {bf16_is_faster(torch.device('cpu'))}")
    print(f"\n{backbone.spec.name}, {args.size} px, one scale, {args.iterations} L-BFGS iterations, "
          f"{args.repeat} run(s) each; losses of the results measured in fp32\n")
    print("| precision | s/iteration | style loss | content loss | total loss |")
    print("|---|---:|---:|---:|---:|")
    for precision, runs in rows.items():
        sec = statistics.median(r[0] for r in runs)
        metric = lambda k: statistics.median(r[1].get(k, 0.0) for r in runs)  # noqa: E731
        print(f"| {precision} | {sec:.3f} | {metric('style'):.4f} | {metric('content'):.4f} | {metric('loss'):.4f} |")
    if args.save:
        from genart.imageio import save_image

        Path(args.save).mkdir(parents=True, exist_ok=True)
        for precision, runs in rows.items():
            save_image(runs[0][2], str(Path(args.save) / f"style_{precision}.png"))
    diff = (rows["fp32"][0][2] - rows["bf16"][0][2]).abs()
    print(f"\nfp32 vs bf16 result: mean |difference| {diff.mean():.4f}, max {diff.max():.4f} (0-1 scale)")


if __name__ == "__main__":
    main()

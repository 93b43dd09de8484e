"""classify throughput on this machine: batched against one image at a time, fp32 against
bf16 autocast, channels_last against contiguous — same model, same run.

    python benchmarks/bench_classify.py [--model googlenet-bvlc] [--weights random] [--images 32]

Weights do not change the arithmetic, so random-init weights (the default) time the same
network as the real ones. Prints a markdown table of images per second.
"""
from __future__ import annotations

import argparse
import contextlib
import time

import torch


def run(backbone, batch: torch.Tensor, batch_size: int, *, bf16: bool, channels_last: bool, repeat: int) -> float:
    images = batch.contiguous(memory_format=torch.channels_last) if channels_last else batch.contiguous()
    backbone.module.to(memory_format=torch.channels_last if channels_last else torch.contiguous_format)
    ctx = torch.autocast("cpu", dtype=torch.bfloat16) if bf16 else contextlib.nullcontext()
    best = float("inf")
    with torch.inference_mode(), ctx:
        backbone.classify(images[:batch_size])  # warm-up
        for _ in range(repeat):
            start = time.perf_counter()
            for i in range(0, len(images), batch_size):
                backbone.classify(images[i : i + batch_size])
            best = min(best, time.perf_counter() - start)
    return len(images) / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="googlenet-bvlc")
    parser.add_argument("--weights", default="random", help="'random' or a weights file")
    parser.add_argument("--images", type=int, default=32, help="images per measurement")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from genart.models import load_backbone

    torch.manual_seed(0)
    backbone = load_backbone(args.model, weights=args.weights)
    images = backbone.classification_transform(torch.rand(args.images, 3, 256, 256))
    print(f"model {args.model}, {args.images} images of {tuple(images.shape[1:])}, "
          f"{torch.get_num_threads()} threads, torch {torch.__version__}\n")
    print("| batch size | precision | memory format | images/s |")
    print("|---:|---|---|---:|")
    for batch_size in (1, args.batch_size):
        for bf16 in (False, True):
            for cl in (False, True):
                ips = run(backbone, images, batch_size, bf16=bf16, channels_last=cl, repeat=args.repeat)
                print(f"| {batch_size} | {'bf16' if bf16 else 'fp32'} | "
                      f"{'channels_last' if cl else 'contiguous'} | {ips:.1f} |")


if __name__ == "__main__":
    main()

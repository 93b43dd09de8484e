"""L-BFGS with pixels kept in range two ways, on a saturating style run (a photo on white).

    python benchmarks/bench_lbfgs_range.py                 # 256 px, 60 iterations, 3 styles
    python benchmarks/bench_lbfgs_range.py --size 160 --iterations 30

"before": the iterate clamped in place after every step (genart up to issue 8; the
curvature pairs then describe steps L-BFGS did not take). "after": genart's optimiser, an
unconstrained variable seen through a clamp and pulled back when out of range. Both run in
this process on the same inputs, in fp32: the content is the parrot photo in the middle of
a white canvas (three quarters of the pixels start exactly at 1), styles from
../shared/images/art, the partial Caffe VGG19 (relu1_1-relu3_1 style, relu3_2 content).
Reported: the loss of each returned image (evaluated once more, in fp32), the loss at
iterations 10 and 30, and the largest loss after iteration 10 (jumps). Markdown table.
"""
from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from genart.commands.style.algorithm import stylize
from genart.commands.style.config import StyleConfig
from genart.core import optim
from genart.core.events import Step
from genart.models import load_backbone

SHARED = Path(__file__).resolve().parents[2] / "shared"


def _load(path: Path, side: int) -> torch.Tensor:
    img = Image.open(path).convert("RGB")
    img.thumbnail((side, side))
    return torch.from_numpy(np.asarray(img, dtype=np.float32) / 255).permute(2, 0, 1)[None].contiguous()


def _white_canvas(size: int) -> torch.Tensor:
    h, w = size * 3 // 4, size
    canvas = torch.ones(1, 3, h, w)
    photo = _load(SHARED / "images" / "photos" / "parrot.jpg", size // 2)
    ph, pw = photo.shape[-2:]
    canvas[..., (h - ph) // 2:(h - ph) // 2 + ph, (w - pw) // 2:(w - pw) // 2 + pw] = photo
    return canvas


def _run(content, style, cfg, backbone) -> tuple[list[float], float]:
    events: list = []
    out = stylize(content, [style], cfg, backbone=backbone, callback=events.append)
    curve = [e.metrics["loss"] for e in events if isinstance(e, Step)]
    probe: list = []
    stylize(content, [style], dataclasses.replace(cfg, init="image", iterations=1), backbone=backbone,
            init_image=out, callback=probe.append)
    return curve, next(e.metrics["loss"] for e in probe if isinstance(e, Step))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--iterations", type=int, default=60)
    parser.add_argument("--styles", default="starry_night.jpg,the_scream.jpg,shipwreck.jpg")
    args = parser.parse_args()
    backbone = load_backbone("vgg19-caffe", weights=SHARED / "weights" / "vgg19-caffe-conv1_1-conv3_4.pth")
    cfg = StyleConfig(model="vgg19-caffe", size=args.size, pyramid=False, iterations=args.iterations, precision="fp32",
                      style_layers=("relu1_1", "relu2_1", "relu3_1"), content_layers=("relu3_2",))
    content = _white_canvas(args.size)
    after = optim.OPTIMIZERS["lbfgs"]
    before = optim.Optimizer(after.make, projects=True)
    print(f"{args.size} px, {args.iterations} L-BFGS iterations, fp32\n")
    print("| style | L-BFGS range | loss of the result | loss at 10 | loss at 30 | largest after 10 |")
    print("|---|---|---:|---:|---:|---:|")
    for name in args.styles.split(","):
        style = _load(SHARED / "images" / "art" / name, args.size)
        for label, kind in (("before: clamped iterate", before), ("after: clamped view", after)):
            optim.OPTIMIZERS["lbfgs"] = kind
            curve, final = _run(content, style, cfg, backbone)
            at = lambda i: curve[min(i, len(curve)) - 1]  # noqa: E731
            print(f"| {Path(name).stem} | {label} | {final:.3f} | {at(10):.2f} | {at(30):.2f} | {max(curve[10:]):.2f} |", flush=True)
    optim.OPTIMIZERS["lbfgs"] = after


if __name__ == "__main__":
    main()

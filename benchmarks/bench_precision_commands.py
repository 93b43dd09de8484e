"""fp32 against bf16 for every command on this machine: speed, and whether the art changes.

    python benchmarks/bench_precision_commands.py                       # all four, 1 thread
    python benchmarks/bench_precision_commands.py --commands style,dream --threads 2
    python benchmarks/bench_precision_commands.py --save /tmp/precision   # images to look at

What ``precision: auto`` may pick is decided from this (genart.core.device.BF16_COMMANDS).
Real weights from ../shared: the partial Caffe VGG19 for style and doodle (vgg19-partial
layers), BVLC GoogLeNet for dream and classify. Per command, fp32 and bf16 runs alternate
(``--repeat`` pairs) so that other processes' load affects both alike. Time is that of
all steps but the first (of all batches for classify), in wall and in CPU seconds;
with ``--threads 1`` the CPU seconds are those of the one computing thread, which other
processes' load barely changes: the fair figure on a shared machine.

Quality, measured in fp32 whatever the run's precision:
- style: the style and content losses of each result;
- dream: the dream objective (mean squared activation) of each result;
- doodle: the images only. doodle has no precision setting yet: ``doodle`` runs its
  network's forward pass under autocast (as style does; the patch matching stays fp32),
  ``doodle-whole`` autocasts the whole algorithm, matching included;
- classify: top-1 and top-5 agreement, and the largest probability difference.
For the images, the mean |difference| fp32 vs bf16 is set beside the difference between
two fp32 runs with different seeds (dream, doodle): the "same art" floor. Prints markdown.
"""
from __future__ import annotations

import argparse
import contextlib
import dataclasses
import statistics
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch
from PIL import Image

from backbone_wrappers import Wrapped
from genart.core.events import Step

SHARED = Path(__file__).resolve().parents[2] / "shared"
VGG = SHARED / "weights" / "vgg19-caffe-conv1_1-conv3_4.pth"
GOOGLENET = SHARED / "weights" / "bvlc_googlenet.pth"
PARTIAL = dict(style_layers=("relu1_1", "relu2_1", "relu3_1"), content_layers=("relu3_2",))


def _image(path: Path, size: int | None = None) -> torch.Tensor:
    img = Image.open(path).convert("RGB")
    if size:
        img.thumbnail((size, size))
    return torch.from_numpy(np.asarray(img, dtype=np.float32) / 255).permute(2, 0, 1)[None].contiguous()


@dataclasses.dataclass
class Run:
    out: Any
    wall: float  # wall seconds of the steps (all but the first), or of the batches
    cpu: float  # CPU seconds of the same


def _timed(fn: Callable[[Callable[[Any], None]], Any], threads: int) -> Run:
    """Run ``fn(callback)``; wall and CPU seconds from its first Step event to its last."""
    cpu_clock = time.thread_time if threads == 1 else time.process_time
    stamps: list[tuple[float, float]] = []

    def callback(event: Any) -> None:
        if isinstance(event, Step):
            stamps.append((time.perf_counter(), cpu_clock()))

    out = fn(callback)
    return Run(out, stamps[-1][0] - stamps[0][0], stamps[-1][1] - stamps[0][1])


def _autocast(bf16: bool):
    return torch.autocast("cpu", dtype=torch.bfloat16) if bf16 else contextlib.nullcontext()


# ----------------------------------------------------------------------------- commands
def style_case(size: int):
    from genart.commands.style.algorithm import stylize
    from genart.commands.style.config import StyleConfig
    from genart.models import load_backbone

    backbone = load_backbone("vgg19-caffe", weights=VGG)
    art = SHARED / "images" / "art"
    content, style = _image(art / "tubingen.jpg", size), _image(art / "starry_night.jpg", size)
    base = StyleConfig(model="vgg19-caffe", size=size, pyramid=False, iterations=60, style_weight=300, **PARTIAL)

    def run(bf16: bool, seed: int, threads: int) -> Run:
        cfg = dataclasses.replace(base, precision="bf16" if bf16 else "fp32", seed=seed)
        return _timed(lambda cb: stylize(content, [style], cfg, backbone=backbone, callback=cb), threads)

    def quality(out) -> dict[str, float]:
        events: list = []
        probe = dataclasses.replace(base, precision="fp32", init="image", iterations=1)
        stylize(content, [style], probe, backbone=backbone, init_image=out, callback=events.append)
        m = next(e.metrics for e in events if isinstance(e, Step))
        return {"style loss": m.get("style", 0.0), "content loss": m.get("content", 0.0)}

    return run, quality, "60 L-BFGS iterations, one scale"


def dream_case(size: int):
    from genart.commands.dream.algorithm import dream
    from genart.commands.dream.config import DreamConfig
    from genart.commands.dream.objectives import build_objective
    from genart.core.device import Compute
    from genart.models import load_backbone

    backbone = load_backbone("googlenet-bvlc", weights=GOOGLENET)
    photo = _image(SHARED / "images" / "photos" / "parrot.jpg")
    base = DreamConfig(size=size)  # classic: inception_4c, 4 octaves x 10 steps

    def run(bf16: bool, seed: int, threads: int) -> Run:
        cfg = dataclasses.replace(base, precision="bf16" if bf16 else "fp32", seed=seed)
        return _timed(lambda cb: dream(photo, cfg, backbone=backbone, callback=cb), threads)

    def quality(out) -> dict[str, float]:
        objective = build_objective(base, backbone, compute=Compute(torch.device("cpu")))
        with torch.no_grad():
            return {"objective": float(objective(out))}

    return run, quality, "classic: 4 octaves x 10 steps"


def doodle_case(size: int, whole: bool = False):
    from genart.commands.doodle.algorithm import doodle
    from genart.commands.doodle.config import DoodleConfig
    from genart.models import load_backbone

    backbone = load_backbone("vgg19-caffe", weights=VGG)
    folder = SHARED / "images" / "doodle"
    style, style_map = _image(folder / "Monet.jpg"), _image(folder / "Monet_sem.png")
    target = _image(folder / "Coastline_sem.png")
    base = DoodleConfig(model="vgg19-caffe", mode="mrf", style_layers=("relu2_1", "relu3_1"),
                        content_layers=("relu3_2",), size=size, phases=2, iterations=40)

    def run(bf16: bool, seed: int, threads: int) -> Run:
        cfg = dataclasses.replace(base, seed=seed)
        net = Wrapped(backbone, bf16=True) if bf16 and not whole else backbone

        def go(cb):
            with _autocast(bf16 and whole):
                return doodle(style, style_map, target, cfg, backbone=net, callback=cb).float()

        return _timed(go, threads)

    where = "whole algorithm autocast" if whole else "forward pass autocast, matching in fp32"
    return run, None, f"2 phases x 40 steps, MRF at relu2_1, relu3_1; {where}"


def classify_case(size: int):
    from genart.commands.classify.algorithm import classify
    from genart.commands.classify.config import ClassifyConfig
    from genart.models import load_backbone

    backbone = load_backbone("googlenet-bvlc", weights=GOOGLENET)
    photos = [_image(p) for p in sorted((SHARED / "images" / "photos").iterdir())] * 4

    def run(bf16: bool, seed: int, threads: int) -> Run:
        cfg = ClassifyConfig(precision="bf16" if bf16 else "fp32", batch_size=8, topk=5)
        cpu_clock = time.thread_time if threads == 1 else time.process_time
        w, c = time.perf_counter(), cpu_clock()
        preds = classify(photos, cfg, backbone=backbone)
        return Run(preds, time.perf_counter() - w, cpu_clock() - c)

    return run, None, "24 photos (6 x 4), batches of 8, 224 px"


CASES = {"style": style_case, "dream": dream_case, "doodle": doodle_case,
         "doodle-whole": lambda size: doodle_case(size, whole=True), "classify": classify_case}
SIZES = {"style": 384, "dream": 384, "doodle": 256, "doodle-whole": 256, "classify": 224}


def _classify_agreement(a: list, b: list) -> str:
    top1 = sum(x[0].index == y[0].index for x, y in zip(a, b))
    top5 = sum({p.index for p in x} == {p.index for p in y} for x, y in zip(a, b))
    dp = max(abs(p.probability - q.probability) for x, y in zip(a, b) for p, q in zip(x, y) if p.index == q.index)
    return f"top-1 agree {top1}/{len(a)}, top-5 sets agree {top5}/{len(a)}, largest probability difference {dp:.4f}"


def _save(out, path: Path) -> None:
    from genart.imageio import save_image

    path.parent.mkdir(parents=True, exist_ok=True)
    save_image(out.float().clamp(0, 1), str(path))


def bench(name: str, size: int, repeat: int, threads: int, save: Path | None) -> None:
    run, quality, what = CASES[name](size)
    runs: dict[str, list[Run]] = {"fp32": [], "bf16": []}
    for _ in range(repeat):
        for precision in runs:
            runs[precision].append(run(precision == "bf16", 0, threads))
    print(f"\n### {name} ({size} px, {what}; {repeat} pair(s), {threads} thread(s))\n")
    print("| precision | wall s | CPU s | bf16 speed-up (CPU) | quality (fp32-measured) |")
    print("|---|---:|---:|---:|---|")
    cpu32 = statistics.median(r.cpu for r in runs["fp32"])
    for precision, rs in runs.items():
        wall, cpu = statistics.median(r.wall for r in rs), statistics.median(r.cpu for r in rs)
        q = quality(rs[0].out) if quality else {}
        qtext = ", ".join(f"{k} {v:.4g}" for k, v in q.items())
        print(f"| {precision} | {wall:.3f} | {cpu:.3f} | {cpu32 / cpu:.2f}x | {qtext} |")
    a, b = runs["fp32"][0].out, runs["bf16"][0].out
    if name == "classify":
        print(f"\nfp32 vs bf16: {_classify_agreement(a, b)}")
        return
    diff = (a.float() - b.float()).abs()
    line = f"\nfp32 vs bf16 image: mean |difference| {diff.mean():.4f}, 99th percentile {diff.quantile(0.99):.4f}"
    if name.startswith(("dream", "doodle")):
        other = run(False, 1, threads).out
        floor = (a.float() - other.float()).abs()
        line += f"; fp32 seed 0 vs seed 1 (same art, other randomness): {floor.mean():.4f}, {floor.quantile(0.99):.4f}"
    print(line)
    if save:
        _save(a, save / f"{name}_fp32.png")
        _save(b, save / f"{name}_bf16.png")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", default="style,dream,doodle,classify")
    parser.add_argument("--repeat", type=int, default=1, help="fp32/bf16 pairs per command")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (1: CPU time is load-proof)")
    parser.add_argument("--size", type=int, default=0, help="long side (default per command)")
    parser.add_argument("--save", type=Path, help="write each command's fp32 and bf16 results there")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    from genart.core.device import bf16_is_faster

    print(f"torch {torch.__version__}, {args.threads} thread(s), CPU capability "
          f"{torch.backends.cpu.get_cpu_capability()}, native bf16: {bf16_is_faster(torch.device('cpu'))}")
    for name in args.commands.split(","):
        bench(name, args.size or SIZES[name], args.repeat, args.threads, args.save)


if __name__ == "__main__":
    main()

"""Time to quality: how long genart style takes to reach the picture that a plain
single-scale Gatys run reaches after 200 L-BFGS iterations, with the real weights.

    python benchmarks/bench_time_to_quality.py                      # 3 pairs x (512, 256 px)
    python benchmarks/bench_time_to_quality.py --sizes 256 --pairs tubingen:starry_night
    python benchmarks/bench_time_to_quality.py --genart '{"stop_tolerance": 0}' --save /tmp/ttq

Everything uses the partial Caffe VGG19 from ../shared (conv1_1..conv3_4, the only real
VGG weights here) with the ``vgg19-partial`` preset's layers: style relu1_1, relu2_1,
relu3_1, content relu3_2, max pooling, fp32.

**The statistics** (the yardstick, the same for every method): at the output's size, with
that fixed extractor,

- style = the mean over the style layers of mean((G - A)^2) / mean(A^2), where G and A
  are the Gram matrices (divided by the number of positions) of the image and of the style
  image resized to the output's long side;
- content = mean((F - P)^2) / mean(P^2) at relu3_2, against the content photo at the
  output's size.

These are exactly the two terms both methods minimise (loss = 300 style + content).

**The baseline** (written here): one scale at the output size, starting from the photo,
a plain Gram/content loss on the same extractor, L-BFGS with history 20 through
:func:`genart.core.optim.optimize_image` (the same optimiser as genart, so the comparison
is about the schedule, not the optimiser), ``--iterations`` (200) iterations.

**genart**: ``stylize`` with the ``vgg19-partial`` preset at the same size (``--genart``
overrides settings). At every step of its last scale the current image is measured;
"time to quality" is the first time both statistics are at least as good as the
baseline's after 200 iterations ("reaches both"), and, a looser yardstick, the first time
their weighted sum (300 style + content, the loss both minimise) is ("reaches the loss"). Measuring is not counted in either method's time; model
loading is not counted (the same backbone object serves both); target computation is.

Baseline and genart run one after the other for each pair in the same process, so a
busy machine slows both. Prints a markdown table.
"""
from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("GENART_SHARED_DIR", ROOT.parent / "shared"))
WEIGHTS = SHARED / "weights" / "vgg19-caffe-conv1_1-conv3_4.pth"
STYLE = ("relu1_1", "relu2_1", "relu3_1")
CONTENT = "relu3_2"
STYLE_WEIGHT = 300.0  # the vgg19-partial preset's (content weight 1)
PAIRS = "tubingen:starry_night,golden_gate:the_scream,tubingen:shipwreck"


def load(name: str) -> torch.Tensor:
    from genart.imageio import load_image, to_tensor

    return to_tensor(load_image(SHARED / "images" / "art" / f"{name}.jpg"))


def _gram(f: torch.Tensor) -> torch.Tensor:
    f = f.float().flatten(2)
    return f @ f.transpose(1, 2) / f.shape[-1]


class Meter:
    """The yardstick: (style, content) statistics of an image at the output's size."""

    def __init__(self, backbone, content: torch.Tensor, style: torch.Tensor, size: int) -> None:
        from genart.core.geometry import fit_long_side, resize

        self.extractor = backbone.extractor([*STYLE, CONTENT])
        self.hw = fit_long_side(*content.shape[-2:], size)
        self.resize = resize
        with torch.no_grad():
            s = self.extractor(resize(style, fit_long_side(*style.shape[-2:], size)))
            self.grams = {n: _gram(s[n]) for n in STYLE}
            self.content = self.extractor(resize(content, self.hw))[CONTENT].float()

    def stats(self, feats) -> tuple[torch.Tensor, torch.Tensor]:
        """Differentiable (style, content) of features (used by the baseline's loss too)."""
        style = sum(((_gram(feats[n]) - a) ** 2).mean() / (a**2).mean() for n, a in self.grams.items()) / len(STYLE)
        content = ((feats[CONTENT].float() - self.content) ** 2).mean() / (self.content**2).mean()
        return style, content

    def __call__(self, image: torch.Tensor) -> tuple[float, float]:
        with torch.no_grad():
            style, content = self.stats(self.extractor(self.resize(image.clamp(0, 1), self.hw)))
        return float(style), float(content)


class Clock:
    """Wall time that leaves out the measuring done inside callbacks."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.excluded = 0.0

    def now(self) -> float:
        return time.perf_counter() - self.start - self.excluded

    def measure(self, fn):
        t = time.perf_counter()
        try:
            return fn()
        finally:
            self.excluded += time.perf_counter() - t


def run_baseline(backbone, content, style, size: int, iterations: int, meter: Meter) -> dict:
    """Plain single-scale Gatys: targets once, L-BFGS from the photo, ``iterations`` steps."""
    from genart.core.events import Step
    from genart.core.optim import optimize_image

    clock = Clock()
    plain = Meter(backbone, content, style, size)  # the baseline's own targets: timed
    start = plain.resize(content, plain.hw)
    curve: list[tuple[int, float, float, float]] = []

    def loss_fn(x):
        s, c = plain.stats(plain.extractor(x))
        return STYLE_WEIGHT * s + c, {}

    def on_step(event) -> None:
        if isinstance(event, Step) and (event.step % 10 == 0 or event.step == event.steps):
            curve.append((event.step, clock.now(), *clock.measure(lambda: meter(event.preview()))))

    out = optimize_image(start, loss_fn, iterations=iterations, learning_rate=1.0, history_size=20, callback=on_step)
    return {"seconds": clock.now(), "curve": curve, "image": out}


def run_genart(backbone, content, style, size: int, overrides: dict, meter: Meter, goal: tuple[float, float] | None) -> dict:
    """genart's vgg19-partial preset at ``size``; measures every step of the last scale."""
    from genart import presets
    from genart.commands.style.algorithm import stylize
    from genart.core.events import StageStarted, Step

    cfg = presets.resolve("style", preset="vgg19-partial", env={}, flags={"size": size, **overrides}).config
    clock = Clock()
    stages: list[tuple[str, int, float]] = []  # name, steps run, seconds at its end
    reached: list[tuple[float, float, float]] = []  # both statistics at the goal
    reached_loss: list[float] = []  # their weighted sum at the goal's
    last: list[int] = [0]

    def on_event(event) -> None:
        if isinstance(event, StageStarted):
            last[0] = event.index == event.count - 1
            stages.append((event.name, 0, clock.now()))
        elif isinstance(event, Step):
            name, _, _ = stages[-1]
            stages[-1] = (name, event.step, clock.now())
            if last[0] and not reached and goal is not None:
                s, c = clock.measure(lambda: meter(event.preview()))
                if s <= goal[0] and c <= goal[1]:
                    reached.append((clock.now(), s, c))
                if not reached_loss and STYLE_WEIGHT * s + c <= STYLE_WEIGHT * goal[0] + goal[1]:
                    reached_loss.append(clock.now())

    out = stylize(content, [style], cfg, backbone=backbone, callback=on_event)
    seconds = clock.now()
    return {"seconds": seconds, "stages": stages, "reached": reached[0] if reached else None,
            "reached_loss": reached_loss[0] if reached_loss else None,
            "final": meter(out), "image": out}


def _save(image: torch.Tensor, path: Path) -> None:
    from genart.imageio import save_image

    path.parent.mkdir(parents=True, exist_ok=True)
    save_image(image, path)


def _report(size: int, c_name: str, s_name: str, overrides: dict, base: dict, goal, gen: dict) -> None:
    """One markdown table row."""
    reach = gen["reached"]
    at = f"{reach[0]:.1f}" if reach else "not reached"
    ratio = f"{reach[0] / base['seconds']:.2f}x" if reach else "-"
    its = "/".join(str(n) for _, n, _ in gen["stages"])
    by_loss = gen["reached_loss"]
    at_loss = f"{by_loss:.1f} | {by_loss / base['seconds']:.2f}x" if by_loss else "not reached | -"
    settings = json.dumps(overrides).replace("|", "/") if overrides else "preset"
    goals = f"{goal[0]:.5f} / {goal[1]:.4f}" if goal else "-"
    print(f"| {size} | {c_name} x {s_name} | {settings} | {base['seconds']:.1f} | {goals} "
          f"| {at} | {ratio} | {at_loss} | {gen['seconds']:.1f} | {gen['seconds'] / base['seconds']:.2f}x "
          f"| {gen['final'][0]:.5f} / {gen['final'][1]:.4f} | {its} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="512,256")
    parser.add_argument("--pairs", default=PAIRS, help="content:style names from ../shared/images/art")
    parser.add_argument("--iterations", type=int, default=200, help="baseline iterations (the goal)")
    parser.add_argument("--genart", default="{}", help="JSON settings over the vgg19-partial preset, or a "
                        "JSON list of such settings (each run against the same baseline)")
    parser.add_argument("--no-baseline", action="store_true", help="genart only (no goal: quicker comparisons)")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    parser.add_argument("--save", default="", help="folder for the result PNGs (none by default)")
    parser.add_argument("--json", default="", help="also write the raw results to this file")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    from genart.models import load_backbone

    backbone = load_backbone("vgg19-caffe", weights=str(WEIGHTS))
    variants = json.loads(args.genart)
    variants = variants if isinstance(variants, list) else [variants]
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, load {os.getloadavg()[0]:.2f}; genart settings over "
          f"vgg19-partial: {variants}\n")
    print("| size | content x style | genart settings | baseline 200 it (s) | baseline style / content | genart reaches both at (s) "
          "| ratio | reaches the loss at (s) | ratio | genart finished (s) | ratio | genart final style / content "
          "| its per scale |")
    print("|---:|---|---|---:|---|---:|---:|---:|---:|---:|---:|---|---|")
    raw = []
    for size in (int(s) for s in args.sizes.split(",")):
        for pair in args.pairs.split(","):
            c_name, s_name = pair.split(":")
            content, style = load(c_name), load(s_name)
            meter = Meter(backbone, content, style, size)
            if args.no_baseline:
                base, goal = {"seconds": float("nan"), "curve": [], "image": None}, None
            else:
                base = run_baseline(backbone, content, style, size, args.iterations, meter)
                goal = base["curve"][-1][2:]
            for overrides in variants:
                gen = run_genart(backbone, content, style, size, overrides, meter, goal)
                _report(size, c_name, s_name, overrides, base, goal, gen)
                tag = "-".join(f"{k}{v}" for k, v in overrides.items()).replace(" ", "") or "preset"
                if args.save:
                    _save(gen["image"], Path(args.save) / f"{c_name}-{s_name}-{size}-{tag}.png")
                raw.append({"size": size, "pair": pair, "settings": overrides,
                            "baseline": {k: base[k] for k in ("seconds", "curve")},
                            "genart": {k: gen[k] for k in ("seconds", "stages", "reached", "reached_loss", "final")},
                            "load": os.getloadavg()})
            if args.save and base["image"] is not None:
                _save(base["image"], Path(args.save) / f"{c_name}-{s_name}-{size}-baseline.png")
    if args.json:
        Path(args.json).write_text(json.dumps(raw, indent=1))


if __name__ == "__main__":
    main()

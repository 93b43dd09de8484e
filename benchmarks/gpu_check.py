"""genart on a CUDA GPU: times style, dream, doodle and classify, and checks them against the CPU.

    python benchmarks/gpu_check.py                      # cuda, 512 and 1024 px, all variants
    python benchmarks/gpu_check.py --quick              # 512 px; fp32, bf16-cl, bf16-cl-compiled
    python benchmarks/gpu_check.py --device cpu --dry-run   # the script's own check, on a CPU

Run by benchmarks/gpu_check.sh after the test suite. Per command and size, each variant
runs ``--steps`` steps at that size and reports the median seconds per step once warm
(the first steps include cuDNN autotuning and, compiled, the compilation, reported
apart), and the peak GPU memory. Variants: ``fp32`` (contiguous), ``fp32-cl``
(channels-last), ``bf16-cl`` (bf16 autocast, channels-last), and the last two compiled
(``-compiled``: the command's ``compile`` setting where it has one, else its network
wrapped in ``torch.compile``). Commands without a precision or memory-format setting
(doodle) get them through the same wrapper. Random-init weights unless ../shared has the
real ones (the arithmetic, and so the time, is the same).

Then the same commands at 128 px for a few steps on the CPU in fp32 and on the device in
each variant: the mean and 99th-percentile |difference| of the images must stay within
the tolerances below, classify's top-1 must agree. TF32 (on by default for cuDNN
convolutions) is what makes fp32 on a GPU differ from the CPU at all.

Prints a markdown table for docs/PERFORMANCE.md with the GPU's name, and the Gatys
anchor: seconds per L-BFGS iteration at 512 px with the whole VGG19 (relu1_1...relu5_1
style, relu4_2 content), against the published 0.046 s on a GTX 1080. Exit status 1 if a
comparison fails.
"""
from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

import torch

from backbone_wrappers import Wrapped
from genart.core.events import Step
from genart.models import load_backbone

SHARED = Path(__file__).resolve().parents[2] / "shared"
VARIANTS = {
    "fp32": ("fp32", False, False),
    "fp32-cl": ("fp32", True, False),
    "bf16-cl": ("bf16", True, False),
    "fp32-cl-compiled": ("fp32", True, True),
    "bf16-cl-compiled": ("bf16", True, True),
}
# Image differences (0-1 scale) allowed against the CPU in fp32 after the check's steps.
TOLERANCE = {"fp32": (0.01, 0.08), "bf16": (0.03, 0.2)}  # (mean, 99th percentile)
GATYS_ANCHOR_S = 0.046  # s per L-BFGS iteration, 512 px, GTX 1080 (the published anchor)


@dataclasses.dataclass
class Variant:
    name: str
    precision: str
    channels_last: bool
    compiled: bool


@dataclasses.dataclass
class Timing:
    steps: list[float]  # seconds per step (per batch for classify)
    peak_mib: float
    out: Any

    @property
    def warm(self) -> float:
        tail = self.steps[2:] or self.steps
        return statistics.median(tail)

    @property
    def first(self) -> float:
        return self.steps[0] if self.steps else float("nan")


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _image(kind: str, size: int, seed: int = 0) -> torch.Tensor:
    """A real picture from ../shared when there, else seeded smooth noise (1, 3, h, w)."""
    names = {"content": "art/tubingen.jpg", "style": "art/starry_night.jpg", "painting": "doodle/Monet.jpg",
             "style_map": "doodle/Monet_sem.png", "target_map": "doodle/Coastline_sem.png"}
    path = SHARED / "images" / names[kind]
    h, w = size * 3 // 4, size
    if path.is_file():
        import numpy as np
        from PIL import Image

        img = Image.open(path).convert("RGB").resize((w, h), Image.NEAREST if "map" in kind else Image.BICUBIC)
        return torch.from_numpy(np.asarray(img, dtype=np.float32) / 255).permute(2, 0, 1)[None].contiguous()
    g = torch.Generator().manual_seed(seed + len(kind))
    if "map" in kind:  # two regions, split at a seeded column
        x = torch.zeros(1, 3, h, w)
        x[..., : w // 3 + int(torch.randint(0, w // 3, (1,), generator=g))] = 1
        return x
    small = torch.rand(1, 3, max(2, h // 16), max(2, w // 16), generator=g)
    return torch.nn.functional.interpolate(small, size=(h, w), mode="bicubic", align_corners=False).clamp(0, 1)


def _weights(model: str) -> str:
    files = {"googlenet-bvlc": "bvlc_googlenet.pth"}
    path = SHARED / "weights" / files.get(model, "")
    return str(path) if model in files and path.is_file() else "random"


def _config(cls: Any, variant: Variant, **fields: Any) -> Any:
    """``cls(**fields)`` with the variant's settings where the config has them."""
    names = {f.name for f in dataclasses.fields(cls)}
    if "precision" in names:
        fields["precision"] = variant.precision
    if "memory_format" in names:
        fields["memory_format"] = "channels-last" if variant.channels_last else "contiguous"
    if "compile" in names:
        fields["compile"] = variant.compiled
    return cls(**fields)


def _network(backbone: Any, variant: Variant, config_cls: Any, compile_backend: str) -> Any:
    """The backbone, wrapped for what the config cannot ask for itself."""
    names = {f.name for f in dataclasses.fields(config_cls)}
    bf16 = variant.precision == "bf16" and "precision" not in names
    channels_last = variant.channels_last and "memory_format" not in names
    compiled = compile_backend if variant.compiled and "compile" not in names else None
    if not (bf16 or channels_last or compiled):
        return backbone
    return Wrapped(backbone, bf16=bf16, channels_last=channels_last, compile_backend=compiled)


# ------------------------------------------------------------------------ the commands
def run_style(device, size, steps, variant, backbone, compile_backend) -> Callable:
    from genart.commands.style.algorithm import stylize
    from genart.commands.style.config import StyleConfig

    cfg = _config(StyleConfig, variant, model="vgg19", size=size, pyramid=False, iterations=steps, tile_size=0)
    net = _network(backbone, variant, StyleConfig, compile_backend)
    content, style = _image("content", size), _image("style", size)  # moved by the algorithm, as in a run
    return lambda cb: stylize(content, [style], cfg, backbone=net, callback=cb)


def run_dream(device, size, steps, variant, backbone, compile_backend) -> Callable:
    from genart.commands.dream.algorithm import dream
    from genart.commands.dream.config import DreamConfig

    cfg = _config(DreamConfig, variant, size=size, octaves=1, iterations=steps, tile_size=0)
    net = _network(backbone, variant, DreamConfig, compile_backend)
    photo = _image("content", size)
    return lambda cb: dream(photo, cfg, backbone=net, callback=cb)


def run_doodle(device, size, steps, variant, backbone, compile_backend) -> Callable:
    from genart.commands.doodle.algorithm import doodle
    from genart.commands.doodle.config import DoodleConfig

    cfg = _config(DoodleConfig, variant, model="vgg19", size=size, phases=1, iterations=steps)
    net = _network(backbone, variant, DoodleConfig, compile_backend)
    style, smap, tmap = (_image(k, size) for k in ("painting", "style_map", "target_map"))
    return lambda cb: doodle(style, smap, tmap, cfg, backbone=net, callback=cb)


def run_classify(device, size, steps, variant, backbone, compile_backend) -> Callable:
    from genart.commands.classify.algorithm import classify
    from genart.commands.classify.config import ClassifyConfig

    batch = 32
    cfg = _config(ClassifyConfig, variant, batch_size=batch, topk=5)
    net = _network(backbone, variant, ClassifyConfig, compile_backend)
    images = [_image("content", size, seed=i) for i in range(4)] * (batch // 4)

    def go(cb):
        out = []
        for _ in range(steps):  # one Step per batch of 32 images
            out = classify(images, cfg, backbone=net)
            cb(Step(1, steps))
        return out

    return go


COMMANDS = {
    "style": ("vgg19", run_style),
    "dream": ("googlenet-bvlc", run_dream),
    "doodle": ("vgg19", run_doodle),
    "classify": ("googlenet-bvlc", run_classify),
}


def fresh_compiler() -> None:
    """Forget what torch.compile compiled before: every variant compiles its own network
    (all extractors share one forward method, whose recompilations are otherwise counted
    together and, past the limit, silently run uncompiled)."""
    torch._dynamo.reset()
    torch._dynamo.config.recompile_limit = 64


def timed(device: torch.device, make: Callable) -> Timing:
    """Run a command once: seconds between its Step events (the first from the start)."""
    fresh_compiler()
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    _sync(device)
    stamps = [time.perf_counter()]

    def callback(event: Any) -> None:
        if isinstance(event, Step):
            _sync(device)
            stamps.append(time.perf_counter())

    out = make(callback)
    peak = torch.cuda.max_memory_allocated(device) / 2**20 if device.type == "cuda" else float("nan")
    return Timing([b - a for a, b in zip(stamps, stamps[1:])], peak, out)


def _backbones(device: torch.device) -> dict[str, Any]:
    return {m: load_backbone(m, weights=_weights(m), device=device) for m in {m for m, _ in COMMANDS.values()}}


# ------------------------------------------------------------------------ comparisons
def compare(name: str, out: Any, ref: Any, precision: str) -> tuple[str, bool]:
    """How far a device result is from the CPU's fp32 one, and whether within tolerance."""
    if name == "classify":
        top1 = sum(a[0].index == b[0].index for a, b in zip(out, ref))
        dp = max(abs(a[0].probability - b[0].probability) for a, b in zip(out, ref))
        ok = top1 == len(ref) and dp <= (0.01 if precision == "fp32" else 0.05)
        return f"top-1 {top1}/{len(ref)}, top-1 probability within {dp:.4f}", ok
    diff = (out.detach().float().cpu() - ref.float()).abs()
    mean, p99 = float(diff.mean()), float(diff.flatten().kthvalue(max(1, int(0.99 * diff.numel()))).values)
    tol_mean, tol_p99 = TOLERANCE[precision]
    return f"mean {mean:.4f}, p99 {p99:.4f} (tolerance {tol_mean}, {tol_p99})", mean <= tol_mean and p99 <= tol_p99


def check_against_cpu(device, commands, variants, size, steps, compile_backend) -> list[tuple[str, str, str, bool]]:
    cpu = torch.device("cpu")
    ref_nets, dev_nets = _backbones(cpu), _backbones(device)
    fp32 = Variant("fp32", "fp32", False, False)
    rows = []
    for name in commands:
        model, make = COMMANDS[name]
        ref = make(cpu, size, steps, fp32, ref_nets[model], compile_backend)(lambda e: None)
        for v in variants:
            fresh_compiler()
            out = make(device, size, steps, v, dev_nets[model], compile_backend)(lambda e: None)
            text, ok = compare(name, out, ref, v.precision)
            rows.append((name, v.name, text, ok))
    return rows


# ------------------------------------------------------------------------ report
def device_name(device: torch.device) -> str:
    if device.type == "cuda":
        p = torch.cuda.get_device_properties(device)
        return f"{p.name} ({p.total_memory / 2**30:.0f} GiB, compute capability {p.major}.{p.minor})"
    import platform

    return f"CPU {platform.processor() or platform.machine()}, {torch.get_num_threads()} threads"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--sizes", default="512,1024")
    parser.add_argument("--commands", default=",".join(COMMANDS))
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--steps", type=int, default=12, help="steps per timing (the first 2 are warm-up)")
    parser.add_argument("--check-size", type=int, default=128)
    parser.add_argument("--check-steps", type=int, default=5)
    parser.add_argument("--compile-backend", default="inductor")
    parser.add_argument("--quick", action="store_true", help="512 px; fp32, bf16-cl, bf16-cl-compiled")
    parser.add_argument("--dry-run", action="store_true",
                        help="tiny sizes, 3 steps, torch.compile's eager backend: checks the script itself")
    parser.add_argument("--skip-timing", action="store_true")
    parser.add_argument("--skip-check", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.variants = "512", "fp32,bf16-cl,bf16-cl-compiled"
    if args.dry_run:
        args.sizes, args.steps, args.check_size, args.check_steps = "64", 3, 64, 2
        args.compile_backend = "eager"
    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        print("gpu_check: no CUDA GPU here (use --device cpu --dry-run to check the script)", file=sys.stderr)
        return 2
    commands = args.commands.split(",")
    variants = [Variant(v, *VARIANTS[v]) for v in args.variants.split(",")]
    print(f"## {device_name(device)}\n\ntorch {torch.__version__}, CUDA {torch.version.cuda}, "
          f"cuDNN {torch.backends.cudnn.version() if device.type == 'cuda' else '-'}\n")
    failed = False
    if not args.skip_timing:
        time_all(device, commands, variants, [int(s) for s in args.sizes.split(",")], args)
    if not args.skip_check:
        rows = check_against_cpu(device, commands, variants, args.check_size, args.check_steps, args.compile_backend)
        print(f"\n### Against the CPU (fp32), {args.check_size} px, {args.check_steps} steps\n")
        print("| command | variant | difference | within tolerance |")
        print("|---|---|---|---|")
        for name, v, text, ok in rows:
            print(f"| {name} | {v} | {text} | {'yes' if ok else '**NO**'} |")
            failed |= not ok
    return 1 if failed else 0


def time_all(device, commands, variants, sizes, args) -> None:
    nets = _backbones(device)
    print(f"### Seconds per step ({args.steps} steps, median after the first 2; classify: per batch of 32)\n")
    print("| command | size | variant | s/step | first step s | peak MiB |")
    print("|---|---:|---|---:|---:|---:|")
    gatys = None
    for name in commands:
        model, make = COMMANDS[name]
        for size in sizes:
            for v in variants:
                try:
                    t = timed(device, make(device, size, args.steps, v, nets[model], args.compile_backend))
                except Exception as exc:  # one failed variant must not hide the others
                    print(f"| {name} | {size} | {v.name} | failed: {type(exc).__name__}: {exc} | | |", flush=True)
                    continue
                print(f"| {name} | {size} | {v.name} | {t.warm:.4f} | {t.first:.2f} | {t.peak_mib:.0f} |", flush=True)
                if name == "style" and size == 512 and v.name == "fp32":
                    gatys = t.warm
                if device.type == "cuda":
                    torch.cuda.empty_cache()
    if gatys is not None:
        print(f"\nGatys anchor (style, 512 px, whole VGG19, fp32, L-BFGS): {gatys:.4f} s/iteration here, "
              f"{GATYS_ANCHOR_S} s on a GTX 1080 (published): {GATYS_ANCHOR_S / gatys:.2f}x")


if __name__ == "__main__":
    sys.exit(main())

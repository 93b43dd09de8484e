"""genart style on this machine: speed per iteration against a plain Gatys baseline, the
fraction of peak convolution throughput, preset wall times and peak memory.

    python benchmarks/bench_style.py            # everything (~15-25 min on 2 busy cores)
    python benchmarks/bench_style.py --quick    # 256 px only, short runs (~3 min)
    python benchmarks/bench_style.py --only speed,memory --memory-sizes 1024,2048,4096

Weights do not change the arithmetic, so random-init VGG19 weights time the same network
as the real ones. The baseline is a deliberately plain implementation of the same loss
(Gatys et al. 2016): torchvision's whole VGG19 ``features`` stack in fp32, frozen, Gram
losses at relu1_1..relu5_1 and content at relu4_2, L-BFGS with one evaluation per
iteration, targets computed once. Peak memory is read from /proc/self/status (VmHWM) in
a fresh subprocess per configuration. Prints markdown tables.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import torch

STYLE = ("relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1")
VGG_INDEX = {"relu1_1": 1, "relu2_1": 6, "relu3_1": 11, "relu4_1": 20, "relu4_2": 22, "relu5_1": 29}
SHARED = Path(__file__).resolve().parents[2] / "shared" / "images" / "art"


def images(size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Tübingen and The Starry Night from ../shared if present, else seeded noise."""
    try:
        import numpy as np
        from PIL import Image

        def load(name: str) -> torch.Tensor:
            img = Image.open(SHARED / name).convert("RGB")
            img.thumbnail((size, size))
            return torch.from_numpy(np.asarray(img, dtype=np.float32) / 255).permute(2, 0, 1)[None].contiguous()

        return load("tubingen.jpg"), load("starry_night.jpg")
    except OSError:
        g = torch.Generator().manual_seed(0)
        return torch.rand(1, 3, size * 3 // 4, size, generator=g), torch.rand(1, 3, size, size, generator=g)


# ----------------------------------------------------------------------------- baseline
def baseline_seconds_per_iteration(content: torch.Tensor, style: torch.Tensor, iterations: int) -> float:
    """The plain implementation: whole feature stack, fp32, NCHW, L-BFGS."""
    import torchvision

    torch.manual_seed(0)
    vgg = torchvision.models.vgg19().features.eval().requires_grad_(False)
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    wanted = {v: k for k, v in VGG_INDEX.items()}

    def feats(x):
        out, h = {}, (x - mean) / std
        for i, layer in enumerate(vgg):  # every layer, to the end of the stack
            h = layer(h)
            if i in wanted:
                out[wanted[i]] = h
        return out

    def gram(f):
        n, c, hh, ww = f.shape
        f = f.view(c, hh * ww)
        return f @ f.t() / (hh * ww)

    with torch.no_grad():
        s_t = {k: gram(v) for k, v in feats(style).items() if k in STYLE}
        c_t = feats(content)["relu4_2"]
    img = content.clone().requires_grad_(True)
    opt = torch.optim.LBFGS([img], max_iter=1, history_size=20)

    def closure():
        opt.zero_grad()
        f = feats(img)
        loss = ((f["relu4_2"] - c_t) ** 2).mean()
        for k in STYLE:
            loss = loss + 100 * ((gram(f[k]) - s_t[k]) ** 2).mean() / 4
        loss.backward()
        return loss

    opt.step(closure)  # warm-up
    start = time.perf_counter()
    for _ in range(iterations):
        opt.step(closure)
    return (time.perf_counter() - start) / iterations


# ----------------------------------------------------------------------------- genart
def genart_seconds_per_iteration(backbone, content, style, size: int, iterations: int, **overrides) -> float:
    from genart.commands.style.config import StyleConfig
    from genart.core.events import Step
    from genart.commands.style.algorithm import stylize

    stamps: list[float] = []
    cfg = StyleConfig(size=size, pyramid=False, iterations=iterations + 1, tile_size=0, **overrides)
    stylize(content, [style], cfg, backbone=backbone,
            callback=lambda e: stamps.append(time.perf_counter()) if isinstance(e, Step) else None)
    return (stamps[-1] - stamps[0]) / (len(stamps) - 1)  # first step is the warm-up


def conv_flops_per_iteration(height: int, width: int, deepest: str = "relu5_1") -> float:
    """Forward + input-gradient FLOPs of VGG19's convolutions up to ``deepest``."""
    import torchvision

    vgg = torchvision.models.vgg19().features[: VGG_INDEX[deepest] + 1]
    total = 0.0
    h, w = height, width
    for layer in vgg:
        if isinstance(layer, torch.nn.Conv2d):
            total += 2 * layer.in_channels * layer.out_channels * 9 * h * w
        elif isinstance(layer, torch.nn.MaxPool2d):
            h, w = h // 2, w // 2
    return 2 * total


def peak_gflops() -> tuple[float, str]:
    """The best of a VGG-like 3x3 convolution and a large fp32 matmul, in GFLOP/s."""
    results = {}
    conv = torch.nn.Conv2d(256, 256, 3, padding=1).requires_grad_(False)
    x = torch.rand(1, 256, 96, 96)
    a, b = torch.rand(3072, 3072), torch.rand(3072, 3072)
    for name, fn, flops in (
        ("conv 3x3 256->256 @96x96", lambda: conv(x), 2 * 256 * 256 * 9 * 96 * 96),
        ("matmul 3072^2 fp32", lambda: a @ b, 2 * 3072**3),
    ):
        fn()
        best = min(_timed(fn) for _ in range(5))
        results[name] = flops / best / 1e9
    name = max(results, key=results.get)
    return results[name], name


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


# ----------------------------------------------------------------------------- children
def child(args) -> None:
    """One measured configuration in a fresh process; prints a JSON line."""
    from genart import presets
    from genart.models import load_backbone
    from genart.commands.style.algorithm import stylize

    start = time.perf_counter()
    overrides = json.loads(args.overrides)
    cfg = presets.resolve("style", preset=args.preset, env={}, flags=overrides).config
    backbone = load_backbone(cfg.model, weights="random", pooling=cfg.pooling)
    content, style = images(cfg.size)
    out = stylize(content, [style], cfg, backbone=backbone)
    wall = time.perf_counter() - start
    hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
    print(json.dumps({"wall_s": wall, "peak_mib": hwm / 1024, "shape": list(out.shape)}))


def run_child(preset: str, overrides: dict, timeout: float) -> dict:
    cmd = [sys.executable, __file__, "--child", "--preset", preset, "--overrides", json.dumps(overrides)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------------- sections
def section_speed(args) -> None:
    from genart.models import load_backbone

    backbone = load_backbone("vgg19", weights="random")
    peak, peak_name = peak_gflops()
    print(f"\nPeak: {peak:.0f} GFLOP/s ({peak_name}).\n")
    print("| size | implementation | s/iteration | speed-up | conv GFLOP/s | % of peak |")
    print("|---:|---|---:|---:|---:|---:|")
    for size in args.sizes:
        content, style = images(size)
        flops = conv_flops_per_iteration(*content.shape[-2:])
        base = baseline_seconds_per_iteration(content, style, args.iterations)
        rows = [("baseline (plain, fp32, whole stack)", base)]
        rows.append(("genart (auto: fp32, contiguous here)", genart_seconds_per_iteration(backbone, content, style, size, args.iterations)))
        if not args.quick:
            rows.append(("genart, channels-last", genart_seconds_per_iteration(backbone, content, style, size, args.iterations, memory_format="channels-last")))
            rows.append(("genart, bf16 autocast", genart_seconds_per_iteration(backbone, content, style, size, max(2, args.iterations // 3), precision="bf16")))
        for name, sec in rows:
            gf = flops / sec / 1e9
            print(f"| {size} | {name} | {sec:.3f} | {base / sec:.2f}x | {gf:.0f} | {100 * gf / peak:.0f}% |", flush=True)


def section_presets(args) -> None:
    print("\n| preset | output | wall time (s, model load included) | peak memory (MiB) |")
    print("|---|---:|---:|---:|")
    for preset in ("preview", "default"):
        overrides = {"size": 256} if args.quick else {}
        r = run_child(preset, overrides, timeout=args.timeout)
        size = overrides.get("size", 512)
        if "error" in r:
            print(f"| {preset} | {size} px | {r['error']} | |", flush=True)
        else:
            print(f"| {preset} | {size} px | {r['wall_s']:.1f} | {r['peak_mib']:.0f} |", flush=True)


def section_memory(args) -> None:
    print("\n| output long side | tiled | iterations | wall time (s) | peak memory (MiB) |")
    print("|---:|---|---:|---:|---:|")
    for size in args.memory_sizes:
        overrides = {"size": size, "pyramid": False, "iterations": 1, "history_size": 8, "tile_size": 768}
        r = run_child("default", overrides, timeout=args.timeout)
        tiled = "yes (768 px tiles)" if size > 768 else "no"
        if "error" in r:
            print(f"| {size} | {tiled} | 1 | {r['error']} | |", flush=True)
        else:
            print(f"| {size} | {tiled} | 1 | {r['wall_s']:.1f} | {r['peak_mib']:.0f} |", flush=True)


SECTIONS = {"speed": section_speed, "presets": section_presets, "memory": section_memory}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="256 px only, fewer iterations, no memory section")
    parser.add_argument("--only", default="speed,presets,memory", help="comma-separated sections: speed, presets, memory")
    parser.add_argument("--sizes", default="256,512", help="sizes for the speed section")
    parser.add_argument("--iterations", type=int, default=5, help="timed iterations per speed measurement")
    parser.add_argument("--memory-sizes", default="1024,2048,4096")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per subprocess")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--preset", default="default", help=argparse.SUPPRESS)
    parser.add_argument("--overrides", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.child:
        return child(args)
    args.sizes = [int(s) for s in args.sizes.split(",")]
    args.memory_sizes = [int(s) for s in args.memory_sizes.split(",")]
    sections = args.only.split(",")
    if args.quick:
        args.sizes, args.iterations = [256], 3
        sections = [s for s in sections if s != "memory"]
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"CPU capability {torch.backends.cpu.get_cpu_capability()}")
    for name in sections:
        SECTIONS[name](args)


if __name__ == "__main__":
    main()

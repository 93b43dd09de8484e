"""Style and dream on a real video: time per frame, flow share, steadiness, memory.

    python benchmarks/bench_video_render.py timing   [--sizes 256 512] [--range 96:99]
    python benchmarks/bench_video_render.py steadiness [--size 256] [--range 40:100] [--command style]
    python benchmarks/bench_video_render.py memory   [--size 512] [--counts 10 40 160]
    python benchmarks/bench_video_render.py flow     [--sizes 256 512]
    (every part: --clip PATH --threads N --out DIR)

1. ``timing``: seconds per frame of ``genart style`` (the ``vgg19-partial`` preset,
   Starry Night) for a shot's first frame (the whole pyramid) and for the later frames
   (one scale, ``frame_iterations``, from the warped previous frame), in the same run;
   and the driver's flow cost per frame (two DIS flows, the consistency check, the warp)
   as a share of a later frame's time. Targets: later <= 0.5 x first; flow <= 10 % at 512.
2. ``steadiness``: the short-term warping error (Lai et al. 2018) of the source (the
   floor), of frames rendered independently (style ``--temporal-weight 0``, dream
   ``--blend 0``: the ceiling) and of genart's default, on the same frames. Targets
   (style): default <= 0.4 x independent and <= 2 x the source. Renders are kept in
   ``--out`` for looking at (``frames/`` folders).
3. ``memory``: peak resident memory of a render of N frames, for growing N, each in a
   fresh process (the style loop at a small size): it must not grow with N.
4. ``flow``: ms per flow pair at each size for DIS (the default) and torchvision's RAFT /
   RAFT-small with random weights (the same arithmetic as the trained ones; this machine
   has no RAFT weights).

Weights come from ../shared/weights, the clip from ../shared/videos/portrait_cuts.mp4.
Other processes share the CPU: the figures are paired within one run; take them again on
an idle machine for absolute numbers.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SHARED = REPO.parent / "shared"
CLIP = SHARED / "videos" / "portrait_cuts.mp4"
STYLE_IMAGE = SHARED / "images" / "art" / "starry_night.jpg"
WEIGHTS = {"style": SHARED / "weights" / "vgg19-caffe-conv1_1-conv3_4.pth", "dream": SHARED / "weights" / "bvlc_googlenet.pth"}
PRESETS = {"style": "vgg19-partial", "dream": "classic"}


def frame_range(text: str) -> tuple[int, int]:
    start, end = text.split(":")
    return int(start), int(end)


def renderer(command: str, size: int, **flags):
    """(config, render_frame) for ``command`` with its preset, real weights, and ``flags``."""
    from genart.models import load_backbone
    from genart.presets import resolve

    cfg = resolve(command, preset=PRESETS[command], flags={"weights": str(WEIGHTS[command]), "size": size, **flags}).config
    backbone = load_backbone(cfg.model, weights=cfg.weights, device="cpu")
    if command == "style":
        from genart.commands.style.video import stylize_frame
        from genart.imageio import load_image, to_tensor

        starry = to_tensor(load_image(STYLE_IMAGE))
        return cfg, lambda ctx: stylize_frame(ctx, [starry], cfg, backbone=backbone)
    from genart.commands.dream.algorithm import dream, video_frame_config, video_start

    frame_cfg = dataclasses.replace(cfg, size=None)  # the frames are decoded at the size

    def dream_frame(ctx):
        start = video_start(ctx.tensor("source"), ctx.tensor("warped"), ctx.tensor("mask"), cfg.blend)
        return dream(start, video_frame_config(frame_cfg, ctx.new_shot), backbone=backbone)

    return cfg, dream_frame


def render(clip: Path, command: str, size: int, rng: tuple[int, int], out: Path, **flags) -> dict:
    """Render frames ``rng`` into the folder ``out``; per-frame seconds and the warping error."""
    from genart.video import render_video

    cfg, frame = renderer(command, size, **flags)
    seconds: list[tuple[bool, float]] = []

    def timed(ctx):
        start = time.perf_counter()
        result = frame(ctx)
        seconds.append((ctx.new_shot, time.perf_counter() - start))
        return result

    long_term = getattr(cfg, "long_term", ()) if getattr(cfg, "temporal_weight", 1) > 0 else ()
    result = render_video(clip, f"{out}/", timed, size=size, frame_range=rng, long_term=long_term, resume=False)
    first = [s for new, s in seconds if new]
    later = [s for new, s in seconds if not new]
    return {"frames": result.frames, "cuts": list(result.cuts), "warping_error": result.warping_error,
            "first_s": statistics.median(first) if first else None, "later_s": statistics.median(later) if later else None}


def flow_ms(clip: Path, size: int, rng: tuple[int, int], method: str = "dis", pairs: int = 5) -> float:
    """Median ms of the driver's flow work for one frame: two flows, the consistency check, a warp."""
    from genart.video import read_frames
    from genart.video.flow import flow_pair, warp

    frames = [f.rgb for f in read_frames(clip, size=size, frame_range=(rng[0], rng[0] + pairs + 1))]
    times = []
    for a, b in zip(frames[1:], frames):
        start = time.perf_counter()
        flow, _ = flow_pair(a, b, method)
        warp(b.astype("float32") / 255, flow)
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


# ----------------------------------------------------------------------------- parts
def part_timing(args) -> None:
    print("| size | first frame (s) | later frame (s) | later / first | flow per frame (ms) | flow / later frame |")
    print("|---:|---:|---:|---:|---:|---:|")
    for size in args.sizes:
        r = render(args.clip, "style", size, args.range, args.out / f"timing_{size}")
        flow = flow_ms(args.clip, size, args.range)
        print(f"| {size} | {r['first_s']:.1f} | {r['later_s']:.1f} | {r['later_s'] / r['first_s']:.2f} | "
              f"{flow:.0f} | {flow / 1000 / r['later_s']:.1%} |", flush=True)


def part_steadiness(args) -> None:
    from genart.video import read_frames, warping_error

    source = [f.rgb for f in read_frames(args.clip, size=args.size, frame_range=args.range)]
    floor = warping_error(source, source).mean
    off = {"style": {"temporal_weight": 0.0}, "dream": {"blend": 0.0}}[args.command]
    rows = [("source (floor)", floor, None)]
    for name, flags in (("independent frames (ceiling)", off), ("genart default", {})):
        r = render(args.clip, args.command, args.size, args.range, args.out / f"{args.command}_{name.split()[0]}", **flags)
        rows.append((name, r["warping_error"], r))
    print(f"{args.command}, {args.size} px, frames {args.range[0]}:{args.range[1]}, cuts {rows[1][2]['cuts']}")
    print("| frames | warping error | x source | x independent | s/frame (first, later) |")
    print("|---|---:|---:|---:|---:|")
    for name, value, r in rows:
        timing = "" if r is None else f"{r['first_s']:.1f}, {r['later_s'] or 0:.1f}"
        print(f"| {name} | {value:.5f} | {value / floor:.2f} | {value / rows[1][1]:.2f} | {timing} |", flush=True)


def part_memory(args) -> None:
    print("| frames rendered | peak resident memory (MiB) |")
    print("|---:|---:|")
    for count in args.counts:
        code = ("import sys, resource, json; sys.path.insert(0, %r); import bench_video_render as b; "
                "b.render(b.Path(%r), 'style', %d, (%d, %d), b.Path(%r), frame_iterations=2, iterations=2, "
                "coarse_iterations=2); print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)") % (
            str(Path(__file__).parent), str(args.clip), args.size, 62, 62 + count, str(args.out / f"memory_{count}"))
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
        print(f"| {count} | {int(out.split()[-1]) / 1024:.0f} |", flush=True)


def part_flow(args) -> None:
    import torch

    from genart.video import read_frames

    print("| size | method | ms per flow pair (both directions) |")
    print("|---:|---|---:|")
    for size in args.sizes:
        print(f"| {size} | DIS medium (default) | {flow_ms(args.clip, size, args.range):.0f} |", flush=True)
        frames = [f.rgb for f in read_frames(args.clip, size=size, frame_range=(args.range[0], args.range[0] + 3))]
        for name in ("raft_small", "raft_large"):
            from torchvision.models import optical_flow

            model = getattr(optical_flow, name)(weights=None).eval()  # random weights: same arithmetic
            times = []
            for a, b in zip(frames[1:], frames):
                x = torch.from_numpy(a).permute(2, 0, 1)[None].float() / 127.5 - 1
                y = torch.from_numpy(b).permute(2, 0, 1)[None].float() / 127.5 - 1
                h, w = (x.shape[-2] // 8) * 8, (x.shape[-1] // 8) * 8
                start = time.perf_counter()
                with torch.no_grad():
                    model(x[..., :h, :w], y[..., :h, :w])
                    model(y[..., :h, :w], x[..., :h, :w])
                times.append(time.perf_counter() - start)
            print(f"| {size} | {name.replace('_', '-')} (CPU, random weights) | {1000 * statistics.median(times):.0f} |",
                  flush=True)


PARTS = {"timing": part_timing, "steadiness": part_steadiness, "memory": part_memory, "flow": part_flow}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("part", choices=PARTS)
    parser.add_argument("--clip", type=Path, default=CLIP)
    parser.add_argument("--sizes", type=int, nargs="+", default=[256, 512])
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--range", type=frame_range, default=(96, 99))
    parser.add_argument("--command", choices=("style", "dream"), default="style")
    parser.add_argument("--counts", type=int, nargs="+", default=[5, 20, 60])
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's choice)")
    parser.add_argument("--out", type=Path, default=Path("/tmp/genart-bench-video"))
    args = parser.parse_args()
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    args.out.mkdir(parents=True, exist_ok=True)
    PARTS[args.part](args)


if __name__ == "__main__":
    main()

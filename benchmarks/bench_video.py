"""Video speed and flow quality on this machine, each against a baseline in the same run.

    python benchmarks/bench_video.py [--clip PATH] [--sizes 256 512] [--pairs 40] [--threads 2]

Tables (markdown on stdout):

1. Decoding: frames/s of ``read_frames`` (FFmpeg's swscale converts to RGB and resizes in
   one pass, area filter) against decoding at full size and resizing with OpenCV (the
   obvious way), and against decoding alone (no RGB at all: the floor).
2. Optical flow per frame pair at each size: OpenCV DIS presets, Farneback (the older
   OpenCV method) and zero flow (plain frame difference: the trivial floor). Cost in ms
   per flow, and quality: the error left after warping frame t-1 onto frame t, over all
   pixels and over the pixels the forward-backward check keeps, and the fraction kept.
3. The driver's per-frame overhead with the default (two DIS flows, consistency, warp).
4. Short-term warping error (Lai et al. 2018) of the source itself, whole clip, cuts
   left out: the floor any rendering of it can reach.
5. Encoding: frames/s writing H.264, VP9 and GIF.

The clip defaults to ../shared/videos/portrait_cuts.mp4 (a real 1080x1920 phone clip).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SHARED_CLIP = REPO.parent / "shared" / "videos" / "portrait_cuts.mp4"


def _timed(fn, repeat: int = 3) -> float:
    """Best wall time of ``repeat`` runs (the least disturbed by other processes)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


# ------------------------------------------------------------------------ decoding
def bench_decode(clip: Path, sizes: list[int]) -> None:
    import av
    import cv2

    from genart.core.geometry import fit_long_side
    from genart.video import probe_video, read_frames

    info = probe_video(clip)
    n = info.frames

    def decode_only():
        with av.open(str(clip)) as c:
            c.streams.video[0].thread_type = "AUTO"
            for _ in c.decode(video=0):
                pass

    def naive(size):
        h, w = fit_long_side(info.height, info.width, size)
        with av.open(str(clip)) as c:
            c.streams.video[0].thread_type = "AUTO"
            for frame in c.decode(video=0):
                cv2.resize(frame.to_ndarray(format="rgb24"), (w, h), interpolation=cv2.INTER_AREA)

    def ours(size):
        for _ in read_frames(clip, size=size, info=info):
            pass

    print(f"\n### Decoding {clip.name} ({info.width}x{info.height}, {n} frames)\n")
    print("| what | frames/s | ms/frame |\n|---|---:|---:|")
    rows = [("decode only, no RGB (floor)", decode_only)]
    for size in sizes:
        rows.append((f"full-size RGB + cv2.resize to {size} (baseline)", lambda s=size: naive(s)))
        rows.append((f"**read_frames(size={size})**", lambda s=size: ours(s)))
    rows.append(("read_frames(size=None), full-size RGB", lambda: ours(None)))
    for name, fn in rows:
        seconds = _timed(fn, 3)
        print(f"| {name} | {n / seconds:.0f} | {1000 * seconds / n:.1f} |")


# ---------------------------------------------------------------------------- flow
def _frames(clip: Path, size: int) -> list[np.ndarray]:
    from genart.video import read_frames

    return [f.rgb for f in read_frames(clip, size=size)]


def _pairs(frames: list[np.ndarray], count: int) -> list[int]:
    from genart.video import detect_cuts

    cuts = set(detect_cuts(frames))
    usable = [t for t in range(1, len(frames)) if t not in cuts]
    step = max(1, len(usable) // count)
    return usable[::step][:count]


def bench_flow(clip: Path, sizes: list[int], pairs: int) -> None:
    from genart.video.flow import consistency_mask, dis_flow, farneback_flow, warp

    methods = {
        "zero flow (frame difference, floor)": lambda a, b: np.zeros(a.shape[:2] + (2,), np.float32),
        "DIS ultrafast": lambda a, b: dis_flow(a, b, "ultrafast"),
        "DIS fast": lambda a, b: dis_flow(a, b, "fast"),
        "**DIS medium (default)**": lambda a, b: dis_flow(a, b, "medium"),
        "Farneback (baseline)": farneback_flow,
    }
    print("\n### Optical flow per pair (t -> t-1), uncut pairs of the clip\n")
    print("| size | method | ms/flow | error, all pixels | error, kept pixels | kept |")
    print("|---:|---|---:|---:|---:|---:|")
    for size in sizes:
        frames = _frames(clip, size)
        chosen = _pairs(frames, pairs)
        as_float = [f.astype(np.float32) / 255 for f in frames]
        for name, fn in methods.items():
            times, all_err, kept_err, kept = [], [], [], []
            for t in chosen:
                start = time.perf_counter()
                backward = fn(frames[t], frames[t - 1])
                times.append(time.perf_counter() - start)
                mask = consistency_mask(backward, fn(frames[t - 1], frames[t]))
                diff = np.mean((as_float[t] - warp(as_float[t - 1], backward)) ** 2, axis=-1)
                all_err.append(diff.mean())
                kept_err.append((diff * mask).sum() / max(mask.sum(), 1))
                kept.append(mask.mean())
            ms = 1000 * statistics.median(times)
            print(
                f"| {size} | {name} | {ms:.1f} | {np.mean(all_err):.5f} | {np.mean(kept_err):.5f} | {np.mean(kept):.2f} |"
            )


def bench_overhead(clip: Path, sizes: list[int], pairs: int) -> None:
    from genart.video.flow import flow_pair, warp

    print("\n### Driver overhead per frame (2 DIS-medium flows + consistency + warp)\n")
    print("| size | ms/frame |\n|---:|---:|")
    for size in sizes:
        frames = _frames(clip, size)
        chosen = _pairs(frames, pairs)
        times = []
        for t in chosen:
            start = time.perf_counter()
            backward, _ = flow_pair(frames[t], frames[t - 1])
            warp(frames[t - 1].astype(np.float32) / 255, backward)
            times.append(time.perf_counter() - start)
        print(f"| {size} | {1000 * statistics.median(times):.1f} |")


def bench_floor(clip: Path, sizes: list[int]) -> None:
    from genart.video import detect_cuts, warping_error

    print("\n### Warping error of the source itself (the floor), whole clip\n")
    print("| size | pairs measured | cuts left out | mean | median | max |\n|---:|---:|---:|---:|---:|---:|")
    for size in sizes:
        frames = _frames(clip, size)
        result = warping_error(frames, frames)
        cuts = detect_cuts(frames)
        values = result.values
        print(
            f"| {size} | {len(values)} | {len(cuts)} | {result.mean:.5f} | "
            f"{statistics.median(values):.5f} | {max(values):.5f} |"
        )


def bench_encode(clip: Path, size: int) -> None:
    from genart.video import VideoWriter

    frames = _frames(clip, size)
    print(f"\n### Encoding {len(frames)} frames at {size} px\n")
    print("| output | frames/s |\n|---|---:|")
    with tempfile.TemporaryDirectory() as folder:
        for name in ("out.mp4", "out.webm", "out.gif", "frames/"):

            def encode(name=name):
                with VideoWriter(f"{folder}/{name}", fps=30) as writer:
                    for f in frames:
                        writer.write(f)

            seconds = _timed(encode, 1)
            print(f"| {name} | {len(frames) / seconds:.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clip", type=Path, default=SHARED_CLIP)
    parser.add_argument("--sizes", type=int, nargs="+", default=[256, 512])
    parser.add_argument("--pairs", type=int, default=40, help="frame pairs per flow measurement")
    parser.add_argument("--threads", type=int, default=2, help="OpenCV threads")
    args = parser.parse_args()
    if not args.clip.is_file():
        sys.exit(f"clip not found: {args.clip} (pass --clip)")
    import cv2

    cv2.setNumThreads(args.threads)
    print(f"OpenCV {cv2.__version__}, {args.threads} threads; clip {args.clip}")
    bench_decode(args.clip, args.sizes)
    bench_flow(args.clip, args.sizes, args.pairs)
    bench_overhead(args.clip, args.sizes, args.pairs)
    bench_floor(args.clip, args.sizes)
    bench_encode(args.clip, args.sizes[0])


if __name__ == "__main__":
    main()

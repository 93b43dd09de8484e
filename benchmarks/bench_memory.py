"""Peak memory of style, dream and doodle against the estimates genart checks before work.

    python benchmarks/bench_memory.py

Each case runs in its own subprocess (random-init weights, 2 iterations, one scale /
octave / phase at the stated size): the peak is the growth of the process's maximum
resident set after the backbone was built, and the estimate is what
``genart.commands.<cmd>.command.estimate_memory`` predicts for the same job, the figure
``--size`` checks are made against. Prints a markdown table; the ratio estimate/peak
should stay above 1 (the checks then never refuse a run that would fit by much more
than the ratio) and not far above it.
"""
from __future__ import annotations

import json
import subprocess
import sys

CHILD = r"""
import json, resource, sys, torch
torch.set_num_threads(1)
from genart.models import get_spec, load_backbone
what, size, tile = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
h, w = size * 3 // 4, size
def rss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
if what == "style":
    from genart.commands.style.algorithm import stylize
    from genart.commands.style.command import estimate_memory
    from genart.commands.style.config import StyleConfig
    cfg = StyleConfig(size=size, pyramid=False, iterations=2, tile_size=tile, precision="fp32")
    bb = load_backbone(cfg.model, weights="random")
    est = estimate_memory(cfg, get_spec(cfg.model), h, w)
    base = rss()
    stylize(torch.rand(1, 3, h, w), [torch.rand(1, 3, h, w)], cfg, backbone=bb)
elif what == "dream":
    from genart.commands.dream.algorithm import dream
    from genart.commands.dream.command import estimate_memory
    from genart.commands.dream.config import DreamConfig
    cfg = DreamConfig(iterations=2, octaves=1, tile_size=tile, precision="fp32")
    bb = load_backbone(cfg.model, weights="random")
    est = estimate_memory(cfg, get_spec(cfg.model), h, w)
    base = rss()
    dream(torch.rand(1, 3, h, w), cfg, backbone=bb)
else:
    from genart.commands.doodle.algorithm import doodle
    from genart.commands.doodle.command import estimate_memory
    from genart.commands.doodle.config import DoodleConfig
    cfg = DoodleConfig(size=size, phases=1, iterations=2)
    bb = load_backbone(cfg.model, weights="random")
    est = estimate_memory(cfg, get_spec(cfg.model), h, w, content=False)
    base = rss()
    doodle(torch.rand(1, 3, h, w), None, None, cfg, backbone=bb)
print(json.dumps({"peak": rss() - base, "estimate": est}))
"""

CASES = [
    ("style", 256, 0), ("style", 512, 0), ("style", 768, 0), ("style", 1024, 384),
    ("dream", 512, 0), ("dream", 1024, 0), ("dream", 1024, 512),
    ("doodle", 256, 0), ("doodle", 512, 0),
]


def main() -> None:
    print("| command | output | tiles | peak (MiB) | estimate (MiB) | estimate / peak |")
    print("|---|---|---|---:|---:|---:|")
    for what, size, tile in CASES:
        out = subprocess.run([sys.executable, "-c", CHILD, what, str(size), str(tile)], capture_output=True, text=True)
        if out.returncode:
            print(f"| {what} | {size} | {tile or 'no'} | failed: {out.stderr.strip().splitlines()[-1]} | | |")
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        peak, est = r["peak"] / 2**20, r["estimate"] / 2**20
        print(f"| {what} | {size}x{size * 3 // 4} | {tile or 'no'} | {peak:.0f} | {est:.0f} | {est / peak:.2f} |")


if __name__ == "__main__":
    main()

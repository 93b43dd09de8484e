"""A real-weight Neural Doodle from start to finish: genart's matching schedule against
the exhaustive one it replaced, in the same process.

    python benchmarks/bench_doodle_speed.py                     # 512 px, after then before
    python benchmarks/bench_doodle_speed.py --size 256 --save /tmp/doodle
    python benchmarks/bench_doodle_speed.py --only after

Coastline_sem.png painted in the style of Monet.jpg (maps Monet_sem.png) with the
``vgg19-partial`` preset (partial Caffe VGG19 from ../shared: MRF at relu2_1 and relu3_1,
3 phases) at ``--size``. Two runs:

- **before**: every re-match searches all style patches, every ``match_every`` steps, and
  every phase runs all its steps (``match_search=full, match_stable=0, stop_tolerance=0``);
- **after**: the preset as it is (propagated matching, fewer re-matches once matches
  settle, phases that stop when converged).

Model loading is not timed. Each result is measured the same way, outside the timed runs:

- *region agreement*: the share of output patches (relu3_1, features only, no map
  channels) whose nearest style patch lies in the style region the doodle asks for there
  (the map colour at the patch centre): 1.0 means every region is painted from its own
  source region;
- *match similarity*: the mean cosine of each output patch with its nearest style patch
  of that region (features plus map channels, exhaustive search), i.e. how closely the
  picture is made of the painting's own patches: crisper detail scores higher;
- *sharpness*: the mean absolute Laplacian of the grey image (blur lowers it).

Prints a markdown table.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import time
from pathlib import Path

import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("GENART_SHARED_DIR", ROOT.parent / "shared"))
WEIGHTS = SHARED / "weights" / "vgg19-caffe-conv1_1-conv3_4.pth"
BEFORE = {"match_search": "full", "match_stable": 0.0, "stop_tolerance": 0.0}


def _load(name: str) -> torch.Tensor:
    from genart.imageio import load_image, to_tensor

    return to_tensor(load_image(SHARED / "images" / "doodle" / name))


def _measure(backbone, out: torch.Tensor, style: torch.Tensor, maps) -> dict:
    """Region agreement, match similarity and sharpness of a result (see the docstring)."""
    from genart.commands.doodle import semantic
    from genart.commands.doodle.mrf import nearest_patches
    from genart.core.geometry import fit_long_side, resize

    extractor = backbone.extractor(["relu3_1"])
    style = resize(style, fit_long_side(*style.shape[-2:], max(out.shape[-2:])))  # as large as the output
    with torch.no_grad():
        f_out, f_style = extractor(out)["relu3_1"], extractor(style)["relu3_1"]
    m_out = semantic.masks(maps.target, maps.count, tuple(f_out.shape[-2:]))
    m_style = semantic.masks(maps.style, maps.count, tuple(f_style.shape[-2:]))
    plain = nearest_patches(f_out, f_style)
    want = m_out[0, :, 1:-1, 1:-1].argmax(0)  # the region asked for at each patch centre
    got = m_style[0, :, 1:-1, 1:-1].argmax(0).flatten()[plain.index.flatten()].view_as(want)
    guided = nearest_patches(torch.cat([f_out, 10 * m_out], 1), torch.cat([f_style, 10 * m_style], 1))
    grey = out.mean(1, keepdim=True)
    lap = F.conv2d(grey, torch.tensor([[0.0, 1, 0], [1, -4, 1], [0, 1, 0]]).view(1, 1, 3, 3))
    return {"agreement": float((want == got).float().mean()), "similarity": float(guided.score.mean()),
            "sharpness": float(lap.abs().mean())}


def run(backbone, style, style_map, target_map, config) -> dict:
    from genart.commands.doodle.algorithm import doodle
    from genart.core.events import StepLog

    log = StepLog()
    start = time.perf_counter()
    out = doodle(style, style_map, target_map, config, backbone=backbone, callback=log)
    return {"seconds": time.perf_counter() - start, "steps": log.steps_run, "image": out}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--only", default="after,before", help="which runs, in this order")
    parser.add_argument("--save", default="", help="folder for the result PNGs (none by default)")
    args = parser.parse_args()
    from genart import presets
    from genart.commands.doodle.algorithm import prepare_maps
    from genart.models import load_backbone

    backbone = load_backbone("vgg19-caffe", weights=str(WEIGHTS))
    style, style_map, target_map = _load("Monet.jpg"), _load("Monet_sem.png"), _load("Coastline_sem.png")
    after = presets.resolve("doodle", preset="vgg19-partial", env={}, flags={"size": args.size}).config
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, load {os.getloadavg()[0]:.2f}; "
          f"Coastline -> Monet, vgg19-partial preset at {args.size} px\n")
    print("| run | settings | seconds | steps per phase | region agreement | match similarity | sharpness |")
    print("|---|---|---:|---|---:|---:|---:|")
    for name in args.only.split(","):
        config = after if name == "after" else dataclasses.replace(after, **BEFORE)
        result = run(backbone, style, style_map, target_map, config)
        maps = prepare_maps(style, style_map, target_map, None, None, config, None)
        stats = _measure(backbone, result["image"], style, maps)
        settings = ", ".join(f"{k}={getattr(config, k)}" for k in BEFORE)
        print(f"| {name} | {settings} | {result['seconds']:.1f} | {'/'.join(map(str, result['steps']))} "
              f"| {stats['agreement']:.3f} | {stats['similarity']:.3f} | {stats['sharpness']:.4f} |", flush=True)
        if args.save:
            from genart.imageio import save_image

            Path(args.save).mkdir(parents=True, exist_ok=True)
            save_image(result["image"], Path(args.save) / f"coastline-monet-{args.size}-{name}.png")
    print(f"\nload after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

"""``genart style``: neural style transfer on images (thin CLI over genart.commands.style.algorithm)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import click

from ..core import batch
from ..commands.style.config import StyleConfig
from ..core.errors import UsageError
from .common import (
    EXIT_HELP,
    Session,
    common_options,
    image_extension,
    input_options,
    job_events,
    load_input,
    make_session,
    output_options,
    run_batch,
    save_result,
)
from .options import config_options


@click.command(epilog=EXIT_HELP)
@input_options
@click.option("--style", "-s", "styles", multiple=True, required=True, metavar="FILE[,FILE...]",
              help="Style image(s). Repeat for one output per style; a comma-separated list is "
              "blended into one style (see --style-blend-weights). Folders and globs expand to one "
              "output per image.")
@click.option("--style-mask", "style_masks", multiple=True, metavar="FILE[,FILE...]",
              help="Masks (white = paint here), one per image of a --style blend, in order; 'none' "
              "for a style that paints everywhere. Repeat to match repeated --style.")
@output_options("{stem}_{style}")
@config_options(StyleConfig)
@common_options
def style(images: tuple[str, ...], styles: tuple[str, ...], style_masks: tuple[str, ...], output: str | None,
          name_template: str, image_format: str | None, overwrite: bool, **kwargs: Any) -> int:
    """Paint IMAGES (files, folders, globs or -) in the style of --style images.

    \b
    genart style photo.jpg --style starry.jpg -o out.png
    genart style photos/ -s starry.jpg -s scream.jpg -o styled/   # every photo x every style
    genart style photo.jpg -s a.jpg,b.jpg --style-blend-weights 3,1 -o blend.png
    genart style photo.jpg -s starry.jpg --preset preview --color preserve -o quick.png
    genart style photo.jpg -s starry.jpg --no-pyramid --iterations 500 --size 512 -o single.png
    genart style photo.jpg -s starry.jpg --preset vgg19-partial \\
        --weights ../shared/weights/vgg19-caffe-conv1_1-conv3_4.pth -o out.png
    """
    session = make_session("style", kwargs, image_format=image_format)
    if session is None:
        return 0
    variants = style_variants(styles, style_masks)
    exclude = Path(output) if output and output != batch.STDIO else None
    items = batch.collect_inputs(images, recursive=kwargs["recursive"], exclude=exclude)
    jobs = batch.plan_jobs(items, output=output, template=name_template,
                           extension=image_extension(output, image_format),
                           variants=[{"style": v["name"]} for v in variants])
    session.extra["variants"] = {v["name"]: v for v in variants}
    return run_batch(session, jobs, load=_load, process=_stylize_one, overwrite=overwrite,
                     json_lines=kwargs["json_lines"])


def style_variants(styles: Sequence[str], masks: Sequence[str]) -> list[dict[str, Any]]:
    """One variant per output style: its image paths, mask paths (or None) and name."""
    if masks and len(masks) != len(styles):
        raise UsageError(f"--style-mask: given {len(masks)} times for {len(styles)} --style options")
    out = []
    for i, spec in enumerate(styles):
        parts = [p.strip() for p in spec.split(",") if p.strip()]
        mask_parts = [m.strip() for m in masks[i].split(",")] if masks else []
        if mask_parts and len(mask_parts) != len(parts):
            raise UsageError(f"--style-mask {masks[i]}: {len(mask_parts)} masks for {len(parts)} style images")
        if len(parts) == 1 and not mask_parts:
            for item in batch.collect_inputs([parts[0]]):  # a folder or glob: one variant each
                out.append(_variant([item.path], [None]))
            continue
        out.append(_variant(parts, [None if m.lower() == "none" else m for m in mask_parts] or [None] * len(parts)))
    names = [v["name"] for v in out]
    if len(set(names)) != len(names):
        raise UsageError(f"--style: two styles share the name {_dup(names)!r}; rename one file")
    return out


def _variant(paths: list[str], masks: list[str | None]) -> dict[str, Any]:
    return {"name": "+".join(Path(p).stem for p in paths), "paths": paths, "masks": masks}


def _dup(names: list[str]) -> str:
    return next(n for n in names if names.count(n) > 1)


def _load(session: Session) -> tuple[Any, dict[str, Any]]:
    """The backbone and every style image and mask as tensors, loaded once per run."""
    from ..imageio import to_tensor

    cfg = session.config
    backbone = session.load_backbone(pooling=cfg.pooling)
    backbone.extractor([*cfg.style_layers, *cfg.content_layers])  # bad layers fail once, before any job
    tensors: dict[str, Any] = {}
    for variant in session.extra["variants"].values():
        for path in variant["paths"] + [m for m in variant["masks"] if m]:
            if path not in tensors:
                tensors[path] = to_tensor(load_input(session, path))
    return backbone, tensors


def _stylize_one(job: batch.Job, model: tuple[Any, dict[str, Any]], session: Session) -> dict[str, Any]:
    from ..imageio import to_tensor
    from ..commands.style.algorithm import stylize

    backbone, tensors = model
    variant = session.extra["variants"][job.variant["style"]]
    styles = [tensors[p] for p in variant["paths"]]
    masks = [None if m is None else tensors[m].mean(dim=1, keepdim=True) for m in variant["masks"]]
    cfg = session.config
    if cfg.init == "image" and not cfg.init_image:
        raise UsageError("--init image needs --init-image FILE")
    init = to_tensor(load_input(session, cfg.init_image)) if cfg.init == "image" else None
    photo = load_input(session, job.item.path)
    content = to_tensor(photo)
    out = stylize(content, styles, cfg, backbone=backbone, style_masks=masks, init_image=init,
                  callback=job_events(session, job))
    # The photo's transparency (if any) is restored on the output (save_image resizes it).
    return save_result(session, job, out, alpha=photo.alpha, style=variant["paths"], style_mask=variant["masks"])

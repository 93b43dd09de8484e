"""``genart doodle``: Neural Doodle (thin CLI over genart.commands.doodle.algorithm).

Each input is a doodle (a target map) to paint; with ``--content`` and no doodles the
content photo is the input, and with neither the style is synthesised as a texture.
Maps follow the original tool's convention: ``X_sem.png`` beside ``X.jpg`` is X's map.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..core import batch
from ..commands.doodle.config import DoodleConfig
from ..core.errors import UsageError
from .common import (
    DEFAULT_MAX_PIXELS,
    EXIT_HELP,
    Session,
    common_options,
    image_extension,
    job_events,
    load_input,
    make_session,
    output_options,
    run_batch,
    save_result,
)
from .options import config_options


@click.command(epilog=EXIT_HELP)
@click.argument("doodles", nargs=-1, metavar="[DOODLES]...")
@click.option("--style", "style", required=True, metavar="FILE", help="The painting to take textures from.")
@click.option("--style-map", metavar="FILE", help="The painting's map (default: <style>_sem.png if it exists).")
@click.option("--target-map", "target_maps", multiple=True, metavar="FILE",
              help="A doodle to paint (same as a DOODLES argument); repeatable.")
@click.option("--content", metavar="FILE", help="A photo whose layout the output keeps.")
@click.option("--content-map", metavar="FILE", help="The content's map (default: <content>_sem.png if it exists).")
@click.option("--max-pixels", type=click.IntRange(min=1), default=DEFAULT_MAX_PIXELS, show_default=True,
              help="Refuse larger images (decompression-bomb guard).")
@output_options("{stem}_{style}")
@config_options(DoodleConfig)
@common_options
def doodle(doodles: tuple[str, ...], style: str, style_map: str | None, target_maps: tuple[str, ...],
           content: str | None, content_map: str | None, output: str | None, name_template: str,
           image_format: str | None, overwrite: bool, **kwargs: Any) -> int:
    """Paint DOODLES (colour-coded maps) with the textures of the --style painting.

    \b
    genart doodle Coastline_sem.png --style Monet.jpg -o coastline.png
    genart doodle --target-map Landscape_sem.png --style Renoir.jpg --style-map Renoir_sem.png
    genart doodle --style Monet.jpg --content photo.jpg --auto-map -o restyled.png
    genart doodle --style Monet.jpg --mode gram --preset fast -o texture.png   # no maps: a texture
    genart doodle Coastline_sem.png --style Monet.jpg --preset vgg19-partial \\
        --weights ../shared/weights/vgg19-caffe-conv1_1-conv3_4.pth -o out.png
    """
    session = make_session("doodle", kwargs, image_format=image_format)
    if session is None:
        return 0
    inputs = list(doodles) + list(target_maps)
    if inputs and content_map:
        raise UsageError("--content-map describes --content; give doodles or a content map, not both")
    session.extra.update(style=style, style_map=style_map or _sem_beside(style), content=content,
                         content_map=content_map or (_sem_beside(content) if content and not inputs else None))
    items = batch.collect_inputs(inputs or [content or style])
    session.extra["targets"] = bool(inputs)
    jobs = batch.plan_jobs(items, output=output, template=name_template,
                           extension=image_extension(output, image_format), variants=[{"style": Path(style).stem}])
    return run_batch(session, jobs, load=_load, process=_paint_one, overwrite=overwrite,
                     json_lines=kwargs["json_lines"])


def _sem_beside(path: str | None) -> str | None:
    """``X_sem.png`` next to ``X.jpg`` when it exists (the neural-doodle convention)."""
    if not path:
        return None
    candidate = Path(path).with_name(Path(path).stem + "_sem.png")
    return str(candidate) if candidate.is_file() else None


def _load(session: Session) -> tuple[Any, dict[str, Any]]:
    """The backbone and the shared images (style, its map, content, its map), loaded once."""
    from ..imageio import to_tensor

    cfg = session.config
    backbone = session.load_backbone()
    content_layers = cfg.content_layers if session.extra["content"] else ()
    backbone.extractor([*cfg.style_layers, *content_layers])  # bad layers fail once, before any job
    names = ("style", "style_map", "content", "content_map")
    shared = {n: to_tensor(load_input(session, session.extra[n])) if session.extra[n] else None for n in names}
    return backbone, shared


def _paint_one(job: batch.Job, model: tuple[Any, dict[str, Any]], session: Session) -> dict[str, Any]:
    from ..commands.doodle.algorithm import doodle as run_doodle
    from ..imageio import to_tensor

    backbone, shared = model
    target = to_tensor(load_input(session, job.item.path)) if session.extra["targets"] else None
    style_map = shared["style_map"]
    if target is None and shared["content_map"] is None and not session.config.auto_map:
        style_map = None  # no doodle and no content map: unguided (texture or plain transfer)
    out = run_doodle(shared["style"], style_map, target, session.config, backbone=backbone,
                     content=shared["content"], content_map=shared["content_map"], callback=job_events(session, job),
                     map_names=(session.extra["style_map"] or "style map",
                                job.item.path if target is not None else session.extra["content_map"] or "content map"))
    return save_result(session, job, out, style=session.extra["style"], style_map=session.extra["style_map"],
                       content=session.extra["content"], target_map=job.item.path if target is not None else None)

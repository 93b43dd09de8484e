"""``genart dream``: DeepDream on images, or zoom animations (thin CLI over genart.commands.dream.algorithm)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..core import batch
from ..commands.dream.config import DreamConfig
from ..core.errors import UsageError
from .common import (
    EXIT_HELP,
    Session,
    common_options,
    image_extension,
    input_options,
    load_input,
    make_session,
    output_options,
    run_batch,
    save_result,
)
from .options import config_options


@click.command(epilog=EXIT_HELP)
@input_options
@output_options("{stem}_dream")
@config_options(DreamConfig)
@common_options
def dream(images: tuple[str, ...], output: str | None, name_template: str, image_format: str | None,
          overwrite: bool, **kwargs: Any) -> int:
    """Dream on IMAGES (files, folders, globs or -): amplify what the network sees.

    \b
    genart dream photo.jpg -o dream.png
    genart dream photos/ --preset shallow -o dreams/
    genart dream photo.jpg --label "Great Dane" --iterations 20 -o dogs.png
    genart dream photo.jpg --preset zoom -o zoom.gif      # frames in zoom_frames/
    genart models layers googlenet-bvlc                   # layers and channels to choose
    """
    session = make_session("dream", kwargs, image_format=image_format, extra={"overwrite": overwrite})
    if session is None:
        return 0
    config = session.config
    items = batch.collect_inputs(images, recursive=kwargs["recursive"],
                                 exclude=Path(output) if output and output != batch.STDIO else None)
    if config.frames:
        if output == batch.STDIO:
            raise UsageError("-o -: a zoom animation (--frames) cannot go to stdout")
        extension = ".png" if config.animation == "none" else "." + config.animation
    else:
        extension = image_extension(output, image_format)
    jobs = batch.plan_jobs(items, output=output, template=name_template, extension=extension)
    process = _animate if config.frames else _dream_one
    return run_batch(session, jobs, load=_load, process=process, overwrite=overwrite,
                     json_lines=kwargs["json_lines"])


def _load(session: Session) -> tuple[Any, Any]:
    """The backbone, and the guide image when --guide is set (loaded once per run)."""
    from ..imageio import to_tensor
    from ..commands.dream.objectives import label_index
    cfg = session.config
    backbone = session.load_backbone()
    # Bad layers or a bad --label fail once, before any job.
    backbone.extractor(list(cfg.layers or backbone.spec.default_dream_layers))
    if cfg.label:
        label_index(cfg.label, backbone.categories)
    guide = to_tensor(load_input(session, cfg.guide)) if cfg.guide else None
    return backbone, guide


def _input(session: Session, job: batch.Job) -> tuple[Any, Any]:
    """The job's image as a tensor (resized by --size) and its alpha (the saver resizes it)."""
    from ..imageio import resize_long_side, to_tensor

    loaded = load_input(session, job.item.path)
    image = to_tensor(loaded)
    size = session.config.size
    if size is not None and size != max(image.shape[-2:]):
        image = resize_long_side(image, size)
    return image, loaded.alpha


def _dream_one(job: batch.Job, model: tuple[Any, Any], session: Session) -> dict[str, Any]:
    from ..commands.dream.algorithm import dream

    backbone, guide = model
    image, alpha = _input(session, job)
    out = dream(image, session.config, backbone=backbone, guide=guide, callback=session.display)
    return save_result(session, job, out, alpha=alpha)


def _animate(job: batch.Job, model: tuple[Any, Any], session: Session) -> dict[str, Any]:
    """Write numbered frames into ``<stem>_frames/`` beside the output, resuming after
    the frames already there (unless --overwrite), then the animation (the job's output;
    with ``--animation none`` only the frames are written)."""
    from ..commands.dream.algorithm import dream_frames
    from ..commands.dream.animation import frame_path, write_animation, written_frames
    from ..imageio import load_image, save_image, to_tensor

    cfg = session.config
    backbone, guide = model
    out = Path(job.output)
    folder, stem = out.with_name(out.stem + "_frames"), out.stem
    folder.mkdir(parents=True, exist_ok=True)
    done = 0 if session.extra.get("overwrite") else written_frames(folder, stem, cfg.frames)
    if done:
        session.display.info(f"{job.item.name}: resuming after {done} frame(s) in {folder}")
        image = to_tensor(load_image(frame_path(folder, stem, done - 1)))
    else:
        image, _ = _input(session, job)
    for index, frame in dream_frames(image, cfg, backbone=backbone, guide=guide, start_frame=done,
                                     callback=session.display):
        save_image(frame, str(frame_path(folder, stem, index)), metadata=session.metadata(job, frame=index))
    paths = [frame_path(folder, stem, i) for i in range(cfg.frames)]
    if cfg.animation != "none":
        write_animation(paths, out, fps=cfg.fps)
    height, width = image.shape[-2:]
    return {"width": int(width), "height": int(height), "frames": cfg.frames, "frames_dir": str(folder)}

"""``genart dream``: how DeepDream plugs into genart (no torch here).

A job dreams on one image, or (``frames`` > 0) renders a zoom animation: numbered frames
in ``<stem>_frames/`` beside the output, then the GIF/WebP at the output path.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from ...core.budget import OVERHEAD, feature_bytes, image_bytes
from ...core.command import IMAGE_FORMATS, VIDEO_FORMATS, Command, Inputs, Output
from ...core.errors import UsageError
from ...core.session import Session
from ...engine import batch
from ...engine.checks import check_output_size, file_sizes, input_sizes, naming, registered_spec
from ...engine.media import check_video_jobs, is_video_item, media_extension
from .checks import check_sizes, required_layers
from .config import DreamConfig

__all__ = ["COMMAND"]


def _extension(session: Session, item: batch.Item, output: str | None) -> str:
    """A zoom animation is written as .gif/.webp (or its frames only, with animation none);
    a video as a video."""
    cfg = session.config
    if cfg.frames and not is_video_item(item):
        return ".png" if cfg.animation == "none" else "." + cfg.animation
    return media_extension(session, item, output)


def estimate_memory(config: DreamConfig, spec: Any, height: int, width: int) -> float:
    """Estimated peak bytes of dreaming on a ``height`` x ``width`` image."""
    layers = spec.layers()
    order = [info.name for info in layers]
    if config.label is not None:  # the whole network, up to the classifier
        deepest = order[-1]
    else:
        deepest = max((spec.layer(n).name for n in required_layers(config, spec)), key=order.index)
    pixels = height * width
    tile = config.tile_size
    net = min(pixels, tile * tile) if tile else pixels
    return OVERHEAD * feature_bytes(layers, deepest) * net + image_bytes(8) * pixels


def _items(session: Session, options: Mapping[str, Any]) -> list[batch.Item]:
    """The images to dream on, or (with ``visualize``) one generated channel atlas."""
    cfg = session.config
    if cfg.visualize:
        if options.get("inputs"):
            raise UsageError("--visualize renders from noise: give no input images")
        return [batch.Item(None, Path(f"atlas_{cfg.visualize}"), kind="generated", seed=cfg.seed)]
    return batch.file_items(options, "IMAGES|VIDEOS...", media=True)


def _check(session: Session, jobs: list[batch.Job]) -> None:
    """Stdout, sizes and memory, before any work."""
    cfg = session.config
    if cfg.frames and any(job.output == batch.STDIO for job in jobs):
        raise UsageError("-o -: a zoom animation (--frames) cannot go to stdout")
    video = next((job.item.name for job in jobs if is_video_item(job.item)), None)
    if cfg.frames and video:
        raise UsageError(f"--frames {cfg.frames} makes a zoom animation from an image; {video} is a video "
                         "(choose its frames with --frame-range and --every)")
    check_video_jobs(session, jobs)
    spec = registered_spec(cfg.model)
    if cfg.visualize:
        if spec is not None:
            spec.layer(cfg.visualize)  # an unknown layer fails here, with suggestions
        return
    if spec is not None and cfg.guide:
        for path, (w, h) in file_sizes([cfg.guide], session.max_pixels).items():
            with naming(path):
                check_sizes(cfg, spec, guide=(h, w))
    for path, (w, h) in input_sizes(jobs, session.max_pixels).items():
        side = cfg.size or max(w, h)
        if spec is not None:
            with naming(path):
                check_sizes(cfg, spec, image=(h, w))
        estimate = (lambda oh, ow: estimate_memory(cfg, spec, oh, ow)) if spec else None
        check_output_size(session, f"the dream of {path}", (h, w), side, estimate, max_pixels=bool(cfg.size))


COMMAND = Command(
    name="dream",
    config=DreamConfig,
    runner="genart.commands.dream.runner:DreamRunner",
    summary="DeepDream: amplify what a network sees in images and videos (or draw what its channels see).",
    help="""Dream on IMAGES and VIDEOS (files, folders, globs or -): amplify what the network sees.

    A video comes back as a video (same frame rate, sound kept): each frame starts from the
    previous dreamed frame warped by the optical flow, blended with the new frame (--blend),
    so the patterns follow the motion instead of boiling.

    \b
    genart dream photo.jpg -o dream.png
    genart dream photos/ --preset shallow -o dreams/
    genart dream photo.jpg --label "Great Dane" --iterations 20 -o dogs.png
    genart dream photo.jpg --preset zoom -o zoom.gif      # frames in zoom_frames/
    genart dream --visualize inception_4c --grid 4x4 -o atlas.png   # what the channels see
    genart models layers googlenet-bvlc                   # layers and channels to choose
    genart dream clip.mp4 --preset classic -o clip_dream.mp4
    """,
    inputs=Inputs.MEDIA,
    input_metavar="IMAGES|VIDEOS...",
    output=Output(template="{stem}_dream", formats=(*IMAGE_FORMATS, *VIDEO_FORMATS)),
    items=_items,
    extension=_extension,
    check=_check,
    api={
        "dream": "genart.commands.dream.algorithm:dream",
        "dream_frames": "genart.commands.dream.algorithm:dream_frames",
        "dream_video_start": "genart.commands.dream.algorithm:video_start",
        "DreamConfig": "genart.commands.dream.config:DreamConfig",
    },
)

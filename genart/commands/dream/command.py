"""``genart dream``: how DeepDream plugs into genart (no torch here).

A job dreams on one image, or (``frames`` > 0) renders a zoom animation: numbered frames
in ``<stem>_frames/`` beside the output, then the GIF/WebP at the output path.
"""
from __future__ import annotations

from ...engine import batch
from ...core.command import Command, Output, default_extension
from ...core.errors import UsageError
from ...core.session import Session
from .config import DreamConfig

__all__ = ["COMMAND"]


def _extension(session: Session, item: batch.Item, output: str | None) -> str:
    """A zoom animation is written as .gif/.webp (or its frames only, with animation none)."""
    cfg = session.config
    if cfg.frames:
        return ".png" if cfg.animation == "none" else "." + cfg.animation
    return default_extension(session, output)


def _check(session: Session, jobs: list[batch.Job]) -> None:
    if session.config.frames and any(job.output == batch.STDIO for job in jobs):
        raise UsageError("-o -: a zoom animation (--frames) cannot go to stdout")


COMMAND = Command(
    name="dream",
    config=DreamConfig,
    runner="genart.commands.dream.runner:DreamRunner",
    summary="DeepDream: amplify what a network sees in images.",
    help="""Dream on IMAGES (files, folders, globs or -): amplify what the network sees.

    \b
    genart dream photo.jpg -o dream.png
    genart dream photos/ --preset shallow -o dreams/
    genart dream photo.jpg --label "Great Dane" --iterations 20 -o dogs.png
    genart dream photo.jpg --preset zoom -o zoom.gif      # frames in zoom_frames/
    genart models layers googlenet-bvlc                   # layers and channels to choose
    """,
    output=Output(template="{stem}_dream"),
    extension=_extension,
    check=_check,
    api={
        "dream": "genart.commands.dream.algorithm:dream",
        "dream_frames": "genart.commands.dream.algorithm:dream_frames",
        "DreamConfig": "genart.commands.dream.config:DreamConfig",
    },
)

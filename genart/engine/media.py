"""Commands whose inputs may be images or videos (``Inputs.MEDIA``): which items are
videos, what their outputs are called, what is checked before any work, and the one
call a runner makes to render a video job.

A file is a video by its content (:func:`genart.video.is_video`), or by its extension
when its content says nothing (an empty ``clip.mp4`` still goes to the video reader,
which names the problem). A video item's output keeps the input's container (``.mp4``
when the container cannot be written) unless ``--format`` or ``-o`` says otherwise;
``--format`` applies to the items of its kind, so ``--format jpg`` changes the images of
a mixed folder and ``--format webm`` its videos. Nothing here imports torch or av at
import time.

Example (a runner's ``process``)::

    if is_video_item(job.item):
        return render_video_job(self, job, lambda ctx: ctx.source, size=self.config.size)
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from ..core.command import IMAGE_FORMATS, VIDEO_FORMATS
from ..core.errors import UsageError, VideoError
from ..core.events import Intermediate, emit
from . import batch

__all__ = [
    "MEDIA_EXTENSIONS",
    "check_video_jobs",
    "classify",
    "is_video_item",
    "media_extension",
    "probe",
    "render_video_job",
    "video_selection",
]


def _video_extensions() -> frozenset[str]:
    from ..video import VIDEO_EXTENSIONS

    return VIDEO_EXTENSIONS


MEDIA_EXTENSIONS = batch.IMAGE_EXTENSIONS | _video_extensions()


def classify(items: Iterable[batch.Item]) -> list[batch.Item]:
    """The items, those holding a video marked ``kind="video"`` (standard input stays an image)."""
    from dataclasses import replace

    from ..video import is_video

    out = []
    for item in items:
        path = item.path
        if item.kind == "file" and path not in (None, batch.STDIO) and _looks_like_video(path, is_video):
            item = replace(item, kind="video")
        out.append(item)
    return out


def _looks_like_video(path: str, is_video: Callable[[str], bool]) -> bool:
    if is_video(path):
        return True
    # Content that names no container: an extension that only videos use sends it to the
    # video reader (an empty or truncated clip.mp4 gets a video error, not "not an image").
    suffix = Path(path).suffix.lower()
    return suffix in _video_extensions() and suffix not in batch.IMAGE_EXTENSIONS and not _image_content(path)


def _image_content(path: str) -> bool:
    try:
        from PIL import Image

        with Image.open(path):
            return True
    except Exception:  # noqa: BLE001 - anything Pillow cannot open is not an image
        return False


def is_video_item(item: batch.Item) -> bool:
    """Whether a job's item is a video (or a segment of one)."""
    return item.kind == "video"


def media_extension(session: Any, item: batch.Item, output: str | None) -> str:
    """The suffix of a folder-mode output for ``item``: ``--format`` when it is of the
    item's kind, else the output's own suffix when it is, else the input's container for a
    video (``.mp4`` when that cannot be written) and ``.png`` for an image."""
    from ..video import OUTPUT_KINDS

    video = is_video_item(item)
    formats = VIDEO_FORMATS if video else IMAGE_FORMATS
    if session.image_format in formats:
        return "." + session.image_format
    if output and output != batch.STDIO and not Path(output).is_dir():
        suffix = Path(output).suffix.lower()
        if suffix and (suffix in OUTPUT_KINDS) == video:
            return suffix
    if video:
        suffix = Path(item.path or "").suffix.lower()
        return suffix if suffix in OUTPUT_KINDS else ".mp4"
    return "." + IMAGE_FORMATS[0]


def probe(path: str) -> Any:
    """:func:`genart.video.probe_video`, remembered per file version (checks ask twice)."""
    from ..video import probe_video

    stat = os.stat(path)
    key = (os.path.abspath(path), stat.st_size, stat.st_mtime_ns)
    if key not in _PROBED:
        _PROBED.clear()  # one run's files; nothing older is needed
        _PROBED[key] = probe_video(path)
    return _PROBED[key]


_PROBED: dict[tuple[str, int, int], Any] = {}


def video_selection(config: Any, item: batch.Item) -> tuple[tuple[int, int | None] | None, int]:
    """(frame range, every) of a video job: the segment's frames, else ``config.frame_range``."""
    from ..video.params import parse_frame_range

    if item.frames is not None:
        return item.frames, config.every
    return (parse_frame_range(config.frame_range) if config.frame_range else None), config.every


def check_video_jobs(session: Any, jobs: Sequence[batch.Job]) -> None:
    """Refuse, before any work, what no video job of the batch can do: write to stdout or
    to a file that cannot hold video, or select frames outside a clip. A damaged or
    unreadable video is left to fail as its own job (the rest of a batch goes on)."""
    from ..video import output_kind, select_frames

    for job in jobs:
        if not is_video_item(job.item):
            continue
        if job.output == batch.STDIO:
            raise UsageError(f"-o -: {job.item.name} is a video; videos cannot go to standard output")
        if job.output is not None:
            output_kind(job.output)
        try:
            info = probe(job.item.path)
        except (VideoError, OSError) as exc:
            if isinstance(exc, UsageError):
                raise
            continue
        select_frames(info, *video_selection(session.config, job.item))


def video_callback(runner: Any) -> Callable[[Any], None]:
    """A video job's events for the run's callback. Intermediate images are not saved
    beside a video (``save_every`` is for single images). Like an image job's callback, it
    lets the runner re-read the machine's load as the frames go (a video is one long job)."""

    def callback(event: Any) -> None:
        runner.cpu_share.poll()
        if not isinstance(event, Intermediate):
            emit(runner.callback, event)

    return callback


def render_video_job(
    runner: Any,
    job: batch.Job,
    render_frame: Callable[[Any], Any],
    *,
    size: int | None,
    long_term: Sequence[int] = (),
    **inputs: Any,
) -> dict[str, Any]:
    """Render a video job with :func:`genart.video.render_video`; its ``--json`` result.

    The work folder beside the output is resumed only when the command's config and
    ``inputs`` (e.g. the style images) are unchanged. ``inputs`` are recorded in the
    output too.
    """
    from ..core.config import to_dict
    from ..video import render_video

    config = runner.config
    if job.output is None or job.output == batch.STDIO:
        raise UsageError(f"{job.item.name}: a video needs an output file or folder")
    Path(os.fspath(job.output).rstrip("/" + os.sep) or ".").parent.mkdir(parents=True, exist_ok=True)
    frame_range, every = video_selection(config, job.item)
    result = render_video(
        job.item.path, job.output, render_frame, size=size, frame_range=frame_range, every=every,
        flow=config.flow, long_term=long_term, settings={"config": to_dict(config), **_plain(inputs)},
        audio=job.item.frames is None,  # a segment's piece: the join adds the sound of the whole
        metadata=runner.session.metadata(job, **inputs), callback=video_callback(runner),
    )
    for note in result.notes:
        runner.warn(f"{result.output}: {note}")
    return result.record()


def _plain(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}

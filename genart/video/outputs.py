"""What an output path becomes: container, codecs and options chosen by its extension.

A registry (:data:`OUTPUT_KINDS`, extension -> :class:`OutputKind`) instead of if/elif.
:func:`check_video_output` validates a destination before any work is done, so a command
can refuse ``-o out.png`` for a video input at once. No av import here.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from ..core.errors import VideoError, VideoUsageError

__all__ = ["FOLDER", "OUTPUT_KINDS", "OutputKind", "check_video_output", "is_folder_output", "output_kind"]


@dataclass(frozen=True)
class OutputKind:
    """How one kind of output is written.

    ``muxer``/``codec``/``pix_fmt`` are FFmpeg names (None for a folder of PNGs).
    ``audio_copy``: source audio codecs whose packets are copied unchanged;
    ``audio_codec``: what other audio is re-encoded to (None: the kind holds no audio).
    ``even``: the codec needs even width and height (4:2:0 chroma).
    """

    name: str
    muxer: str | None
    codec: str | None
    pix_fmt: str | None
    options: Mapping[str, str] = field(default_factory=dict)
    muxer_options: Mapping[str, str] = field(default_factory=dict)
    audio_copy: frozenset[str] = frozenset()
    audio_codec: str | None = None
    even: bool = False


# x264: CRF 18 is "visually lossless" by x264's own guidance; stylised frames are full of
# fine texture, which lower quality smears. faststart puts the index first for streaming.
_H264 = {"crf": "18", "preset": "medium"}
_FASTSTART = {"movflags": "+faststart"}
# VP9 in constant-quality mode (b:v 0 + crf; the libvpx-vp9 documentation's recommended
# range is 15-35); cpu-used 4 and row-mt keep it within a few times H.264's speed.
_VP9 = {"crf": "24", "b": "0", "cpu-used": "4", "row-mt": "1", "deadline": "good"}

MP4 = OutputKind(
    "mp4", "mp4", "libx264", "yuv420p", _H264, _FASTSTART,
    audio_copy=frozenset({"aac", "mp3", "alac", "opus"}), audio_codec="aac", even=True,
)
MOV = OutputKind(
    "mov", "mov", "libx264", "yuv420p", _H264, _FASTSTART,
    audio_copy=frozenset({"aac", "mp3", "alac", "pcm_s16le", "pcm_s24le"}), audio_codec="aac", even=True,
)
MKV = OutputKind(
    "mkv", "matroska", "libx264", "yuv420p", _H264,
    audio_copy=frozenset({"aac", "mp3", "opus", "vorbis", "flac", "alac", "ac3", "pcm_s16le", "pcm_s24le"}),
    audio_codec="aac", even=True,
)
WEBM = OutputKind(
    "webm", "webm", "libvpx-vp9", "yuv420p", _VP9,
    audio_copy=frozenset({"opus", "vorbis"}), audio_codec="libopus", even=True,
)
GIF = OutputKind("gif", "gif", "gif", "pal8")
#: A folder of numbered PNG frames (``frame_000001.png``...): no timing, no audio.
FOLDER = OutputKind("folder", None, None, None)

#: Output kinds by file extension (lower case, with the dot).
OUTPUT_KINDS: dict[str, OutputKind] = {
    ".mp4": MP4,
    ".m4v": MP4,
    ".mov": MOV,
    ".mkv": MKV,
    ".webm": WEBM,
    ".gif": GIF,
}


def is_folder_output(path: str | os.PathLike[str]) -> bool:
    """A path ending in a separator, or an existing folder, means "write numbered PNGs here"."""
    text = os.fspath(path)
    return text.endswith(("/", os.sep)) or Path(text).is_dir()


def check_video_output(path: str | os.PathLike[str]) -> OutputKind:
    """The kind of video ``path`` will be, or a one-line error before any work starts.

    Args:
        path: an output file (.mp4, .m4v, .mov, .mkv, .webm, .gif) or a folder (ending in
            ``/`` or existing) for numbered PNG frames.

    Raises:
        VideoUsageError: the extension cannot hold a video (``.png``, ``.txt``, none...).
        VideoError: the folder the output would go in does not exist.

    Example::

        check_video_output("clip_starry.mp4").codec   # "libx264"
        check_video_output("frames/").name            # "folder"
    """
    text = os.fspath(path)
    kind = output_kind(text)
    parent = Path(text.rstrip("/" + os.sep) or ".").parent
    if not parent.is_dir():
        raise VideoError(f"{text}: folder {parent} does not exist")
    return kind


def output_kind(path: str | os.PathLike[str]) -> OutputKind:
    """The kind of video ``path`` names, from its extension alone (its folder may not exist
    yet): :func:`check_video_output` without the check of the parent folder.

    Raises:
        VideoUsageError: the extension cannot hold a video.
    """
    text = os.fspath(path)
    if is_folder_output(text):
        return FOLDER
    dest = Path(text)
    kind = OUTPUT_KINDS.get(dest.suffix.lower())
    if kind is None:
        what = f"a {dest.suffix} file" if dest.suffix else "a file without an extension"
        choices = ", ".join(sorted(OUTPUT_KINDS))
        raise VideoUsageError(f"{text}: {what} cannot hold a video; use {choices} or a folder ending in /")
    return kind

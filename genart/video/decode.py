"""Decoding: a stream of upright RGB frames with their timestamps, memory flat in the length.

:func:`read_frames` yields one :class:`Frame` at a time (nothing is kept), with the display
rotation applied, optionally resized to a long side, and only the selected frames
(:class:`FrameSelection`: ``frame_range`` and ``every``) converted to RGB.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Iterator

import numpy as np

from ..core.errors import VideoError, VideoUsageError
from .params import parse_frame_range
from .probe import VideoInfo, _reason, open_input, probe_video, rotation_of, video_stream

__all__ = ["Frame", "FrameSelection", "parse_frame_range", "read_frames", "select_frames"]


@dataclass(frozen=True)
class Frame:
    """One decoded frame.

    ``index`` counts the clip's frames from 0 in presentation order; ``time`` is its
    presentation time in seconds on the file's clock (exact); ``rgb`` is (H, W, 3) uint8,
    upright.
    """

    index: int
    time: Fraction
    rgb: np.ndarray


@dataclass(frozen=True)
class FrameSelection:
    """Which frames of a clip to use: ``start <= index < end``, every ``every``-th one.

    ``open_end``: no end was asked for: decoding runs to the clip's real end, and ``end``
    (and ``count``) are the clip's length as probed (an estimate for some containers).
    """

    start: int
    end: int
    every: int
    open_end: bool = False

    @property
    def count(self) -> int:
        return max(0, -(-(self.end - self.start) // self.every))

    def __contains__(self, index: int) -> bool:
        below_end = self.open_end or index < self.end
        return self.start <= index and below_end and (index - self.start) % self.every == 0

    def position(self, index: int) -> int:
        """0-based position of a selected clip frame among the selected frames."""
        return (index - self.start) // self.every


def select_frames(
    info: VideoInfo, frame_range: tuple[int, int | None] | None = None, every: int = 1
) -> FrameSelection:
    """Check a frame selection against the clip; frames outside it are a VideoUsageError.

    With an estimated frame count (no exact index) only an obviously impossible start is
    refused here; :func:`read_frames` refuses the rest when the clip ends early.
    """
    if isinstance(every, bool) or int(every) < 1:
        raise VideoUsageError(f"every must be a whole number >= 1, got {every!r}")
    start, end = frame_range if frame_range is not None else (0, None)
    if start < 0 or (end is not None and end <= start):
        raise VideoUsageError(f"{info.path}: frame range {start}:{end} is empty or negative")
    total = info.frames
    if info.frames_exact and (start >= total or (end is not None and end > total)):
        raise VideoUsageError(
            f"{info.path}: frame range {start}:{'' if end is None else end} is outside the clip "
            f"(frames 0:{total}, {total} frames)"
        )
    return FrameSelection(start, total if end is None else end, int(every), end is None)


def display_size(info: VideoInfo, size: int | None) -> tuple[int, int]:
    """(height, width) of the frames :func:`read_frames` yields for a long side ``size``."""
    if size is None:
        return info.height, info.width
    from ..core.geometry import fit_long_side

    if isinstance(size, bool) or int(size) < 1:
        raise VideoUsageError(f"size must be a positive number of pixels, got {size!r}")
    return fit_long_side(info.height, info.width, int(size))


def read_frames(
    path: str | os.PathLike[str],
    *,
    size: int | None = None,
    frame_range: tuple[int, int | None] | None = None,
    every: int = 1,
    info: VideoInfo | None = None,
) -> Iterator[Frame]:
    """Decode a video's selected frames, upright, as RGB uint8 arrays.

    Args:
        path: the video.
        size: long side of the frames in pixels (aspect kept, the rounding of
            :func:`genart.core.geometry.fit_long_side`); None keeps the clip's size.
            Shrinking uses an area filter (no aliasing), enlarging a bicubic one.
        frame_range: (start, end) clip frame numbers, end exclusive or None for the end.
        every: keep every N-th frame of the range.
        info: the clip's :class:`VideoInfo` if already probed.

    Yields:
        :class:`Frame` objects, one at a time: memory does not grow with the clip.

    Raises:
        VideoError: the file cannot be read or breaks off while decoding.
        VideoUsageError: the frame range lies outside the clip.

    Example::

        for frame in read_frames("clip.mp4", size=384, frame_range=(0, 96)):
            print(frame.index, float(frame.time), frame.rgb.shape)
    """
    info = info or probe_video(path)
    selection = select_frames(info, frame_range, every)
    height, width = display_size(info, size)
    name = str(path)
    seen = 0
    with open_input(path) as container:
        stream = video_stream(container, name)
        stream.thread_type = "AUTO"  # frame + slice threads: decoding is the cheap part then
        for index, raw in enumerate(_decode(container, stream, name)):
            seen = index + 1
            if index >= selection.end and not selection.open_end:
                break
            if index in selection:
                yield Frame(index, _time(raw, stream, index, info), _to_rgb(raw, height, width))
    if seen <= selection.start or (seen < selection.end and not selection.open_end):
        raise VideoUsageError(
            f"{name}: frame range {selection.start}:{selection.end} is outside the clip ({seen} frames)"
        )


def _decode(container: Any, stream: Any, name: str) -> Iterator[Any]:
    import av

    try:
        yield from container.decode(stream)
    except av.error.FFmpegError as exc:
        raise VideoError(f"{name}: damaged video, decoding stopped ({_reason(exc)})") from None


def _time(raw: Any, stream: Any, index: int, info: VideoInfo) -> Fraction:
    if raw.pts is None or raw.time_base is None:
        return Fraction(index) / info.fps
    return Fraction(raw.pts) * Fraction(raw.time_base)


def _to_rgb(raw: Any, height: int, width: int) -> np.ndarray:
    """The frame in RGB at (height, width) as displayed: scale in stored orientation, then turn."""
    turns = rotation_of(raw) // 90
    stored_h, stored_w = (width, height) if turns % 2 else (height, width)
    shrink = stored_h * stored_w < raw.width * raw.height
    interpolation = "AREA" if shrink else "BICUBIC"
    rgb = raw.to_ndarray(width=stored_w, height=stored_h, format="rgb24", interpolation=interpolation)
    if turns:
        rgb = np.ascontiguousarray(np.rot90(rgb, k=turns))
    return rgb

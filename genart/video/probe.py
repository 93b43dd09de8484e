"""What a video holds: :func:`probe_video` -> :class:`VideoInfo`, with one-line errors.

PyAV (FFmpeg, shipped in its wheels) does the reading; it is imported inside functions.
Every failure is a :class:`~genart.core.errors.VideoError` whose message starts with the
file name: an empty or truncated file, audio without video, no frames, a codec this
FFmpeg cannot decode.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Iterator

from ..core.errors import VideoError

__all__ = ["VideoInfo", "open_input", "probe_video", "rotation_of", "video_stream"]

# Packets demuxed to count frames and find variable timing when the container has no
# sample-exact index (Matroska, WebM, AVI, GIF); beyond it the count is estimated.
_COUNT_PACKETS = 5000


@dataclass(frozen=True)
class VideoInfo:
    """A video's properties, as displayed (rotation applied to ``width``/``height``).

    ``frames`` is exact when ``frames_exact`` (read from the container's index or counted);
    otherwise estimated from the duration and frame rate. ``fps`` is the average rate;
    with ``variable_frame_rate`` the frames keep their own timestamps. ``rotation`` is the
    counter-clockwise turn (0, 90, 180 or 270) applied to the stored frames to show them.
    ``time_base`` is the clock of the video stream's timestamps (seconds per tick).
    """

    path: str
    container: str
    video_codec: str
    width: int
    height: int
    rotation: int
    fps: Fraction
    time_base: Fraction
    frames: int
    frames_exact: bool
    duration: float
    variable_frame_rate: bool
    has_audio: bool
    audio_codec: str | None


def _one_line(exc: BaseException) -> str:
    from ..imageio.opening import one_line

    return one_line(exc)


@contextmanager
def open_input(path: str | os.PathLike[str]) -> Iterator[Any]:
    """Open ``path`` with PyAV for reading; a missing, empty or unreadable file is a VideoError."""
    import av

    name = str(path)
    try:
        size = os.stat(path).st_size
    except FileNotFoundError:
        raise VideoError(f"{name}: no such file") from None
    except OSError as exc:
        raise VideoError(f"{name}: cannot read ({exc.strerror or exc})") from None
    if Path(path).is_dir():
        raise VideoError(f"{name}: is a folder, not a video")
    if size == 0:
        raise VideoError(f"{name}: empty file (0 bytes), not a video")
    try:
        container = av.open(name, "r")
    except av.error.FFmpegError as exc:
        raise VideoError(f"{name}: truncated or damaged video ({_reason(exc)})") from None
    except OSError as exc:
        raise VideoError(f"{name}: cannot read ({exc.strerror or _one_line(exc)})") from None
    try:
        yield container
    finally:
        container.close()


def _reason(exc: BaseException) -> str:
    """FFmpeg's message without the errno and the file name it repeats."""
    text = getattr(exc, "strerror", None) or _one_line(exc)
    return str(text)


def video_stream(container: Any, name: str) -> Any:
    """The first video stream, refusing audio-only files and codecs FFmpeg cannot decode."""
    import av

    streams = [s for s in container.streams.video if not _is_cover_art(s)]
    if not streams:
        if container.streams.audio:
            raise VideoError(f"{name}: has an audio track but no video stream")
        if not len(container.streams):
            # FFmpeg drops an MP4 track that holds no samples: a video of 0 frames.
            raise VideoError(f"{name}: contains no frames (0 frames, no streams)")
        raise VideoError(f"{name}: contains no video stream")
    stream = streams[0]
    if stream.codec_context is None:
        raise VideoError(f"{name}: unsupported video codec (FFmpeg does not recognise it)")
    codec = stream.codec_context.name
    try:
        av.codec.Codec(codec, "r")
    except Exception:  # noqa: BLE001 - PyAV raises different types for unknown codecs
        raise VideoError(f"{name}: unsupported video codec {codec!r} (no decoder in this FFmpeg)") from None
    return stream


def _is_cover_art(stream: Any) -> bool:
    """An MP4/MKV "attached picture" (album art) is a still image, not the video."""
    disposition = getattr(stream, "disposition", None)
    return bool(disposition is not None and "attached_pic" in str(disposition).lower())


def rotation_of(frame: Any) -> int:
    """The display rotation of a decoded frame: 0, 90, 180 or 270 (counter-clockwise)."""
    return int(round(float(frame.rotation or 0) / 90.0)) % 4 * 90


def _first_frame(container: Any, stream: Any, name: str) -> Any:
    import av

    try:
        for frame in container.decode(stream):
            return frame
    except av.error.FFmpegError as exc:
        raise VideoError(f"{name}: cannot decode the video ({_reason(exc)})") from None
    raise VideoError(f"{name}: the video stream has no frames (0 frames)")


def _index_times(stream: Any, name: str) -> list[int] | None:
    """Sorted timestamps from a sample-exact index (ISO media), or None without one.

    Raises VideoError when the index points past the end of the file (a cut-short download).
    """
    entries = stream.index_entries
    if not stream.frames or len(entries) != stream.frames:
        return None
    size = os.stat(name).st_size
    if any(e.pos + e.size > size for e in entries):
        raise VideoError(f"{name}: truncated video (the file ends before its last frame)")
    # Samples an edit list cuts away (e.g. a clip trimmed without re-encoding) are never shown.
    return sorted(e.timestamp for e in entries if not e.is_discard)


def _demux_times(container: Any, stream: Any) -> tuple[list[int], bool]:
    """Packet timestamps counted by demuxing (no decoding): (sorted pts, count is exact)."""
    container.seek(0)
    pts: list[int] = []
    for packet in container.demux(stream):
        if packet.size == 0:  # the flush packet at the end
            continue
        pts.append(packet.pts if packet.pts is not None else (packet.dts or 0))
        if len(pts) >= _COUNT_PACKETS:
            return sorted(pts), False
    return sorted(pts), True


def _variable(pts: list[int]) -> bool:
    """Whether frame intervals vary by more than 10% of the median (ignoring the last)."""
    deltas = sorted(b - a for a, b in zip(pts, pts[1:]) if b > a)
    if len(deltas) < 2:
        return False
    median = deltas[len(deltas) // 2]
    return deltas[0] < 0.9 * median or deltas[-1] > 1.1 * median


def probe_video(path: str | os.PathLike[str]) -> VideoInfo:
    """Read a video's properties and check that its first frame decodes.

    Args:
        path: a video file (MP4, MOV, MKV, WebM, AVI, animated GIF...).

    Returns:
        A :class:`VideoInfo`.

    Raises:
        VideoError: missing, empty, truncated or damaged file; an audio-only file; a
            video stream with no frames; a codec this FFmpeg cannot decode.

    Example::

        info = probe_video("clip.mp4")
        print(info.width, info.height, info.fps, info.frames, info.has_audio)
    """
    name = str(path)
    with open_input(path) as container:
        stream = video_stream(container, name)
        pts = _index_times(stream, name)
        first = _first_frame(container, stream, name)
        exact = True
        if pts is None:
            pts, exact = _demux_times(container, stream)
        return _info(name, container, stream, first, pts, exact)


def _info(name: str, container: Any, stream: Any, first: Any, pts: list[int], exact: bool) -> VideoInfo:
    tb = stream.time_base or Fraction(1, 1)
    fps = Fraction(stream.average_rate or stream.guessed_rate or 0)
    if not fps and len(pts) > 1 and pts[-1] > pts[0]:
        fps = Fraction(len(pts) - 1) / ((pts[-1] - pts[0]) * tb)
    fps = fps.limit_denominator(1001 * 1000) if fps else Fraction(25)
    duration = _duration(container, stream, pts, fps)
    frames = len(pts) if exact else max(len(pts), round(duration * fps))
    rotation = rotation_of(first)
    width, height = first.width, first.height
    if rotation in (90, 270):
        width, height = height, width
    audio = container.streams.audio[0] if container.streams.audio else None
    return VideoInfo(
        path=name,
        container=container.format.name,
        video_codec=stream.codec_context.name,
        width=width,
        height=height,
        rotation=rotation,
        fps=fps,
        time_base=Fraction(tb),
        frames=frames,
        frames_exact=exact,
        duration=duration,
        variable_frame_rate=_variable(pts),
        has_audio=audio is not None,
        audio_codec=audio.codec_context.name if audio is not None else None,
    )


def _duration(container: Any, stream: Any, pts: list[int], fps: Fraction) -> float:
    if stream.duration:
        return float(stream.duration * stream.time_base)
    if container.duration:
        return container.duration / 1_000_000  # AV_TIME_BASE
    if len(pts) > 1:
        return float((pts[-1] - pts[0]) * stream.time_base + 1 / fps)
    return float(1 / fps)

"""Joining videos rendered piece by piece (one per shot) into one, with the source's sound.

:func:`join_videos` copies the pieces' encoded packets into one container, each piece
shifted to its place on the source's clock: no re-encoding, so joining a long video takes
seconds. That needs pieces with the same codec parameters (the same encoder settings and
frame size give identical H.264/VP9 headers); when they differ, the pieces are decoded and
encoded again instead. The output is written atomically, like every genart video.

Example::

    join_videos([Piece("a.mp4", Fraction(0)), Piece("b.mp4", Fraction(29, 30))], "out.mp4",
                audio=AudioClip("source.mp4", start=Fraction(0)))
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

from ..core.errors import VideoError
from .audio import AudioClip, AudioMux, has_audio
from .outputs import FOLDER, GIF, check_video_output
from .writer import _new_file_mode, container_comment

__all__ = ["Piece", "join_videos"]


@dataclass(frozen=True)
class Piece:
    """A rendered piece and where its first frame belongs on the output's clock (seconds)."""

    path: str | os.PathLike[str]
    start: Fraction


def join_videos(
    pieces: Sequence[Piece], output: str | os.PathLike[str], *, audio: AudioClip | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> Path:
    """Write ``pieces``, in order, as one video at ``output`` (same container kind as the pieces).

    Args:
        pieces: the pieces with their start times (the first usually at 0).
        output: an .mp4 / .m4v / .mov / .mkv / .webm file.
        audio: the source's sound, trimmed to the frames rendered (``start`` = the first
            frame's source time).
        metadata: JSON-able settings for the container's comment tag.

    Returns:
        ``output`` as a Path. Raises VideoError when a piece cannot be read or the
        container cannot hold what the pieces hold.
    """
    kind = check_video_output(output)
    if kind in (FOLDER, GIF) or not pieces:
        raise VideoError(f"{output}: pieces can be joined into a video file only (not a GIF or a folder)")
    dest = Path(output)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    os.close(fd)
    try:
        if _same_headers(pieces):
            _remux(pieces, tmp, kind, audio, metadata)
        else:
            _reencode(pieces, tmp, dest.suffix, audio, metadata)
        os.chmod(tmp, _new_file_mode(dest))
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return dest


def _same_headers(pieces: Sequence[Piece]) -> bool:
    """Whether every piece has the first one's codec and codec headers (copying works)."""
    import av

    seen = set()
    for piece in pieces:
        try:
            with av.open(os.fspath(piece.path)) as container:
                cc = container.streams.video[0].codec_context
                seen.add((cc.name, bytes(cc.extradata or b""), cc.width, cc.height))
        except (av.error.FFmpegError, IndexError) as exc:
            raise VideoError(f"{piece.path}: cannot read this piece ({exc})") from None
    return len(seen) == 1


def _reencode(pieces: Sequence[Piece], tmp: str, suffix: str, audio: AudioClip | None, metadata: Any) -> None:
    """Decode every piece and encode them as one (pieces whose headers differ)."""
    from .decode import read_frames
    from .probe import probe_video
    from .writer import VideoWriter

    first = probe_video(pieces[0].path)
    # The writer picks the container from the extension: write under it, then rename.
    target = Path(tmp).with_name(Path(tmp).name + suffix)
    writer = VideoWriter(target, fps=first.fps, time_base=first.time_base, audio=audio, metadata=metadata)
    with writer:
        for piece in pieces:
            frames = read_frames(piece.path)
            for frame in frames:
                writer.write(frame.rgb, piece.start + frame.time)
    os.replace(target, tmp)


def _remux(pieces: Sequence[Piece], tmp: str, kind: Any, audio: AudioClip | None, metadata: Any) -> None:
    import av

    try:
        with av.open(tmp, "w", format=kind.muxer, options=dict(kind.muxer_options)) as out:
            if metadata is not None:
                out.metadata["comment"] = container_comment(metadata)
            with av.open(os.fspath(pieces[0].path)) as first:
                template = first.streams.video[0]
                stream = out.add_stream_from_template(template)
                stream.time_base = template.time_base
                # The template's codec frame rate is its clock (e.g. 10240 for MP4); the real rate:
                stream.codec_context.framerate = template.average_rate or template.guessed_rate
            mux = AudioMux(audio, out, kind) if audio is not None and has_audio(audio.path) else None
            for piece in pieces:
                for packet in _shifted(piece, stream):
                    out.mux(packet)
                    if mux is not None:
                        mux.pump(packet.pts * Fraction(packet.time_base))
            if mux is not None:
                mux.finish()
    except av.error.FFmpegError as exc:
        raise VideoError(f"{tmp}: joining the pieces failed ({exc})") from None


def _shifted(piece: Piece, stream: Any) -> Iterator[Any]:
    """The piece's video packets for the output ``stream``, moved to the piece's start."""
    import av

    try:
        container = av.open(os.fspath(piece.path))
    except av.error.FFmpegError as exc:
        raise VideoError(f"{piece.path}: cannot read this piece ({exc})") from None
    with container:
        source = container.streams.video[0]
        tick = Fraction(source.time_base)  # packets keep their clock; muxing rescales them
        shift: int | None = None
        for packet in container.demux(source):
            if packet.size == 0:
                continue
            if shift is None:  # the piece's first frame (a key frame, first in time) lands at its start
                shift = round(piece.start / tick) - (packet.pts or 0)
            if packet.pts is not None:
                packet.pts += shift
            if packet.dts is not None:
                packet.dts += shift
            packet.stream = stream
            yield packet


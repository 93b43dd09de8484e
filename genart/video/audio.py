"""Carrying a source's sound into an output: copied packet for packet where the container
allows it, re-encoded otherwise (e.g. AAC into WebM becomes Opus), trimmed to the frames used.

Trimming is to whole audio packets (about 21-23 ms for AAC and Opus), well inside what
anyone can see as lip-sync error. Used by :class:`genart.video.writer.VideoWriter`, which
pulls packets up to each video frame's time so the two streams stay interleaved.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Iterator

from ..core.errors import VideoError
from .outputs import OutputKind

__all__ = ["AudioClip", "AudioMux", "has_audio"]


@dataclass(frozen=True)
class AudioClip:
    """The part of ``path``'s first audio track from ``start`` to ``end`` seconds (None: to the end).

    Times are on the source file's clock, the clock of :attr:`genart.video.Frame.time`.
    """

    path: str | os.PathLike[str]
    start: Fraction = Fraction(0)
    end: Fraction | None = None


def has_audio(path: str | os.PathLike[str]) -> bool:
    """Whether the file at ``path`` has an audio stream."""
    import av

    with av.open(os.fspath(path)) as container:
        return bool(container.streams.audio)


class AudioMux:
    """Moves one audio clip into an open output container, a packet at a time.

    Create it before the output's header is written (it adds the audio stream), call
    :meth:`pump` with each video frame's output time, then :meth:`finish`.
    """

    def __init__(self, clip: AudioClip, output: Any, kind: OutputKind) -> None:
        import av

        self.clip = clip
        self.output = output
        self._source = av.open(os.fspath(clip.path), "r")
        try:
            self._in = self._source.streams.audio[0]
            self.copy = self._in.codec_context.name in kind.audio_copy
            self._out = self._add_stream(kind)
            self._packets = self._clip_packets()
            self._pending: Any = None
            self._resampler: Any = None
        except BaseException:
            self._source.close()
            raise

    # ------------------------------------------------------------------ set-up
    def _add_stream(self, kind: OutputKind) -> Any:
        if self.copy:
            return self.output.add_stream_from_template(self._in)
        rate = 48000 if kind.audio_codec == "libopus" else (self._in.rate or 48000)
        layout = "stereo" if self._in.codec_context.channels >= 2 else "mono"
        return self.output.add_stream(kind.audio_codec, rate=rate, layout=layout)

    def _clip_packets(self) -> Iterator[Any]:
        """Source packets that overlap [start, end), in order."""
        tb = Fraction(self._in.time_base)
        start, end = self.clip.start, self.clip.end
        for packet in self._source.demux(self._in):
            if packet.size == 0 or packet.pts is None:
                continue
            begins = packet.pts * tb
            if end is not None and begins >= end:
                return
            if begins + (packet.duration or 0) * tb > start:
                yield packet

    # ------------------------------------------------------------------ moving
    def pump(self, until: Fraction | None) -> None:
        """Write the clip's audio up to output time ``until`` seconds (None: all of it)."""
        while True:
            if self._pending is None:
                self._pending = next(self._packets, None)
                if self._pending is None:
                    return
            begins = self._pending.pts * Fraction(self._in.time_base) - self.clip.start
            if until is not None and begins > until:
                return
            packet, self._pending = self._pending, None
            self._write(packet)

    def _write(self, packet: Any) -> None:
        shift = round(self.clip.start / Fraction(self._in.time_base))
        if self.copy:
            packet.pts -= shift
            if packet.dts is not None:
                packet.dts -= shift
            packet.stream = self._out
            self.output.mux(packet)
            return
        for frame in packet.decode():
            frame.pts = None  # the encoder numbers the samples from the output's start
            for converted in self._resample(frame):
                self.output.mux(self._out.encode(converted))

    def _resample(self, frame: Any) -> list[Any]:
        import av

        if self._resampler is None:
            cc = self._out.codec_context
            self._resampler = av.AudioResampler(format=cc.format, layout=cc.layout, rate=cc.rate)
        return self._resampler.resample(frame)

    def finish(self) -> None:
        """Write what is left of the clip and flush the encoder; closes the source."""
        try:
            self.pump(None)
            if not self.copy:
                for converted in self._resample(None) if self._resampler else []:
                    self.output.mux(self._out.encode(converted))
                self.output.mux(self._out.encode(None))
        except Exception as exc:  # noqa: BLE001 - FFmpeg fails in many ways; name the file
            raise VideoError(f"{self.clip.path}: cannot carry the audio over ({exc})") from exc
        finally:
            self.close()

    def close(self) -> None:
        self._source.close()

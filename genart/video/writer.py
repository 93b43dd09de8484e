"""Encoding: :class:`VideoWriter` turns frames into a video file or a folder of PNGs.

The output's extension picks the container and codecs (:mod:`genart.video.outputs`). Frames
are encoded as they arrive (memory stays flat) into a temporary file beside the
destination, which is renamed over it only by :meth:`VideoWriter.close`: an exception or
Ctrl-C leaves nothing at the destination and no temporary file behind.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from fractions import Fraction
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from ..core.errors import VideoError
from .audio import AudioClip, AudioMux, has_audio
from .outputs import FOLDER, GIF, OutputKind, check_video_output

__all__ = ["VideoWriter", "container_comment", "folder_frame_name"]

_DEFAULT_TIME_BASE = Fraction(1, 90000)  # MPEG's 90 kHz clock: exact for 24/25/30/50/60 fps


def container_comment(metadata: Mapping[str, Any]) -> str:
    """The comment tag genart writes into a video container: its settings, as JSON."""
    return "genart " + json.dumps(metadata, sort_keys=True)


def folder_frame_name(number: int) -> str:
    """The file name of frame ``number`` (1-based) in a PNG-folder output."""
    return f"frame_{number:06d}.png"


class VideoWriter:
    """Write frames to ``path`` (.mp4, .m4v, .mov, .mkv, .webm, .gif, or a folder for PNGs).

    Args:
        path: the destination; see :func:`genart.video.check_video_output`.
        fps: frame rate for frames written without a time (and the stream's nominal rate).
        time_base: the clock of the output's timestamps; pass the source stream's to keep
            its timing exactly (default 1/90000 s; GIF always counts in 1/100 s).
        audio: an :class:`AudioClip` to carry over, or None. Its ``start`` is matched to
            the first frame's time: pass the first frame's source time as ``start``.
        metadata: JSON-able settings stored in the container's comment tag (or in each
            PNG for a folder).

    ``notes`` collects warnings for the user (audio dropped by a GIF, padding...).

    Example::

        with VideoWriter("out.mp4", fps=24) as writer:
            for frame in frames:          # (H, W, 3) uint8 / float arrays or (1, 3, H, W) tensors
                writer.write(frame)
        # out.mp4 exists only now; an exception inside the block leaves nothing behind
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        fps: float | Fraction = 30,
        time_base: Fraction | None = None,
        audio: AudioClip | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> None:
        self.kind = check_video_output(path)
        self.path = Path(os.fspath(path).rstrip("/" + os.sep) or ".")
        self.fps = Fraction(fps).limit_denominator(1001 * 1000)
        self.notes: list[str] = []
        self.frames = 0
        self._sink: _Sink = (_FolderSink if self.kind is FOLDER else _ContainerSink)(
            self.path, self.kind, self.fps, time_base, audio, metadata, self.notes
        )
        self._first_time: Fraction | None = None

    def write(self, image: Any, time: Fraction | float | None = None) -> None:
        """Add a frame: an RGB (H, W, 3) uint8 / float [0, 1] array or a (1, 3, H, W) tensor.

        ``time`` is its presentation time in seconds (any origin: the first frame's time
        becomes 0); without it frames are spaced 1/fps apart.
        """
        from ..imageio import rgb_uint8

        rgb = rgb_uint8(image)
        if time is None:
            offset = Fraction(self.frames) / self.fps
        else:
            time = Fraction(time)
            if self._first_time is None:
                self._first_time = time
            offset = time - self._first_time
        try:
            self._sink.add(rgb, offset)
        except BaseException:
            self.abort()
            raise
        self.frames += 1

    def close(self) -> Path:
        """Finish the file and move it to ``path``; returns ``path``."""
        if self.frames == 0:
            self.abort()
            raise VideoError(f"{self.path}: no frames were written")
        try:
            self._sink.finish()
        except BaseException:
            self.abort()
            raise
        return self.path

    def abort(self) -> None:
        """Drop everything written so far; nothing appears at ``path``."""
        self._sink.discard()

    def __enter__(self) -> "VideoWriter":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


class _Sink:
    """Where the frames go; one subclass per kind of destination."""

    def __init__(
        self,
        dest: Path,
        kind: OutputKind,
        fps: Fraction,
        time_base: Fraction | None,
        audio: AudioClip | None,
        metadata: Mapping[str, Any] | None,
        notes: list[str],
    ) -> None:
        self.dest, self.kind, self.fps, self.notes = dest, kind, fps, notes
        self.time_base = Fraction(time_base) if time_base else _DEFAULT_TIME_BASE
        self.audio, self.metadata = audio, metadata

    def add(self, rgb: np.ndarray, offset: Fraction) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        raise NotImplementedError

    def discard(self) -> None:
        raise NotImplementedError


class _ContainerSink(_Sink):
    """A video file written through PyAV into a temporary file beside the destination."""

    container: Any = None
    tmp: str | None = None

    def _open(self, height: int, width: int) -> None:
        import av

        fd, self.tmp = tempfile.mkstemp(dir=self.dest.parent, prefix=f".{self.dest.name}.", suffix=".part")
        os.close(fd)
        try:
            self.container = av.open(self.tmp, "w", format=self.kind.muxer, options=dict(self.kind.muxer_options))
            if self.metadata is not None:
                self.container.metadata["comment"] = container_comment(self.metadata)
            self.stream = self._video_stream(height, width)
            self.mux = self._audio()
        except av.error.FFmpegError as exc:
            self.discard()
            raise VideoError(f"{self.dest}: cannot start encoding ({exc})") from None
        self.last_pts = -1

    def _video_stream(self, height: int, width: int) -> Any:
        stream = self.container.add_stream(self.kind.codec, rate=self.fps, options=dict(self.kind.options))
        if self.kind.even and (height % 2 or width % 2):
            self.notes.append(f"{self.kind.name} needs even sizes: the last row/column was repeated")
            height, width = height + height % 2, width + width % 2
        stream.width, stream.height, stream.pix_fmt = width, height, self.kind.pix_fmt
        self.time_base = Fraction(1, 100) if self.kind is GIF else self.time_base
        stream.time_base = stream.codec_context.time_base = self.time_base
        if self.kind.pix_fmt == "yuv420p":  # tag what the conversion below produces: BT.709, TV range
            cc = stream.codec_context
            cc.colorspace = cc.color_primaries = cc.color_trc = 1
            cc.color_range = 1
        return stream

    def _audio(self) -> AudioMux | None:
        if self.audio is None:
            return None
        if self.kind.audio_codec is None and not self.kind.audio_copy:
            self.notes.append(f"{self.kind.name} cannot hold sound: the audio track was left out")
            return None
        if not has_audio(self.audio.path):
            return None
        return AudioMux(self.audio, self.container, self.kind)

    def add(self, rgb: np.ndarray, offset: Fraction) -> None:
        import av

        if self.container is None:
            self._open(*rgb.shape[:2])
        frame = self._frame(rgb)
        # Strictly increasing timestamps, whatever the rounding to the output's clock.
        frame.pts = self.last_pts = max(round(offset / self.time_base), self.last_pts + 1)
        frame.time_base = self.time_base
        try:
            self.container.mux(self.stream.encode(frame))
            if self.mux is not None:
                self.mux.pump(offset)
        except av.error.FFmpegError as exc:
            raise VideoError(f"{self.dest}: encoding failed ({exc})") from None

    def _frame(self, rgb: np.ndarray) -> Any:
        import av

        if self.kind is GIF:
            return _palette_frame(rgb)
        height, width = self.stream.height, self.stream.width
        if rgb.shape[:2] != (height, width):
            rgb = np.pad(rgb, ((0, height - rgb.shape[0]), (0, width - rgb.shape[1]), (0, 0)), mode="edge")
        frame = av.VideoFrame.from_ndarray(rgb, "rgb24")
        return frame.reformat(format=self.kind.pix_fmt, dst_colorspace="ITU709", dst_color_range="MPEG")

    def finish(self) -> None:
        import av

        try:
            self.container.mux(self.stream.encode(None))
            if self.mux is not None:
                self.mux.finish()
            self.container.close()
            self.container = None
        except av.error.FFmpegError as exc:
            raise VideoError(f"{self.dest}: encoding failed ({exc})") from None
        os.chmod(self.tmp, _new_file_mode(self.dest))
        os.replace(self.tmp, self.dest)
        self.tmp = None

    def discard(self) -> None:
        if self.container is not None:
            try:
                self.container.close()
            except Exception:  # noqa: BLE001 - already failing; the file goes anyway
                pass
            self.container = None
        mux = getattr(self, "mux", None)
        if mux is not None:
            mux.close()
        if self.tmp is not None:
            try:
                os.unlink(self.tmp)
            except OSError:
                pass
            self.tmp = None



def _palette_frame(rgb: np.ndarray) -> Any:
    """A GIF frame: 256 colours chosen for this frame, Floyd-Steinberg dithered (Pillow)."""
    import av
    from PIL import Image

    indexed = Image.fromarray(rgb, "RGB").quantize(256, dither=Image.Dither.FLOYDSTEINBERG)
    palette = np.zeros((256, 4), np.uint8)
    colours = np.asarray(indexed.getpalette() or [], np.uint8).reshape(-1, 3)[:256]
    palette[:, 0] = 255  # ARGB: opaque
    palette[: len(colours), 1:] = colours
    return av.VideoFrame.from_ndarray((np.asarray(indexed), palette), "pal8")


def _new_file_mode(dest: Path) -> int:
    from ..imageio.save import _file_mode

    return _file_mode(dest)


class _FolderSink(_Sink):
    """Numbered PNGs (``frame_000001.png``...) in a temporary folder, moved in at the end."""

    tmp: Path | None = None
    count = 0

    def add(self, rgb: np.ndarray, offset: Fraction) -> None:
        from ..imageio import save_image

        if self.tmp is None:
            self.tmp = Path(tempfile.mkdtemp(dir=self.dest.parent, prefix=f".{self.dest.name}.", suffix=".part"))
            if self.audio is not None:
                self.notes.append("a folder of PNG frames holds no sound: the audio track was left out")
        self.count += 1
        save_image(rgb, self.tmp / folder_frame_name(self.count), metadata=self.metadata)

    def finish(self) -> None:
        """Rename the folder into place, or move the frames into an existing folder."""
        assert self.tmp is not None
        if self.dest.is_dir() and not any(self.dest.iterdir()):
            self.dest.rmdir()
        if not self.dest.exists():
            os.replace(self.tmp, self.dest)
        else:
            for frame in sorted(self.tmp.iterdir()):
                os.replace(frame, self.dest / frame.name)
            self.tmp.rmdir()
        self.tmp = None

    def discard(self) -> None:
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None
